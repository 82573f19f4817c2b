import Foundation
import GameFiles
import MeanField
import Testing
import TestSupport

/// The examples written in the model language's second edition (Bench-MFG's Lasry–Lions
/// chain, SIS, kinetic congestion, four rooms and MF-Garnet, and the crowd grid), each
/// compared with an independent numpy implementation of the same model
/// (`scripts/example_reference.py`, written from bench-mfg-suite's environment classes
/// and from the crowd grid's header, not from the YAML): the kernel `P[s, a, t]` and
/// the reward `r[s, a]` at a uniform, two random Dirichlet, a sparse and a point-mass
/// mean field agree to 1e-12 (absolute and relative parts).
@Suite struct SecondEditionExamplesTests {
    /// One example: its file, the reference's model name and its parameter overrides.
    struct Case: Sendable, CustomStringConvertible {
        let file: String
        let model: String
        var params: [String: Double] = [:]
        var description: String { params.isEmpty ? file : "\(file) \(params.sorted { $0.key < $1.key })" }
    }

    static let cases: [Case] = [
        Case(file: "bench-mfg/lasry-lions.yaml", model: "lasry-lions"),
        Case(file: "bench-mfg/sis-epidemic.yaml", model: "sis-epidemic"),
        Case(file: "bench-mfg/kinetic-congestion.yaml", model: "kinetic-congestion"),
        Case(file: "bench-mfg/four-rooms.yaml", model: "four-rooms"),
        Case(file: "bench-mfg/mf-garnet.yaml", model: "mf-garnet"),
        Case(file: "crowd-grid.yaml", model: "crowd-grid"),
        Case(file: "crowd-grid.yaml", model: "crowd-grid", params: ["width": 7, "height": 4]),
        Case(file: "crowd-grid.yaml", model: "crowd-grid", params: ["width": 1, "height": 9, "congestion": 2]),
    ]

    static var scriptPath: String { Paths.root.appendingPathComponent("scripts/example_reference.py").path }

    /// Uniform, Dirichlet(1), Dirichlet(0.2) (many near-zero entries), one with exact zeros,
    /// and point masses at the first and last states.
    static func meanFields(_ n: Int, seed: UInt64) -> [[Double]] {
        var rng = SplitMix64(seed: seed)
        func dirichlet(_ alpha: Double) -> [Double] {
            // Gamma(α) by Marsaglia–Tsang on Gamma(α + 1) times U^(1/α) (α < 1 needs the boost).
            let x = (0..<n).map { _ in gamma(alpha, &rng) }
            let total = x.reduce(0, +)
            return x.map { $0 / total }
        }
        var sparse = dirichlet(1)
        for s in 0..<n where s % 3 == 1 { sparse[s] = 0 }
        let total = sparse.reduce(0, +)
        sparse = total > 0 ? sparse.map { $0 / total } : [Double](repeating: 1 / Double(n), count: n)
        var first = [Double](repeating: 0, count: n), last = first
        first[0] = 1
        last[n - 1] = 1
        return [[Double](repeating: 1 / Double(n), count: n), dirichlet(1), dirichlet(0.2), sparse, first, last]
    }

    /// A Gamma(α, 1) variate (Marsaglia and Tsang, with the `U^(1/α)` boost for α < 1).
    static func gamma(_ alpha: Double, _ rng: inout SplitMix64) -> Double {
        if alpha < 1 {
            let u = Double.random(in: Double.leastNonzeroMagnitude..<1, using: &rng)
            return gamma(alpha + 1, &rng) * pow(u, 1 / alpha)
        }
        let d = alpha - 1.0 / 3, c = 1 / sqrt(9 * d)
        while true {
            var x = 0.0, v = 0.0
            repeat {
                let u1 = Double.random(in: Double.leastNonzeroMagnitude..<1, using: &rng)
                let u2 = Double.random(in: 0..<1, using: &rng)
                x = sqrt(-2 * log(u1)) * cos(2 * Double.pi * u2)
                v = 1 + c * x
            } while v <= 0
            v = v * v * v
            let u = Double.random(in: Double.leastNonzeroMagnitude..<1, using: &rng)
            if log(u) < 0.5 * x * x + d - d * v + d * log(v) { return d * v }
        }
    }

    /// The reference's answer for one mean field.
    struct Reference {
        let states: Int
        let actions: Int
        /// `P[(s·m + a)·n + t]`.
        let kernel: [Double]
        /// `r[s·m + a]`.
        let reward: [Double]
    }

    /// Runs `scripts/example_reference.py` on `requests` (JSON objects).
    static func reference(_ python: String, _ requests: [[String: Any]]) throws -> [Reference] {
        let input = try JSONSerialization.data(withJSONObject: requests)
        let (data, status) = try runPython(python, script: scriptPath, input: input)
        #expect(status == 0, "example_reference.py failed")
        let list = try #require(try JSONSerialization.jsonObject(with: data) as? [[String: Any]])
        return try list.map { answer in
            let n = try #require(answer["states"] as? Int), m = try #require(answer["actions"] as? Int)
            var kernel = [Double](repeating: 0, count: n * m * n)
            for entry in try #require(answer["kernel"] as? [[Double]]) {
                let (s, a, t) = (Int(entry[0]), Int(entry[1]), Int(entry[2]))
                kernel[(s * m + a) * n + t] = entry[3]
            }
            let reward = try #require(answer["reward"] as? [[Double]]).flatMap { $0 }
            return Reference(states: n, actions: m, kernel: kernel, reward: reward)
        }
    }

    /// Loads the example with `params` replacing its parameters (as `--param NAME=VALUE` does).
    static func load(_ c: Case) throws -> GameFile {
        let overrides = GameOverrides(parameters: c.params.sorted { $0.key < $1.key }.map {
            ParameterOverride(name: $0.key, shape: [], elements: [$0.value])
        })
        return try GameFile.load(path: Paths.example(c.file), overrides: overrides)
    }

    @Test(arguments: SecondEditionExamplesTests.cases)
    func kernelAndRewardMatchTheReference(_ c: Case) throws {
        guard let python = pythonWithNumPy() else { return }
        let file = try Self.load(c)
        let game = try file.makeGame()
        let n = file.stateCount, m = file.actionCount
        let fields = Self.meanFields(n, seed: 1600 + UInt64(n))
        let requests: [[String: Any]] = fields.map { mu in
            ["model": c.model, "params": c.params, "mu": mu]
        }
        let references = try Self.reference(python, requests)
        try #require(references.count == fields.count)
        for (k, (mu, ref)) in zip(fields, references).enumerated() {
            try #require(ref.states == n && ref.actions == m, "\(c): reference has \(ref.states)×\(ref.actions), file \(n)×\(m)")
            let snapshot: GameSnapshot
            do { snapshot = try game.snapshot(at: mu) } catch { throw file.explain(error) }
            var worst = 0.0
            for s in 0..<n {
                for a in 0..<m {
                    let row = snapshot.kernels[snapshot.row(s, a)].dense(count: n)
                    let expected = Array(ref.kernel[((s * m + a) * n)..<((s * m + a + 1) * n)])
                    worst = max(worst, maxAbsDifference(row, expected))
                    #expect(isApproximatelyEqual(row, expected, absolute: 1e-12, relative: 1e-12),
                            "\(c), mean field \(k): P(·|s=\(s), a=\(a)) differs by \(maxAbsDifference(row, expected))")
                    let r = snapshot.rewards[snapshot.row(s, a)], rr = ref.reward[s * m + a]
                    #expect(isApproximatelyEqual(r, rr, absolute: 1e-12, relative: 1e-12),
                            "\(c), mean field \(k): r(s=\(s), a=\(a)) = \(r), reference \(rr)")
                }
            }
            // The comparison is not vacuous: the reference's rows are probability vectors.
            for row in 0..<(n * m) {
                let sum = ref.kernel[(row * n)..<((row + 1) * n)].reduce(0, +)
                #expect(abs(sum - 1) < 1e-12, "\(c): reference row \(row) sums to \(sum)")
            }
        }
    }
    /// `states: {grid: [width, height]}` may name parameters (so that `--param width=…`
    /// resizes the grid): a parameter named like a grid constant at its own position is
    /// that constant. Names that are not parameters, non-whole or zero sizes and a
    /// parameter named like another side's constant are load-time errors naming the field.
    @Test func gridSidesFromParameters() throws {
        let text = """
        name: g
        states: {grid: [width, height]}
        actions: [stay, right]
        discount: 0.9
        parameters: {width: 4, height: 3}
        reward: "-abs(x - (width - 1)) - 0.1 * (a == right) + 0 * height"
        transition: "t == if(a == right and inside(x + 1, y), cell(x + 1, y), s)"

        """
        let (file, game) = try loadGame(text)
        #expect(file.stateCount == 12 && file.grid == [4, 3])
        let snapshot = try game.snapshot(at: uniform(12))
        // s = 5 is (1, 1): reward -|1 - 3|; moving right lands on (2, 1) = 6.
        #expect(snapshot.rewards[snapshot.row(5, 0)] == -2)
        #expect(snapshot.kernels[snapshot.row(5, 1)].dense(count: 12)[6] == 1)
        let wide = try GameFile.parse(text: text, path: "g.yaml", overrides: GameOverrides(parameters: [
            ParameterOverride(name: "width", shape: [], elements: [7]),
        ]))
        #expect(wide.stateCount == 21 && wide.grid == [7, 3])
        let cases: [(String, String, String)] = [
            ("grid: [width, height]", "grid: [w, 3]", "states.grid[0]"),
            ("width: 4", "width: 2.5", "states.grid[0] (parameter 'width')"),
            ("height: 3", "height: 0", "states.grid[1] (parameter 'height')"),
            ("grid: [width, height]", "grid: [height, width]", "parameters.width"),
        ]
        for (old, new, field) in cases {
            let error = loadError(text.replacingOccurrences(of: old, with: new))
            #expect(error?.field == field, "\(new): \(error?.description ?? "loaded")")
        }
    }

    /// A `let` binding may use the noise variable `e` of a `{next, noise}` transition (bindings
    /// are declared after `e`); `next` using it equals `next` written out, and a field without
    /// `e` that uses it is an error naming the binding and `e`. (Before the fix, `roll` below
    /// was an unknown name `e`.)
    @Test func letBindingMayUseTheNoiseVariable() throws {
        let text = """
        name: noisy
        states: 5
        actions: [left, right]
        discount: 0.9
        let:
          shift: "e * (2 * a - 1)"
        reward: "-abs(s - 2)"
        transition:
          next: "clamp(s + shift, 0, states - 1)"
          noise: {values: [0, 1, 2], probabilities: [0.2, 0.5, 0.3]}

        """
        let (_, game) = try loadGame(text)
        let (_, plain) = try loadGame(text.replacingOccurrences(of: "s + shift", with: "s + e * (2 * a - 1)"))
        let mu = uniform(5)
        let (a, b) = (try game.snapshot(at: mu), try plain.snapshot(at: mu))
        for row in 0..<10 {
            #expect(a.kernels[row].dense(count: 5) == b.kernels[row].dense(count: 5))
        }
        // s = 1, right: 1 + 0, 1 + 1, 1 + 2 with 0.2, 0.5, 0.3.
        #expect(a.kernels[a.row(1, 1)].dense(count: 5) == [0, 0.2, 0.5, 0.3, 0])
        let error = loadError(text.replacingOccurrences(of: "reward: \"-abs(s - 2)\"", with: "reward: \"-abs(s - 2) + shift\""))
        #expect(error?.field == "reward" && error?.message.contains("shift") == true && error?.message.contains("e") == true,
                "\(error?.description ?? "loaded")")
    }
}
