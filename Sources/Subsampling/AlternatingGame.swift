import Foundation

/// Settings of ALTERNATING-MARL from a game file's `learning` block (Docs/Alternating.md).
public struct LearningSettings: Sendable, Hashable {
    /// Q-learning episodes per round (`learning.episodes`, ≥ 1).
    public var episodes: Int = 2000
    /// Steps per episode (`learning.horizon`); `nil` means `ceil(1 / (1 − γ))`.
    public var horizon: Int?
    /// ε of the ε-greedy exploration (`learning.exploration`, in [0, 1]).
    public var exploration: Double = 0.2
    /// ω of the step size α_N = (1 + (1 − γ)(N − 1))^(−ω) at the N-th visit (`learning.stepExponent`, in (0.5, 1]).
    public var stepExponent: Double = 1
    /// Round budget of the alternation (`learning.rounds`, ≥ 1).
    public var rounds: Int = 10
    /// Random seed (`learning.seed`).
    public var seed: UInt64 = 1
    /// Stopping tolerance of value iteration and policy evaluation (`learning.tolerance`, > 0).
    public var tolerance: Double = 1e-10

    /// The default settings.
    public init() {}

    /// The horizon used for discount `gamma`.
    public func effectiveHorizon(discount gamma: Double) -> Int {
        horizon ?? max(1, Int((1 / (1 - gamma)).rounded(.up)))
    }

    /// The step size at the `visit`-th update (1-based) of a state–action pair.
    public func stepSize(visit: Int, discount gamma: Double) -> Double {
        1 / pow(1 + (1 - gamma) * Double(visit - 1), stepExponent)
    }
}

/// A cooperative Markov game with one global agent and `n` homogeneous local
/// agents (Docs/Alternating.md), with every expression evaluated into tables.
///
/// Reward `r(s, a) = r_g(s_g, a_g) + (1/n) Σ_i r_l(s_i, s_g, a_i)`; transitions
/// `s_g' ~ P_g(·|s_g, a_g)` and, independently per agent, `s_i' ~ P_l(·|s_i, s_g, a_i)`.
public struct AlternatingGame: Sendable {
    /// The file the game was read from (or a label).
    public let path: String
    /// `name`.
    public let name: String
    /// `description`.
    public let summary: String?
    /// `agents`: the number n of local agents.
    public let agents: Int
    /// `observed`: the default number k of observed local agents, if given.
    public let observed: Int?
    /// `discount` γ.
    public let discount: Double
    /// Global state names.
    public let globalStates: [String]
    /// Global action names.
    public let globalActions: [String]
    /// Local state names.
    public let localStates: [String]
    /// Local action names.
    public let localActions: [String]
    /// `r_g[s_g][a_g]`.
    public let globalReward: [[Double]]
    /// `P_g[s_g][a_g][t_g]`.
    public let globalTransition: [[[Double]]]
    /// `r_l[s_g][s_l][a_l]`.
    public let localReward: [[[Double]]]
    /// `P_l[s_g][s_l][a_l][t_l]`.
    public let localTransition: [[[[Double]]]]
    /// Initial distribution of the global state.
    public let globalInitial: [Double]
    /// Initial distribution of each local agent's state (agents start independently).
    public let localInitial: [Double]
    /// The `learning` block.
    public var learning: LearningSettings

    /// The largest number of states an exact computation may use (Nash gap: |S_g|·|S_l|·#histograms of n − 1 agents).
    public static let exactStateLimit = 60_000

    /// A game from tables; checks shapes, finiteness, probability rows and sizes.
    ///
    /// - Parameters:
    ///   - path: the file the tables came from, or a label (kept for messages; errors do not name it).
    ///   - name: the game's name.
    ///   - summary: an optional one-line description.
    ///   - agents: `n`, the number of local agents.
    ///   - observed: the default number `k` of observed local agents, if the file gives one.
    ///   - discount: `γ ∈ (0, 1)`.
    ///   - globalStates: the global agent's state names.
    ///   - globalActions: the global agent's action names.
    ///   - localStates: a local agent's state names.
    ///   - localActions: a local agent's action names.
    ///   - globalReward: ``globalReward``.
    ///   - globalTransition: ``globalTransition``.
    ///   - localReward: ``localReward``.
    ///   - localTransition: ``localTransition``.
    ///   - globalInitial: ``globalInitial`` (`nil`: uniform).
    ///   - localInitial: ``localInitial`` (`nil`: uniform).
    ///   - learning: ``learning``.
    /// - Throws: ``AlternatingGameError`` naming the field.
    public init(path: String = "<game>", name: String, summary: String? = nil, agents: Int, observed: Int? = nil,
                discount: Double, globalStates: [String], globalActions: [String], localStates: [String],
                localActions: [String], globalReward: [[Double]], globalTransition: [[[Double]]],
                localReward: [[[Double]]], localTransition: [[[[Double]]]], globalInitial: [Double]? = nil,
                localInitial: [Double]? = nil, learning: LearningSettings = LearningSettings()) throws(AlternatingGameError) {
        let g = globalStates.count, l = localStates.count
        try Self.checkSizes(agents: agents, observed: observed, discount: discount, globalStates: g,
                            globalActions: globalActions.count, localStates: l, localActions: localActions.count)
        self.path = path
        self.name = name
        self.summary = summary
        self.agents = agents
        self.observed = observed
        self.discount = discount
        self.globalStates = globalStates
        self.globalActions = globalActions
        self.localStates = localStates
        self.localActions = localActions
        self.globalReward = globalReward
        self.globalTransition = globalTransition
        self.localReward = localReward
        self.localTransition = localTransition
        self.globalInitial = globalInitial ?? [Double](repeating: 1 / Double(g), count: g)
        self.localInitial = localInitial ?? [Double](repeating: 1 / Double(l), count: l)
        self.learning = learning
        try checkShapes()
        try checkEntries()
        try checkInitial()
        try Self.checkLearning(learning)
    }

    /// Phase 1: the spaces, the number of agents, `observed`, the discount and the exact Nash gap's size.
    static func checkSizes(agents: Int, observed: Int?, discount: Double, globalStates g: Int, globalActions mg: Int,
                           localStates l: Int, localActions ml: Int) throws(AlternatingGameError) {
        guard g >= 1, mg >= 1, l >= 1, ml >= 1 else { throw AlternatingGameError(.game, "every state and action space needs at least one element") }
        guard agents >= 1 else { throw AlternatingGameError(.agents, "found \(agents), expected a whole number >= 1") }
        if let observed, !(1...agents).contains(observed) {
            throw AlternatingGameError(.observed, "found \(observed), expected a whole number in 1...\(agents) (at most agents)")
        }
        guard discount >= 0, discount < 1 else { throw AlternatingGameError(.discount, "found \(discount), expected 0 <= discount < 1") }
        let size = Double(g) * Double(l) * Double(HistogramSpace.count(agents: agents - 1, states: l))
        guard size <= Double(exactStateLimit) else {
            throw AlternatingGameError(.agents, "n = \(agents) with \(g) global and \(l) local states gives \(Int(min(size, 1e15))) states for the exact Nash gap, expected at most \(exactStateLimit) (use fewer agents)")
        }
    }

    /// Checks that `row` is a probability vector (entries finite and `>= 0`, sum 1 within `1e-9`).
    static func checkRow(_ row: [Double], _ field: AlternatingGameError.Field, _ at: String) throws(AlternatingGameError) {
        if let k = row.firstIndex(where: { !($0.isFinite && $0 >= 0) }) {
            throw AlternatingGameError(field, "at \(at): probability of next state \(k) is \(row[k]), expected a number >= 0")
        }
        let total = row.reduce(0, +)
        guard abs(total - 1) <= 1e-9 else { throw AlternatingGameError(field, "at \(at): row sums to \(total), expected 1 (within 1e-9)") }
    }

    /// Phase 2: the shapes of the four tables.
    func checkShapes() throws(AlternatingGameError) {
        let g = globalStateCount, mg = globalActionCount, l = localStateCount, ml = localActionCount
        guard globalReward.count == g, globalReward.allSatisfy({ $0.count == mg }) else {
            throw AlternatingGameError(.globalReward, "expected a \(g)x\(mg) table")
        }
        guard globalTransition.count == g, globalTransition.allSatisfy({ $0.count == mg && $0.allSatisfy { $0.count == g } }) else {
            throw AlternatingGameError(.globalTransition, "expected a \(g)x\(mg)x\(g) table")
        }
        guard localReward.count == g, localReward.allSatisfy({ $0.count == l && $0.allSatisfy { $0.count == ml } }) else {
            throw AlternatingGameError(.localReward, "expected a \(g)x\(l)x\(ml) table")
        }
        guard localTransition.count == g,
              localTransition.allSatisfy({ $0.count == l && $0.allSatisfy { $0.count == ml && $0.allSatisfy { $0.count == l } } }) else {
            throw AlternatingGameError(.localTransition, "expected a \(g)x\(l)x\(ml)x\(l) table")
        }
    }

    /// Phase 3: finite rewards and probability rows, in the order (s_g, a_g), then (s_l, a_l).
    func checkEntries() throws(AlternatingGameError) {
        for sg in 0..<globalStateCount {
            for ag in 0..<globalActionCount {
                guard globalReward[sg][ag].isFinite else {
                    throw AlternatingGameError(.globalReward, "at sg=\(globalStates[sg]), ag=\(globalActions[ag]): found \(globalReward[sg][ag]), expected a finite number")
                }
                try Self.checkRow(globalTransition[sg][ag], .globalTransition, "sg=\(globalStates[sg]), ag=\(globalActions[ag])")
            }
            for sl in 0..<localStateCount {
                for al in 0..<localActionCount {
                    let at = "sl=\(localStates[sl]), sg=\(globalStates[sg]), al=\(localActions[al])"
                    guard localReward[sg][sl][al].isFinite else {
                        throw AlternatingGameError(.localReward, "at \(at): found \(localReward[sg][sl][al]), expected a finite number")
                    }
                    try Self.checkRow(localTransition[sg][sl][al], .localTransition, at)
                }
            }
        }
    }

    /// Phase 4: the initial distributions.
    func checkInitial() throws(AlternatingGameError) {
        guard globalInitial.count == globalStateCount else {
            throw AlternatingGameError(.globalInitial, "found \(globalInitial.count) entries, expected \(globalStateCount)")
        }
        guard localInitial.count == localStateCount else {
            throw AlternatingGameError(.localInitial, "found \(localInitial.count) entries, expected \(localStateCount)")
        }
        try Self.checkRow(globalInitial, .globalInitial, "the initial distribution")
        try Self.checkRow(localInitial, .localInitial, "the initial distribution")
    }

    /// Phase 5: the learning settings.
    static func checkLearning(_ learning: LearningSettings) throws(AlternatingGameError) {
        guard learning.episodes >= 1 else { throw AlternatingGameError(.episodes, "found \(learning.episodes), expected >= 1") }
        guard learning.rounds >= 1 else { throw AlternatingGameError(.rounds, "found \(learning.rounds), expected >= 1") }
        guard (learning.horizon ?? 1) >= 1 else { throw AlternatingGameError(.horizon, "expected >= 1") }
        guard (0...1).contains(learning.exploration) else {
            throw AlternatingGameError(.exploration, "found \(learning.exploration), expected a number in [0, 1]")
        }
        guard learning.stepExponent > 0.5, learning.stepExponent <= 1 else {
            throw AlternatingGameError(.stepExponent, "found \(learning.stepExponent), expected 0.5 < stepExponent <= 1")
        }
        guard learning.tolerance > 0, learning.tolerance.isFinite else {
            throw AlternatingGameError(.tolerance, "found \(learning.tolerance), expected a number > 0")
        }
    }

    /// The same game with `n` local agents.
    public func with(agents n: Int) throws(AlternatingGameError) -> AlternatingGame {
        try AlternatingGame(path: path, name: name, summary: summary, agents: n, observed: observed.map { min($0, n) },
                            discount: discount, globalStates: globalStates, globalActions: globalActions,
                            localStates: localStates, localActions: localActions, globalReward: globalReward,
                            globalTransition: globalTransition, localReward: localReward, localTransition: localTransition,
                            globalInitial: globalInitial, localInitial: localInitial, learning: learning)
    }

    /// The number of global states.
    public var globalStateCount: Int { globalStates.count }
    /// The number of global actions.
    public var globalActionCount: Int { globalActions.count }
    /// The number of local states.
    public var localStateCount: Int { localStates.count }
    /// The number of local actions.
    public var localActionCount: Int { localActions.count }

    /// The smallest and largest one-step reward (over every global and local choice).
    public var rewardRange: (min: Double, max: Double) {
        let rg = globalReward.flatMap { $0 }, rl = localReward.flatMap { $0.flatMap { $0 } }
        return ((rg.min() ?? 0) + (rl.min() ?? 0), (rg.max() ?? 0) + (rl.max() ?? 0))
    }
}
