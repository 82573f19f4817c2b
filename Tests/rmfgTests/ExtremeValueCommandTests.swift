import Foundation
import Testing
import TestSupport

/// Issue 14, item 3: wrong answers at extreme magnitudes with exit 0. Each reproduction of
/// the issue now gives the right σ with a passing certificate, or exit 2 with the reason.
@Suite("rmfg at extreme magnitudes")
struct ExtremeValueCommandTests {
    func worstCase(_ set: String, _ values: String, nominal: String = "0.5,0.5", radius: String = "0.1",
                   extra: [String] = []) throws -> CommandResult {
        try rmfg(["worst-case", "--set", set, "--radius", radius, "--nominal", nominal, "--values", values,
                  "--format", "json"] + extra)
    }

    func expectCertified(_ r: CommandResult, value expected: Double, sourceLocation: SourceLocation = #_sourceLocation) throws {
        #expect(r.status == 0, "\(r.stderr)", sourceLocation: sourceLocation)
        let j = try r.json()
        let value = try #require(number(j, "value"), sourceLocation: sourceLocation)
        #expect(isApproximatelyEqual(value, expected, absolute: 0, relative: 1e-9), "σ = \(value), expected \(expected)", sourceLocation: sourceLocation)
        let cert = try #require(j["certificate"] as? [String: Any], sourceLocation: sourceLocation)
        let gap = try #require(number(cert, "gap"), sourceLocation: sourceLocation)
        #expect(gap.isFinite && abs(gap) <= 1e-9 * (1 + abs(expected) * 4), sourceLocation: sourceLocation)
        #expect(j["passed"] as? Bool == true, sourceLocation: sourceLocation)
    }

    /// Was σ = p·V = 0 with a NaN gap.
    @Test func chiSquareAt1e200() throws {
        try expectCertified(worstCase("chi2", "1e200,-1e200", radius: "0.5"), value: -0.5.squareRoot() * 1e200)
    }

    /// Was p·V from about 1e155, and `"value": null` with `"passed": true` at 1e308.
    @Test(arguments: ["1e155", "1e200", "1e308"])
    func kullbackLeiblerAtHugeValues(scale: String) throws {
        let unit = try worstCase("kl", "1,-1", nominal: "0.3,0.7").json()
        let s = try #require(Double(scale))
        try expectCertified(worstCase("kl", "\(scale),-\(scale)", nominal: "0.3,0.7"),
                            value: (number(unit, "value") ?? .nan) * s)
    }

    /// L∞ was a gap of −inf or NaN with "passed".
    @Test(arguments: ["closed-form", "both"])
    func lInfinityAt1e308(method: String) throws {
        try expectCertified(worstCase("linf", "1e308,-1e308", extra: ["--method", method]), value: -0.2e308)
    }

    /// TV and Wasserstein at ±1e308: σ is representable but the budget multiplier
    /// λ = 2e308 is not, so the certificate cannot be printed: exit 2 with the reason.
    @Test(arguments: ["tv", "wasserstein"], ["closed-form", "lp"])
    func budgetMultiplierBeyondTheRange(set: String, method: String) throws {
        let r = try worstCase(set, "1e308,-1e308", extra: ["--method", method])
        #expect(r.status == 2)
        #expect(r.stdout.isEmpty)
        #expect(r.stderr.hasPrefix("rmfg: error: ") && r.stderr.contains("beyond the double range"), "\(r.stderr)")
        #expect(r.stderr.split(separator: "\n").count == 1)
        // At half the magnitude everything is certified.
        try expectCertified(worstCase(set, "5e307,-5e307", extra: ["--method", method]), value: -0.1e308)
    }

    /// l1 (unit weights) at ±1e308: its λ = 1e308 is representable, so all is certified.
    @Test(arguments: ["closed-form", "both"])
    func weightedL1At1e308(method: String) throws {
        try expectCertified(worstCase("l1", "1e308,-1e308", extra: ["--method", method]), value: -0.1e308)
    }

    /// Tiny values: the squares underflowed.
    @Test(arguments: ["kl", "chi2", "tv", "wasserstein"])
    func tinyValues(set: String) throws {
        let unit = try worstCase(set, "1,2,3", nominal: "0.2,0.3,0.5").json()
        try expectCertified(worstCase(set, "1e-300,2e-300,3e-300", nominal: "0.2,0.3,0.5"),
                            value: (number(unit, "value") ?? .nan) * 1e-300)
    }

    /// `solve` with rewards of about 1e156: kl/χ² values were silently nominal ones, and
    /// `--verify` reported a disagreement of 0. Now they are the unit game's values × 1e156,
    /// and at 1e308 (values up to 1.5e308, kl's temperature β beyond the double range) the
    /// verification still confirms them.
    @Test(arguments: ["kl", "chi2"], ["1e156", "1e308"])
    func solveWithHugeRewards(set: String, scale: String) throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("rmfg-huge-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        func game(_ scale: String) throws -> String {
            let path = folder.appendingPathComponent("g\(scale).yaml").path
            try """
            name: huge
            states: 3
            actions: [stay, move]
            discount: 0.9
            parameters:
              scale: \(scale)
            reward: scale * (s - 1) - 0.1 * scale * a
            transition: 0.5 * (t == mod(s + a, states)) + 0.25 * (t == mod(s + 1, states)) + 0.25 * (t == mod(s + 2, states))
            ambiguity:
              set: kl
              radius: 0.1
            population: worst-case
            initial: uniform
            solver:
              temperature: 0
              tolerance: 1e-9
              maxIterations: 300
            """.write(toFile: path, atomically: true, encoding: .utf8)
            return path
        }
        let unit = try rmfg(["solve", try game("1"), "--set", set, "--verify", "--quiet", "--format", "json"])
        let big = try rmfg(["solve", try game(scale), "--set", set, "--verify", "--quiet", "--format", "json"])
        #expect(unit.status == 0 && big.status == 0, "\(big.stderr)")
        let c = try #require(Double(scale))
        let u = try #require(numbers(try unit.json(), "value"))
        let b = try #require(numbers(try big.json(), "value"))
        #expect(isApproximatelyEqual(b.map { $0 / c }, u, absolute: 1e-9, relative: 1e-9))
        if scale == "1e156" {
            let nominal = try rmfg(["solve", try game(scale), "--set", "none", "--quiet", "--format", "json"])
            let n = try #require(numbers(try nominal.json(), "value"))
            #expect(zip(b, n).allSatisfy { $0 < $1 - 1e150 }, "robust \(b) vs nominal \(n)")
        }
        let verification = try #require(try big.json()["verification"] as? [String: Any])
        #expect((number(verification, "maxDisagreement") ?? .nan) <= (number(verification, "tolerance") ?? 0))
    }
}
