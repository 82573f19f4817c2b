import Foundation

/// The exact Nash gap of a joint policy in the full n-agent game
/// (Docs/Alternating.md, "The Nash gap"). Every agent earns the common reward
/// `r(s, a)`; values are expected discounted returns from the initial law.
public struct NashGap: Sendable, Hashable {
    /// `J(π_g, π_l)`: the return of the joint policy (the global agent deployed on random k-subsets).
    public let value: Double
    /// The return of the global agent's best deviation (full information: it sees `(s_g, F_n)`).
    public let globalBestValue: Double
    /// The return when one local agent deviates optimally (it sees `s_g`, its state and the others' histogram).
    public let localBestValue: Double
    /// `J` recomputed in the deviation MDP of one local agent that does not deviate (equals ``value`` up to the tolerance).
    public let localBaselineValue: Double

    /// The global agent's gain from its best deviation, `≥ 0`.
    public var global: Double { max(0, globalBestValue - value) }
    /// A local agent's gain from its best deviation, `≥ 0`.
    public var local: Double { max(0, localBestValue - localBaselineValue) }
    /// `max(global, local)`.
    public var nash: Double { max(global, local) }

    /// Computes the gap exactly by value iteration on `(s_g, F_n)` (global
    /// deviation) and on `(s_g, s_i, F_{n−1})` (one local agent's deviation,
    /// the others keeping `local`).
    public static func evaluate(game: AlternatingGame, global: GlobalPolicy, local: LocalPolicy) -> NashGap {
        let n = game.agents, tol = game.learning.tolerance
        // Global side.
        let mdp = GlobalMDP(game: game, policy: local, agents: n)
        let full = mdp.space
        let weights = deployedActionWeights(game: game, policy: global, full: full)
        let (value, best) = globalValues(game: game, mdp: mdp, weights: weights, tolerance: tol)
        // One local agent's deviation.
        let deviation = LocalDeviation(game: game, local: local, full: full, weights: weights)
        let vDev = deviation.iterate { values, _, _ in values.max() ?? 0 }
        let vBase = deviation.iterate { values, sg, si in values[local[sg, si]] }
        let (devValue, baseValue) = deviation.initialValues(vDev, vBase)
        return NashGap(value: value, globalBestValue: best, localBestValue: devValue, localBaselineValue: baseValue)
    }

    /// The deployed pair's value and the best global value, both under the initial law.
    private static func globalValues(game: AlternatingGame, mdp: GlobalMDP, weights: [[[(Int, Double)]]],
                                     tolerance tol: Double) -> (value: Double, best: Double) {
        let full = mdp.space
        let vPi = mdp.evaluate(weights, tolerance: tol)
        let qStar = mdp.solve(tolerance: tol)
        let rho = initialLaw(game: game, space: full)
        var value = 0.0, best = 0.0
        for sg in 0..<game.globalStateCount {
            for f in 0..<full.count where rho[sg][f] > 0 {
                value += rho[sg][f] * vPi[sg][f]
                best += rho[sg][f] * (qStar[sg][f].max() ?? 0)
            }
        }
        return (value, best)
    }
}

/// One local agent's deviation problem on `(s_g, s_i, F_{n−1})`, the others keeping `local`:
/// the averaged global kernel `pbar` and reward `rbar` per state, its Q operator and value iteration.
private struct LocalDeviation {
    let game: AlternatingGame
    let others: PopulationKernel
    let hs: HistogramSpace
    let pbar: [[[[Double]]]]
    let rbar: [[[Double]]]

    init(game: AlternatingGame, local: LocalPolicy, full: HistogramSpace, weights: [[[(Int, Double)]]]) {
        let n = game.agents, g = game.globalStateCount, l = game.localStateCount
        let others = PopulationKernel(game: game, policy: local, agents: n - 1)
        let hs = others.space
        var pbar = [[[[Double]]]](repeating: [[[Double]]](repeating: [[Double]](repeating: [], count: hs.count), count: l), count: g)
        var rbar = [[[Double]]](repeating: [[Double]](repeating: [Double](repeating: 0, count: hs.count), count: l), count: g)
        for sg in 0..<g {
            for si in 0..<l {
                for h in 0..<hs.count {
                    var counts = hs.histograms[h]
                    counts[si] += 1
                    let f = full.index(of: counts) ?? 0
                    var p = [Double](repeating: 0, count: g), r = 0.0
                    for (a, w) in weights[sg][f] {
                        r += w * game.globalReward[sg][a]
                        for tg in 0..<g { p[tg] += w * game.globalTransition[sg][a][tg] }
                    }
                    pbar[sg][si][h] = p
                    rbar[sg][si][h] = r + Double(n - 1) * others.meanReward[sg][h] / Double(n)
                }
            }
        }
        self.game = game
        self.others = others
        self.hs = hs
        self.pbar = pbar
        self.rbar = rbar
    }

    /// The Q values of `v[tg * l + ti][h']`, as `[sg][si][h][ai]`.
    func qOf(_ v: [[Double]]) -> [[[[Double]]]] {
        let n = game.agents, g = game.globalStateCount, l = game.localStateCount
        let ml = game.localActionCount, gamma = game.discount
        let w = others.expectation(v)  // [tg*l+ti][sg][h]
        // Local copies of the tables (no copy of the game per entry in a debug build).
        let transition = game.localTransition, reward = game.localReward, pbar = pbar, rbar = rbar
        return (0..<g).map { sg in
            (0..<l).map { si in
                (0..<hs.count).map { h in
                    let p = pbar[sg][si][h]
                    return (0..<ml).map { ai in
                        var next = 0.0
                        for tg in 0..<g where p[tg] > 0 {
                            var inner = 0.0
                            let move = transition[sg][si][ai]
                            for ti in 0..<l where move[ti] > 0 { inner += move[ti] * w[tg * l + ti][sg][h] }
                            next += p[tg] * inner
                        }
                        return rbar[sg][si][h] + reward[sg][si][ai] / Double(n) + gamma * next
                    }
                }
            }
        }
    }

    /// Value iteration with the action values at each state reduced by `choose(q, sg, si)`.
    func iterate(_ choose: ([Double], Int, Int) -> Double) -> [[Double]] {
        let g = game.globalStateCount, l = game.localStateCount
        let gamma = game.discount, tol = game.learning.tolerance
        let stop = tol * (1 - gamma) / max(gamma, 1e-300)
        var v = [[Double]](repeating: [Double](repeating: 0, count: hs.count), count: g * l)
        for _ in 0..<1_000_000 {
            let q = qOf(v)
            var nv = v
            for sg in 0..<g { for si in 0..<l { for h in 0..<hs.count { nv[sg * l + si][h] = choose(q[sg][si][h], sg, si) } } }
            let change = maxDifference(nv, v)
            v = nv
            if change <= stop || gamma == 0 { break }
        }
        return v
    }

    /// The deviating and the baseline values under the initial law of the agent and the others.
    func initialValues(_ vDev: [[Double]], _ vBase: [[Double]]) -> (deviation: Double, baseline: Double) {
        let g = game.globalStateCount, l = game.localStateCount
        let others0 = (0..<hs.count).map { hs.multinomial($0, game.localInitial) }
        var devValue = 0.0, baseValue = 0.0
        for sg in 0..<g {
            for si in 0..<l {
                let p0 = game.globalInitial[sg] * game.localInitial[si]
                guard p0 > 0 else { continue }
                for h in 0..<hs.count where others0[h] > 0 {
                    devValue += p0 * others0[h] * vDev[sg * l + si][h]
                    baseValue += p0 * others0[h] * vBase[sg * l + si][h]
                }
            }
        }
        return (devValue, baseValue)
    }
}
