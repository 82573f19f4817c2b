// The benchmarks' garnet games and fixtures. The data come from Randomness'
// `GarnetGenerator`, the one garnet generator of the project (also behind
// `rmfg generate garnet`); `compare.py` reproduces it bit for bit (same SplitMix64
// stream, same construction order), so the numpy reference solves the identical game.

import Ambiguity
import Foundation
import MeanField
@_exported import Randomness

/// A garnet as mean-field game data (Randomness' `GarnetGenerator`).
public struct Garnet: Sendable {
    public let stateCount: Int
    public let actionCount: Int
    public let branching: Int
    public let seed: UInt64
    /// `R[s][a]` uniform in `[0, 1)`.
    public let rewards: [[Double]]
    /// `P̂(·|s, a)`.
    public let kernels: [[SparseDistribution]]

    public init(states: Int, actions: Int, branching: Int, seed: UInt64) {
        let generator = GarnetGenerator(states: states, actions: actions, branching: branching, seed: seed)
        var rewards = [[Double]](repeating: [Double](repeating: 0, count: actions), count: states)
        var kernels = [[SparseDistribution]](repeating: [], count: states)
        generator.forEachRow { s, a, r, successors, p in
            rewards[s][a] = r
            kernels[s].append(SparseDistribution(indices: successors, probabilities: p))
        }
        self.stateCount = states
        self.actionCount = actions
        self.branching = generator.branching
        self.seed = seed
        self.rewards = rewards
        self.kernels = kernels
    }

    /// A checksum that compare.py recomputes in the same order to prove both sides built
    /// the identical garnet: `Σ_{s,a} (row+1)·(R[s][a] + Σ_j (t_j+1)·p_j)`, `row = s·A + a`.
    public var checksum: Double {
        var total = 0.0
        for s in 0..<stateCount {
            for a in 0..<actionCount {
                var acc = rewards[s][a]
                let k = kernels[s][a]
                for j in k.indices.indices { acc += Double(k.indices[j] + 1) * k.probabilities[j] }
                total += Double(s * actionCount + a + 1) * acc
            }
        }
        return total
    }

    /// The robust congestion game of the benchmarks: TV ball of radius `radius` on the
    /// simplex, reward `R[s][a] − congestion·μ(s)`, discount `discount`. Kernels and radii
    /// do not depend on `μ`.
    public func game(radius: Double = 0.1, discount: Double = 0.9, congestion: Double = 0.5) throws -> MeanFieldGame {
        let m = actionCount
        let flat = rewards.flatMap { $0 }
        let ks = kernels
        return try MeanFieldGame(
            stateCount: stateCount, actionCount: actionCount, discount: discount,
            ambiguity: .totalVariation(),
            reward: { s, a, mu in flat[s * m + a] - congestion * mu[s] },
            kernel: { s, a, _ in ks[s][a] }, kernelDependsOnMeanField: false,
            radius: { _, _, _ in radius }, radiusDependsOnMeanField: false)
    }

    /// The same data as a table game (rewards ignore `μ`): enough for Bellman sweeps.
    public func tableGame(radius: Double = 0.1, discount: Double = 0.9,
                          ambiguity: AmbiguitySet = .totalVariation()) throws -> MeanFieldGame {
        let radii = [[Double]](repeating: [Double](repeating: radius, count: actionCount), count: stateCount)
        return try MeanFieldGame(rewards: rewards, kernels: kernels, radii: radii, discount: discount, ambiguity: ambiguity)
    }
}

/// A dense inner-problem instance: a nominal row with full support and a value vector.
public struct InnerInstance: Sendable {
    public let nominal: [Double]
    public let values: [Double]
    /// Positive weights in `[0.5, 1.5)` (used by the `l1` set).
    public let weights: [Double]

    /// Order of draws: `dirichlet(count: n)` for `p`, then `n` values in `[0, 1)`, then `n` weights.
    public init(count n: Int, seed: UInt64) {
        var rng = SplitMix64(seed: seed)
        nominal = rng.dirichlet(count: n)
        values = (0..<n).map { _ in rng.unit() }
        weights = (0..<n).map { _ in 0.5 + rng.unit() }
    }
}

/// A value computed once, on first use, then shared (benchmark fixtures).
public final class Lazy<T: Sendable>: @unchecked Sendable {
    private var value: T?
    private let lock = NSLock()
    private let make: @Sendable () -> T

    public init(_ make: @escaping @Sendable () -> T) { self.make = make }

    public func get() -> T {
        lock.lock()
        defer { lock.unlock() }
        if let value { return value }
        let v = make()
        value = v
        return v
    }
}

/// Wall-clock seconds of a closure.
public func seconds<R>(_ body: () throws -> R) rethrows -> (R, Double) {
    let clock = ContinuousClock()
    let start = clock.now
    let r = try body()
    let d = clock.now - start
    return (r, Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18)
}
