import Foundation
import Randomness

/// How the global agent updates in each round of ALTERNATING-MARL.
public enum GlobalUpdate: String, Sendable, Hashable, CaseIterable {
    /// Subsampled mean-field Q-learning from simulated experience.
    case learning
    /// Exact value iteration on the k-agent surrogate (the planning counterpart).
    case planning
}

/// One round of ALTERNATING-MARL.
public struct RoundRecord: Sendable, Hashable {
    /// 1-based round.
    public let round: Int
    /// How many `(s_g, F_Δ)` changed action in step (a).
    public let globalChanges: Int
    /// How many `(s_g, s_l)` changed action in step (b).
    public let localChanges: Int
    /// The global agent's value `Σ ρ_0 max_a Q̂_k` in the k-agent surrogate after step (a).
    public let surrogateValue: Double
    /// The fewest updates any `(s_g, F_Δ, a_g)` received in step (a) (learning; 0 for planning).
    public let minimumVisits: Int
}

/// The outcome of ALTERNATING-MARL for one k.
public struct AlternatingResult: Sendable {
    /// k.
    public let observed: Int
    /// How the global agent updated.
    public let update: GlobalUpdate
    /// The final global policy on `(s_g, F_Δ)`.
    public let global: GlobalPolicy
    /// The final local policy on `(s_g, s_l)`.
    public let local: LocalPolicy
    /// The global agent's final Q-function `q[s_g][f][a_g]` (learned or planned).
    public let q: [[[Double]]]
    /// The update counts of the last learning step (all 0 for planning).
    public let visits: [[[Int]]]
    /// The local policy ``q`` was computed against (the one before the last local update).
    public let qLocal: LocalPolicy
    /// One record per round.
    public let trace: [RoundRecord]
    /// Whether a round changed neither side before the budget ran out.
    public let converged: Bool
}

/// ALTERNATING-MARL (Docs/Alternating.md).
public enum AlternatingMARL {
    /// Alternates (a) the global agent's update against the fixed local policy
    /// and (b) the local agents' exact best response in the induced MDP, from
    /// the myopic local policy, until a round changes neither side or
    /// `learning.rounds` rounds have run.
    ///
    /// Learning uses the same random stream every round (seed derived from
    /// `learning.seed` and k: common random numbers), so an unchanged local
    /// policy gives an unchanged Q̂ and the stopping rule is exact.
    ///
    /// `round` is called at the start of each round with its 1-based number (for progress
    /// reports; the library prints nothing).
    public static func run(game: AlternatingGame, observed k: Int, update: GlobalUpdate,
                           initial: LocalPolicy? = nil, round report: ((Int) -> Void)? = nil) -> AlternatingResult {
        let k = min(max(k, 1), game.agents)
        var local = initial ?? LocalPolicy(myopic: game)
        var global: GlobalPolicy?
        var trace: [RoundRecord] = []
        var q: [[[Double]]] = []
        var visits: [[[Int]]] = []
        var converged = false
        let seed = seedFor(game.learning.seed, observed: k)
        let space = HistogramSpace(agents: k, states: game.localStateCount)
        let rho = initialLaw(game: game, space: space)
        var qLocal = local
        for round in 1...game.learning.rounds {
            report?(round)
            qLocal = local
            let newGlobal: GlobalPolicy
            switch update {
            case .learning:
                let learned = SubsampledQLearning.learn(game: game, local: local, observed: k, seed: seed, incumbent: global)
                newGlobal = learned.policy
                q = learned.q
                visits = learned.visits
            case .planning:
                let plan = SubsampledPlanner.bestResponse(game: game, local: local, agents: k, incumbent: global)
                newGlobal = plan.policy
                q = plan.q
                visits = plan.q.map { $0.map { $0.map { _ in 0 } } }
            }
            let globalChanges = global.map { newGlobal.differences(from: $0) } ?? newGlobal.actions.reduce(0) { $0 + $1.count }
            global = newGlobal
            let localSolution = LocalBestResponse.solve(game: game, global: newGlobal, current: local)
            let localChanges = localSolution.policy.differences(from: local)
            local = localSolution.policy
            var value = 0.0
            for sg in 0..<q.count { for f in 0..<q[sg].count { value += rho[sg][f] * (q[sg][f].max() ?? 0) } }
            let minVisits = visits.flatMap { $0.flatMap { $0 } }.min() ?? 0
            trace.append(RoundRecord(round: round, globalChanges: globalChanges, localChanges: localChanges,
                                     surrogateValue: value, minimumVisits: minVisits))
            if round > 1, globalChanges == 0, localChanges == 0 {
                converged = true
                break
            }
        }
        let finalGlobal = global ?? GlobalPolicy(observed: k, actions: [])
        return AlternatingResult(observed: k, update: update, global: finalGlobal, local: local, q: q, visits: visits, qLocal: qLocal,
                                 trace: trace, converged: converged)
    }

    /// The learning seed used for `k` observed agents: the first number of stream `k` of
    /// `seed` (Randomness' `SplitMix64(seed:stream:)`).
    package static func seedFor(_ seed: UInt64, observed k: Int) -> UInt64 {
        var g = SplitMix64(seed: seed, stream: UInt64(bitPattern: Int64(k)))
        return g.next()
    }
}

/// The result for one k of ``GapStudy``.
public struct GapPoint: Sendable {
    /// k.
    public let observed: Int
    /// ALTERNATING-MARL with learning.
    public let learned: AlternatingResult
    /// The exact Nash gap of the learned joint policy.
    public let learnedGap: NashGap
    /// ALTERNATING-MARL with exact planning (same k).
    public let planned: AlternatingResult
    /// The exact Nash gap of the planned joint policy.
    public let plannedGap: NashGap
    /// `max |Q̂_k − Q_k|` between the learned Q-function and the exact one for the learned run's final local policy.
    public let qError: Double
}

/// The approximation gap as k grows toward n.
public enum GapStudy {
    /// Runs ALTERNATING-MARL (learning and planning) for each k and computes the exact Nash gaps.
    ///
    /// `progress` is called at each stage (every round of each run, then the Nash gaps), in
    /// order, on the calling thread; the library itself prints nothing.
    ///
    /// - Throws: ``AlternatingGameError`` for a k outside `1...n` (field `observed`).
    public static func run(game: AlternatingGame, observed: [Int],
                           progress: ((AlternatingProgress) -> Void)? = nil) throws(AlternatingGameError) -> [GapPoint] {
        for k in observed where !(1...game.agents).contains(k) {
            throw AlternatingGameError(.observed, "found \(k), expected a whole number in 1...\(game.agents) (at most agents)")
        }
        return observed.enumerated().map { index, k in
            point(game: game, observed: k, progress: progress.map { report in
                { stage in report(AlternatingProgress(index: index, count: observed.count, observed: k, stage: stage)) }
            })
        }
    }

    /// The study for one k; `progress` is called at each stage.
    public static func point(game: AlternatingGame, observed k: Int,
                             progress: ((AlternatingProgress.Stage) -> Void)? = nil) -> GapPoint {
        let learned = AlternatingMARL.run(game: game, observed: k, update: .learning,
                                          round: progress.map { report in { report(.learning(round: $0)) } })
        let planned = AlternatingMARL.run(game: game, observed: k, update: .planning,
                                          round: progress.map { report in { report(.planning(round: $0)) } })
        progress?(.nashGap)
        let exact = SubsampledPlanner.bestResponse(game: game, local: learned.qLocal, agents: k)
        var err = 0.0
        for (a, b) in zip(learned.q, exact.q) { for (x, y) in zip(a, b) { for (u, v) in zip(x, y) { err = max(err, abs(u - v)) } } }
        return GapPoint(observed: k, learned: learned,
                        learnedGap: NashGap.evaluate(game: game, global: learned.global, local: learned.local),
                        planned: planned, plannedGap: NashGap.evaluate(game: game, global: planned.global, local: planned.local),
                        qError: err)
    }
}

/// Where ``GapStudy/run(game:observed:progress:)`` is.
public struct AlternatingProgress: Sendable, Hashable {
    /// A stage of the study for one k.
    public enum Stage: Sendable, Hashable {
        /// ALTERNATING-MARL with learning, at this 1-based round.
        case learning(round: Int)
        /// ALTERNATING-MARL with planning, at this 1-based round.
        case planning(round: Int)
        /// The exact Nash gaps of both joint policies in the full n-agent game.
        case nashGap
    }

    /// The 0-based position of k in the observed list.
    public let index: Int
    /// The length of the observed list.
    public let count: Int
    /// k.
    public let observed: Int
    /// The stage.
    public let stage: Stage

    /// A progress report.
    public init(index: Int, count: Int, observed: Int, stage: Stage) {
        self.index = index
        self.count = count
        self.observed = observed
        self.stage = stage
    }
}
