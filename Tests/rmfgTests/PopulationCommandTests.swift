import Foundation
import Testing
import TestSupport

@Suite struct PopulationCommandTests {
    @Test func jsonReportsEveryFieldForTheEpidemic() throws {
        let r = try rmfg(["population", "Examples/sis-epidemic.yaml", "--agents", "10,40", "--episodes", "60",
                          "--steps", "30", "--samples", "4", "--format", "json"])
        #expect(r.status == 0, "\(r.stderr)")
        let j = try r.json()
        for key in ["agents", "gain", "gainLow", "gainHigh", "exact", "exactOptimal", "boundEstimate", "slope", "slopePoints",
                    "meanFieldError", "constantEstimates"] {
            #expect(j[key] != nil, "missing \(key)")
        }
        #expect(j["agents"] as? [Int] == [10, 40])
        let gain = try #require(numbers(j, "gain")), low = try #require(numbers(j, "gainLow"))
        let high = try #require(numbers(j, "gainHigh")), exact = try #require(numbers(j, "exact"))
        let bound = try #require(numbers(j, "boundEstimate"))
        #expect(gain.count == 2 && exact.count == 2 && bound.count == 2)
        for i in 0..<2 {
            #expect(low[i] <= gain[i] && gain[i] <= high[i])
            #expect(low[i] <= exact[i] && exact[i] <= high[i], "exact \(exact[i]) outside [\(low[i]), \(high[i])]")
            #expect(bound[i] >= high[i])
        }
        // Issue 19: two sizes are not enough for a slope.
        #expect(j["slope"] is NSNull && j["slopeLow"] is NSNull)
        // Deterministic for a seed.
        let again = try rmfg(["population", "Examples/sis-epidemic.yaml", "--agents", "10,40", "--episodes", "60",
                              "--steps", "30", "--samples", "4", "--format", "json"])
        #expect(again.stdout == r.stdout)
    }

    @Test func readsAnEquilibriumAndWritesFiles() throws {
        let dir = try ScratchFolder()
        let solved = try rmfg(["solve", "Examples/lasry-lions.yaml", "--output", dir.path("solve"), "--format", "json"])
        #expect(solved.status == 0, "\(solved.stderr)")
        let r = try rmfg(["population", "Examples/lasry-lions.yaml", "--equilibrium", dir.path("solve/result.json"),
                          "--agents", "10,30", "--episodes", "20", "--steps", "10", "--samples", "2",
                          "--output", dir.path("pop"), "--format", "json"])
        #expect(r.status == 0, "\(r.stderr)")
        let j = try r.json()
        #expect((j["exact"] as? [Any])?.allSatisfy { $0 is NSNull } == true)  // 7 states: no exact evaluation
        #expect(numbers(j, "meanFieldError")?.count == 2)
        for name in ["population.csv", "population.svg", "result.json"] {
            #expect(FileManager.default.fileExists(atPath: dir.path("pop/\(name)")), "missing \(name)")
        }
        let csv = try String(contentsOfFile: dir.path("pop/population.csv"), encoding: .utf8)
        #expect(csv.hasPrefix("agents,gain,gainLow,gainHigh,exact,exactOptimal,boundEstimate,meanFieldError"))
        #expect(csv.split(separator: "\n").count == 3)
    }

    @Test func textTableAndRandomModel() throws {
        let r = try rmfg(["population", "Examples/sis-epidemic.yaml", "--agents", "20", "--episodes", "10",
                          "--steps", "10", "--samples", "2", "--true-model", "random"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("true model random"))
        #expect(r.stdout.contains("gain ε_N"))
    }

    /// Issue 19: the sampled bound is labelled an estimate, a slope needs 3 positive gains, and the
    /// mean-field nature of the tagged agent is labelled an approximation.
    @Test func estimatesAndSlopesAreLabelled() throws {
        let r = try rmfg(["population", "Examples/sis-epidemic.yaml", "--agents", "20,40", "--episodes", "10",
                          "--steps", "10", "--samples", "2", "--exact-limit", "0"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("bound estimate") && r.stdout.contains("constant estimates"))
        #expect(!r.stdout.contains("  bound  "))
        #expect(r.stdout.contains("not enough points (") && r.stdout.contains("need 3)"))
        #expect(r.stdout.contains("nature mean-field: the tagged agent's worst case is the mean-field approximation"))
    }

    @Test func badInputIsOneLineWithStatus2() throws {
        let game = "Examples/sis-epidemic.yaml"
        try expectInputError(["population", game, "--agents", "10,x"], mentioning: "--agents")
        try expectInputError(["population", game, "--agents", "0"], mentioning: "--agents")
        try expectInputError(["population", game, "--agents", ""], mentioning: "--agents")
        try expectInputError(["population", game, "--episodes", "1"], mentioning: "--episodes")
        try expectInputError(["population", game, "--steps", "0"], mentioning: "--steps")
        try expectInputError(["population", game, "--seed", "-3"], mentioning: "--seed")
        try expectInputError(["population", game, "--samples", "0"], mentioning: "--samples")
        try expectInputError(["population", game, "--exact-limit", "-1"], mentioning: "--exact-limit")
        try expectInputError(["population", game, "--true-model", "best"], mentioning: "--true-model")
        try expectInputError(["population", "Examples/missing.yaml"], mentioning: "missing.yaml")
        try expectInputError(["population", game, "--radius", "-1"], mentioning: "radius")
        let dir = try ScratchFolder()
        let bad = try dir.write("bad.json", "{\"meanField\": [0.5, 0.5, 0], \"policy\": [[1, 0], [0, 1]]}")
        try expectInputError(["population", game, "--equilibrium", bad], mentioning: "--equilibrium")
        let notJSON = try dir.write("x.json", "nope")
        try expectInputError(["population", game, "--equilibrium", notJSON], mentioning: "--equilibrium")
        try expectInputError(["population", game, "--equilibrium", dir.path("none.json")], mentioning: "--equilibrium")
    }
}
