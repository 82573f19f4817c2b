// Stationary distributions of nearly reducible chains (TransitionMatrix.stationaryDistribution).
//
//   stationary/blocks=50x10/leak=1e-9   50 closed-or-transient blocks of 10 states; the transient
//                                       blocks leak into later blocks with probability 1e-9 per step
//                                       (the lazy power iteration needs ~1e9 steps; the component
//                                       solve is exact and costs O(n + nnz + Σ|C|³))
//   stationary/ring=500                 one irreducible 500-state ring with 1e-6 jumps (one dense solve)
//   stationary/two-blocks=2x300/eps=1e-12
//                                       one irreducible 600-state chain: two 300-state rings joined in
//                                       both directions by probability 1e-12 per step (second eigenvalue
//                                       1 − O(1e-12)). Gaussian elimination with partial pivoting met a
//                                       pivot of size ~1e-12 and gave up (then 200 000 lazy power steps);
//                                       the subtraction-free state reduction (GTH) solves it exactly
//
// Chain construction is outside the timed region; each iteration is one stationary solve.

import Ambiguity
import Benchmark
import Garnet
import MeanField

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .mallocCountTotal],
        timeUnits: .milliseconds,
        warmupIterations: 1,
        maxDuration: .seconds(10),
        maxIterations: 100,
        thresholds: [.wallClock: .init(relative: [.p50: 25])])

    let reducible = Lazy { try! blocks(count: 50, size: 10, leak: 1e-9) }
    let irreducible = Lazy { try! ring(500, jump: 1e-6) }
    let nearlyReducible = Lazy { try! twoBlocks(size: 300, epsilon: 1e-12) }

    Benchmark("stationary/blocks=50x10/leak=1e-9") { benchmark in
        let chain = reducible.get()
        let start = [Double](repeating: 1 / Double(chain.stateCount), count: chain.stateCount)
        benchmark.startMeasurement()
        blackHole(chain.stationaryDistribution(from: start))
    }
    Benchmark("stationary/ring=500") { benchmark in
        let chain = irreducible.get()
        let start = [Double](repeating: 1 / Double(chain.stateCount), count: chain.stateCount)
        benchmark.startMeasurement()
        blackHole(chain.stationaryDistribution(from: start))
    }
    Benchmark("stationary/two-blocks=2x300/eps=1e-12") { benchmark in
        let chain = nearlyReducible.get()
        let start = [Double](repeating: 1 / Double(chain.stateCount), count: chain.stateCount)
        benchmark.startMeasurement()
        blackHole(chain.stationaryDistribution(from: start))
    }
}

/// Blocks of `size` states: inside a block, a cycle with self-loops; every third block
/// is closed, the others leak `leak` to the first state of the next block.
private func blocks(count: Int, size: Int, leak: Double) throws -> TransitionMatrix {
    let n = count * size
    var kernels: [SparseDistribution] = []
    for b in 0..<count {
        for i in 0..<size {
            let s = b * size + i, next = b * size + (i + 1) % size
            let closed = b % 3 == 2 || b == count - 1
            if closed {
                kernels.append(SparseDistribution(indices: [s, next].sorted(), probabilities: [0.5, 0.5]))
            } else {
                let out = (b + 1) * size
                let idx = [s, next, out].sorted()
                let p = idx.map { $0 == out ? leak : 0.5 - leak / 2 }
                kernels.append(SparseDistribution(indices: idx, probabilities: p))
            }
        }
    }
    return try TransitionMatrix(policy: .uniform(stateCount: n, actionCount: 1), kernels: kernels)
}

private func ring(_ n: Int, jump: Double) throws -> TransitionMatrix {
    let kernels = (0..<n).map { s in
        let idx = [s, (s + 1) % n, (s + n / 2) % n].sorted()
        return SparseDistribution(indices: idx, probabilities: idx.map { $0 == (s + n / 2) % n ? jump : $0 == s ? 0.5 : 0.5 - jump })
    }
    return try TransitionMatrix(policy: .uniform(stateCount: n, actionCount: 1), kernels: kernels)
}

/// Two rings of `size` states (self-loop ½, next state ½ − ε); every state also jumps with
/// probability `epsilon` to the state at the same position in the other ring.
private func twoBlocks(size: Int, epsilon: Double) throws -> TransitionMatrix {
    let n = 2 * size
    let kernels = (0..<n).map { s in
        let base = s < size ? 0 : size, other = s < size ? size : 0
        let i = s - base
        let idx = [s, base + (i + 1) % size, other + i].sorted()
        return SparseDistribution(indices: idx, probabilities: idx.map { $0 == other + i ? epsilon : $0 == s ? 0.5 : 0.5 - epsilon })
    }
    return try TransitionMatrix(policy: .uniform(stateCount: n, actionCount: 1), kernels: kernels)
}
