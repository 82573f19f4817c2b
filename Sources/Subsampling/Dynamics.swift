import Foundation

/// A deterministic local policy `a_l = π_l(s_g, s_l)`: every local agent sees its
/// own state and the global state.
public struct LocalPolicy: Sendable, Hashable {
    /// `actions[s_g][s_l]`.
    public var actions: [[Int]]

    /// A policy from its table.
    public init(actions: [[Int]]) { self.actions = actions }

    /// The same action everywhere.
    public init(constant action: Int, game: AlternatingGame) {
        actions = [[Int]](repeating: [Int](repeating: action, count: game.localStateCount), count: game.globalStateCount)
    }

    /// The myopic policy: the action with the largest `r_l(s_l, s_g, ·)` (ties: lowest index).
    public init(myopic game: AlternatingGame) {
        actions = game.localReward.map { rows in rows.map { argmax($0) } }
    }

    /// The action at `(s_g, s_l)`.
    public subscript(sg: Int, sl: Int) -> Int { actions[sg][sl] }

    /// The number of `(s_g, s_l)` where the two policies differ.
    public func differences(from other: LocalPolicy) -> Int {
        zip(actions, other.actions).reduce(0) { acc, rows in acc + zip(rows.0, rows.1).filter { $0 != $1 }.count }
    }
}

/// A deterministic global policy on the subsampled mean field:
/// `a_g = π_g(s_g, F_Δ)` with `F_Δ` a histogram of `observed` agents.
public struct GlobalPolicy: Sendable, Hashable {
    /// k, the number of observed local agents.
    public let observed: Int
    /// `actions[s_g][f]`, `f` the index of a histogram of `k` agents (in lexicographic order).
    public var actions: [[Int]]

    /// A policy from its table.
    public init(observed: Int, actions: [[Int]]) {
        self.observed = observed
        self.actions = actions
    }

    /// The greedy policy of `q[s_g][f][a_g]`; where `incumbent` is within `1e-9`
    /// of the best value it is kept (so an unchanged Q-function never flips a tie).
    package init(greedy q: [[[Double]]], observed: Int, incumbent: GlobalPolicy? = nil) {
        self.observed = observed
        actions = q.enumerated().map { sg, rows in
            rows.enumerated().map { f, values in
                greedyAction(values, incumbent: incumbent.map { $0.actions[sg][f] })
            }
        }
    }

    /// The number of `(s_g, F_Δ)` where the two policies differ.
    public func differences(from other: GlobalPolicy) -> Int {
        zip(actions, other.actions).reduce(0) { acc, rows in acc + zip(rows.0, rows.1).filter { $0 != $1 }.count }
    }
}

func argmax(_ values: [Double]) -> Int {
    var best = 0
    for (k, v) in values.enumerated() where v > values[best] { best = k }
    return best
}

func greedyAction(_ values: [Double], incumbent: Int?) -> Int {
    let best = argmax(values)
    if let incumbent, incumbent >= 0, incumbent < values.count,
       values[incumbent] >= values[best] - 1e-9 * (1 + abs(values[best])) {
        return incumbent
    }
    return best
}

/// How the histogram of `m` local agents moves in one step under a local
/// policy: for each global state and histogram, the sparse law of the next
/// histogram (each agent moves independently), and the mean local reward.
struct PopulationKernel: Sendable {
    let space: HistogramSpace
    /// `next[s_g][h]`: next histogram indices.
    let next: [[[Int]]]
    /// `prob[s_g][h]`: their probabilities.
    let prob: [[[Double]]]
    /// `(1/m) Σ_j h_j r_l(j, s_g, π_l(s_g, j))` (0 for m = 0).
    let meanReward: [[Double]]

    init(game: AlternatingGame, policy: LocalPolicy, agents m: Int) {
        let l = game.localStateCount
        let space = HistogramSpace(agents: m, states: l)
        self.space = space
        let base = m + 1
        var powers = [Int](repeating: 1, count: l)
        for j in 1..<max(l, 1) { powers[j] = powers[j - 1] * base }
        var next: [[[Int]]] = [], prob: [[[Double]]] = [], mean: [[Double]] = []
        for sg in 0..<game.globalStateCount {
            let move = (0..<l).map { j in game.localTransition[sg][j][policy[sg, j]] }
            let reward = (0..<l).map { j in game.localReward[sg][j][policy[sg, j]] }
            var nextRow: [[Int]] = [], probRow: [[Double]] = [], meanRow: [Double] = []
            for h in space.histograms {
                var dist: [Int: Double] = [0: 1]
                for j in 0..<l where h[j] > 0 {
                    for _ in 0..<h[j] {
                        var updated: [Int: Double] = [:]
                        updated.reserveCapacity(dist.count * l)
                        // In key order: a dictionary's own order changes from run to run (Swift
                        // seeds its hashing per process), and so would the rounding of these sums.
                        for (key, p) in dist.sorted(by: { $0.key < $1.key }) {
                            for t in 0..<l where move[j][t] > 0 { updated[key + powers[t], default: 0] += p * move[j][t] }
                        }
                        dist = updated
                    }
                }
                var ids: [Int] = [], ps: [Double] = []
                for (key, p) in dist.sorted(by: { $0.key < $1.key }) {
                    if let id = space.lookup[key] { ids.append(id); ps.append(p) }
                }
                nextRow.append(ids)
                probRow.append(ps)
                meanRow.append(m == 0 ? 0 : (0..<l).reduce(0) { $0 + Double(h[$1]) * reward[$1] } / Double(m))
            }
            next.append(nextRow)
            prob.append(probRow)
            mean.append(meanRow)
        }
        self.next = next
        self.prob = prob
        meanReward = mean
    }

    /// `out[t_g][s_g][h] = Σ_{h'} K_{s_g}(h, h') values[t_g][h']`.
    func expectation(_ values: [[Double]]) -> [[[Double]]] {
        let g = next.count
        var out = [[[Double]]](repeating: [[Double]](repeating: [Double](repeating: 0, count: space.count), count: g), count: values.count)
        for tg in 0..<values.count {
            let v = values[tg]
            for sg in 0..<g {
                for h in 0..<space.count {
                    let ids = next[sg][h], ps = prob[sg][h]
                    var acc = 0.0
                    for k in 0..<ids.count { acc += ps[k] * v[ids[k]] }
                    out[tg][sg][h] = acc
                }
            }
        }
        return out
    }
}

/// The global agent's MDP on `(s_g, F)` with `m` local agents following a
/// fixed local policy: reward `r_g(s_g, a_g) + (1/m) Σ_i r_l(s_i, s_g, π_l)`.
/// With `m = k` this is the subsampled (k-agent) surrogate the global agent
/// learns in; with `m = n` it is the global agent's full-information
/// best-response MDP in the n-agent game.
struct GlobalMDP: Sendable {
    let game: AlternatingGame
    let kernel: PopulationKernel

    init(game: AlternatingGame, policy: LocalPolicy, agents m: Int) {
        self.game = game
        kernel = PopulationKernel(game: game, policy: policy, agents: m)
    }

    var space: HistogramSpace { kernel.space }

    /// `Q[s_g][f][a_g]` for the next-state values `v[t_g][f']`.
    func q(_ v: [[Double]]) -> [[[Double]]] {
        let gamma = game.discount
        let ev = kernel.expectation(v)
        let g = game.globalStateCount, mg = game.globalActionCount
        // Local copies of the tables: the closures then do not copy the whole game per entry
        // (a debug build spent most of its time there; the arithmetic is unchanged).
        let transition = game.globalTransition, reward = game.globalReward, meanReward = kernel.meanReward
        return (0..<g).map { sg in
            (0..<space.count).map { f in
                (0..<mg).map { a in
                    var next = 0.0
                    for tg in 0..<g where transition[sg][a][tg] > 0 { next += transition[sg][a][tg] * ev[tg][sg][f] }
                    return reward[sg][a] + meanReward[sg][f] + gamma * next
                }
            }
        }
    }

    /// Value iteration to sup-norm error ≤ `tolerance`: the optimal Q-function.
    func solve(tolerance: Double) -> [[[Double]]] {
        var v = [[Double]](repeating: [Double](repeating: 0, count: space.count), count: game.globalStateCount)
        let stop = tolerance * (1 - game.discount) / max(game.discount, 1e-300)
        for _ in 0..<1_000_000 {
            let q = q(v)
            let nv = q.map { $0.map { $0.max() ?? 0 } }
            let change = maxDifference(nv, v)
            v = nv
            if change <= stop || game.discount == 0 { return self.q(v) }
        }
        return q(v)
    }

    /// The value of the randomized policy `weights[s_g][f]` = sparse `(a_g, probability)`.
    func evaluate(_ weights: [[[(Int, Double)]]], tolerance: Double) -> [[Double]] {
        var v = [[Double]](repeating: [Double](repeating: 0, count: space.count), count: game.globalStateCount)
        let stop = tolerance * (1 - game.discount) / max(game.discount, 1e-300)
        for _ in 0..<1_000_000 {
            let q = q(v)
            let nv = (0..<q.count).map { sg in
                (0..<space.count).map { f in weights[sg][f].reduce(0) { $0 + $1.1 * q[sg][f][$1.0] } }
            }
            let change = maxDifference(nv, v)
            v = nv
            if change <= stop || game.discount == 0 { break }
        }
        return v
    }
}

func maxDifference(_ a: [[Double]], _ b: [[Double]]) -> Double {
    var m = 0.0
    for (x, y) in zip(a, b) { for (p, q) in zip(x, y) { m = max(m, abs(p - q)) } }
    return m
}

/// The deployed global action law in the n-agent game: at `(s_g, F_n)` the
/// global agent draws a uniformly random subset Δ of k agents (without
/// replacement), sees `F_Δ` and plays `π_g(s_g, F_Δ)`.
func deployedActionWeights(game: AlternatingGame, policy: GlobalPolicy, full: HistogramSpace) -> [[[(Int, Double)]]] {
    let sample = HistogramSpace(agents: policy.observed, states: game.localStateCount)
    let laws = (0..<full.count).map { full.hypergeometric($0, sample: sample) }
    return (0..<game.globalStateCount).map { sg in
        (0..<full.count).map { f in
            var w = [Double](repeating: 0, count: game.globalActionCount)
            for (fk, p) in laws[f] { w[policy.actions[sg][fk]] += p }
            return w.enumerated().filter { $0.element > 0 }.map { ($0.offset, $0.element) }
        }
    }
}

/// The initial law of `(s_g, F_m)`: `ρ_g(s_g) · Multinomial(m, ρ_l)(F_m)`.
func initialLaw(game: AlternatingGame, space: HistogramSpace) -> [[Double]] {
    let mult = (0..<space.count).map { space.multinomial($0, game.localInitial) }
    return game.globalInitial.map { pg in mult.map { pg * $0 } }
}
