/// Random "garnet" MDP data (Archibald, McKinnon and Thomas 1995; Bhatnagar et al. 2009):
/// the one garnet generator of the project, behind `rmfg generate garnet`, the benchmarks
/// and the tests.
///
/// Rows `(s, a)` are generated in order (`s` outer, `a` inner) from one ``SplitMix64``
/// stream of `seed`; each row draws, in this order:
/// 1. the reward `R[s][a] = unit()`, uniform in `[0, 1)`;
/// 2. `k = branching` distinct successors by a partial Fisher–Yates shuffle of a pool of
///    the states (`j = i + next() % (n − i)` for `i < k`; the pool is kept between rows),
///    reported in increasing order;
/// 3. their probabilities, the gaps between `0`, `k − 1` sorted `unit()` cut points and `1`
///    (a Dirichlet(1, …, 1) draw), in the order of the sorted successors.
///
/// The same `(states, actions, branching, seed)` always gives the same numbers, on every
/// platform; `Benchmarks/compare.py` reproduces them bit for bit.
public struct GarnetGenerator: Sendable, Hashable {
    /// `n`, the number of states.
    public let states: Int
    /// `m`, the number of actions.
    public let actions: Int
    /// `k`, the successors per row (clamped to `1...states`).
    public let branching: Int
    /// The seed of the stream.
    public let seed: UInt64

    /// A generator; `branching` is clamped to `1...max(1, states)`. Nothing is drawn yet.
    public init(states: Int, actions: Int, branching: Int, seed: UInt64) {
        self.states = max(0, states)
        self.actions = max(0, actions)
        self.branching = min(max(1, branching), max(1, states))
        self.seed = seed
    }

    /// Calls `body(s, a, reward, successors, probabilities)` for every row in order.
    public func forEachRow<E: Error>(
        _ body: (_ state: Int, _ action: Int, _ reward: Double, _ successors: [Int], _ probabilities: [Double]) throws(E) -> Void
    ) throws(E) {
        guard states > 0, actions > 0 else { return }
        var rng = SplitMix64(seed: seed)
        let n = states, k = branching
        var pool = Array(0..<n)
        var cuts = [Double](repeating: 0, count: k - 1)
        var probabilities = [Double](repeating: 0, count: k)
        for s in 0..<n {
            for a in 0..<actions {
                let reward = rng.unit()
                for i in 0..<k {
                    let j = i + Int(rng.next() % UInt64(n - i))
                    pool.swapAt(i, j)
                }
                let successors = pool[0..<k].sorted()
                for i in cuts.indices { cuts[i] = rng.unit() }
                cuts.sort()
                var previous = 0.0
                for i in 0..<k {
                    let next = i < cuts.count ? cuts[i] : 1.0
                    probabilities[i] = next - previous
                    previous = next
                }
                try body(s, a, reward, successors, probabilities)
            }
        }
    }

    /// The rewards `R[s][a]` and, per row, the increasing successors and their probabilities.
    public func tables() -> (rewards: [[Double]], successors: [[[Int]]], probabilities: [[[Double]]]) {
        let empty = [[Double]](repeating: [], count: actions)
        var rewards = [[Double]](repeating: [Double](repeating: 0, count: actions), count: states)
        var successors = [[[Int]]](repeating: [[Int]](repeating: [], count: actions), count: states)
        var probabilities = [[[Double]]](repeating: empty, count: states)
        forEachRow { s, a, r, t, p in
            rewards[s][a] = r
            successors[s][a] = t
            probabilities[s][a] = p
        }
        return (rewards, successors, probabilities)
    }
}
