// One deterministic garnet generator shared by every benchmark and by
// GarnetSolve. `compare.py` reproduces it bit for bit (same SplitMix64 stream,
// same construction order), so the numpy reference solves the identical game.

import Ambiguity
import Foundation
import MeanField

/// SplitMix64 (Steele, Lea and Flood 2014), the generator both sides use.
public struct SplitMix64: Sendable {
    public var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform double in `[0, 1)`: `(next() >> 11) · 2⁻⁵³`.
    public mutating func nextDouble() -> Double { Double(next() >> 11) * 0x1p-53 }

    /// A uniform index in `0..<n`: `min(⌊u·n⌋, n − 1)`.
    public mutating func nextIndex(below n: Int) -> Int { min(Int(nextDouble() * Double(n)), n - 1) }

    /// Dirichlet(1, …, 1) weights: `count − 1` uniform cut points, sorted, and the gaps
    /// between `0, cuts…, 1`.
    public mutating func dirichlet(_ count: Int) -> [Double] {
        var cuts = [Double]()
        cuts.reserveCapacity(count + 1)
        cuts.append(0)
        for _ in 0..<(count - 1) { cuts.append(nextDouble()) }
        cuts.sort()
        cuts.append(1)
        var out = [Double](repeating: 0, count: count)
        for i in 0..<count { out[i] = cuts[i + 1] - cuts[i] }
        return out
    }
}

/// A garnet: random sparse MDP data.
///
/// Construction order, for `s` in `0..<S`, then `a` in `0..<A`:
/// 1. successors: when `branching < S`, draw `nextIndex(below: S)` until `branching`
///    distinct states are found, then sort them ascending; when `branching ≥ S` the
///    row is dense (all states, no draws);
/// 2. probabilities: `dirichlet(k)` (`k − 1` cut points), assigned to the sorted successors in order;
/// 3. reward `R[s][a] = nextDouble()`.
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
        precondition(states >= 1 && actions >= 1 && branching >= 1)
        var rng = SplitMix64(seed: seed)
        let k = min(branching, states)
        var rewards = [[Double]](repeating: [Double](repeating: 0, count: actions), count: states)
        var kernels: [[SparseDistribution]] = []
        kernels.reserveCapacity(states)
        var seen = [Bool](repeating: false, count: states)
        for s in 0..<states {
            var row: [SparseDistribution] = []
            row.reserveCapacity(actions)
            for a in 0..<actions {
                var successors: [Int]
                if k >= states {
                    successors = Array(0..<states)
                } else {
                    successors = []
                    successors.reserveCapacity(k)
                    while successors.count < k {
                        let t = rng.nextIndex(below: states)
                        if !seen[t] {
                            seen[t] = true
                            successors.append(t)
                        }
                    }
                    for t in successors { seen[t] = false }
                    successors.sort()
                }
                let probabilities = rng.dirichlet(k)
                row.append(SparseDistribution(indices: successors, probabilities: probabilities))
                rewards[s][a] = rng.nextDouble()
            }
            kernels.append(row)
        }
        self.stateCount = states
        self.actionCount = actions
        self.branching = k
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

    /// Order of draws: `dirichlet(n)` for `p`, then `n` values in `[0, 1)`, then `n` weights.
    public init(count n: Int, seed: UInt64) {
        var rng = SplitMix64(seed: seed)
        nominal = rng.dirichlet(n)
        values = (0..<n).map { _ in rng.nextDouble() }
        weights = (0..<n).map { _ in 0.5 + rng.nextDouble() }
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
