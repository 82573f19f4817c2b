import Foundation
import Testing
import TestSupport

/// `--ties split` / `ambiguity.ties` (Docs/AmbiguitySets.md, "Ties"): a symmetric game keeps
/// its symmetry in the robust equilibrium, and the flag and key are validated.
@Suite("ties: split")
struct TieSplitCommandTests {
    static let lasryLions = repositoryRoot.appendingPathComponent("Examples/bench-mfg/lasry-lions.yaml").path

    static func meanField(ties: String) throws -> [Double] {
        let r = try rmfg(["solve", Self.lasryLions, "--set", "tv", "--radius", "0.05", "--population", "worst-case",
                          "--temperature", "1", "--ties", ties, "--quiet", "--format", "json"])
        #expect(r.status == 0, "\(ties): \(r.stderr)")
        let j = try r.json()
        #expect((number(j, "exploitability") ?? .nan) <= 1e-8, "\(ties)")
        #expect((number(j, "stationarityResidual") ?? .nan) <= 1e-8, "\(ties)")
        return try #require(numbers(j, "meanField"))
    }

    /// Lasry–Lions is symmetric under s ↦ 6 − s. With tv 0.05 and the worst-case
    /// population, `index` breaks the ties of the symmetric values towards the lower
    /// index and the equilibrium leans (|μ(s) − μ(6 − s)| about 0.05); `split` keeps
    /// μ*(s) = μ*(6 − s) to round-off.
    @Test func lasryLionsStaysSymmetric() throws {
        let split = try Self.meanField(ties: "split")
        let index = try Self.meanField(ties: "index")
        let asymmetry = { (mu: [Double]) in zip(mu, mu.reversed()).map { abs($0 - $1) }.max() ?? .nan }
        #expect(asymmetry(split) <= 1e-9, "split: \(split)")
        #expect(asymmetry(index) >= 1e-2, "index: \(index)")
    }

    @Test func worstCaseSplitsTiedMinimizers() throws {
        let r = try rmfg(["worst-case", "--set", "tv", "--radius", "0.1", "--nominal", "0.1,0.2,0.4,0.2,0.1",
                          "--values", "1,0,0.5,0,1", "--ties", "split", "--method", "both", "--format", "json"])
        #expect(r.status == 0, "\(r.stderr)")
        let j = try r.json()
        let q = try #require(numbers(j, "distribution") ?? numbers(j, "q"))
        #expect(isApproximatelyEqual(q, [0.05, 0.25, 0.4, 0.25, 0.05], absolute: 1e-12, relative: 0), "\(q)")
    }

    @Test func invalidTieRulesAreOneLineErrors() throws {
        try expectInputError(["worst-case", "--set", "tv", "--radius", "0.1", "--nominal", "0.5,0.5", "--values", "1,0",
                              "--ties", "splat"], mentioning: "--ties")
        try expectInputError(["worst-case", "--set", "wasserstein", "--radius", "0.1", "--nominal", "0.5,0.5",
                              "--values", "1,0", "--ties", "split"], mentioning: "--ties")
        try expectInputError(["solve", Self.lasryLions, "--set", "tv", "--radius", "0.05", "--ties", "split",
                              "--inner", "lp"], mentioning: "ambiguity.ties")
        try expectInputError(["solve", repositoryRoot.appendingPathComponent("Examples/moment-crowd.yaml").path,
                              "--ties", "split"], mentioning: "ambiguity.ties")
        try expectInputError(["solve", Self.lasryLions, "--ties", "sideways"], mentioning: "--ties")
    }

    @Test func gameFileKeyIsRead() throws {
        let dir = try ScratchFolder()
        let text = try String(contentsOfFile: Self.lasryLions, encoding: .utf8)
            .replacingOccurrences(of: "  set: none\n", with: "  set: tv\n  radius: 0.05\n  ties: split\n")
            .replacingOccurrences(of: "population: nominal", with: "population: worst-case")
            .replacingOccurrences(of: "temperature: 0", with: "temperature: 1")
        let game = dir.path("split.yaml")
        try text.write(toFile: game, atomically: true, encoding: .utf8)
        let r = try rmfg(["solve", game, "--quiet", "--format", "json"])
        #expect(r.status == 0, "\(r.stderr)")
        let mu = try #require(numbers(try r.json(), "meanField"))
        #expect(zip(mu, mu.reversed()).allSatisfy { abs($0 - $1) <= 1e-9 }, "\(mu)")
        let bad = text.replacingOccurrences(of: "ties: split", with: "ties: both")
        try bad.write(toFile: game, atomically: true, encoding: .utf8)
        try expectInputError(["solve", game], mentioning: "ambiguity.ties")
    }
}
