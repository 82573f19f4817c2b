import Ambiguity
import MeanField
import TestSupport

/// Games shared by the MeanField tests.
enum TestGames {
    /// The Lasry–Lions chain: 7 states, actions left/stay/right (move −1/0/+1, clipped),
    /// noise ±1 with probability 0.025 each (clipped), reward −2|a| − 3(s−3)² − 40 μ(s),
    /// γ = 0.9, set none.
    static func lasryLions() throws -> MeanFieldGame {
        let n = 7
        return try MeanFieldGame(
            stateCount: n, actionCount: 3, discount: 0.9,
            actionNames: ["left", "stay", "right"],
            reward: { s, a, mu in -2 * Double(a == 1 ? 0 : 1) - 3 * Double((s - 3) * (s - 3)) - 40 * mu[s] },
            kernel: { s, a, _ in
                let target = min(max(s + a - 1, 0), n - 1)
                var dense = [Double](repeating: 0, count: n)
                dense[target] += 0.95
                dense[max(target - 1, 0)] += 0.025
                dense[min(target + 1, n - 1)] += 0.025
                return SparseDistribution(dense: dense)
            }, kernelDependsOnMeanField: false)
    }

    /// Two states; action `a` moves to state `a` from anywhere; reward
    /// `r(s, a, μ) = u_s − λ log μ(s)` (see the derivation in `ClassicalGameTests`).
    static func twoStateLog(u: [Double], lambda: Double, discount: Double,
                            set: AmbiguitySet = .nominalOnly, radius: Double = 0) throws -> MeanFieldGame {
        try MeanFieldGame(
            stateCount: 2, actionCount: 2, discount: discount, ambiguity: set,
            reward: { s, _, mu in u[s] - lambda * mathLog(mu[s]) },
            kernel: { _, a, _ in SparseDistribution(indices: [a], probabilities: [1]) },
            kernelDependsOnMeanField: false,
            radius: { _, _, _ in radius }, radiusDependsOnMeanField: false)
    }

    /// Two states; action `a` moves to state `a`; reward `u_s − κ μ(s)`.
    static func twoStateCongestion(u: [Double], kappa: Double, discount: Double) throws -> MeanFieldGame {
        try MeanFieldGame(
            stateCount: 2, actionCount: 2, discount: discount,
            reward: { s, _, mu in u[s] - kappa * mu[s] },
            kernel: { _, a, _ in SparseDistribution(indices: [a], probabilities: [1]) },
            kernelDependsOnMeanField: false)
    }

    /// Random tables: the project's garnet (Randomness' `GarnetGenerator`): rewards in
    /// [0, 1), `k` random successors per row with Dirichlet(1, …, 1) probabilities.
    static func randomTables(n: Int, m: Int, k: Int, seed: UInt64) -> (rewards: [[Double]], kernels: [[SparseDistribution]]) {
        var rewards = [[Double]](repeating: [Double](repeating: 0, count: m), count: n)
        var kernels = [[SparseDistribution]](repeating: [], count: n)
        GarnetGenerator(states: n, actions: m, branching: k, seed: seed).forEachRow { s, a, r, successors, p in
            rewards[s][a] = r
            kernels[s].append(SparseDistribution(indices: successors, probabilities: p))
        }
        return (rewards, kernels)
    }

    /// A garnet with reward `R[s][a] − c·μ(s)` under the given set and constant radius.
    static func garnet(n: Int, m: Int, k: Int, set: AmbiguitySet, radius: Double, congestion: Double = 0.5,
                       discount: Double = 0.9, seed: UInt64) throws -> MeanFieldGame {
        let (rewards, kernels) = randomTables(n: n, m: m, k: k, seed: seed)
        return try MeanFieldGame(
            stateCount: n, actionCount: m, discount: discount, ambiguity: set,
            reward: { s, a, mu in rewards[s][a] - congestion * mu[s] },
            kernel: { s, a, _ in kernels[s][a] }, kernelDependsOnMeanField: false,
            radius: { _, _, _ in radius }, radiusDependsOnMeanField: false)
    }

    static func randomVector(_ n: Int, scale: Double, rng: inout SplitMix64) -> [Double] {
        (0..<n).map { _ in Double.random(in: -scale..<scale, using: &rng) }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

func mathLog(_ x: Double) -> Double { log(x) }
func mathExp(_ x: Double) -> Double { exp(x) }

func supNorm(_ a: [Double], _ b: [Double]) -> Double { maxAbsDifference(a, b) }
