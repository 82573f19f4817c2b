import Ambiguity
@testable import MeanField
import Testing
import TestSupport

/// The exact stationary distribution by strongly connected components, against an
/// independent dense reference: `initial · L^(2^64)` for the lazy chain `L = (I + P)/2`
/// by repeated squaring (the Cesàro limit of `initial · Pᵏ`, also for periodic classes).
@Suite struct StationaryTests {
    /// A random row-stochastic chain with closed classes, transient blocks feeding later
    /// blocks, deterministic cycles (periodic classes) and leaks of size `leak`.
    static func randomChain(_ rng: inout SplitMix64, states n: Int, leak: Double) -> [[Double]] {
        var p = [[Double]](repeating: [Double](repeating: 0, count: n), count: n)
        // Blocks of consecutive states; block b may only feed blocks after it.
        var cuts = [0]
        var end = 0
        while end < n {
            end = min(n, end + 1 + Int(rng.next() % 5))
            cuts.append(end)
        }
        let blocks = zip(cuts, cuts.dropFirst()).map { $0.0..<$0.1 }
        for (b, block) in blocks.enumerated() {
            let closed = b == blocks.count - 1 || rng.next() % 3 == 0
            let cycle = rng.next() % 4 == 0
            for s in block {
                if cycle {
                    p[s][s + 1 < block.upperBound ? s + 1 : block.lowerBound] += 1
                } else {
                    for t in block where rng.next() % 2 == 0 || t == s { p[s][t] += rng.unit() + 0.01 }
                }
                if !closed {
                    // Leave the block: to a random later state, with a tiny or a moderate weight.
                    let target = block.upperBound + Int(rng.next() % UInt64(n - block.upperBound))
                    let total = p[s].reduce(0, +)
                    let w = rng.next() % 2 == 0 ? leak : 0.3
                    for t in 0..<n { p[s][t] *= (1 - w) / total }
                    p[s][target] += w
                } else {
                    let total = p[s].reduce(0, +)
                    for t in 0..<n { p[s][t] /= total }
                }
            }
        }
        // A random relabelling, so that the blocks are not in index order.
        var perm = Array(0..<n)
        for i in stride(from: n - 1, to: 0, by: -1) { perm.swapAt(i, Int(rng.next() % UInt64(i + 1))) }
        var q = p
        for s in 0..<n { for t in 0..<n { q[perm[s]][perm[t]] = p[s][t] } }
        return q
    }

    static func matrix(_ p: [[Double]]) throws -> TransitionMatrix {
        let n = p.count
        let kernels = p.map { row in
            let idx = row.indices.filter { row[$0] > 0 }
            return SparseDistribution(indices: idx, probabilities: idx.map { row[$0] })
        }
        return try TransitionMatrix(policy: .uniform(stateCount: n, actionCount: 1), kernels: kernels)
    }

    static func denseLimit(_ p: [[Double]], from initial: [Double]) -> [Double] {
        let n = p.count
        var l = p
        for s in 0..<n { for t in 0..<n { l[s][t] = 0.5 * p[s][t] + (s == t ? 0.5 : 0) } }
        for _ in 0..<64 {
            var sq = [[Double]](repeating: [Double](repeating: 0, count: n), count: n)
            for i in 0..<n { for k in 0..<n where l[i][k] != 0 { for j in 0..<n { sq[i][j] += l[i][k] * l[k][j] } } }
            // Rows renormalized: otherwise a row sum of 1 + 1e-16 grows like (1 + 1e-16)^(2^64).
            l = sq.map { row in let t = row.reduce(0, +); return row.map { $0 / t } }
        }
        return (0..<n).map { t in (0..<n).reduce(0) { $0 + initial[$1] * l[$1][t] } }
    }

    @Test(arguments: [0.3, 1e-3, 1e-7])
    func matchesTheDenseReference(leak: Double) throws {
        var rng = SplitMix64(seed: 17)
        for _ in 0..<60 {
            let n = 2 + Int(rng.next() % 30)
            let p = Self.randomChain(&rng, states: n, leak: leak)
            var initial = (0..<n).map { _ in rng.next() % 3 == 0 ? 0 : rng.unit() }
            if initial.allSatisfy({ $0 == 0 }) { initial[0] = 1 }
            let total = initial.reduce(0, +)
            initial = initial.map { $0 / total }
            let chain = try Self.matrix(p)
            let exact = try #require(chain.componentStationary(from: initial))
            let reference = Self.denseLimit(p, from: initial)
            #expect(maxAbsDifference(exact, reference) <= 1e-9, "n = \(n), leak \(leak)")
            #expect(chain.stationaryDistribution(from: initial) == exact)
            #expect(abs(exact.reduce(0, +) - 1) <= 1e-12)
            #expect(exact.allSatisfy { $0 >= 0 })
        }
    }

    /// A nearly reducible chain with two closed classes: two sticky halves joined by
    /// 1e-9 leaks, an absorbing state, and a transient state that drains into both with
    /// probability 1e-9 each per step. The lazy power iteration (the method before the
    /// component solve) stops after 200 000 steps with the mass still on the transient state;
    /// the component solve is exact.
    @Test func nearlyReducibleChainIsExact() throws {
        let e = 1e-9
        let p: [[Double]] = [
            [0.5, 0.5 - e, e, 0, 0, 0],
            [0.5, 0.5, 0, 0, 0, 0],
            [e, 0, 0.5 - e, 0.5, 0, 0],
            [0, 0, 0.5, 0.5, 0, 0],
            [0, 0, e, 0, 1 - 2 * e, e],
            [0, 0, 0, 0, 0, 1],
        ]
        let chain = try Self.matrix(p)
        #expect(chain.closedClassCount == 2)
        let nu = chain.stationaryDistribution(from: [0, 0, 0, 0, 1, 0])
        #expect(maxAbsDifference(nu, [0.125, 0.125, 0.125, 0.125, 0, 0.5]) <= 1e-6)
        #expect(Simplex.l1(chain.step(nu), nu) <= 1e-10)
    }
}
