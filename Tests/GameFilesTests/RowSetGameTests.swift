import Foundation
import GameFiles
import MeanField
import Testing

/// Game files with `moment` and `polyhedral` ambiguity sets (Docs/Format.md): the
/// equilibria against games with closed-form sets they reduce to, and every
/// load-time error naming its field.
@Suite("Game files with moment and polyhedral sets")
struct RowSetGameTests {
    /// A 3-state, 2-action game (not mirror-symmetric: `0.2 s` in the reward, so that the
    /// equilibrium is unique and tie-breaking cannot pick a mirrored one) whose nominal row is `p_k(s, a) = (1 + 2[k = s] + a[k = 2 − s]) / (5 + a)`,
    /// so that constraints can name `p_k` as an expression in `s, a`.
    static func game(_ ambiguity: String) -> String {
        """
        name: rows
        states: 3
        actions: 2
        discount: 0.9
        reward: "-(s - 1)^2 - 2 * mu[s] - 0.3 * a + 0.2 * s"
        transition: "(1 + 2 * (t == s) + a * (t == 2 - s)) / (5 + a)"
        ambiguity:
        \(ambiguity)
        population: worst-case
        solver:
          temperature: 0.5
          tolerance: 1e-12
          maxIterations: 2000
        """
    }

    /// `p_k(s, a)` as an expression in `s, a`.
    static func nominal(_ k: Int) -> String { "(1 + 2 * (\(k) == s) + a * (\(k) == 2 - s)) / (5 + a)" }

    static func solve(_ text: String) throws -> EquilibriumResult {
        let (file, game) = try loadGame(text)
        return try game.solveEquilibrium(options: file.equilibriumOptions)
    }

    static func maxDifference(_ x: [Double], _ y: [Double]) -> Double {
        zip(x, y).map { abs($0 - $1) }.max() ?? .infinity
    }

    /// The L∞ box `|q_t − p_t| ≤ ρ` as `2n` polyhedral constraints equals `set: linf`.
    @Test(arguments: [0.0, 0.05, 0.2, 1.0])
    func boxEqualsLinf(rho: Double) throws {
        var rows: [String] = []
        for k in 0..<3 {
            rows.append("    - {coefficients: \"t == \(k)\", relation: \"<=\", bound: \"\(Self.nominal(k)) + \(rho)\"}")
            rows.append("    - {coefficients: \"t == \(k)\", relation: \">=\", bound: \"\(Self.nominal(k)) - \(rho)\"}")
        }
        let box = try Self.solve(Self.game("  set: polyhedral\n  constraints:\n" + rows.joined(separator: "\n")))
        let linf = try Self.solve(Self.game("  set: linf\n  radius: \(rho)"))
        #expect(box.converged && linf.converged)
        #expect(Self.maxDifference(box.meanField, linf.meanField) <= 1e-9, "ρ = \(rho)")
        #expect(Self.maxDifference(box.values, linf.values) <= 1e-9 * (1 + (linf.values.map(abs).max() ?? 0)), "ρ = \(rho)")
    }

    /// Huge moment radii leave the whole simplex: the worst case is `min_t V_t`, as for
    /// `tv` with radius 2 (TV distances are at most 1, so that ball is the simplex).
    @Test func hugeMomentRadiiEqualTheWholeSimplex() throws {
        let moment = try Self.solve(Self.game("  set: moment\n  features: [\"t\", \"t^2\"]\n  radius: [1e6, \"1e6 + mu[s]\"]"))
        let tv = try Self.solve(Self.game("  set: tv\n  radius: 2"))
        #expect(moment.converged && tv.converged)
        #expect(Self.maxDifference(moment.meanField, tv.meanField) <= 1e-9)
        #expect(Self.maxDifference(moment.values, tv.values) <= 1e-9 * (1 + (tv.values.map(abs).max() ?? 0)))
    }

    /// Radius 0 on the features `[t = 0]`, `[t = 1]` (with `Σ q = 1`, they fix `q = p`): the
    /// non-robust game.
    @Test func zeroRadiiOnSpanningFeaturesAreTheNominalGame() throws {
        let moment = try Self.solve(Self.game("  set: moment\n  features: [\"t == 0\", \"t == 1\"]\n  radius: [0, 0]"))
        let none = try Self.solve(Self.game("  set: none"))
        #expect(Self.maxDifference(moment.meanField, none.meanField) <= 1e-9)
    }

    @Test func reportsTheSetAndTheLPPath() throws {
        let (file, _) = try loadGame(Self.game("  set: moment\n  features: [t]\n  radius: 0.1"))
        #expect(file.setName == "moment")
        #expect(file.hasRowSets)
        #expect(file.innerSolverUsed == "lp")
    }

    /// Every load-time error is one line naming the field.
    @Test(arguments: [
        ("  set: moment\n  features: [t, t^2]\n  radius: [0.1, 0.2, 0.3]", "ambiguity.radius"),
        ("  set: moment\n  features: [t, \"t + x\"]\n  radius: [0.1, 0.2]", "ambiguity.features[2]"),
        ("  set: moment\n  features: [t]\n  radius: [\"t\"]", "ambiguity.radius"),
        ("  set: moment\n  features: [t]\n  radius: 0.1\n  cost: \"abs(s - t)\"", "ambiguity.cost"),
        ("  set: moment\n  radius: 0.1", "ambiguity.features"),
        ("  set: moment\n  features: [t]", "ambiguity.radius"),
        ("  set: polyhedral\n  constraints:\n    - {coefficients: t, relation: \"<\", bound: 1}", "ambiguity.constraints[1].relation"),
        ("  set: polyhedral\n  constraints:\n    - {coefficients: t, relation: \"<=\", bound: \"t\"}", "ambiguity.constraints[1].bound"),
        ("  set: polyhedral\n  constraints:\n    - {coefficients: \"y * t\", relation: \"<=\", bound: 1}", "ambiguity.constraints[1].coefficients"),
        ("  set: polyhedral\n  constraints:\n    - {coefficients: t, relation: \"<=\", bound: 9, extra: 1}", "ambiguity.constraints[1].extra"),
        ("  set: polyhedral\n  constraints: []", "ambiguity.constraints"),
        ("  set: polyhedral\n  constraints:\n    - {coefficients: t, relation: \"<=\", bound: 9}\n  within: {set: kl, radius: 0.1}", "ambiguity.within.set"),
        ("  set: polyhedral\n  constraints:\n    - {coefficients: t, relation: \"<=\", bound: 9}\n  within: {set: wasserstein, radius: 0.1}", "ambiguity.within.set"),
    ])
    func loadTimeErrorsNameTheField(ambiguity: String, field: String) throws {
        let error = try #require(loadError(Self.game(ambiguity)))
        #expect(error.field == field, "\(error.description)")
        #expect(!error.description.contains("\n"), "\(error.description)")
    }

    /// The two `ambiguity` blocks of Docs/Format.md ("Moment and polyhedral sets in games"),
    /// put into the Lasry–Lions example, load and solve.
    @Test func formatDocumentationBlocksSolve() throws {
        let format = try String(contentsOf: Paths.root.appendingPathComponent("Docs/Format.md"), encoding: .utf8)
        let section = try #require(format.components(separatedBy: "## Moment and polyhedral sets in games").dropFirst().first)
        let blocks = section.components(separatedBy: "```yaml\n").dropFirst().prefix(2).compactMap { $0.components(separatedBy: "```").first }
        #expect(blocks.count == 2)
        let game = try String(contentsOfFile: Paths.example("lasry-lions.yaml"), encoding: .utf8)
        for block in blocks {
            let text = game.replacingOccurrences(of: "ambiguity:\n  set: none\n", with: block)
            #expect(text != game)
            let (file, built) = try loadGame(text)
            #expect(file.hasRowSets)
            let result = try built.solveEquilibrium(options: file.equilibriumOptions)
            #expect(result.converged, "\(block)")
        }
    }

    /// A nominal row outside its set (`Σ q ≤ 0.5` can hold for no distribution) names the row.
    @Test func nominalOutsideTheSetNamesTheRow() throws {
        let error = try #require(loadError(Self.game("  set: polyhedral\n  constraints:\n    - {coefficients: 1, relation: \"<=\", bound: 0.5}")))
        #expect(error.description.contains("s=0, a=0"), "\(error.description)")
        #expect(!error.description.contains("\n"))
    }
}
