import Expressions
import Foundation
import GameFiles

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
    /// - Throws: `GameFileError` naming the field (`path` is the file name used).
    public init(path: String = "<game>", name: String, summary: String? = nil, agents: Int, observed: Int? = nil,
                discount: Double, globalStates: [String], globalActions: [String], localStates: [String],
                localActions: [String], globalReward: [[Double]], globalTransition: [[[Double]]],
                localReward: [[[Double]]], localTransition: [[[[Double]]]], globalInitial: [Double]? = nil,
                localInitial: [Double]? = nil, learning: LearningSettings = LearningSettings()) throws(GameFileError) {
        func fail(_ field: String, _ message: String) -> GameFileError { GameFileError(file: path, field: field, message: message) }
        let g = globalStates.count, mg = globalActions.count, l = localStates.count, ml = localActions.count
        guard g >= 1, mg >= 1, l >= 1, ml >= 1 else { throw fail("", "every state and action space needs at least one element") }
        guard agents >= 1 else { throw fail("agents", "found \(agents), expected a whole number >= 1") }
        if let observed, !(1...agents).contains(observed) {
            throw fail("observed", "found \(observed), expected a whole number in 1...\(agents) (at most agents)")
        }
        guard discount >= 0, discount < 1 else { throw fail("discount", "found \(discount), expected 0 <= discount < 1") }
        let size = Double(g) * Double(l) * Double(HistogramSpace.count(agents: agents - 1, states: l))
        guard size <= Double(Self.exactStateLimit) else {
            throw fail("agents", "n = \(agents) with \(g) global and \(l) local states gives \(Int(min(size, 1e15))) states for the exact Nash gap, expected at most \(Self.exactStateLimit) (use fewer agents)")
        }
        func checkRow(_ row: [Double], _ field: String, _ at: String) throws(GameFileError) {
            if let k = row.firstIndex(where: { !($0.isFinite && $0 >= 0) }) {
                throw fail(field, "at \(at): probability of next state \(k) is \(row[k]), expected a number >= 0")
            }
            let total = row.reduce(0, +)
            guard abs(total - 1) <= 1e-9 else { throw fail(field, "at \(at): row sums to \(total), expected 1 (within 1e-9)") }
        }
        guard globalReward.count == g, globalReward.allSatisfy({ $0.count == mg }) else { throw fail("global.reward", "expected a \(g)x\(mg) table") }
        guard globalTransition.count == g, globalTransition.allSatisfy({ $0.count == mg && $0.allSatisfy { $0.count == g } }) else {
            throw fail("global.transition", "expected a \(g)x\(mg)x\(g) table")
        }
        guard localReward.count == g, localReward.allSatisfy({ $0.count == l && $0.allSatisfy { $0.count == ml } }) else {
            throw fail("local.reward", "expected a \(g)x\(l)x\(ml) table")
        }
        guard localTransition.count == g,
              localTransition.allSatisfy({ $0.count == l && $0.allSatisfy { $0.count == ml && $0.allSatisfy { $0.count == l } } }) else {
            throw fail("local.transition", "expected a \(g)x\(l)x\(ml)x\(l) table")
        }
        for sg in 0..<g {
            for ag in 0..<mg {
                guard globalReward[sg][ag].isFinite else {
                    throw fail("global.reward", "at sg=\(globalStates[sg]), ag=\(globalActions[ag]): found \(globalReward[sg][ag]), expected a finite number")
                }
                try checkRow(globalTransition[sg][ag], "global.transition", "sg=\(globalStates[sg]), ag=\(globalActions[ag])")
            }
            for sl in 0..<l {
                for al in 0..<ml {
                    let at = "sl=\(localStates[sl]), sg=\(globalStates[sg]), al=\(localActions[al])"
                    guard localReward[sg][sl][al].isFinite else {
                        throw fail("local.reward", "at \(at): found \(localReward[sg][sl][al]), expected a finite number")
                    }
                    try checkRow(localTransition[sg][sl][al], "local.transition", at)
                }
            }
        }
        let gi = globalInitial ?? [Double](repeating: 1 / Double(g), count: g)
        let li = localInitial ?? [Double](repeating: 1 / Double(l), count: l)
        guard gi.count == g else { throw fail("global.initial", "found \(gi.count) entries, expected \(g)") }
        guard li.count == l else { throw fail("local.initial", "found \(li.count) entries, expected \(l)") }
        try checkRow(gi, "global.initial", "the initial distribution")
        try checkRow(li, "local.initial", "the initial distribution")
        guard learning.episodes >= 1 else { throw fail("learning.episodes", "found \(learning.episodes), expected >= 1") }
        guard learning.rounds >= 1 else { throw fail("learning.rounds", "found \(learning.rounds), expected >= 1") }
        guard (learning.horizon ?? 1) >= 1 else { throw fail("learning.horizon", "expected >= 1") }
        guard (0...1).contains(learning.exploration) else { throw fail("learning.exploration", "found \(learning.exploration), expected a number in [0, 1]") }
        guard learning.stepExponent > 0.5, learning.stepExponent <= 1 else {
            throw fail("learning.stepExponent", "found \(learning.stepExponent), expected 0.5 < stepExponent <= 1")
        }
        guard learning.tolerance > 0, learning.tolerance.isFinite else { throw fail("learning.tolerance", "found \(learning.tolerance), expected a number > 0") }
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
        self.globalInitial = gi
        self.localInitial = li
        self.learning = learning
    }

    /// The same game with `n` local agents.
    public func with(agents n: Int) throws(GameFileError) -> AlternatingGame {
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

// MARK: - Loading

extension AlternatingGame {
    static let topKeys = ["name", "description", "agents", "observed", "discount", "parameters", "global", "local", "learning"]
    static let blockKeys = ["states", "actions", "reward", "transition", "initial"]
    static let learningKeys = ["episodes", "horizon", "exploration", "stepExponent", "rounds", "seed", "tolerance"]

    /// Reads and validates a game file: `.json` as JSON, anything else as YAML.
    ///
    /// - Throws: `GameFileError` naming the file and field.
    public static func load(path: String) throws(GameFileError) -> AlternatingGame {
        let text = try DocumentReader.readText(path: path)
        return try parse(text: text, path: path, json: path.lowercased().hasSuffix(".json"))
    }

    /// Parses and validates game-file text (`path` names the file in errors).
    public static func parse(text: String, path: String, json: Bool = false) throws(GameFileError) -> AlternatingGame {
        let root = try DocumentReader.parseRoot(text: text, path: path, json: json, reference: "Docs/Alternating.md")
        return try read(root, path: path)
    }

    static func read(_ root: DocumentNode, path: String) throws(GameFileError) -> AlternatingGame {
        let r = FieldReader(file: path)
        let top = try r.object(root, "")
        try r.checkKeys(top, known: topKeys, field: "")
        func field(_ key: String) -> DocumentNode? { top.first { $0.key == key }?.value }
        func required(_ key: String) throws(GameFileError) -> DocumentNode {
            guard let node = field(key) else { throw r.error(key, nil, "missing, expected a value (see Docs/Alternating.md)") }
            return node
        }
        let name = try r.string(try required("name"), "name")
        var summary: String?
        if let d = field("description"), d.value != .null { summary = try r.string(d, "description") }
        let n = try r.integer(try required("agents"), "agents", range: 1...10_000)
        var observed: Int?
        if let o = field("observed"), o.value != .null { observed = try r.integer(o, "observed", range: 1...n) }
        let discountNode = try required("discount")
        let gamma = try r.number(discountNode, "discount", where: { $0 >= 0 && $0 < 1 }, expected: "0 <= discount < 1")

        // The two blocks.
        func block(_ key: String) throws(GameFileError) -> [(key: String, value: DocumentNode)] {
            let pairs = try r.object(try required(key), key)
            try r.checkKeys(pairs, known: blockKeys, field: key)
            return pairs
        }
        let globalBlock = try block("global"), localBlock = try block("local")
        func sub(_ pairs: [(key: String, value: DocumentNode)], _ block: String, _ key: String, optional: Bool = false) throws(GameFileError) -> DocumentNode? {
            if let node = pairs.first(where: { $0.key == key })?.value { return node }
            if optional { return nil }
            throw r.error("\(block).\(key)", field(block), "missing, expected a value (see Docs/Alternating.md)")
        }
        func need(_ pairs: [(key: String, value: DocumentNode)], _ block: String, _ key: String) throws(GameFileError) -> DocumentNode {
            guard let node = try sub(pairs, block, key) else { throw r.error("\(block).\(key)", field(block), "missing") }
            return node
        }
        let gs = try r.space(try need(globalBlock, "global", "states"), "global.states", limit: 64)
        let ga = try r.space(try need(globalBlock, "global", "actions"), "global.actions", limit: 64)
        let ls = try r.space(try need(localBlock, "local", "states"), "local.states", limit: 16)
        let la = try r.space(try need(localBlock, "local", "actions"), "local.actions", limit: 64)
        let g = gs.names.count, mg = ga.names.count, l = ls.names.count, ml = la.names.count

        // Schema.
        var schema = Schema()
        let sg: ScalarSlot, ag: ScalarSlot, tg: ScalarSlot, sl: ScalarSlot, al: ScalarSlot, tl: ScalarSlot
        do throws(ExpressionError) {
            sg = try schema.declareScalar("sg"); ag = try schema.declareScalar("ag"); tg = try schema.declareScalar("tg")
            sl = try schema.declareScalar("sl"); al = try schema.declareScalar("al"); tl = try schema.declareScalar("tl")
            try schema.declareConstant("agents", value: Double(n))
            try schema.declareConstant("gstates", value: Double(g))
            try schema.declareConstant("gactions", value: Double(mg))
            try schema.declareConstant("lstates", value: Double(l))
            try schema.declareConstant("lactions", value: Double(ml))
        } catch {
            throw r.error("", nil, "internal schema error: \(error)")
        }
        for (space, key, block) in [(gs, "states", "global"), (ga, "actions", "global"), (ls, "states", "local"), (la, "actions", "local")] where space.named {
            for (k, nm) in space.names.enumerated() {
                do throws(ExpressionError) { try schema.declareConstant(nm, value: Double(k)) } catch {
                    throw r.error("\(block).\(key)[\(k)]", nil, "name '\(nm)' cannot be used: \(error.message) (names must differ across both blocks, parameters and the variables sg, ag, tg, sl, al, tl)")
                }
            }
        }
        _ = try r.declareParameters(field("parameters"), into: &schema)
        func compile(_ node: DocumentNode, _ fieldName: String, _ variables: [String]) throws(GameFileError) -> CompiledExpression {
            let source = try r.expressionSource(node, fieldName)
            do throws(ExpressionError) {
                return try CompiledExpression(source, schema: schema.restricted(toVariables: variables))
            } catch {
                throw r.error(fieldName, node, "\(error.description) in '\(source)'")
            }
        }
        let grNode = try need(globalBlock, "global", "reward"), gtNode = try need(globalBlock, "global", "transition")
        let lrNode = try need(localBlock, "local", "reward"), ltNode = try need(localBlock, "local", "transition")
        let gr = try compile(grNode, "global.reward", ["sg", "ag"])
        let gt = try compile(gtNode, "global.transition", ["sg", "ag", "tg"])
        let lr = try compile(lrNode, "local.reward", ["sl", "sg", "al"])
        let lt = try compile(ltNode, "local.transition", ["sl", "sg", "al", "tl"])
        var env = Environment(schema: schema)
        func eval(_ e: CompiledExpression, _ fieldName: String, _ node: DocumentNode, _ at: String) throws(GameFileError) -> Double {
            let x: Double
            do throws(ExpressionError) { x = try e.evaluate(in: env) } catch {
                throw r.error(fieldName, node, "at \(at): \(error.message)")
            }
            return x
        }
        var rg = [[Double]](repeating: [Double](repeating: 0, count: mg), count: g)
        var pg = [[[Double]]](repeating: [[Double]](repeating: [Double](repeating: 0, count: g), count: mg), count: g)
        var rl = [[[Double]]](repeating: [[Double]](repeating: [Double](repeating: 0, count: ml), count: l), count: g)
        var pl = [[[[Double]]]](repeating: [[[Double]]](repeating: [[Double]](repeating: [Double](repeating: 0, count: l), count: ml), count: l), count: g)
        for s in 0..<g {
            env[sg] = Double(s)
            for a in 0..<mg {
                env[ag] = Double(a)
                let at = "sg=\(gs.names[s]), ag=\(ga.names[a])"
                rg[s][a] = try eval(gr, "global.reward", grNode, at)
                for t in 0..<g {
                    env[tg] = Double(t)
                    let p = try eval(gt, "global.transition", gtNode, "\(at), tg=\(gs.names[t])")
                    guard p >= 0 else { throw r.error("global.transition", gtNode, "at \(at), tg=\(gs.names[t]): found \(p), expected a probability >= 0") }
                    pg[s][a][t] = p
                }
                let total = pg[s][a].reduce(0, +)
                guard abs(total - 1) <= 1e-9 else { throw r.error("global.transition", gtNode, "at \(at): row sums to \(total), expected 1 (within 1e-9)") }
            }
            for x in 0..<l {
                env[sl] = Double(x)
                for a in 0..<ml {
                    env[al] = Double(a)
                    let at = "sl=\(ls.names[x]), sg=\(gs.names[s]), al=\(la.names[a])"
                    rl[s][x][a] = try eval(lr, "local.reward", lrNode, at)
                    for t in 0..<l {
                        env[tl] = Double(t)
                        let p = try eval(lt, "local.transition", ltNode, "\(at), tl=\(ls.names[t])")
                        guard p >= 0 else { throw r.error("local.transition", ltNode, "at \(at), tl=\(ls.names[t]): found \(p), expected a probability >= 0") }
                        pl[s][x][a][t] = p
                    }
                    let total = pl[s][x][a].reduce(0, +)
                    guard abs(total - 1) <= 1e-9 else { throw r.error("local.transition", ltNode, "at \(at): row sums to \(total), expected 1 (within 1e-9)") }
                }
            }
        }
        let gi = try r.distribution(try sub(globalBlock, "global", "initial", optional: true), "global.initial", count: g)
            ?? [Double](repeating: 1 / Double(g), count: g)
        let li = try r.distribution(try sub(localBlock, "local", "initial", optional: true), "local.initial", count: l)
            ?? [Double](repeating: 1 / Double(l), count: l)

        var settings = LearningSettings()
        if let lb = field("learning"), lb.value != .null {
            let pairs = try r.object(lb, "learning")
            try r.checkKeys(pairs, known: learningKeys, field: "learning")
            for (key, node) in pairs {
                let f = "learning.\(key)"
                switch key {
                case "episodes": settings.episodes = try r.integer(node, f, range: 1...100_000_000)
                case "horizon": settings.horizon = try r.integer(node, f, range: 1...1_000_000)
                case "exploration": settings.exploration = try r.number(node, f, where: { (0...1).contains($0) }, expected: "a number in [0, 1]")
                case "stepExponent": settings.stepExponent = try r.number(node, f, where: { $0 > 0.5 && $0 <= 1 }, expected: "0.5 < stepExponent <= 1")
                case "rounds": settings.rounds = try r.integer(node, f, range: 1...10_000)
                case "seed": settings.seed = UInt64(try r.integer(node, f, range: 0...Int(Int32.max)))
                case "tolerance": settings.tolerance = try r.number(node, f, where: { $0 > 0 }, expected: "a number > 0")
                default: break
                }
            }
        }
        return try AlternatingGame(path: path, name: name, summary: summary, agents: n, observed: observed, discount: gamma,
                                   globalStates: gs.names, globalActions: ga.names, localStates: ls.names, localActions: la.names,
                                   globalReward: rg, globalTransition: pg, localReward: rl, localTransition: pl,
                                   globalInitial: gi, localInitial: li, learning: settings)
    }
}
