import Foundation
import Randomness

/// What subsampled mean-field Q-learning produced.
package struct LearnedGlobal: Sendable {
    /// k.
    package let observed: Int
    /// The estimate `q[s_g][f][a_g]` of the subsampled Q-function.
    package let q: [[[Double]]]
    /// The greedy policy of `q`.
    package let policy: GlobalPolicy
    /// `visits[s_g][f][a_g]`: how many updates each entry received.
    package let visits: [[[Int]]]
    /// The number of updates (episodes × horizon).
    package let samples: Int
}

/// The global agent's subsampled mean-field Q-learning (Docs/Alternating.md, "Learning").
package enum SubsampledQLearning {
    /// Learns `Q̂_k(s_g, F_Δ, a_g)` from simulated experience against the fixed local policy.
    ///
    /// The global agent follows its k observed agents: each episode starts at a
    /// uniformly random `(s_g, F_Δ)` (exploring starts), runs `learning.horizon`
    /// steps with ε-greedy global actions, and every step updates
    /// `Q ← Q + α_N (r_Δ + γ max_a' Q(s_g', F_Δ', a') − Q)` with
    /// `r_Δ = r_g(s_g, a_g) + (1/k) Σ_{i∈Δ} r_l(s_i, s_g, a_i)` and
    /// `α_N = (1 + (1 − γ)(N − 1))^(−ω)` at the N-th visit of the pair.
    /// The same `seed` gives the same result.
    package static func learn(game: AlternatingGame, local: LocalPolicy, observed k: Int, seed: UInt64,
                             incumbent: GlobalPolicy? = nil) -> LearnedGlobal {
        let g = game.globalStateCount, l = game.localStateCount, mg = game.globalActionCount
        let gamma = game.discount, settings = game.learning
        let space = HistogramSpace(agents: k, states: l)
        let h = space.count
        var table = QTable(globalStates: g, histograms: h, actions: mg)
        let globalMove = game.globalTransition.map { $0.map(Categorical.cumulative) }
        let localMove = (0..<g).map { sg in (0..<l).map { j in Categorical.cumulative(game.localTransition[sg][j][local[sg, j]]) } }
        let localReward = (0..<g).map { sg in (0..<l).map { j in game.localReward[sg][j][local[sg, j]] } }
        var rng = SplitMix64(seed: seed)
        let horizon = settings.effectiveHorizon(discount: gamma)
        var counts = [Int](repeating: 0, count: l)
        var agents = [Int](repeating: 0, count: k)
        var samples = 0
        for _ in 0..<settings.episodes {
            var sg = Int(rng.next() % UInt64(g))
            var f = Int(rng.next() % UInt64(h))
            var slot = 0
            for (j, c) in space.histograms[f].enumerated() { for _ in 0..<c { agents[slot] = j; slot += 1 } }
            for _ in 0..<horizon {
                let a: Int
                if rng.unit() < settings.exploration { a = Int(rng.next() % UInt64(mg)) } else { a = table.greedy(sg, f) }
                var r = game.globalReward[sg][a]
                for i in 0..<k { r += localReward[sg][agents[i]] / Double(k) }
                let tg = Categorical.index(cumulative: globalMove[sg][a], uniform: rng.unit())
                for j in 0..<l { counts[j] = 0 }
                for i in 0..<k {
                    agents[i] = Categorical.index(cumulative: localMove[sg][agents[i]], uniform: rng.unit())
                    counts[agents[i]] += 1
                }
                guard let nf = space.index(ofValid: counts) else { break }
                let entry = table.entry(sg, f) + a
                table.visits[entry] += 1
                let alpha = settings.stepSize(visit: table.visits[entry], discount: gamma)
                let target = r + gamma * table.best(tg, nf)
                table.values[entry] += alpha * (target - table.values[entry])
                samples += 1
                sg = tg
                f = nf
            }
        }
        let q = table.nestedValues, visits = table.nestedVisits
        return LearnedGlobal(observed: k, q: q, policy: GlobalPolicy(greedy: q, observed: k, incumbent: incumbent),
                             visits: visits, samples: samples)
    }
}

/// The learner's Q-values and visit counts in flat arrays: entry `(s_g·h + f)·m + a`
/// (one allocation, no nested copies in the update loop).
struct QTable {
    let globalStates: Int, histograms: Int, actions: Int
    var values: [Double]
    var visits: [Int]

    init(globalStates g: Int, histograms h: Int, actions m: Int) {
        globalStates = g
        histograms = h
        actions = m
        values = [Double](repeating: 0, count: g * h * m)
        visits = [Int](repeating: 0, count: g * h * m)
    }

    /// The first entry of row `(s_g, f)`.
    func entry(_ sg: Int, _ f: Int) -> Int { (sg * histograms + f) * actions }

    /// The first action of largest value in row `(s_g, f)` (the module's `argmax`).
    func greedy(_ sg: Int, _ f: Int) -> Int {
        let base = entry(sg, f)
        var best = 0
        for a in 1..<max(actions, 1) where values[base + a] > values[base + best] { best = a }
        return best
    }

    /// The largest value of row `(s_g, f)` (`0` without actions).
    func best(_ sg: Int, _ f: Int) -> Double {
        let base = entry(sg, f)
        guard actions > 0 else { return 0 }
        var best = values[base]
        var a = 1
        while a < actions {
            if best < values[base + a] { best = values[base + a] }  // as Sequence.max()
            a += 1
        }
        return best
    }

    /// `q[s_g][f][a]`.
    var nestedValues: [[[Double]]] {
        (0..<globalStates).map { sg in (0..<histograms).map { f in Array(values[entry(sg, f)..<(entry(sg, f) + actions)]) } }
    }

    /// `visits[s_g][f][a]`.
    var nestedVisits: [[[Int]]] {
        (0..<globalStates).map { sg in (0..<histograms).map { f in Array(visits[entry(sg, f)..<(entry(sg, f) + actions)]) } }
    }
}
