import Ambiguity
import Expressions
import Foundation
import MeanField

/// Values given on the command line that replace the file's (`rmfg solve --set …`).
/// Each is applied to the document before it is interpreted, so it is checked
/// exactly like the file's own value (ranges, and the set's own requirements such
/// as a wasserstein ground cost) and errors name the field it replaces. The choices
/// are typed: an invalid name is refused before the file is read.
public struct GameOverrides: Sendable, Hashable {
    /// `ambiguity.set`.
    public var set: AmbiguityKind?
    /// `ambiguity.radius` (a number or an expression in `s, a, mu`).
    public var radius: String?
    /// `ambiguity.support`.
    public var support: SupportRestriction?
    /// `solver.temperature`.
    public var temperature: Double?
    /// `solver.method`.
    public var method: EquilibriumMethod?
    /// `solver.damping`.
    public var damping: Double?
    /// `solver.learningRate`.
    public var learningRate: Double?
    /// `solver.tolerance`.
    public var tolerance: Double?
    /// `solver.maxIterations`.
    public var maxIterations: Int?
    /// `population`.
    public var population: PopulationModel?
    /// `solver.inner`.
    public var inner: InnerMethod?
    /// `ambiguity.ties` (applied to whichever set the file or ``set`` names).
    public var ties: TieRule?
    /// Parameters replaced for one run (`--param NAME=VALUE`), applied in order; each
    /// must name a parameter the file declares.
    public var parameters: [ParameterOverride]
    /// `initial`, the starting mean field (`--initial FILE`): checked like the file's own
    /// value (`n` entries `≥ 0` summing to 1 within `1e-9`), errors naming `--initial`.
    public var initial: [Double]?

    /// No overrides.
    public init(set: AmbiguityKind? = nil, radius: String? = nil, support: SupportRestriction? = nil, temperature: Double? = nil,
                method: EquilibriumMethod? = nil, damping: Double? = nil, learningRate: Double? = nil, tolerance: Double? = nil,
                maxIterations: Int? = nil, population: PopulationModel? = nil, inner: InnerMethod? = nil,
                ties: TieRule? = nil, parameters: [ParameterOverride] = [], initial: [Double]? = nil) {
        self.parameters = parameters
        self.initial = initial
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
        self.ties = ties
    }

    /// A canonical description of the overrides other than the set and the radius
    /// (`key=value` joined by `;`, empty for none; parameters as `param.NAME=…` and the
    /// initial mean field by a digest of its values): part of a sweep shard's identity,
    /// so that shards solved with different settings are never merged.
    package var solverKey: String {
        var parts: [String] = []
        if let support { parts.append("support=\(support.rawValue)") }
        if let temperature { parts.append("temperature=\(temperature)") }
        if let method { parts.append("method=\(method.rawValue)") }
        if let damping { parts.append("damping=\(damping)") }
        if let tolerance { parts.append("tolerance=\(tolerance)") }
        if let maxIterations { parts.append("maxIterations=\(maxIterations)") }
        if let population { parts.append("population=\(population.rawValue)") }
        if let learningRate { parts.append("learningRate=\(learningRate)") }
        if let inner { parts.append("inner=\(inner.rawValue)") }
        if let ties { parts.append("ties=\(ties.rawValue)") }
        for p in parameters { parts.append("param.\(p.name)=\(p.canonicalValue)") }
        if let initial { parts.append("initial=\(ParameterOverride.digest(shape: [initial.count], elements: initial))") }
        return parts.joined(separator: ";")
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
    /// The files the `{file: PATH}` parameters were read from, resolved against the game
    /// file's folder (a parameter that `--param` replaced is not read): inputs that no output
    /// of the command may overwrite.
    public let parameterFilePaths: [String]
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
    /// `ambiguity.ties` (or its override).
    public let ties: TieRule
    /// `ambiguity.radius`, as written.
    public let radiusSource: String
    /// `population`.
    public let population: PopulationModel
    /// `initial`: `nil` for uniform.
    public let initial: [Double]?
    /// The `solver` block.
    public let solver: SolverSettings
    /// The optional `layout` block (a grid of `width × height` cells), for figures; for a
    /// 2-D grid game without one, the grid itself (origin top-left).
    public let layout: GameLayout?
    /// The shape `[W, H]` or `[W, H, D]` of `states: {grid: …}`, else `nil`.
    public let grid: [Int]?
    /// The parameters that size `states.grid`, one per side (`[width, height]` for
    /// `grid: [width, height]`), when every side is a parameter's name; else `nil`
    /// (``CoarseStart`` resizes such a grid).
    public let gridParameters: [String]?

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
    let ambiguitySources: AmbiguitySources
    /// A `moment` or `polyhedral` block, replacing ``set`` (then `none`) and the radius.
    let rowSets: RowSetSource?

    /// `ambiguity.set` as written: ``set``'s name, or `moment` / `polyhedral`.
    public var setName: String { rowSets?.family.rawValue ?? set.rawValue }

    /// Whether `ambiguity.set` is `moment` or `polyhedral` (a per-row polyhedral set,
    /// solved by the LP inner path whatever `solver.inner` says).
    public var hasRowSets: Bool { rowSets != nil }

    struct Slots: Sendable {
        let s: ScalarSlot
        let a: ScalarSlot
        let t: ScalarSlot
        let mu: ArraySlot
    }

    enum TransitionSource: Sendable {
        case expression(CompiledExpression, normalize: Bool)
        case rows([SparseDistribution])  // index s * m + a
        /// `transition.sparse` given as `{targets, probabilities}` arrays: the rows in flat form only.
        case flat(KernelRows)  // row s * m + a
        case successors(SuccessorRule)
    }

    /// The keys Docs/Format.md defines at the top level.
    static let topKeys = ["name", "description", "states", "actions", "discount", "parameters", "let", "reward",
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
        try applyOverrides(overrides, to: &root, path: path)
        return try GameFile(root: root, path: path, initialOverridden: overrides.initial != nil, ties: overrides.ties)
    }

    static func applyOverrides(_ o: GameOverrides, to root: inout DocumentNode, path: String) throws(GameFileError) {
        func set(_ path: [String], _ value: DocumentValue) {
            root = root.setting(path, DocumentNode(value))
        }
        try applyParameters(o.parameters, to: &root, path: path)
        if let v = o.initial { set(["initial"], ParameterOverride.node(shape: [v.count], elements: v)) }
        if let v = o.set { set(["ambiguity", "set"], .string(v.rawValue)) }
        if let v = o.radius { set(["ambiguity", "radius"], Double(v).map { .number($0) } ?? .string(v)) }
        if let v = o.support { set(["ambiguity", "support"], .string(v.rawValue)) }
        if let v = o.temperature { set(["solver", "temperature"], .number(v)) }
        if let v = o.method { set(["solver", "method"], .string(v.rawValue)) }
        if let v = o.damping { set(["solver", "damping"], .number(v)) }
        if let v = o.learningRate { set(["solver", "learningRate"], .number(v)) }
        if let v = o.tolerance { set(["solver", "tolerance"], .number(v)) }
        if let v = o.maxIterations { set(["solver", "maxIterations"], .number(Double(v))) }
        if let v = o.population { set(["population"], .string(v.rawValue)) }
        if let v = o.inner { set(["solver", "inner"], .string(v.rawValue)) }
    }

    /// Replaces `parameters.NAME` for every override; a name the file does not declare is an
    /// error listing the names it does.
    static func applyParameters(_ overrides: [ParameterOverride], to root: inout DocumentNode, path: String) throws(GameFileError) {
        guard !overrides.isEmpty else { return }
        var known: [String] = []
        if case let .object(top) = root.value, let p = top.first(where: { $0.key == "parameters" })?.value, case let .object(ps) = p.value {
            known = ps.map(\.key)
        }
        for o in overrides {
            guard known.contains(o.name) else {
                let list = known.isEmpty ? "the file declares no parameters" : "known: \(known.joined(separator: ", "))"
                throw GameFileError(file: path, field: "--param", message: "'\(o.name)' is not a parameter of the game (\(list))",
                                    override: .parameters)
            }
            root = root.setting(["parameters", o.name], DocumentNode(ParameterOverride.node(shape: o.shape, elements: o.elements)))
        }
    }

    init(root: DocumentNode, path: String, initialOverridden: Bool = false, ties tiesOverride: TieRule? = nil) throws(GameFileError) {
        let reader = try GameFileReader(root: root, path: path)
        let r = reader.r
        self.path = path
        parameterFilePaths = r.parameterFiles.values.sorted()
        (name, summary) = try reader.readNames()
        (stateNames, statesNamed, grid) = try reader.readStates()
        gridParameters = grid == nil ? nil : reader.gridSideParameters()
        (actionNames, actionsNamed) = try r.space(try reader.required("actions"), "actions", limit: 10_000)
        layout = try GameLayout.read(reader.field("layout"), r: r, stateCount: stateNames.count, grid: grid)
        discount = try reader.readDiscount()
        let declared = try reader.declareSchema(states: stateNames, statesNamed: statesNamed,
                                                actions: actionNames, actionsNamed: actionsNamed, grid: grid)
        var schema = declared.schema
        let noiseSlot = try Self.declareNoise(reader.field("transition"), into: &schema, r: r)
        try reader.declareBindings(into: &schema)  // after `e`: a binding may use every variable
        self.schema = schema
        slots = declared.slots
        func compile(_ node: DocumentNode, _ fieldName: String, variables: [String]) throws(GameFileError) -> CompiledExpression {
            try GameFileReader.compile(node, fieldName, variables: variables, schema: schema, reader: r)
        }
        reward = try compile(try reader.required("reward"), "reward", variables: ["s", "a", "mu"])
        let amb = try Self.readAmbiguity(reader, schema: schema, slots: declared.slots, stateNames: stateNames,
                                         ties: tiesOverride)
        let source = try reader.field("ambiguity").flatMap { node throws(GameFileError) in
            RowSetSource.family(of: node) == nil ? nil : try RowSetSource.read(node, reader: r, schema: schema, slots: declared.slots)
        }
        rowSets = source
        (set, radius, ambiguity, ambiguitySources) = (amb.0, amb.3, amb.4, amb.5)
        ties = ambiguity.ties
        support = source?.support ?? amb.1
        radiusSource = source?.summary ?? amb.2
        transition = try Self.readTransition(try reader.required("transition"), r: r, n: stateNames.count, m: actionNames.count,
                                             stateNames: stateNames, actionNames: actionNames,
                                             parameterArrays: declared.parameterArrays, noiseSlot: noiseSlot, compile: compile)
        population = try reader.readPopulation()
        initial = try Self.readInitial(reader.field("initial"), r: r, overridden: initialOverridden, count: stateNames.count)
        solver = try reader.readSolver()
        try Self.checkTies(ambiguity, inner: solver.inner, rowSets: source, reader: reader)
    }

    /// The starting mean field; when `--initial` replaced it, an error names `--initial` (and
    /// the entry, `--initial[1]`) and says it concerns the override.
    static func readInitial(_ node: DocumentNode?, r: FieldReader, overridden: Bool, count: Int) throws(GameFileError) -> [Double]? {
        guard overridden else { return try r.distribution(node, "initial", count: count) }
        do { return try r.distribution(node, "", count: count) } catch {
            var e = error.concerning(.initial(entry: error.field))
            e.field = "--initial" + error.field
            throw e
        }
    }

    /// `ties: split` needs the closed forms: refused with `moment`/`polyhedral` sets and
    /// with `solver.inner: lp`.
    static func checkTies(_ set: AmbiguitySet, inner: InnerMethod, rowSets: RowSetSource?, reader: GameFileReader) throws(GameFileError) {
        guard set.ties == .split else { return }
        if let rowSets {
            throw reader.r.error("ambiguity.ties", reader.field("ambiguity"),
                                 "split is not available for \(rowSets.family.rawValue) sets (solved by LP), expected index")
        }
        if inner == .lp, set.splitsTies {
            throw reader.r.error("ambiguity.ties", reader.field("ambiguity"),
                                 "split is not available with solver.inner: lp (the LP path reports the index tie-break), expected index or solver.inner: closed-form")
        }
    }

    /// The `ambiguity` block: the set, its support and radius, and the set with its
    /// weights and ground cost. A ground cost is checked whichever set is chosen (so that
    /// `--set wasserstein` cannot meet an invalid one later); for other sets only up to
    /// 1,000 states, where the n x n evaluation is cheap. Weights are checked whichever
    /// set is chosen and used only by l1.
    static func readAmbiguity(_ reader: GameFileReader, schema: Schema, slots: Slots, stateNames: [String],
                              ties tiesOverride: TieRule?) throws(GameFileError)
        -> (AmbiguityKind, SupportRestriction, String, CompiledExpression, AmbiguitySet, AmbiguitySources) {
        let r = reader.r, n = stateNames.count
        let keys = try reader.readAmbiguityKeys()
        func compile(_ node: DocumentNode, _ fieldName: String, _ variables: [String]) throws(GameFileError) -> CompiledExpression {
            try GameFileReader.compile(node, fieldName, variables: variables, schema: schema, reader: r)
        }
        let radiusSource = (try? r.expressionSource(keys.radius, "ambiguity.radius")) ?? "0"
        let radius = try compile(keys.radius, "ambiguity.radius", ["s", "a", "mu"])
        if let c = radius.constantValue, !(c.isFinite && c >= 0) {
            throw r.error("ambiguity.radius", keys.radius, "found \(DocumentValue.format(c)), expected a number >= 0")
        }
        let cost = try keys.cost.map { node throws(GameFileError) in (try compile(node, "ambiguity.cost", ["s", "t"]), node) }
        let weightsExpression = try keys.weights.map { node throws(GameFileError) in try compile(node, "ambiguity.weights", ["t"]) }
        if keys.set == .wasserstein, cost == nil {
            throw r.error("ambiguity.cost", reader.field("ambiguity"), "missing, expected a ground cost with c(s, s) = 0 and c(s, t) > 0 for s ≠ t (an expression in s, t) for set wasserstein")
        }
        var groundCost: GroundCost?
        if let cost, keys.set == .wasserstein || n <= 1_000 {
            let checked = try GameFileReader.groundCost(cost, schema: schema, slots: slots, stateNames: stateNames, reader: r)
            if keys.set == .wasserstein { groundCost = checked }
        }
        var weights: [Double]?
        if let weightsExpression, let node = keys.weights {
            weights = try GameFileReader.weights(weightsExpression, node: node, schema: schema, slots: slots, stateNames: stateNames, reader: r)
        }
        let sources = AmbiguitySources(node: reader.field("ambiguity"), cost: cost, weights: weights)
        let set: AmbiguitySet
        do throws(AmbiguityError) {
            set = try AmbiguitySet(kind: keys.set, support: keys.support, weights: keys.set == .l1 ? weights : nil, cost: groundCost,
                                   ties: tiesOverride ?? keys.ties)
        } catch {
            throw Self.ambiguityError(error, node: sources.node, reader: r)
        }
        return (keys.set, keys.support, radiusSource, radius, set, sources)
    }

    /// The ambiguity set of kind `kind` with this file's support, `l1` weights and
    /// wasserstein ground cost: the file's own set when `kind` is its set; for
    /// wasserstein without `ambiguity.cost`, the cost `defaultCost` returns (called only
    /// then; an error naming `ambiguity.cost` when it returns `nil`). Used by sweeps,
    /// which solve one game under several sets.
    ///
    /// - Throws: ``GameFileError`` naming `ambiguity.cost` (an invalid or too large
    ///   ground cost, or none) or `ambiguity`.
    public func ambiguitySet(_ kind: AmbiguityKind, defaultCost: () -> GroundCost? = { nil }) throws(GameFileError) -> AmbiguitySet {
        if kind == set { return ambiguity }
        let r = FieldReader(file: path)
        var cost: GroundCost?
        if kind == .wasserstein {
            if let source = ambiguitySources.cost {
                cost = try GameFileReader.groundCost(source, schema: schema, slots: slots, stateNames: stateNames, reader: r)
            } else if let fallback = defaultCost() {
                cost = fallback
            } else {
                throw r.error("ambiguity.cost", ambiguitySources.node, "missing, expected a ground cost with c(s, s) = 0 and c(s, t) > 0 for s ≠ t (an expression in s, t) for set wasserstein")
            }
        }
        do throws(AmbiguityError) {
            return try AmbiguitySet(kind: kind, support: support, weights: kind == .l1 ? ambiguitySources.weights : nil, cost: cost,
                                    ties: ties)
        } catch {
            throw Self.ambiguityError(error, node: ambiguitySources.node, reader: r)
        }
    }

    /// An error of the set's constructor as a game-file error: `ambiguity.ties` for a
    /// refused tie rule, else `ambiguity`.
    static func ambiguityError(_ error: AmbiguityError, node: DocumentNode?, reader r: FieldReader) -> GameFileError {
        if case let .invalidArgument(field, message) = error, field == .ties {
            return r.error("ambiguity.ties", node, message)
        }
        return r.error("ambiguity", node, error.description)
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
