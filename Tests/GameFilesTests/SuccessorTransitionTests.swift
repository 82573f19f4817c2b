import Foundation
import GameFiles
import MeanField
import Testing
import TestSupport

/// Transitions `{next, noise}` and `{successors}` (Docs/Format.md, "Transitions"): kernels
/// equal to plain-Swift references of the same models at several mean fields, solves equal
/// to the same rows given as `{sparse}` or as an expression over `t`, and every error at
/// load time and at a mean field visited later.
@Suite struct SuccessorTransitionTests {
    /// Bench-MFG's Lasry–Lions chain: x' = clamp(x + a + e, 0, N − 1), e ∈ {−1, 0, 1}; the
    /// noise's spread grows with the crowd at x (`eps` scaled by `1 + mu[s]`), so the kernel
    /// depends on μ.
    static func lasryLions(states n: Int) -> String {
        """
        name: noisy-chain
        states: \(n)
        actions: [left, stay, right]
        discount: 0.9
        parameters: {eps: 0.025, crowd: 40}
        reward: "-2 * abs(a - stay) - 3 * (s - (states - 1) / 2)^2 / states - crowd * mu[s]"
        transition:
          next: "clamp(s + a - stay + e, 0, states - 1)"
          noise:
            values: [-1, 0, 1]
            probabilities: ["eps * (1 + mu[s])", "1 - 2 * eps * (1 + mu[s])", "eps * (1 + mu[s])"]
        """
    }

    /// The reference kernel of ``lasryLions(states:)``, dense.
    static func lasryLionsRow(_ s: Int, _ a: Int, _ mu: [Double], eps: Double = 0.025) -> [Double] {
        let n = mu.count
        var row = [Double](repeating: 0, count: n)
        let q = eps * (1 + mu[s])
        for (e, p) in [(-1, q), (0, 1 - 2 * q), (1, q)] {
            row[min(max(s + a - 1 + e, 0), n - 1)] += p
        }
        return row
    }

    /// A congestion chain: the move to `s + a − 1` (clamped) succeeds with probability
    /// `1 − slip·μ(s)`, otherwise the agent stays; a third entry pushes to the next
    /// state with a μ-dependent weight, and the row is normalized.
    static let congestion = """
    name: congestion
    states: 9
    actions: [left, stay, right]
    discount: 0.8
    parameters: {slip: 0.7}
    reward: "-abs(s - 4) - 2 * mu[s]"
    transition:
      successors:
        - {to: "clamp(s + a - 1, 0, states - 1)", p: "1 - slip * mu[s]"}
        - {to: "s", p: "slip * mu[s]"}
        - {to: "mod(s + 1, states)", p: "mu[mod(s + 1, states)]"}
      normalize: true
    """

    static func congestionRow(_ s: Int, _ a: Int, _ mu: [Double], slip: Double = 0.7) -> [Double] {
        let n = mu.count
        var row = [Double](repeating: 0, count: n)
        let w = [(min(max(s + a - 1, 0), n - 1), 1 - slip * mu[s]), (s, slip * mu[s]), ((s + 1) % n, mu[(s + 1) % n])]
        let total = w.reduce(0) { $0 + $1.1 }
        for (t, p) in w { row[t] += p }
        return row.map { $0 / total }
    }

    /// Random mean fields (one of them with zeros) and the uniform one.
    static func meanFields(_ n: Int, seed: TestSeed) -> [[Double]] {
        var g = seed.generator
        var fields = [uniform(n)]
        for k in 0..<4 {
            var x = (0..<n).map { _ in g.unit() }
            if k == 0 { for i in stride(from: 1, to: n, by: 2) { x[i] = 0 } }
            let total = x.reduce(0, +)
            fields.append(x.map { $0 / total })
        }
        return fields
    }

    func expectKernel(_ game: MeanFieldGame, _ reference: (Int, Int, [Double]) -> [Double], seed: TestSeed) throws {
        let n = game.stateCount, m = game.actionCount
        for mu in Self.meanFields(n, seed: seed) {
            let snapshot = try game.snapshot(at: mu)
            for s in 0..<n {
                for a in 0..<m {
                    let got = snapshot.kernels[s * m + a].dense(count: n)
                    let want = reference(s, a, mu)
                    for t in 0..<n {
                        #expect(abs(got[t] - want[t]) <= 1e-12, "s=\(s) a=\(a) t=\(t): \(got[t]) vs \(want[t]), \(seed)")
                    }
                    #expect(snapshot.kernels[s * m + a].indices == want.indices.filter { want[$0] > 0 }, "\(seed)")
                }
            }
        }
    }

    @Test(arguments: [1, 2, 7, 30])
    func noiseKernelMatchesReference(states n: Int) throws {
        let (_, game) = try loadGame(Self.lasryLions(states: n))
        #expect(game.kernelsDependOnMeanField)
        try expectKernel(game, { Self.lasryLionsRow($0, $1, $2) }, seed: TestSeed())
    }

    @Test func successorKernelMatchesReference() throws {
        let (_, game) = try loadGame(Self.congestion)
        #expect(game.kernelsDependOnMeanField)
        try expectKernel(game, { Self.congestionRow($0, $1, $2) }, seed: TestSeed())
    }

    /// Noise values and probabilities from parameters; a kernel without `mu` is evaluated once.
    @Test func noiseFromParametersIsFixed() throws {
        let text = Self.lasryLions(states: 7)
            .replacingOccurrences(of: "parameters: {eps: 0.025, crowd: 40}", with: "parameters: {eps: 0.025, crowd: 40, shocks: [-1, 0, 1], p: [0.025, 0.95, 0.025]}")
            .replacingOccurrences(of: "values: [-1, 0, 1]", with: "values: shocks")
            .replacingOccurrences(of: "probabilities: [\"eps * (1 + mu[s])\", \"1 - 2 * eps * (1 + mu[s])\", \"eps * (1 + mu[s])\"]", with: "probabilities: p")
        let (_, game) = try loadGame(text)
        #expect(!game.kernelsDependOnMeanField)
        try expectKernel(game, { s, a, mu in Self.lasryLionsRow(s, a, [Double](repeating: 0, count: mu.count)) }, seed: TestSeed())
    }

    /// The same rows as `{successors}`, as `{sparse}` and as an expression over `t`:
    /// identical solves (μ-independent rows), and identical solves of a μ-dependent chain
    /// given as `{successors}` and as an indicator expression.
    @Test func successorsSolveLikeSparseAndExpression() throws {
        let n = 8
        let head = """
        name: chain
        states: \(n)
        actions: [left, stay, right]
        discount: 0.9
        reward: "-abs(s - 3) - 4 * mu[s]"
        solver: {temperature: 0.05, tolerance: 1e-10}

        """
        var entries: [String] = []
        for s in 0..<n {
            for a in 0..<3 {
                let t = min(max(s + a - 1, 0), n - 1)
                if t == s { entries.append("[\(s), \(a), \(s), 1]") } else { entries += ["[\(s), \(a), \(t), 0.75]", "[\(s), \(a), \(s), 0.25]"] }
            }
        }
        let successors = head + "transition:\n  successors:\n    - {to: \"clamp(s + a - 1, 0, states - 1)\", p: 0.75}\n    - {to: s, p: 0.25}\n"
        let sparse = head + "transition:\n  sparse: [\(entries.joined(separator: ", "))]\n"
        let expression = head + "transition: \"0.75 * (t == clamp(s + a - 1, 0, states - 1)) + 0.25 * (t == s)\"\n"
        let results = try [successors, sparse, expression].map { text in
            let (file, game) = try loadGame(text)
            return try game.solveEquilibrium(options: file.equilibriumOptions)
        }
        for r in results.dropFirst() {
            #expect(r.meanField == results[0].meanField)
            #expect(r.policy.probabilities == results[0].policy.probabilities)
            #expect(r.iterations == results[0].iterations)
        }
        let dependent = head.replacingOccurrences(of: "temperature: 0.05", with: "temperature: 0.2")
        let a = dependent + "transition:\n  successors:\n    - {to: \"clamp(s + a - 1, 0, states - 1)\", p: \"1 - 0.5 * mu[s]\"}\n    - {to: s, p: \"0.5 * mu[s]\"}\n"
        let b = dependent + "transition: \"(1 - 0.5 * mu[s]) * (t == clamp(s + a - 1, 0, states - 1)) + 0.5 * mu[s] * (t == s)\"\n"
        let (fa, ga) = try loadGame(a), (fb, gb) = try loadGame(b)
        let ra = try ga.solveEquilibrium(options: fa.equilibriumOptions), rb = try gb.solveEquilibrium(options: fb.equilibriumOptions)
        #expect(ra.converged && rb.converged)
        for (x, y) in zip(ra.meanField, rb.meanField) { #expect(abs(x - y) <= 1e-12, "\(x) vs \(y)") }
    }

    /// A target outside the states is fine where its weight (probability) is 0, and is
    /// not even evaluated there.
    @Test func outOfRangeTargetsWithZeroWeightAreAllowed() throws {
        let text = """
        name: edge
        states: 5
        actions: 2
        discount: 0.5
        reward: "s"
        transition:
          successors:
            - {to: "s + 1 + 0 * mu[s + 1]", p: "s < states - 1"}
            - {to: s, p: "s == states - 1"}
        """
        let (_, game) = try loadGame(text)
        let k = try game.snapshot(at: uniform(5)).kernels
        #expect(k.map(\.indices) == [[1], [1], [2], [2], [3], [3], [4], [4], [4], [4]])
    }

    // MARK: Errors at load time

    static func errorCase(_ transition: String, parameters: String = "{slip: 0.5}") -> String {
        """
        name: bad
        states: 4
        actions: [left, stay, right]
        discount: 0.9
        parameters: \(parameters)
        reward: "-mu[s]"
        transition:
        \(transition)
        """
    }

    @Test(arguments: [
        // (transition, field, words in the message)
        ("  successors:\n    - {to: s, p: -0.5}\n    - {to: s, p: 1.5}", "transition.successors[0].p", "at s=0, a=left: found -0.5, expected a weight >= 0"),
        ("  successors:\n    - {to: s, p: 0.5}\n    - {to: \"s + 1\", p: 0.4}", "transition.successors", "at s=0, a=left: the row sums to 0.9"),
        ("  successors:\n    - {to: \"s + a - 1\", p: 1}", "transition.successors[0].to", "at s=0, a=left: found the next state -1 with weight 1, expected a whole number in 0..<4"),
        ("  successors:\n    - {to: \"s + 0.5\", p: 1}", "transition.successors[0].to", "at s=0, a=left: found the next state 0.5"),
        ("  successors:\n    - {to: \"s + log(s)\", p: 1}", "transition.successors[0].to", "at s=0, a=left: logarithm"),
        ("  successors:\n    - {to: s, p: \"0 * mu[s]\"}\n  normalize: true", "transition.successors", "at s=0, a=left: the weights sum to 0"),
        ("  successors:\n    - {to: s, p: \"1 + log(s)\"}", "transition.successors[0].p", "at s=0, a=left: logarithm"),
        ("  next: \"s + a - 1 + e\"\n  noise: {values: [0, 1], probabilities: [0.5, 0.5]}", "transition.next", "at s=0, a=left: e=0: found the next state -1 with probability 0.5"),
        ("  next: \"s\"\n  noise: {values: [0, 1], probabilities: [1.2, -0.2]}", "transition.noise.probabilities[1]", "at s=0, a=left: found -0.2, expected a probability >= 0"),
        ("  next: \"s\"\n  noise: {values: [0, 1], probabilities: [0.2, 0.2]}", "transition.noise.probabilities", "at s=0, a=left: the row sums to 0.4"),
        ("  next: \"log(s) + e\"\n  noise: {values: [0, 1], probabilities: [0.5, 0.5]}", "transition.next", "at s=0, a=left: e=0: logarithm"),
    ])
    func rowErrorsAtLoadTime(_ transition: String, _ field: String, _ message: String) throws {
        let error = try #require(loadError(Self.errorCase(transition)))
        #expect(error.field == field, "\(error)")
        #expect(error.message.contains(message), "\(error)")
        #expect(!error.description.contains("\n"))
    }

    @Test(arguments: [
        ("  successors: []", "transition.successors", "a non-empty list"),
        ("  successors:\n    - {to: s}", "transition.successors[0].p", "missing"),
        ("  successors:\n    - {to: s, p: 1, q: 2}", "transition.successors[0].q", "q"),
        ("  successors:\n    - {to: t, p: 1}", "transition.successors[0].to", "`t` is not available"),
        ("  successors:\n    - {to: s, p: 1}\n  expr: s", "transition.expr", "expr"),
        ("  next: s", "transition.noise", "missing"),
        ("  next: s\n  noise: {values: [0, 1], probabilities: [1]}", "transition.noise.probabilities", "1 probabilities for 2 values"),
        ("  next: s\n  noise: {values: [], probabilities: []}", "transition.noise.values", "found an empty list"),
        ("  next: s\n  noise: {values: [0], probabilities: [\"e\"]}", "transition.noise.probabilities[0]", "`e` is not available"),
        ("  next: s\n  noise: {values: nope, probabilities: [1]}", "transition.noise.values", "'nope' is not an array parameter"),
    ])
    func malformedTransitions(_ transition: String, _ field: String, _ message: String) throws {
        let error = try #require(loadError(Self.errorCase(transition)))
        #expect(error.field == field, "\(error)")
        #expect(error.description.contains(message), "\(error)")
    }

    /// `e` is declared only for the noise form: elsewhere a parameter may be called `e`.
    @Test func parameterNamedE() throws {
        _ = try loadGame(Self.errorCase("  successors:\n    - {to: s, p: e}", parameters: "{e: 1}"))
        let error = try #require(loadError(Self.errorCase("  next: s\n  noise: {values: [0], probabilities: [1]}", parameters: "{e: 1}")))
        #expect(error.field == "transition.noise", "\(error)")
    }

    // MARK: Errors at a mean field the solver visits

    /// Valid at the uniform μ; at a μ with μ(2) = 1 the weight `1 − 3μ(s)` is negative at s = 2.
    @Test func negativeWeightAtVisitedMeanField() throws {
        let (file, game) = try loadGame(Self.errorCase("  successors:\n    - {to: s, p: \"1 - 3 * mu[s]\"}\n    - {to: 0, p: \"3 * mu[s]\"}"))
        do {
            _ = try game.snapshot(at: [0, 0, 1, 0])
            Issue.record("expected an error")
        } catch {
            let explained = file.explain(error)
            #expect(explained.description == "test.yaml: transition.successors[0].p: at s=2, a=left: found -2, expected a weight >= 0")
        }
        do {
            _ = try game.solveEquilibrium(options: file.equilibriumOptions)
        } catch {
            #expect(file.explain(error).field == "transition.successors[0].p")
        }
    }

    /// A next state that leaves the chain only once μ moves; a row not summing to 1 there.
    @Test func noiseErrorsAtVisitedMeanField() throws {
        let outside = Self.errorCase("  next: \"s + e * (mu[s] > 0.5)\"\n  noise: {values: [-1, 1], probabilities: [0.5, 0.5]}")
        let (file, game) = try loadGame(outside)
        do {
            _ = try game.snapshot(at: [1, 0, 0, 0])
            Issue.record("expected an error")
        } catch {
            #expect(file.explain(error).description == "test.yaml: transition.next: at s=0, a=left: e=-1: found the next state -1 with probability 0.5, expected a whole number in 0..<4 (a target may be outside only where its probability is 0)")
        }
        let sums = Self.errorCase("  next: s\n  noise: {values: [0, 1], probabilities: [\"0.5 + mu[0] - 0.25\", 0.5]}")
        let (file2, game2) = try loadGame(sums)
        do {
            _ = try game2.snapshot(at: [1, 0, 0, 0])
            Issue.record("expected an error")
        } catch {
            #expect(file2.explain(error).description.hasPrefix("test.yaml: transition.noise.probabilities: at s=0, a=left: the row sums to 1.75"))
        }
    }

    /// Rows evaluated in parallel chunks (3,000 rows) report the lowest failing row, as a
    /// serial evaluation would: rows s ≥ 700 fail when μ is concentrated, the first is (700, left).
    @Test func parallelRowsReportTheLowestFailure() throws {
        let text = """
        name: big
        states: 1000
        actions: [left, stay, right]
        discount: 0.9
        reward: "0"
        transition:
          successors:
            - {to: s, p: "1 - (s >= 700) * 1000 * mu[0]"}
            - {to: 0, p: "(s >= 700) * 1000 * mu[0]"}
        """
        let (file, game) = try loadGame(text)
        var mu = [Double](repeating: 0, count: 1000)
        mu[0] = 1
        for _ in 0..<3 {
            do {
                _ = try game.snapshot(at: mu)
                Issue.record("expected an error")
            } catch {
                #expect(file.explain(error).description == "test.yaml: transition.successors[0].p: at s=700, a=left: found -999, expected a weight >= 0")
            }
        }
    }
}
