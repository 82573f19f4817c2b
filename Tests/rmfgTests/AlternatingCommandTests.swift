import Foundation
import Testing
import TestSupport

/// A small global/local game for the command (3 agents, 2 + 2 states; TestSupport's fixture).
let smallAlternatingGame = tinyAlternatingGameText(name: "small-alternating", episodes: 1500, exploration: nil, seed: nil)

@Suite("rmfg alternating")
struct AlternatingCommandTests {
    @Test("JSON report, CSV, trace and SVG for each k")
    func jsonAndFiles() throws {
        let dir = try ScratchFolder()
        let game = try dir.write("small.yaml", smallAlternatingGame)
        let out = dir.path("out")
        let r = try rmfg(["alternating", game, "--observed", "1,2,3", "--episodes", "1500", "--seed", "3",
                          "--output", out, "--format", "json"])
        #expect(r.status == 0, "\(r.stderr)")
        let j = try r.json()
        #expect(j["game"] as? String == "small-alternating")
        #expect(j["agents"] as? Int == 3)
        #expect(j["observed"] as? [Int] == [1, 2, 3])
        let results = try #require(j["results"] as? [[String: Any]])
        #expect(results.count == 3)
        for result in results {
            for key in ["nashGap", "globalGap", "localGap", "return", "rounds", "converged", "qError", "trace", "planning"] {
                #expect(result[key] != nil, "missing \(key)")
            }
            let gap = try #require(number(result, "nashGap"))
            #expect(gap >= 0 && gap == max(number(result, "globalGap") ?? -1, number(result, "localGap") ?? -1))
        }
        let planning = try #require(results.last?["planning"] as? [String: Any])
        #expect((number(planning, "globalGap") ?? 1) < 1e-8, "planning with k = n leaves no global gain")
        // Issue 19: 3 k with k = n and n = 3 < 8·k_max: no fit, "not enough points".
        for key in ["rate", "planningRate"] {
            let rate = try #require(j[key] as? [String: Any])
            #expect(rate["enoughPoints"] as? Bool == false)
            #expect(rate["exponent"] is NSNull && rate["inverseSquareRoot"] is NSNull)
            #expect((rate["verdict"] as? String)?.hasPrefix("not enough points") == true)
        }
        let csv = try String(contentsOfFile: out + "/alternating.csv", encoding: .utf8).split(separator: "\n")
        #expect(csv.count == 4)
        #expect(csv.first?.hasPrefix("observed,nashGap,globalGap,localGap,return") == true)
        let trace = try String(contentsOfFile: out + "/trace.csv", encoding: .utf8)
        #expect(trace.contains("learning") && trace.contains("planning"))
        let svg = try String(contentsOfFile: out + "/gap.svg", encoding: .utf8)
        #expect(svg.contains("<svg") && svg.contains("Nash gap"))
        // Same seed, same report.
        let again = try rmfg(["alternating", game, "--observed", "1,2,3", "--episodes", "1500", "--seed", "3", "--format", "json"])
        #expect(again.stdout == r.stdout)
    }

    /// Regression: the planned dynamics summed a dictionary in its own order, which Swift
    /// seeds per process, so two identical runs printed different last digits.
    @Test("two identical runs print identical numbers")
    func runsAreReproducible() throws {
        let arguments = ["alternating", "Examples/alternating/federated.yaml", "--observed", "1", "--episodes", "200", "--format", "json"]
        let first = try rmfg(arguments), second = try rmfg(arguments)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout == second.stdout)
    }

    @Test("text report on a bundled example with fewer agents")
    func bundledText() throws {
        let r = try rmfg(["alternating", "Examples/alternating/federated.yaml", "--agents", "4", "--observed", "1,4",
                          "--episodes", "3000"])
        #expect(r.status == 0 || r.status == 1, "\(r.stderr)")
        #expect(r.stdout.contains("federated: ALTERNATING-MARL with n = 4"))
        // Issue 19: two k, one of them k = n: no fit, and no "gap ∝ k^-…" line.
        #expect(r.stdout.contains("rate, learned: not enough points") && r.stdout.contains("rate, planned: not enough points"))
        #expect(!r.stdout.contains("gap ∝") && !r.stdout.contains("gap ≈"))
        try expectInputError(["alternating", "Examples/alternating/federated.yaml", "--seeds", "0"], mentioning: "--seeds")
    }

    @Test("malformed files and flags: exit 2, one line naming the field")
    func errors() throws {
        let dir = try ScratchFolder()
        let good = try dir.write("good.yaml", smallAlternatingGame)
        try expectInputError(["alternating", good, "--observed", "1,4"], mentioning: "--observed")
        try expectInputError(["alternating", good, "--observed", "1,x"], mentioning: "--observed")
        try expectInputError(["alternating", good, "--episodes", "0"], mentioning: "--episodes")
        let badRow = try dir.write("row.yaml", smallAlternatingGame.replacingOccurrences(of: "0.9 * (tl == working)", with: "0.7 * (tl == working)"))
        try expectInputError(["alternating", badRow], mentioning: "local.transition")
        let missing = try dir.write("missing.yaml", smallAlternatingGame.replacingOccurrences(of: "agents: 3\n", with: ""))
        try expectInputError(["alternating", missing], mentioning: "agents")
        let unknown = try dir.write("unknown.yaml", smallAlternatingGame.replacingOccurrences(of: "  horizon: 4", with: "  horizon: 4\n  speed: 2"))
        try expectInputError(["alternating", unknown], mentioning: "learning.speed")
        let variable = try dir.write("var.yaml", smallAlternatingGame.replacingOccurrences(of: "-0.3 * (ag == push)", with: "-0.3 * (al == push)"))
        try expectInputError(["alternating", variable], mentioning: "global.reward")
        try expectInputError(["alternating", dir.path("none.yaml")], mentioning: "none.yaml")
    }
}
