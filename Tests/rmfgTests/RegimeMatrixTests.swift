import Foundation
import Testing
import TestSupport

/// A subset of the regime matrix (scripts/regime-matrix.py, Docs/Solvers.md): the default
/// method at τ = 0 and small τ, where the former default (fictitious play at τ = 0, Anderson
/// alone for τ > 0) did not converge. Each run is checked from its own output: the
/// exploitability and residual recomputed by `rmfg evaluate` from the written pair.
@Suite("regime matrix subset")
struct RegimeMatrixTests {
    static func example(_ name: String) -> String { repositoryRoot.appendingPathComponent("Examples/" + name).path }

    @Test(arguments: [
        ("bench-mfg/lasry-lions.yaml", "0"),
        ("lasry-lions.yaml", "0.01"),
        ("sis-epidemic.yaml", "0"),
        ("guide/restaurants.yaml", "0"),
    ])
    func defaultConverges(file: String, tau: String) throws {
        let flags = ["--temperature", tau, "--set", "none", "--population", "nominal", "--max-iterations", "5000"]
        try Self.solveAndCheck(file, flags: flags, tau: tau)
    }

    /// A cell that continuation in τ turned green (Docs/Solvers.md, "Regime matrix"): the
    /// two-state game with a worst-case population (tv 0.05) at τ = 0, where the former
    /// default ended at exploitability 7.9e-6 after 100 000 iterations. The stages go down
    /// by 10 to 1e-4, the stage at 1e-5 does not converge and is retried at 10^-4.5, and the
    /// Richardson extrapolation of the last two stages to τ = 0 meets the tolerance.
    @Test func continuationTurnsTwoStateWorstCaseGreen() throws {
        let flags = ["--temperature", "0", "--set", "tv", "--radius", "0.05", "--population", "worst-case",
                     "--max-iterations", "5000"]
        let stages = try Self.solveAndCheck("two-state.json", flags: flags, tau: "0")
        let expected = [1, 0.1, 0.01, 1e-3, 1e-4, 1e-5, pow(10, -4.5)]
        #expect(isApproximatelyEqual(stages, expected, absolute: 0, relative: 1e-9), "\(stages)")
    }

    /// Solves `file` with `auto`, checks the trace's labels (Docs/Solvers.md, "auto"): every
    /// record names a method that ran and the temperature it ran at; continuation stages run at
    /// 1, 0.1, 0.01, … in that order, above the requested `τ`; the returned pair was evaluated
    /// at the requested `τ` by the method the result names. `rmfg evaluate` confirms the pair
    /// from the written files. Returns the distinct stage temperatures, in order.
    @discardableResult
    static func solveAndCheck(_ file: String, flags: [String], tau: String) throws -> [Double] {
        let dir = try ScratchFolder()
        let r = try rmfg(["solve", example(file), "--method", "auto", "--quiet", "--format", "json",
                          "--output", dir.path("out")] + flags)
        #expect(r.status == 0, "\(file) τ = \(tau): \(r.stderr)")
        let j = try r.json()
        #expect((number(j, "exploitability") ?? .nan) <= 1e-8)
        #expect((number(j, "stationarityResidual") ?? .nan) <= 1e-8)
        let target = try #require(Double(tau))
        let trace = try #require(j["trace"] as? [[String: Any]])
        var stages: [Double] = []
        for record in trace {
            let m = try #require(record["method"] as? String)
            #expect(["anderson", "mirror-descent", "fictitious-play", "fixed-point"].contains(m))
            let t = try #require(number(record, "temperature"))
            if t != target, stages.last != t { stages.append(t) }
        }
        // Continuation (τ < 0.1, after a direct attempt that did not converge) starts at
        // τ = 1 and stays above the requested τ; no stage at all when the attempt converged.
        #expect(target >= 0.1 || stages.isEmpty || stages.first == 1, "\(file) τ = \(tau): stages \(stages)")
        #expect(stages.allSatisfy { $0 > target && $0 <= 1 }, "\(file) τ = \(tau): stages \(stages)")
        let last = try #require(trace.last)
        #expect(number(last, "temperature") == target)
        #expect(j["method"] as? String == last["method"] as? String)
        let e = try rmfg(["evaluate", example(file), "--policy", dir.path("out/policy.csv"),
                          "--mean-field", dir.path("out/meanfield.csv"), "--format", "json"] + flags)
        let check = try e.json()
        #expect((number(check, "exploitability") ?? .nan) <= 1e-8)
        #expect((number(check, "stationarityResidual") ?? .nan) <= 1e-8)
        return stages
    }

    /// The whole hand-over chain of `auto` (Docs/Solvers.md) in its last stage: after the
    /// direct attempt at τ = 0.001 and the continuation stages at τ = 1, 0.1, 0.01, Anderson stalls at τ = 0.001, adaptive mirror
    /// descent takes over and stalls where nature's worst case switches between the tied
    /// restaurants, and fictitious play finishes. The trace records the stages and the three
    /// phases in order, and `rmfg evaluate` confirms the returned pair.
    @Test func autoHandsOverToFictitiousPlay() throws {
        let dir = try ScratchFolder()
        let flags = ["--temperature", "0.001", "--set", "tv", "--radius", "0.05", "--population", "worst-case",
                     "--max-iterations", "5000"]
        let game = Self.example("guide/restaurants.yaml")
        let r = try rmfg(["solve", game, "--quiet", "--format", "json", "--output", dir.path("out")] + flags)
        #expect(r.status == 0, "\(r.stderr)")
        let j = try r.json()
        let trace = try #require(j["trace"] as? [[String: Any]])
        // The direct attempt at τ = 0.001 (min(500, maxIterations/4) iterations: Anderson,
        // then mirror descent), the continuation stages, then the last stage at τ = 0.001.
        let temperatures = try trace.map { try #require(number($0, "temperature")) }
        let lastStage = try #require(temperatures.lastIndex { $0 != 0.001 }) + 1
        var attempt: [String] = []
        for record in trace[..<(try #require(temperatures.firstIndex { $0 != 0.001 }))] {
            let m = try #require(record["method"] as? String)
            if attempt.last != m { attempt.append(m) }
        }
        #expect(attempt == ["anderson", "mirror-descent"])
        var ran: [String] = []
        var stages: [Double] = []
        var firstOf: [String: Int] = [:]
        for (k, record) in trace.enumerated() {
            let m = try #require(record["method"] as? String)
            let t = temperatures[k]
            if k < lastStage {
                if t != 0.001, stages.last != t { stages.append(t) }
                continue
            }
            if ran.last != m {
                ran.append(m)
                firstOf[m] = k
            }
        }
        #expect(stages == [1, 0.1, 0.01])
        #expect(ran == ["anderson", "mirror-descent", "fictitious-play"])
        #expect(j["method"] as? String == "fictitious-play")
        // Anderson gets at most min(200, maxIterations/2) iterations; mirror descent at least
        // its stall limit (500) before fictitious play.
        #expect((firstOf["mirror-descent"] ?? 0) - (firstOf["anderson"] ?? 0) <= 200)
        #expect((firstOf["fictitious-play"] ?? 0) - (firstOf["mirror-descent"] ?? 0) >= 500)
        #expect((number(j, "exploitability") ?? .nan) <= 1e-8)
        #expect((number(j, "stationarityResidual") ?? .nan) <= 1e-8)
        let e = try rmfg(["evaluate", game, "--policy", dir.path("out/policy.csv"),
                          "--mean-field", dir.path("out/meanfield.csv"), "--format", "json"] + flags)
        let check = try e.json()
        #expect((number(check, "exploitability") ?? .nan) <= 1e-8)
        #expect((number(check, "stationarityResidual") ?? .nan) <= 1e-8)
    }
}
