import Foundation

/// The global agent's side, solved exactly: the optimal Q-function over
/// `(s_g, F, a_g)` when the local agents follow a fixed policy.
package struct GlobalSolution: Sendable {
    /// The number of agents the histograms count (k for the subsampled surrogate, n for full information).
    package let agents: Int
    /// `q[s_g][f][a_g]`, `f` an index of ``HistogramSpace``(agents:).
    package let q: [[[Double]]]
    /// The greedy policy of `q`.
    package let policy: GlobalPolicy
    /// `Σ ρ_0(s_g, F) max_a q`: the optimal value from the initial law (agents drawn from `local.initial`).
    package let initialValue: Double
}

/// Exact planning counterparts of the learning steps.
package enum SubsampledPlanner {
    /// The optimal Q-function of the global agent over `(s_g, F_m, a_g)` in the
    /// game with `m` local agents that follow `local` (value iteration to the
    /// game's `learning.tolerance`). With `m = k` it is the subsampled
    /// mean-field Q-function that Q-learning estimates; with `m = n` it is the
    /// full mean-field one.
    package static func bestResponse(game: AlternatingGame, local: LocalPolicy, agents m: Int,
                                    incumbent: GlobalPolicy? = nil) -> GlobalSolution {
        let mdp = GlobalMDP(game: game, policy: local, agents: m)
        let q = mdp.solve(tolerance: game.learning.tolerance)
        let rho = initialLaw(game: game, space: mdp.space)
        var value = 0.0
        for sg in 0..<q.count { for f in 0..<q[sg].count { value += rho[sg][f] * (q[sg][f].max() ?? 0) } }
        return GlobalSolution(agents: m, q: q, policy: GlobalPolicy(greedy: q, observed: m, incumbent: incumbent),
                              initialValue: value)
    }
}

/// The local agents' side: the best response in the MDP that the global
/// policy induces on a representative agent's `(s_g, s_l)`.
package struct LocalSolution: Sendable {
    /// The best-response policy.
    package let policy: LocalPolicy
    /// `q[s_g][s_l][a_l]` of the induced MDP.
    package let q: [[[Double]]]
    /// The global action law the induced MDP uses, `law[s_g][a_g]`.
    package let globalActionLaw: [[Double]]
}

/// The local best response (Docs/Alternating.md, "The induced MDP").
package enum LocalBestResponse {
    /// Solves the induced MDP of a representative local agent, exactly.
    ///
    /// The global agent plays `π_g` on a fresh random k-subset each step; seen
    /// from one agent (one of n, so its own effect on `F_Δ` is neglected), the
    /// global action at `s_g` follows `law[s_g][a_g] = E[π̄_g(a_g | s_g, F_n) | s_g]`,
    /// with `F_n` weighted by the discounted occupancy of the n-agent chain under
    /// the current joint policy `(π_g, current)` from the initial law. The
    /// induced MDP has reward `Σ_a law·r_g(s_g, a) + r_l(s_l, s_g, a_l)` and
    /// moves `s_g` by `Σ_a law·P_g` and `s_l` by `P_l`. Ties keep `current`.
    package static func solve(game: AlternatingGame, global: GlobalPolicy, current: LocalPolicy) -> LocalSolution {
        let n = game.agents, g = game.globalStateCount, l = game.localStateCount
        let mg = game.globalActionCount, ml = game.localActionCount, gamma = game.discount
        let kernel = PopulationKernel(game: game, policy: current, agents: n)
        let weights = deployedActionWeights(game: game, policy: global, full: kernel.space)
        let occupancy = discountedOccupancy(game: game, kernel: kernel, weights: weights)
        let fallback = (0..<kernel.space.count).map { kernel.space.multinomial($0, game.localInitial) }
        var law = [[Double]](repeating: [Double](repeating: 0, count: mg), count: g)
        for sg in 0..<g {
            let mass = occupancy[sg].reduce(0, +)
            let w = mass > 1e-300 ? occupancy[sg].map { $0 / mass } : fallback
            for f in 0..<kernel.space.count where w[f] > 0 {
                for (a, p) in weights[sg][f] { law[sg][a] += w[f] * p }
            }
            let total = law[sg].reduce(0, +)
            if total > 0 { law[sg] = law[sg].map { $0 / total } }
        }
        let pg = (0..<g).map { sg in (0..<g).map { tg in (0..<mg).reduce(0) { $0 + law[sg][$1] * game.globalTransition[sg][$1][tg] } } }
        let rg = (0..<g).map { sg in (0..<mg).reduce(0) { $0 + law[sg][$1] * game.globalReward[sg][$1] } }
        var v = [[Double]](repeating: [Double](repeating: 0, count: l), count: g)
        func qOf(_ v: [[Double]]) -> [[[Double]]] {
            (0..<g).map { sg in
                (0..<l).map { sl in
                    (0..<ml).map { al in
                        var next = 0.0
                        for tg in 0..<g where pg[sg][tg] > 0 {
                            var inner = 0.0
                            for tl in 0..<l { inner += game.localTransition[sg][sl][al][tl] * v[tg][tl] }
                            next += pg[sg][tg] * inner
                        }
                        return rg[sg] + game.localReward[sg][sl][al] + gamma * next
                    }
                }
            }
        }
        let stop = game.learning.tolerance * (1 - gamma) / max(gamma, 1e-300)
        var q = qOf(v)
        for _ in 0..<1_000_000 {
            let nv = q.map { $0.map { $0.max() ?? 0 } }
            let change = maxDifference(nv, v)
            v = nv
            q = qOf(v)
            if change <= stop || gamma == 0 { break }
        }
        let policy = LocalPolicy(actions: q.enumerated().map { sg, rows in
            rows.enumerated().map { sl, values in greedyAction(values, incumbent: current.actions[sg][sl]) }
        })
        return LocalSolution(policy: policy, q: q, globalActionLaw: law)
    }

    /// `(1 − γ) Σ_t γ^t Pr[(s_g, F_n)_t = ·]` from the initial law.
    static func discountedOccupancy(game: AlternatingGame, kernel: PopulationKernel, weights: [[[(Int, Double)]]]) -> [[Double]] {
        let g = game.globalStateCount, h = kernel.space.count, gamma = game.discount
        var rho = initialLaw(game: game, space: kernel.space)
        var occupancy = rho.map { $0.map { $0 * (1 - gamma) } }
        var scale = 1 - gamma
        while scale > game.learning.tolerance * 1e-3, gamma > 0 {
            scale *= gamma
            var next = [[Double]](repeating: [Double](repeating: 0, count: h), count: g)
            for sg in 0..<g {
                for f in 0..<h where rho[sg][f] > 0 {
                    var toGlobal = [Double](repeating: 0, count: g)
                    for (a, p) in weights[sg][f] {
                        for tg in 0..<g { toGlobal[tg] += p * game.globalTransition[sg][a][tg] }
                    }
                    let ids = kernel.next[sg][f], ps = kernel.prob[sg][f]
                    for tg in 0..<g where toGlobal[tg] > 0 {
                        let mass = rho[sg][f] * toGlobal[tg]
                        for k in 0..<ids.count { next[tg][ids[k]] += mass * ps[k] }
                    }
                }
            }
            rho = next
            for sg in 0..<g { for f in 0..<h { occupancy[sg][f] += scale * rho[sg][f] } }
        }
        return occupancy
    }
}
