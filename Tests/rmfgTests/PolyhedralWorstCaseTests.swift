import Foundation
import Testing
import TestSupport

@Suite("rmfg worst-case --set moment|polyhedral")
struct PolyhedralWorstCaseTests {
    let base = ["worst-case", "--nominal", "0.2,0.3,0.5", "--values", "1,2,3"]

    /// Moment set, features t and t², radii 0.1 and 0.5. V_t = 1 + t, so q·V = 1 + E_q[t]
    /// and E_q[t] ≥ E_p[t] − 0.1 = 1.3 − 0.1 = 1.2 gives σ ≥ 2.2; q = (0.1, 0.6, 0.3) has
    /// E_q[t] = 1.2 and E_q[t²] = 1.8 ∈ [2.3 − 0.5, 2.3 + 0.5], so σ = 2.2.
    @Test func momentFromFlags() throws {
        let r = try rmfg(base + ["--set", "moment", "--features", "t,t^2", "--radius", "0.1,0.5", "--format", "json"])
        #expect(r.status == 0, "\(r.stderr)")
        let j = try r.json()
        #expect(isApproximatelyEqual(number(j, "value") ?? .nan, 2.2, absolute: 1e-12, relative: 1e-9))
        let cert = try #require(j["certificate"] as? [String: Any])
        #expect(abs(number(cert, "gap") ?? .nan) <= 1e-12)
        #expect(j["passed"] as? Bool == true)
        let exact = try rmfg(base + ["--set", "moment", "--features", "t,t^2", "--radius", "0.1,0.5", "--exact", "--format", "json"])
        #expect(exact.status == 0, "\(exact.stderr)")
        #expect(try exact.json()["exact"] as? Bool == true)
        #expect(isApproximatelyEqual(number(try exact.json(), "value") ?? .nan, 2.2, absolute: 1e-12, relative: 1e-9))
    }

    /// A polyhedral file: q_2 ≥ 0.45 within the tv ball of radius 0.1. TV alone moves 0.1
    /// from state 2 to state 0; the constraint allows only 0.05 from state 2, so the
    /// other 0.05 comes from state 1: q = (0.3, 0.25, 0.45), σ = 0.3 + 0.5 + 1.35 = 2.15.
    @Test func polyhedralFileWithinTV() throws {
        let dir = try ScratchFolder()
        let file = try dir.write("set.yaml", """
            set: polyhedral
            constraints:
              - {name: keep, coefficients: "t == 2", relation: ">=", bound: 0.45}
            within: {set: tv, radius: 0.1}
            """)
        let lpFile = dir.path("inner.lp")
        let r = try rmfg(base + ["--set", "polyhedral", "--constraints", file, "--radius", "file",
                                 "--export-lp", lpFile, "--format", "json"])
        #expect(r.status == 0, "\(r.stderr)")
        let j = try r.json()
        #expect(isApproximatelyEqual(number(j, "value") ?? .nan, 2.15, absolute: 1e-12, relative: 1e-9))
        #expect(isApproximatelyEqual(numbers(j, "distribution") ?? [], [0.3, 0.25, 0.45], absolute: 1e-12, relative: 1e-9))
        let lp = try String(contentsOfFile: lpFile, encoding: .utf8)
        #expect(lp.contains("keep"))
        let text = try rmfg(base + ["--set", "polyhedral", "--constraints", file, "--radius", "file"])
        #expect(text.status == 0)
        #expect(text.stdout.contains("σ = min_{q∈U} q·V = 2.15"), "\(text.stdout)")
    }

    /// Bad input: one line naming the field, exit 2, nothing written.
    @Test func badInputIsOneLine() throws {
        let dir = try ScratchFolder()
        let outside = try dir.write("outside.yaml", "set: polyhedral\nconstraints:\n  - {name: far, coefficients: \"t == 2\", relation: \">=\", bound: 0.6}\n")
        try expectInputError(base + ["--set", "polyhedral", "--constraints", outside, "--radius", "file"], mentioning: "constraint far")
        try expectInputError(base + ["--set", "moment", "--features", "log(t)", "--radius", "0.1"], mentioning: "--features")
        try expectInputError(base + ["--set", "moment", "--features", "t", "--radius", "-0.1"], mentioning: "--radius")
        try expectInputError(base + ["--set", "moment", "--features", "t,t^2", "--radius", "0.1,0.2,0.3"], mentioning: "--radius")
        let unknown = try dir.write("unknown.yaml", "set: polyhedral\nconstraints:\n  - {coefficients: t, relation: \"<\", bound: 1}\n")
        try expectInputError(base + ["--set", "polyhedral", "--constraints", unknown, "--radius", "file"], mentioning: "relation")
        try expectInputError(base + ["--set", "polyhedral", "--radius", "0.1"], mentioning: "--constraints")
        let lpFile = dir.path("never.lp")
        try expectInputError(base + ["--set", "polyhedral", "--constraints", outside, "--radius", "file", "--export-lp", lpFile],
                             mentioning: "far")
        #expect(!FileManager.default.fileExists(atPath: lpFile))
    }
}
