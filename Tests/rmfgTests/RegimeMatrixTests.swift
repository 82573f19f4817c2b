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
    /// default ended at exploitability 7.9e-6 after 100 000 iterations. Before the support
    /// Newton stage the stages went down by 10 to 1e-4 (the stage at 1e-5 failed and was retried
    /// at 10^-4.5) until the Richardson extrapolation of the last two met the tolerance, after
    /// 2643 iterations; now the support Newton stage from the stage at 0.01 (one mixed weight)
    /// is accepted after the stages at 1, 0.1 and 0.01.
    @Test func continuationTurnsTwoStateWorstCaseGreen() throws {
        let flags = ["--temperature", "0", "--set", "tv", "--radius", "0.05", "--population", "worst-case",
                     "--max-iterations", "5000"]
        let stages = try Self.solveAndCheck("two-state.json", flags: flags, tau: "0", method: "support-newton")
        #expect(isApproximatelyEqual(stages, [1, 0.1, 0.01], absolute: 0, relative: 1e-9), "\(stages)")
    }

    /// A cell that the support Newton stage turned green (Docs/Solvers.md, "The support Newton
    /// stage"): rock–paper–scissors with a worst-case population (tv 0.05) at τ = 0, where the
    /// stages' pairs and their extrapolations stayed at exploitability ≈ 3.2 τ and fictitious play
    /// ended at residual 6.2e-2 after 100 000 iterations. The returned pair is the support Newton
    /// stage's (its support guessed from the continuation stage at τ = 0.01), and `rmfg evaluate`
    /// confirms it.
    @Test func supportNewtonTurnsRockPaperScissorsWorstCaseGreen() throws {
        let flags = ["--temperature", "0", "--set", "tv", "--radius", "0.05", "--population", "worst-case",
                     "--max-iterations", "100000", "--tolerance", "1e-9"]
        try Self.solveAndCheck("rock-paper-scissors.yaml", flags: flags, tau: "0", method: "support-newton")
        // The text header names the method that produced the pair before the path, whose first
        // word is the direct attempt's method (a newcomer read "mirror-descent" as the result's).
        let text = try rmfg(["solve", Self.example("rock-paper-scissors.yaml"), "--method", "auto"] + flags)
        let header = try #require(text.stdout.split(separator: "\n").first)
        #expect(header.hasPrefix("rock-paper-scissors: converged after "), "\(header)")
        #expect(header.contains(" iterations, result from support-newton (mirror-descent; "), "\(header)")
        #expect(header.contains("; support-newton from iteration "), "\(header)")
    }

    /// A cell that the tie candidate turned green (Docs/Solvers.md, "The tie candidate"): the
    /// bundled four rooms with a worst-case population (tv 0.05) at τ = 0, over 11 CPU seconds
    /// before (the support Newton stage stalled at `max |F| ≈ 3e-3`, fictitious play ended at
    /// residual 9.2e-2). All 104 open values nearly tie at the stage τ = 0.01; the candidate
    /// equalizes the rewards on them, plants the index order in the values and finds the policy
    /// by a linear program. The result names the candidate, and `rmfg evaluate` confirms the pair
    /// (python/tests/test_regime_explanations.py checks it without the library).
    @Test func tieCandidateTurnsFourRoomsWorstCaseGreen() throws {
        let flags = ["--temperature", "0", "--set", "tv", "--radius", "0.05", "--population", "worst-case",
                     "--max-iterations", "100000", "--tolerance", "1e-9"]
        try Self.solveAndCheck("four-rooms.yaml", flags: flags, tau: "0", method: "support-newton")
        let r = try rmfg(["solve", Self.example("four-rooms.yaml"), "--method", "auto", "--quiet", "--format", "json"] + flags)
        let message = try #require(try r.json()["message"] as? String)
        #expect(message.contains("the tie candidate of the support Newton stage at τ = 0 (from the continuation stage at τ = 0.01: 104 states tied"), "\(message)")
    }

    /// Solves `file` with `auto`, checks the trace's labels (Docs/Solvers.md, "auto"): every
    /// record names a method that ran and the temperature it ran at; continuation stages run at
    /// 1, 0.1, 0.01, … in that order, above the requested `τ`; the returned pair was evaluated
    /// at the requested `τ` by the method the result names. `rmfg evaluate` confirms the pair
    /// from the written files; the result's message contains `message` when given. Returns the
    /// distinct stage temperatures, in order.
    @discardableResult
    static func solveAndCheck(_ file: String, flags: [String], tau: String, method: String? = nil,
                              message: String? = nil) throws -> [Double] {
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
            #expect(["anderson", "newton", "mirror-descent", "fictitious-play", "fixed-point", "support-newton"].contains(m))
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
        if let method { #expect(j["method"] as? String == method) }
        if let message { #expect((j["message"] as? String)?.contains(message) == true, "\(j["message"] ?? "no message")") }
        let e = try rmfg(["evaluate", example(file), "--policy", dir.path("out/policy.csv"),
                          "--mean-field", dir.path("out/meanfield.csv"), "--format", "json"] + flags)
        let check = try e.json()
        #expect((number(check, "exploitability") ?? .nan) <= 1e-8)
        #expect((number(check, "stationarityResidual") ?? .nan) <= 1e-8)
        return stages
    }

    /// A cell that the Newton polish turned green (Docs/Solvers.md, "newton"): rock–paper–
    /// scissors with tv 0.05 at τ = 0.1 ended at residual 4.5e-5 after 100 000 iterations
    /// (Anderson failed, fictitious play crawled). Now fictitious play's best-response pair
    /// reaches residual 1e-3 and Newton finishes in a few steps; the result names `newton`,
    /// its records follow fictitious play's, and `rmfg evaluate` confirms the pair.
    @Test func newtonPolishTurnsRockPaperScissorsGreen() throws {
        let flags = ["--temperature", "0.1", "--set", "tv", "--radius", "0.05", "--population", "worst-case",
                     "--max-iterations", "5000"]
        try Self.solveAndCheck("rock-paper-scissors.yaml", flags: flags, tau: "0.1")
        let r = try rmfg(["solve", Self.example("rock-paper-scissors.yaml"), "--method", "auto", "--quiet", "--format", "json"] + flags)
        let j = try r.json()
        #expect(j["method"] as? String == "newton")
        let methods = try #require(j["trace"] as? [[String: Any]]).compactMap { $0["method"] as? String }
        let firstNewton = try #require(methods.firstIndex(of: "newton"))
        #expect(methods[..<firstNewton].contains("fictitious-play"))
        #expect(methods[firstNewton...].allSatisfy { $0 == "newton" })
        #expect(methods.count - firstNewton <= 10)
        #expect((j["message"] as? String)?.contains("Newton polish") == true)
    }

    /// The Anderson bridge of `auto` (Docs/Solvers.md, "auto", step 0) on the guide's
    /// restaurants with tv 0.05 at τ = 0.001: the direct attempt (Anderson, then mirror descent)
    /// does not converge; the stages at τ = 1, 0.1, 0.01 do; Anderson at τ = 0.001 from the stage
    /// at 0.01 does not, so bridge stages are inserted between them, each solved by Anderson
    /// warm-started from the last converged one: 10^-2.5 (half the log-ratio; fails), 10^-2.25
    /// (a quarter), then 10^-2.5, 10^-2.75 and τ = 0.001 itself with that ratio. Before the
    /// bridge, mirror descent and then fictitious play finished at τ = 0.001 (1161 iterations).
    /// Every record is labelled with the method and temperature it ran at, the result names
    /// Anderson and the bridge, and `rmfg evaluate` confirms the returned pair.
    @Test func autoBridgesToTheRequestedTemperatureByAnderson() throws {
        let dir = try ScratchFolder()
        let flags = ["--temperature", "0.001", "--set", "tv", "--radius", "0.05", "--population", "worst-case",
                     "--max-iterations", "5000"]
        let game = Self.example("guide/restaurants.yaml")
        let r = try rmfg(["solve", game, "--quiet", "--format", "json", "--output", dir.path("out")] + flags)
        #expect(r.status == 0, "\(r.stderr)")
        let j = try r.json()
        let trace = try #require(j["trace"] as? [[String: Any]])
        var runs: [(method: String, temperature: Double)] = []
        for record in trace {
            let run = (try #require(record["method"] as? String), try #require(number(record, "temperature")))
            if runs.last.map({ $0.method != run.0 || $0.temperature != run.1 }) ?? true { runs.append(run) }
        }
        let expected: [(String, Double)] = [
            ("anderson", 0.001), ("mirror-descent", 0.001),  // the direct attempt
            ("anderson", 1), ("anderson", 0.1), ("anderson", 0.01),  // the stages
            ("anderson", 0.001), ("anderson", pow(10, -2.5)), ("anderson", pow(10, -2.25)),  // the bridge
            ("anderson", pow(10, -2.5)), ("anderson", pow(10, -2.75)), ("anderson", 0.001),
        ]
        #expect(runs.count == expected.count, "\(runs)")
        for (run, want) in zip(runs, expected) {
            #expect(run.method == want.0 && isApproximatelyEqual(run.temperature, want.1, absolute: 0, relative: 1e-12), "\(runs)")
        }
        #expect(j["method"] as? String == "anderson")
        let message = try #require(j["message"] as? String)
        #expect(message.contains("Anderson from the continuation stage at τ = 0.01 through the bridge stages at τ = 0.0056"), "\(message)")
        #expect((number(j, "exploitability") ?? .nan) <= 1e-8)
        #expect((number(j, "stationarityResidual") ?? .nan) <= 1e-8)
        let e = try rmfg(["evaluate", game, "--policy", dir.path("out/policy.csv"),
                          "--mean-field", dir.path("out/meanfield.csv"), "--format", "json"] + flags)
        let check = try e.json()
        #expect((number(check, "exploitability") ?? .nan) <= 1e-8)
        #expect((number(check, "stationarityResidual") ?? .nan) <= 1e-8)
    }

    /// The crowd grid's cell (384 states) tv 0.05 at τ = 0.01, over 11 CPU seconds before
    /// (Docs/Solvers.md, "Regime matrix"): every Anderson phase and Newton polish at 0.01 stalled
    /// between 4e-8 and 4e-7, and the Anderson bridge ended at the ratio 1.78 (the stage schedule's
    /// smallest ratio, 1.5, was its limit). With `Continuation.bridgeSmallestRatio` the bridge goes
    /// on from the stage at 10^-1.75 to 10^-1.875 (ratio 1.33), and Anderson converges at 0.01
    /// from there (the stages above 0.01 converge at 10 times the tolerance,
    /// `Continuation.stageToleranceFactor`). The stages and the bridge stages come in the order
    /// the bridge tries them, the result is Anderson's, its message names the bridge stages, and
    /// `rmfg evaluate` confirms the pair. About 4 CPU seconds in an optimized build (1427
    /// iterations of a 384-state game, the cell as the matrix runs it): the cell is the reason
    /// for both rules.
    @Test func bridgeOfAnEighthDecadeTurnsCrowdGridWorstCaseGreen() throws {
        let flags = ["--temperature", "0.01", "--set", "tv", "--radius", "0.05", "--population", "worst-case",
                     "--max-iterations", "100000", "--tolerance", "1e-9"]
        let stages = try Self.solveAndCheck("crowd-grid.yaml", flags: flags, tau: "0.01", method: "anderson",
                                            message: "; Anderson from the continuation stage at τ = 0.1 through the bridge stages at τ = ")
        let expected = [1, 0.1, pow(10, -1.5), pow(10, -1.75), pow(10, -1.875)]
        #expect(isApproximatelyEqual(stages, expected, absolute: 0, relative: 1e-9), "\(stages)")
    }

    /// Two of the crowd grid's cells (384 states) that were red (over 11 CPU seconds;
    /// Docs/Solvers.md, "Regime matrix"): nominal at τ = 0.01 and tv 0.05 at τ = 0.001. One-step
    /// Anderson stalled there (residual 2.6e-4 after 3000 iterations at τ = 0.01) and the Newton
    /// polish crawled; with lazy population steps (k = 20, from 300 states) the direct attempt's
    /// Anderson phase converges: at τ = 0.01 only because a third stall no longer ends a phase
    /// whose best residual still halves every 100 iterations (with that exit the solve ran past 30 CPU s). Every
    /// record is Anderson's at the requested τ (no continuation stage, no other method), the result
    /// names Anderson, and `rmfg evaluate` confirms the pair.
    @Test(arguments: [("0.01", "nominal"), ("0.001", "tv")])
    func lazyStepsTurnCrowdGridGreen(tau: String, population: String) throws {
        let set = population == "tv"
            ? ["--set", "tv", "--radius", "0.05", "--population", "worst-case"]
            : ["--set", "none", "--population", "nominal"]
        let flags = ["--temperature", tau, "--max-iterations", "5000", "--tolerance", "1e-9"] + set
        let stages = try Self.solveAndCheck("crowd-grid.yaml", flags: flags, tau: tau, method: "anderson")
        #expect(stages.isEmpty, "\(stages)")
        let r = try rmfg(["solve", Self.example("crowd-grid.yaml"), "--method", "auto", "--quiet", "--format", "json"] + flags)
        let j = try r.json()
        let methods = try #require(j["trace"] as? [[String: Any]]).compactMap { $0["method"] as? String }
        #expect(Set(methods) == ["anderson"], "\(Set(methods))")
        #expect(methods.count <= (tau == "0.01" ? 400 : 100), "\(methods.count) iterations")
    }
}
