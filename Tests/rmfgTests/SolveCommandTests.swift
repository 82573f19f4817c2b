import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
import TestSupport

/// A scratch folder removed when the value is dropped.
final class ScratchFolder {
    let url: URL
    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("rmfg-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(at: url) }
    func path(_ name: String) -> String { url.appendingPathComponent(name).path }
    func write(_ name: String, _ text: String) throws -> String {
        let p = path(name)
        try text.write(toFile: p, atomically: true, encoding: .utf8)
        return p
    }
}

/// Two states, two actions; action `a` moves to state `a` with probability 0.9.
/// Reward 1 in state 1, minus a congestion cost 2·μ(s).
let twoStateGame = """
name: two-state
states: [low, high]
actions: [stay_low, go_high]
discount: 0.8
reward: "(s == high) - 2 * mu[s]"
transition: "0.9 * (t == a) + 0.1 * (t != a)"
ambiguity:
  set: tv
  radius: 0.05
solver:
  temperature: 0.3
  tolerance: 1e-10
"""

@Suite("rmfg solve, check, generate")
struct SolveCommandTests {
    @Test func solveJSONFields() throws {
        let dir = try ScratchFolder()
        let game = try dir.write("two.yaml", twoStateGame)
        let r = try rmfg(["solve", game, "--format", "json"])
        #expect(r.status == 0, "\(r.stderr)")
        let j = try r.json()
        for key in ["game", "converged", "iterations", "meanField", "policy", "value", "exploitability",
                    "stationarityResidual", "trace", "seconds", "states", "actions"] {
            #expect(j[key] != nil, "missing \(key)")
        }
        #expect(j["game"] as? String == "two-state")
        #expect(j["converged"] as? Bool == true)
        #expect(j["states"] as? [String] == ["low", "high"])
        #expect((number(j, "exploitability") ?? 1) <= 1e-10)
        #expect((number(j, "stationarityResidual") ?? 1) <= 1e-10)
        let mu = try #require(numbers(j, "meanField"))
        #expect(isApproximatelyEqual(mu.reduce(0, +), 1, absolute: 0, relative: 1e-12))
        let trace = try #require(j["trace"] as? [[String: Any]])
        #expect(trace.count == j["iterations"] as? Int)
        for key in ["iteration", "exploitability", "stationarityResidual", "meanFieldChange", "seconds"] {
            #expect(trace.first?[key] != nil, "trace misses \(key)")
        }
    }

    /// The same equilibrium when every inner problem is solved by GLPK.
    @Test func lpInnerAgreesAndVerifies() throws {
        let dir = try ScratchFolder()
        let game = try dir.write("two.yaml", twoStateGame)
        let closed = try rmfg(["solve", game, "--format", "json", "--verify"])
        let lp = try rmfg(["solve", game, "--format", "json", "--inner", "lp"])
        #expect(closed.status == 0 && lp.status == 0, "\(closed.stderr) \(lp.stderr)")
        let a = try #require(numbers(try closed.json(), "meanField"))
        let b = try #require(numbers(try lp.json(), "meanField"))
        #expect(maxAbsDifference(a, b) <= 1e-8)
        let verification = try #require(try closed.json()["verification"] as? [String: Any])
        #expect((verification["problems"] as? Int ?? 0) > 0)
        #expect((number(verification, "maxDisagreement") ?? 1) <= 1e-9)
    }

    @Test func overrides() throws {
        let dir = try ScratchFolder()
        let game = try dir.write("two.yaml", twoStateGame)
        let none = try numbers(rmfg(["solve", game, "--set", "none", "--format", "json"]).json(), "meanField") ?? []
        let zero = try numbers(rmfg(["solve", game, "--radius", "0", "--format", "json"]).json(), "meanField") ?? []
        let robust = try numbers(rmfg(["solve", game, "--format", "json"]).json(), "meanField") ?? []
        #expect(none.count == 2 && zero.count == 2 && robust.count == 2)
        #expect(maxAbsDifference(none, zero) <= 1e-9)
        #expect(maxAbsDifference(none, robust) > 1e-4)
        for method in ["anderson", "fixed-point", "fictitious-play", "mirror-descent"] {
            let r = try rmfg(["solve", game, "--method", method, "--tolerance", "1e-8", "--max-iterations", "5000",
                              "--learning-rate", "0.5", "--format", "json"])
            #expect(r.status == 0, "\(method): \(r.stderr)")
            #expect(maxAbsDifference(numbers(try r.json(), "meanField") ?? [], robust) <= 1e-6, "\(method)")
        }
        try expectInputError(["solve", game, "--set", "wasserstein"], mentioning: "ambiguity.cost")
        try expectInputError(["solve", game, "--radius=-0.1"], mentioning: "ambiguity.radius")
        try expectInputError(["solve", game, "--temperature=-1"], mentioning: "solver.temperature")
        try expectInputError(["solve", game, "--damping", "1.5"], mentioning: "solver.damping")
        // The choices are typed flags: an invalid name is refused naming the flag and the values.
        try expectInputError(["solve", game, "--method", "broyden"], mentioning: "--method: 'broyden', expected one of: auto, anderson")
        try expectInputError(["solve", game, "--population", "random"], mentioning: "--population: 'random', expected one of: worst-case, nominal")
        try expectInputError(["solve", game, "--inner", "simplex"], mentioning: "--inner: 'simplex', expected one of: closed-form, lp")
        try expectInputError(["solve", game, "--support", "all"], mentioning: "--support: 'all', expected simplex or nominal")
        try expectInputError(["check", game, "--set", "box"], mentioning: "--set: 'box', expected one of: none, tv, l1")
        try expectInputError(["solve", game, "--max-iterations", "0"], mentioning: "solver.maxIterations")
    }

    @Test func nonConvergenceExitsOne() throws {
        let dir = try ScratchFolder()
        let game = try dir.write("two.yaml", twoStateGame)
        let r = try rmfg(["solve", game, "--max-iterations", "1", "--format", "json"])
        #expect(r.status == 1)
        let j = try r.json()
        #expect(j["converged"] as? Bool == false)
        #expect((j["trace"] as? [Any])?.count == 1)
        let text = try rmfg(["solve", game, "--max-iterations", "1"])
        #expect(text.status == 1)
        #expect(text.stdout.contains("NOT CONVERGED"))
    }

    /// An unconverged solve writes the trace's best pair (Docs/Solvers.md, "When a solve does
    /// not converge"): on the beach bar, Anderson's pair of iteration 5 beats its last of 12.
    /// The written pair is re-checked by `rmfg evaluate`, which shares no state with the solve.
    @Test func nonConvergenceWritesTheBestRecordedPair() throws {
        let dir = try ScratchFolder()
        let game = repositoryRoot.appendingPathComponent("Examples/beach-bar.yaml").path
        let r = try rmfg(["solve", game, "--method", "anderson", "--max-iterations", "12", "--format", "json",
                          "--output", dir.path("out")])
        #expect(r.status == 1, "\(r.stderr)")
        let j = try r.json()
        #expect(j["converged"] as? Bool == false)
        let trace = try #require(j["trace"] as? [[String: Any]])
        #expect(trace.count == 12)
        let scores = trace.map { max(number($0, "exploitability") ?? .nan, number($0, "stationarityResidual") ?? .nan) }
        let best = try #require(scores.min())
        let e = try #require(number(j, "exploitability")), res = try #require(number(j, "stationarityResidual"))
        #expect(max(e, res) <= best + 1e-9 + 1e-6 * best)
        #expect(scores[11] > 2 * max(e, res), "the last pair \(scores[11]) against \(max(e, res))")
        #expect((j["message"] as? String)?.contains("returned instead: the trace's best pair") == true)
        let check = try rmfg(["evaluate", game, "--policy", dir.path("out/policy.csv"),
                              "--mean-field", dir.path("out/meanfield.csv"), "--format", "json"])
        #expect(check.status == 0, "\(check.stderr)")
        let c = try check.json()
        #expect(abs((number(c, "exploitability") ?? .nan) - e) <= 1e-9 + 1e-9 * abs(e))
        #expect(abs((number(c, "stationarityResidual") ?? .nan) - res) <= 1e-10 + 1e-9 * res)
    }

    @Test func outputFolder() throws {
        let dir = try ScratchFolder()
        let game = try dir.write("two.yaml", twoStateGame)
        let out = dir.path("out")
        let r = try rmfg(["solve", game, "--output", out, "--compare-nominal", "--quiet"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("μ nominal"))
        let names = try FileManager.default.contentsOfDirectory(atPath: out).sorted()
        #expect(names == ["convergence.svg", "meanfield.csv", "meanfield.svg", "policy.csv", "policy.svg", "result.json", "trace.csv"])
        let result = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/result.json"))) as? [String: Any]
        #expect(result?["converged"] as? Bool == true)
        #expect(result?["nominal"] is [String: Any])
        let policy = try String(contentsOfFile: out + "/policy.csv", encoding: .utf8).split(separator: "\n")
        #expect(policy.first == "state,stay_low,go_high")
        #expect(policy.count == 3)
        let meanfield = try String(contentsOfFile: out + "/meanfield.csv", encoding: .utf8).split(separator: "\n")
        #expect(meanfield.first == "state,meanField,value,nominalMeanField")
        for svg in ["convergence.svg", "meanfield.svg", "policy.svg"] {
            let parser = XMLParser(data: try Data(contentsOf: URL(fileURLWithPath: out + "/" + svg)))
            #expect(parser.parse(), "\(svg) is not well-formed")
        }
        // Writing again into the same folder replaces the files.
        let again = try rmfg(["solve", game, "--output", out, "--quiet"])
        #expect(again.status == 0, "\(again.stderr)")
        let replaced = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/result.json"))) as? [String: Any]
        #expect(replaced?["nominal"] == nil)
        // An invalid file writes nothing.
        let bad = try dir.write("bad.yaml", twoStateGame.replacingOccurrences(of: "discount: 0.8", with: "discount: 1.2"))
        let out2 = dir.path("out2")
        try expectInputError(["solve", bad, "--output", out2], mentioning: "discount")
        #expect(!FileManager.default.fileExists(atPath: out2))
    }

    @Test func invalidDuringSolving() throws {
        // log(mu[s]) is finite at the uniform mean field but the population
        // concentrates on one state, where the other's μ reaches 0.
        let dir = try ScratchFolder()
        let game = try dir.write("log.yaml", """
        name: collapse
        states: 2
        actions: 1
        discount: 0.5
        reward: "log(mu[s])"
        transition: "t == 0"
        """)
        let r = try rmfg(["solve", game])
        #expect(r.status == 2)
        #expect(r.stdout.isEmpty)
        #expect(r.stderr.contains("reward"))
        #expect(r.stderr.contains("s=1"))
        #expect(r.stderr.split(separator: "\n").count == 1)
    }

    @Test func badFiles() throws {
        let dir = try ScratchFolder()
        try expectInputError(["solve", dir.path("missing.yaml")], mentioning: "no such file")
        let empty = try dir.write("empty.yaml", "")
        try expectInputError(["solve", empty], mentioning: "empty")
        let syntax = try dir.write("syntax.yaml", "name: [unclosed\nstates: 2\n")
        try expectInputError(["solve", syntax], mentioning: "line")
        let json = try dir.write("bad.json", "{\"name\": \"x\", ")
        try expectInputError(["check", json], mentioning: "JSON")
    }

    @Test func check() throws {
        let dir = try ScratchFolder()
        let game = try dir.write("two.yaml", twoStateGame)
        let r = try rmfg(["check", game, "--format", "json"])
        #expect(r.status == 0)
        let j = try r.json()
        #expect(j["valid"] as? Bool == true)
        #expect(j["rowsChecked"] as? Int == 4)
        #expect(j["rewardDependsOnMeanField"] as? Bool == true)
        #expect(j["kernelDependsOnMeanField"] as? Bool == false)
        let text = try rmfg(["check", game])
        #expect(text.stdout.contains("valid"))
        let bad = try dir.write("neg.yaml", twoStateGame.replacingOccurrences(of: "0.9 * (t == a)", with: "1.1 * (t == a)"))
        try expectInputError(["check", bad], mentioning: "transition")
    }

    @Test func generateGarnet() throws {
        let dir = try ScratchFolder()
        let a = try rmfg(["generate", "garnet", "--states", "30", "--actions", "4", "--branching", "5", "--seed", "7"])
        let b = try rmfg(["generate", "garnet", "--states", "30", "--actions", "4", "--branching", "5", "--seed", "7"])
        let c = try rmfg(["generate", "garnet", "--states", "30", "--actions", "4", "--branching", "5", "--seed", "8"])
        #expect(a.status == 0 && a.stdout == b.stdout && a.stdout != c.stdout)
        let yaml = dir.path("g.yaml"), json = dir.path("g.json")
        #expect(try rmfg(["generate", "garnet", "--states", "30", "--actions", "4", "--branching", "5", "--seed", "7", "--output", yaml]).status == 0)
        #expect(try rmfg(["generate", "garnet", "--states", "30", "--actions", "4", "--branching", "5", "--seed", "7", "--output", json]).status == 0)
        let fromYAML = try rmfg(["solve", yaml, "--format", "json"])
        let fromJSON = try rmfg(["solve", json, "--format", "json"])
        #expect(fromYAML.status == 0 && fromJSON.status == 0)
        #expect(numbers(try fromYAML.json(), "meanField") == numbers(try fromJSON.json(), "meanField"))
        for set in ["none", "l1", "linf", "wasserstein", "kl", "chi2"] {
            let path = dir.path("g-\(set).yaml")
            #expect(try rmfg(["generate", "garnet", "--states", "12", "--set", set, "--output", path]).status == 0)
            let r = try rmfg(["solve", path, "--format", "json"])
            #expect(r.status == 0, "\(set): \(r.stderr)")
        }
        try expectInputError(["generate", "garnet", "--states", "5", "--branching", "6"], mentioning: "--branching")
        try expectInputError(["generate", "garnet", "--discount", "1"], mentioning: "--discount")
        try expectInputError(["generate", "garnet", "--set", "foo"], mentioning: "--set")
    }
}
