import Foundation
import Testing

/// `rmfg solve`, `check` and `sweep` on games with `moment` and `polyhedral` sets.
@Suite("Commands on games with moment and polyhedral sets")
struct RowSetCommandTests {
    @Test func momentCrowdSolvesConvergesAndVerifies() throws {
        let r = try rmfg(["solve", "Examples/moment-crowd.yaml", "--format", "json", "--verify"])
        #expect(r.status == 0, "\(r.stderr)")
        let j = try r.json()
        #expect(j["converged"] as? Bool == true)
        #expect(j["set"] as? String == "moment")
        #expect(j["inner"] as? String == "lp")
        let mu = try #require(numbers(j, "meanField"))
        #expect(mu.count == 7 && abs(mu.reduce(0, +) - 1) <= 1e-9)
        let verification = try #require(j["verification"] as? [String: Any])
        #expect((verification["problems"] as? Int ?? 0) > 0)
        #expect((number(verification, "maxDisagreement") ?? 1) <= 1e-9)
    }

    @Test func checkReadsTheMomentSet() throws {
        let r = try rmfg(["check", "Examples/moment-crowd.yaml"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("moment"))
    }

    /// A bad field is one line naming it, exit 2, nothing written.
    @Test func loadTimeErrorsAreOneLine() throws {
        let dir = try ScratchFolder()
        let text = try String(contentsOfFile: repositoryRoot.path + "/Examples/moment-crowd.yaml", encoding: .utf8)
        for (bad, field) in [("radius: [0.05, \"0.1 + 0.5 * mu[s]\"]", "ambiguity.radius"), ("features: [\"t\", \"(t - center)^2\"]", "ambiguity.features[2]")] {
            let replaced = field == "ambiguity.radius" ? "radius: [0.2, 0.3, 0.4]" : "features: [\"t\", \"t^2 + x\"]"
            #expect(text.contains(bad))
            let game = try dir.write("bad.yaml", text.replacingOccurrences(of: bad, with: replaced))
            let out = dir.path("out")
            try expectInputError(["solve", game, "--output", out], mentioning: field)
            #expect(!FileManager.default.fileExists(atPath: out))
        }
    }

    /// `--set moment` is not a closed-form set a file's radius could use: exit 2, one line naming --set.
    @Test func setMomentFlagIsRefused() throws {
        try expectInputError(["solve", "Examples/lasry-lions.yaml", "--set", "moment"], mentioning: "--set")
    }

    /// `--set tv` on a moment file meets the moment keys: one line naming one of them.
    @Test func setTvOnAMomentFileIsOneLine() throws {
        try expectInputError(["solve", "Examples/moment-crowd.yaml", "--set", "tv"], mentioning: "ambiguity.features")
    }

    /// `--radius 0` replaces every moment radius: the mean and the spread are then fixed, still a valid game.
    @Test func radiusOverrideReplacesEveryRadius() throws {
        let r = try rmfg(["solve", "Examples/moment-crowd.yaml", "--radius", "0", "--format", "json"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect((try r.json()["radius"] as? String)?.hasPrefix("[0]") == true, "\(r.stdout.prefix(300))")
    }

    /// A nominal row outside its set is found by the solver: exit 2, one line naming the row, nothing written.
    @Test func nominalOutsideTheSetNamesTheRow() throws {
        let dir = try ScratchFolder()
        let text = try String(contentsOfFile: repositoryRoot.path + "/Examples/moment-crowd.yaml", encoding: .utf8)
        let bad = text.replacingOccurrences(of: "  set: moment\n  features: [\"t\", \"(t - center)^2\"]\n  radius: [0.05, \"0.1 + 0.5 * mu[s]\"]",
                                            with: "  set: polyhedral\n  constraints:\n    - {coefficients: t, relation: \"<=\", bound: \"s - 1\"}")
        #expect(bad != text)
        let game = try dir.write("outside.yaml", bad)
        let out = dir.path("out")
        try expectInputError(["solve", game, "--output", out], mentioning: "s=0")
        #expect(!FileManager.default.fileExists(atPath: out))
    }

    /// `rmfg evaluate` reads the set and finds the solved pair an equilibrium.
    @Test func evaluateTheSolvedPair() throws {
        let dir = try ScratchFolder()
        let solved = try rmfg(["solve", "Examples/moment-crowd.yaml", "--output", dir.path("out"), "--quiet"])
        #expect(solved.status == 0, "\(solved.stderr)")
        let r = try rmfg(["evaluate", "Examples/moment-crowd.yaml", "--policy", dir.path("out/policy.csv"),
                          "--mean-field", dir.path("out/meanfield.csv"), "--format", "json"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(abs(number(try r.json(), "exploitability") ?? 1) <= 1e-6, "\(r.stdout.prefix(300))")
    }

    @Test func sweepRefusesRowSets() throws {
        try expectInputError(["sweep", "Examples/moment-crowd.yaml", "--sets", "tv", "--radii", "0,0.1"], mentioning: "cannot be swept")
    }
}
