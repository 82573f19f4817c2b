import Ambiguity
import Expressions
import Foundation
import MeanField

/// Values given on the command line that replace the file's (`rmfg solve --set …`).
/// Each is applied to the document before it is interpreted, so it is checked
/// exactly like the file's own value and errors name the field it replaces.
public struct GameOverrides: Sendable, Hashable {
    /// `ambiguity.set`.
    public var set: String?
    /// `ambiguity.radius` (a number or an expression in `s, a, mu`).
    public var radius: String?
    /// `ambiguity.support`.
    public var support: String?
    /// `solver.temperature`.
    public var temperature: Double?
    /// `solver.method`.
    public var method: String?
    /// `solver.damping`.
    public var damping: Double?
    /// `solver.learningRate`.
    public var learningRate: Double?
    /// `solver.tolerance`.
    public var tolerance: Double?
    /// `solver.maxIterations`.
    public var maxIterations: Int?
    /// `population`.
    public var population: String?
    /// `solver.inner`.
    public var inner: String?

    /// No overrides.
    public init(set: String? = nil, radius: String? = nil, support: String? = nil, temperature: Double? = nil,
                method: String? = nil, damping: Double? = nil, learningRate: Double? = nil, tolerance: Double? = nil,
                maxIterations: Int? = nil, population: String? = nil, inner: String? = nil) {
        self.set = set
        self.radius = radius
        self.support = support
        self.temperature = temperature
        self.method = method
        self.damping = damping
        self.learningRate = learningRate
        self.tolerance = tolerance
        self.maxIterations = maxIterations
        self.population = population
        self.inner = inner
    }
}

/// Solver settings from the file's `solver` block (Docs/Format.md).
public struct SolverSettings: Sendable, Hashable {
    /// `solver.method`.
    public var method: EquilibriumMethod = .auto
    /// `solver.temperature` `τ ≥ 0`.
    public var temperature: Double = 0
    /// `solver.damping` in `(0, 1]`; `nil` uses the method's default.
    public var damping: Double?
    /// `solver.learningRate` `> 0`.
    public var learningRate: Double = 1
    /// `solver.tolerance` `> 0`.
    public var tolerance: Double = 1e-8
    /// `solver.maxIterations` `≥ 1`.
    public var maxIterations: Int = 1000
    /// `solver.inner`.
    public var inner: InnerMethod = .closedForm
}

/// A validated game file (Docs/Format.md), ready to become a `MeanFieldGame`.
///
/// Every key is checked when the file is loaded: types, ranges, shapes, names,
/// unknown keys, expression syntax and the variables each expression may use,
/// and every transition row at the initial mean field. Values that become
/// invalid only at some mean field the solver visits are caught when the solver
/// evaluates them; ``explain(_:)`` turns that into the same kind of one-line
/// error naming the field, `s`, `a` (and `t`).
public struct GameFile: Sendable {
    /// The path the file was read from.
    public let path: String
    /// `name`.
    public let name: String
    /// `description`.
    public let summary: String?
    /// State names (`states: [S, I]`), or the indices as strings.
    public let stateNames: [String]
    /// Action names, or the indices as strings.
    public let actionNames: [String]
    /// Whether `states` was a list of names.
    public let statesNamed: Bool
    /// Whether `actions` was a list of names.
    public let actionsNamed: Bool
    /// `discount`.
    public let discount: Double
    /// `ambiguity.set`.
    public let set: AmbiguityKind
    /// `ambiguity.support`.
    public let support: SupportRestriction
    /// `ambiguity.radius`, as written.
    public let radiusSource: String
    /// `population`.
    public let population: PopulationModel
    /// `initial`: `nil` for uniform.
    public let initial: [Double]?
    /// The `solver` block.
    public let solver: SolverSettings
    /// The optional `layout` block (a grid of `width × height` cells), for figures.
    public let layout: GameLayout?

    /// The number of states.
    public var stateCount: Int { stateNames.count }
    /// The number of actions.
    public var actionCount: Int { actionNames.count }

    let schema: Schema
    let slots: Slots
    let reward: CompiledExpression
    let transition: TransitionSource
    let radius: CompiledExpression
    let ambiguity: AmbiguitySet

    struct Slots: Sendable {
        let s: ScalarSlot
        let a: ScalarSlot
        let t: ScalarSlot
        let mu: ArraySlot
    }

    enum TransitionSource: Sendable {
        case expression(CompiledExpression, normalize: Bool)
        case rows([SparseDistribution])  // index s * m + a
    }

    /// The keys Docs/Format.md defines at the top level.
    static let topKeys = ["name", "description", "states", "actions", "discount", "parameters", "reward",
                          "transition", "ambiguity", "population", "initial", "solver", "layout"]

    /// Reads and validates a game file: `.json` as JSON, anything else as YAML.
    ///
    /// - Throws: ``GameFileError`` naming the file and field.
    public static func load(path: String, overrides: GameOverrides = GameOverrides()) throws(GameFileError) -> GameFile {
        let text = try DocumentReader.readText(path: path)
        return try parse(text: text, path: path, json: path.lowercased().hasSuffix(".json"), overrides: overrides)
    }

    /// Parses and validates game-file text.
    ///
    /// - Parameters:
    ///   - text: the file's contents.
    ///   - path: the name used in error messages.
    ///   - json: read as JSON instead of YAML.
    ///   - overrides: values that replace the file's.
    public static func parse(text: String, path: String, json: Bool = false,
                             overrides: GameOverrides = GameOverrides()) throws(GameFileError) -> GameFile {
        var root = try DocumentReader.parseRoot(text: text, path: path, json: json, reference: "Docs/Format.md")
        applyOverrides(overrides, to: &root)
        return try GameFile(root: root, path: path)
    }

    static func applyOverrides(_ o: GameOverrides, to root: inout DocumentNode) {
        func set(_ path: [String], _ value: DocumentValue) {
            root = root.setting(path, DocumentNode(value))
        }
        if let v = o.set { set(["ambiguity", "set"], .string(v)) }
        if let v = o.radius { set(["ambiguity", "radius"], Double(v).map { .number($0) } ?? .string(v)) }
        if let v = o.support { set(["ambiguity", "support"], .string(v)) }
        if let v = o.temperature { set(["solver", "temperature"], .number(v)) }
        if let v = o.method { set(["solver", "method"], .string(v)) }
        if let v = o.damping { set(["solver", "damping"], .number(v)) }
        if let v = o.learningRate { set(["solver", "learningRate"], .number(v)) }
        if let v = o.tolerance { set(["solver", "tolerance"], .number(v)) }
        if let v = o.maxIterations { set(["solver", "maxIterations"], .number(Double(v))) }
        if let v = o.population { set(["population"], .string(v)) }
        if let v = o.inner { set(["solver", "inner"], .string(v)) }
    }

    init(root: DocumentNode, path: String) throws(GameFileError) {
        let r = FieldReader(file: path)
        let top = try r.object(root, "")
        try r.checkKeys(top, known: Self.topKeys, field: "")
        func field(_ key: String) -> DocumentNode? { top.first { $0.key == key }?.value }
        func required(_ key: String) throws(GameFileError) -> DocumentNode {
            guard let node = field(key) else { throw r.error(key, nil, "missing, expected a value (see Docs/Format.md)") }
            return node
        }
        self.path = path

        // name, description
        name = try r.string(try required("name"), "name")
        if let d = field("description"), d.value != .null { summary = try r.string(d, "description") } else { summary = nil }

        // states, actions
        (stateNames, statesNamed) = try r.space(try required("states"), "states", limit: 1_000_000)
        (actionNames, actionsNamed) = try r.space(try required("actions"), "actions", limit: 10_000)
        let n = stateNames.count, m = actionNames.count
        layout = try GameLayout.read(field("layout"), r: r, stateCount: n)

        // discount
        let discountNode = try required("discount")
        discount = try r.number(discountNode, "discount")
        guard discount >= 0, discount < 1 else {
            throw r.error("discount", discountNode, "found \(DocumentValue.format(discount)), expected 0 <= discount < 1")
        }

        // Schema: variables s, a, t, mu; constants states, actions, names, parameters.
        var schema = Schema()
        let slots: Slots
        do throws(ExpressionError) {
            slots = Slots(s: try schema.declareScalar("s"), a: try schema.declareScalar("a"),
                          t: try schema.declareScalar("t"), mu: try schema.declareArray("mu", shape: [n]))
            try schema.declareConstant("states", value: Double(n))
            try schema.declareConstant("actions", value: Double(m))
        } catch {
            throw r.error("", nil, "internal schema error: \(error)")
        }
        for (names, named, key) in [(stateNames, statesNamed, "states"), (actionNames, actionsNamed, "actions")] where named {
            for (k, nm) in names.enumerated() {
                do throws(ExpressionError) {
                    try schema.declareConstant(nm, value: Double(k))
                } catch {
                    throw r.error("\(key)[\(k)]", field(key), "name '\(nm)' cannot be used: \(error.message)")
                }
            }
        }
        let parameterArrays = try r.declareParameters(field("parameters"), into: &schema)
        self.schema = schema
        self.slots = slots

        func compile(_ node: DocumentNode, _ fieldName: String, variables: [String]) throws(GameFileError) -> CompiledExpression {
            let source = try r.expressionSource(node, fieldName)
            do throws(ExpressionError) {
                return try CompiledExpression(source, schema: schema.restricted(toVariables: variables))
            } catch {
                let oneLine = source.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
                    .filter { !$0.isEmpty }.joined(separator: " ")
                throw r.error(fieldName, node, "\(error.description) in '\(oneLine)'")
            }
        }

        // reward
        reward = try compile(try required("reward"), "reward", variables: ["s", "a", "mu"])

        // ambiguity
        var setKind = AmbiguityKind.none
        var support = SupportRestriction.simplex
        var radiusNode = DocumentNode(.number(0))
        var costNode: DocumentNode?
        var weightsNode: DocumentNode?
        if let amb = field("ambiguity"), amb.value != .null {
            let pairs = try r.object(amb, "ambiguity")
            try r.checkKeys(pairs, known: ["set", "radius", "cost", "weights", "support"], field: "ambiguity")
            func sub(_ k: String) -> DocumentNode? { pairs.first { $0.key == k }?.value }
            guard let setNode = sub("set") else { throw r.error("ambiguity.set", amb, "missing, expected one of: \(AmbiguityKind.allCases.map(\.rawValue).joined(separator: ", "))") }
            setKind = AmbiguityKind(rawValue: try r.choice(setNode, "ambiguity.set", AmbiguityKind.allCases.map(\.rawValue))) ?? .none
            if let s = sub("support") {
                support = SupportRestriction(rawValue: try r.choice(s, "ambiguity.support", SupportRestriction.allCases.map(\.rawValue))) ?? .simplex
            }
            if let rn = sub("radius") { radiusNode = rn } else if setKind != .none {
                throw r.error("ambiguity.radius", amb, "missing, expected a number >= 0 or an expression in s, a, mu")
            }
            costNode = sub("cost")
            weightsNode = sub("weights")
        }
        set = setKind
        self.support = support
        radiusSource = (try? r.expressionSource(radiusNode, "ambiguity.radius")) ?? "0"
        radius = try compile(radiusNode, "ambiguity.radius", variables: ["s", "a", "mu"])
        if let c = radius.constantValue, !(c.isFinite && c >= 0) {
            throw r.error("ambiguity.radius", radiusNode, "found \(DocumentValue.format(c)), expected a number >= 0")
        }
        let costExpression = try costNode.map { node throws(GameFileError) in try compile(node, "ambiguity.cost", variables: ["s", "t"]) }
        let weightsExpression = try weightsNode.map { node throws(GameFileError) in try compile(node, "ambiguity.weights", variables: ["t"]) }
        var env = Environment(schema: schema)
        var groundCost: GroundCost?
        var weights: [Double]?
        if setKind == .wasserstein, costExpression == nil {
            throw r.error("ambiguity.cost", field("ambiguity"), "missing, expected a ground cost with c(s, s) = 0 and c(s, t) > 0 for s ≠ t (an expression in s, t) for set wasserstein")
        }
        // A ground cost is checked whichever set is chosen (so that `--set wasserstein` cannot
        // meet an invalid one later); for other sets only up to 1,000 states, where the
        // n x n evaluation is cheap.
        if let costExpression, setKind == .wasserstein || n <= 1_000 {
            guard n <= 5_000 else { throw r.error("ambiguity.cost", costNode, "a \(n)x\(n) ground cost is too large; wasserstein supports up to 5000 states") }
            var matrix = [[Double]](repeating: [Double](repeating: 0, count: n), count: n)
            for s in 0..<n {
                for t in 0..<n {
                    env[slots.s] = Double(s); env[slots.t] = Double(t)
                    let c: Double
                    do throws(ExpressionError) { c = try costExpression.evaluate(in: env) } catch {
                        throw r.error("ambiguity.cost", costNode, "at s=\(stateNames[s]), t=\(stateNames[t]): \(error.message)")
                    }
                    guard c.isFinite, c >= 0 else {
                        throw r.error("ambiguity.cost", costNode, "at s=\(stateNames[s]), t=\(stateNames[t]): found \(c), expected a finite number >= 0")
                    }
                    guard s != t || c == 0 else {
                        throw r.error("ambiguity.cost", costNode, "at s=t=\(stateNames[s]): found \(c), expected c(s, s) = 0")
                    }
                    guard s == t || c > 0 else {
                        throw r.error("ambiguity.cost", costNode, "at s=\(stateNames[s]), t=\(stateNames[t]): found 0, expected a number > 0 for s ≠ t")
                    }
                    matrix[s][t] = c
                }
            }
            do throws(AmbiguityError) {
                let cost = try GroundCost(matrix)
                if setKind == .wasserstein { groundCost = cost }
            } catch {
                throw r.error("ambiguity.cost", costNode, error.description)
            }
        }
        // Weights are checked whichever set is chosen and used only by l1.
        if let weightsExpression {
            var w = [Double](repeating: 1, count: n)
            for t in 0..<n {
                env[slots.t] = Double(t)
                do throws(ExpressionError) { w[t] = try weightsExpression.evaluate(in: env) } catch {
                    throw r.error("ambiguity.weights", weightsNode, "at t=\(stateNames[t]): \(error.message)")
                }
                guard w[t].isFinite, w[t] > 0 else {
                    throw r.error("ambiguity.weights", weightsNode, "at t=\(stateNames[t]): found \(w[t]), expected a finite number > 0")
                }
            }
            if setKind == .l1 { weights = w }
        }
        do throws(AmbiguityError) {
            ambiguity = try AmbiguitySet(kind: setKind, support: support, weights: weights, cost: groundCost)
        } catch {
            throw r.error("ambiguity", field("ambiguity"), error.description)
        }

        // transition
        transition = try Self.readTransition(try required("transition"), r: r, n: n, m: m, stateNames: stateNames,
                                             actionNames: actionNames, parameterArrays: parameterArrays,
                                             compile: compile)

        // population
        if let p = field("population") {
            population = try r.choice(p, "population", ["worst-case", "nominal"]) == "nominal" ? .nominal : .worstCase
        } else {
            population = .worstCase
        }

        // initial
        initial = try r.distribution(field("initial"), "initial", count: n)

        // solver
        var settings = SolverSettings()
        if let sv = field("solver"), sv.value != .null {
            let pairs = try r.object(sv, "solver")
            try r.checkKeys(pairs, known: ["method", "temperature", "damping", "learningRate", "tolerance", "maxIterations", "inner"], field: "solver")
            for (key, node) in pairs {
                let f = "solver.\(key)"
                switch key {
                case "method":
                    settings.method = EquilibriumMethod(rawValue: try r.choice(node, f, EquilibriumMethod.allCases.map(\.rawValue))) ?? .auto
                case "temperature":
                    settings.temperature = try r.number(node, f)
                    guard settings.temperature >= 0 else { throw r.error(f, node, "found \(settings.temperature), expected a number >= 0") }
                case "damping":
                    let d = try r.number(node, f)
                    guard d > 0, d <= 1 else { throw r.error(f, node, "found \(d), expected 0 < damping <= 1") }
                    settings.damping = d
                case "learningRate":
                    settings.learningRate = try r.number(node, f)
                    guard settings.learningRate > 0 else { throw r.error(f, node, "found \(settings.learningRate), expected a number > 0") }
                case "tolerance":
                    settings.tolerance = try r.number(node, f)
                    guard settings.tolerance > 0 else { throw r.error(f, node, "found \(settings.tolerance), expected a number > 0") }
                case "maxIterations":
                    settings.maxIterations = try r.integer(node, f, range: 1...100_000_000)
                case "inner":
                    settings.inner = InnerMethod(rawValue: try r.choice(node, f, InnerMethod.allCases.map(\.rawValue))) ?? .closedForm
                default: break
                }
            }
        }
        solver = settings
    }
}

extension DocumentNode {
    /// A copy with the value at `path` (object keys) replaced, creating mappings as needed.
    func setting(_ path: [String], _ newValue: DocumentNode) -> DocumentNode {
        guard let key = path.first else { return newValue }
        var pairs: [(key: String, value: DocumentNode)]
        if case let .object(existing) = value { pairs = existing } else { pairs = [] }
        if let k = pairs.firstIndex(where: { $0.key == key }) {
            pairs[k].value = pairs[k].value.setting(Array(path.dropFirst()), newValue)
        } else {
            pairs.append((key, DocumentNode(.object([])).setting(Array(path.dropFirst()), newValue)))
        }
        return DocumentNode(.object(pairs), at: position)
    }
}
