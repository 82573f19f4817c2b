import Ambiguity
import Foundation
@testable import MeanField
import Testing
import TestSupport

/// `TransitionMatrix.stationaryDistribution(from:)` against an exact rational reference
/// (`scripts/stationary_reference.py`: recurrent classes by reachability, class laws and
/// absorption probabilities by exact Gauss–Jordan in `Fraction`s), on random reducible
/// chains, nearly reducible ones (blocks joined by ε = 1e-8 and 1e-12), periodic cycles,
/// absorbing and transient states. Skipped without a `python3` with numpy.
@Suite struct StationaryReferenceTests {
    struct Case {
        var p: [[Double]]
        var initial: [Double]
        var label: String
    }

    /// Two random blocks joined in both directions by probabilities `epsilon`
    /// (irreducible, second eigenvalue `1 − O(ε)`), plus a transient state feeding both.
    static func twoBlocks(_ rng: inout SplitMix64, epsilon: Double) -> [[Double]] {
        let a = 2 + Int(rng.next() % 5), b = 2 + Int(rng.next() % 5)
        let n = a + b + 1
        var p = [[Double]](repeating: [Double](repeating: 0, count: n), count: n)
        for s in 0..<(a + b) {
            let block = s < a ? 0..<a : a..<(a + b)
            for t in block where rng.next() % 3 != 0 || t == (s + 1 - block.lowerBound) % block.count + block.lowerBound {
                p[s][t] = rng.unit() + 0.05
            }
            let total = p[s].reduce(0, +)
            for t in 0..<n { p[s][t] *= (1 - epsilon) / total }
            p[s][s < a ? a + Int(rng.next() % UInt64(b)) : Int(rng.next() % UInt64(a))] += epsilon
        }
        p[n - 1][n - 1] = 0.5
        p[n - 1][0] = 0.25
        p[n - 1][a] = 0.25
        return p
    }

    static func cases() -> [Case] {
        var rng = SplitMix64(seed: 2026, stream: 17)
        var out: [Case] = []
        func initial(_ n: Int, _ rng: inout SplitMix64) -> [Double] {
            var x = (0..<n).map { _ in rng.next() % 3 == 0 ? 0 : rng.unit() }
            if x.allSatisfy({ $0 == 0 }) { x[n - 1] = 1 }
            let t = x.reduce(0, +)
            return x.map { $0 / t }
        }
        for leak in [0.3, 1e-8, 1e-12] {
            for _ in 0..<12 {
                let n = 2 + Int(rng.next() % 10)
                out.append(Case(p: StationaryTests.randomChain(&rng, states: n, leak: leak), initial: initial(n, &rng),
                                label: "random reducible, leak \(leak)"))
            }
        }
        for epsilon in [1e-8, 1e-12] {
            for _ in 0..<8 {
                let p = twoBlocks(&rng, epsilon: epsilon)
                out.append(Case(p: p, initial: initial(p.count, &rng), label: "two blocks, ε = \(epsilon)"))
            }
        }
        // A 5-cycle (period 5) entered from a transient state, and an absorbing state.
        var cycle = [[Double]](repeating: [Double](repeating: 0, count: 7), count: 7)
        for s in 0..<5 { cycle[s][(s + 1) % 5] = 1 }
        cycle[5] = [0.1, 0, 0, 0, 0, 0.5, 0.4]
        cycle[6][6] = 1
        out.append(Case(p: cycle, initial: [0.3, 0, 0, 0, 0, 0.7, 0], label: "periodic with absorbing state"))
        return out
    }

    @Test func matchesTheExactRationalReference() throws {
        guard let python = pythonWithNumPy() else { return }
        let all = Self.cases()
        let requests = all.map { ["P": $0.p, "initial": $0.initial] as [String: Any] }
        let references = try Self.reference(python, requests)
        try #require(references.count == all.count)
        for (c, reference) in zip(all, references) {
            let chain = try StationaryTests.matrix(c.p)
            let nu = chain.stationaryDistribution(from: c.initial)
            #expect(isApproximatelyEqual(nu, reference, absolute: 1e-15, relative: 1e-11),
                    "\(c.label), n = \(c.p.count): differs by \(maxAbsDifference(nu, reference))")
            #expect(chain.componentStationary(from: c.initial) != nil, "\(c.label): the component solve failed")
        }
    }

    static func reference(_ python: String, _ requests: [[String: Any]]) throws -> [[Double]] {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("scripts/stationary_reference.py").path
        let input = try JSONSerialization.data(withJSONObject: requests)
        let data = try #require(try runPythonFilter(python, script: script, input: input), "stationary_reference.py failed")
        return try #require(try JSONSerialization.jsonObject(with: data) as? [[Double]])
    }
}
