import Ambiguity
import Expressions
import MeanField

/// The `ambiguity` block as read: the set, and what ``GameFile/ambiguitySet(_:defaultCost:)``
/// needs to build a set of another kind from the same file.
struct AmbiguitySources: Sendable {
    /// The block's node (for positions in errors), `nil` when the file has none.
    let node: DocumentNode?
    /// `ambiguity.cost`, compiled, with its node.
    let cost: (expression: CompiledExpression, node: DocumentNode)?
    /// `ambiguity.weights`, evaluated and checked (whichever set the file chose).
    let weights: [Double]?
}

/// Reads one mean-field game document (Docs/Format.md) in named phases; each
/// phase throws a ``GameFileError`` naming the field.
struct GameFileReader {
    let r: FieldReader
    let top: [(key: String, value: DocumentNode)]

    init(root: DocumentNode, path: String) throws(GameFileError) {
        var reader = FieldReader(file: path)
        top = try reader.object(root, "")
        try reader.checkKeys(top, known: GameFile.topKeys, field: "")
        reader.parameterFiles = reader.fileParameters(top.first { $0.key == "parameters" }?.value)
        r = reader
    }

    func field(_ key: String) -> DocumentNode? { top.first { $0.key == key }?.value }

    func required(_ key: String) throws(GameFileError) -> DocumentNode {
        guard let node = field(key) else { throw r.error(key, nil, "missing, expected a value (see Docs/Format.md)") }
        return node
    }

    /// `name` and `description`.
    func readNames() throws(GameFileError) -> (name: String, summary: String?) {
        let name = try r.string(try required("name"), "name")
        guard let d = field("description"), d.value != .null else { return (name, nil) }
        return (name, try r.string(d, "description"))
    }

    /// `discount`, in `[0, 1)`.
    func readDiscount() throws(GameFileError) -> Double {
        let node = try required("discount")
        let discount = try r.number(node, "discount")
        guard discount >= 0, discount < 1 else {
            throw r.error("discount", node, "found \(DocumentValue.format(discount)), expected 0 <= discount < 1")
        }
        return discount
    }

    /// The schema: variables `s, a, t, mu`; constants `states`, `actions`, the names and the parameters
    /// (the caller declares the noise variable `e`, if any, and then the `let` bindings).
    func declareSchema(states: [String], statesNamed: Bool, actions: [String], actionsNamed: Bool, grid: [Int]? = nil) throws(GameFileError)
        -> (schema: Schema, slots: GameFile.Slots, parameterArrays: [String: (shape: [Int], elements: [Double])]) {
        var schema = Schema()
        let slots: GameFile.Slots
        do throws(ExpressionError) {
            slots = GameFile.Slots(s: try schema.declareScalar("s"), a: try schema.declareScalar("a"),
                                   t: try schema.declareScalar("t"), mu: try schema.declareArray("mu", shape: [states.count]))
            try schema.declareConstant("states", value: Double(states.count))
            try schema.declareConstant("actions", value: Double(actions.count))
        } catch {
            throw r.error("", nil, "internal schema error: \(error)")
        }
        for (names, named, key) in [(states, statesNamed, "states"), (actions, actionsNamed, "actions")] where named {
            for (k, nm) in names.enumerated() {
                do throws(ExpressionError) {
                    try schema.declareConstant(nm, value: Double(k))
                } catch {
                    throw r.error("\(key)[\(k)]", field(key), "name '\(nm)' cannot be used: \(error.message)")
                }
            }
        }
        if let grid { try declareGrid(grid, slots: slots, into: &schema) }
        let parameterArrays = try r.declareParameters(field("parameters"), into: &schema, readOnly: transitionOnlyArrays())
        return (schema, slots, parameterArrays)
    }

    /// The parameters that `transition.sparse: {targets, probabilities}` names and nothing else
    /// in the document mentions: they are read for the kernel rows and dropped afterwards
    /// instead of staying in the schema as constants (two `n·m·k` arrays of numbers, 800 MB for
    /// a 10⁶-state garnet; Docs/Performance.md, section 10). Conservative: a name found as a
    /// word of any other string or key (expressions, bindings, state and action names, the
    /// description, file paths) stays declared, as does `e` (the noise variable).
    func transitionOnlyArrays() -> Set<String> {
        guard let transition = field("transition"), case let .object(kinds) = transition.value,
              let sparse = kinds.first(where: { $0.key == "sparse" })?.value, case let .object(parts) = sparse.value
        else { return [] }
        var candidates = Set<String>()
        for (key, node) in parts where key == "targets" || key == "probabilities" {
            if case let .string(name) = node.value { candidates.insert(name) }
        }
        candidates.remove("e")
        guard !candidates.isEmpty else { return [] }
        var words = Set<String>()
        for (key, node) in top {
            words.formUnion(Self.words(of: key))
            switch key {
            case "parameters":  // the values only: every parameter's own name is a key here
                if case let .object(parameters) = node.value { for (_, value) in parameters { Self.collectWords(value, into: &words) } }
            case "transition":  // all but the two names themselves
                for (kind, value) in kinds {
                    words.formUnion(Self.words(of: kind))
                    guard kind == "sparse" else { Self.collectWords(value, into: &words); continue }
                    for (part, reference) in parts {
                        words.formUnion(Self.words(of: part))
                        if part != "targets", part != "probabilities" { Self.collectWords(reference, into: &words) }
                    }
                }
            default:
                Self.collectWords(node, into: &words)
            }
        }
        return candidates.subtracting(words)
    }

    /// Every word of every string and key under `node`.
    static func collectWords(_ node: DocumentNode, into words: inout Set<String>) {
        switch node.value {
        case let .string(text): words.formUnion(Self.words(of: text))
        case let .array(items): for item in items { collectWords(item, into: &words) }
        case let .object(pairs):
            for (key, value) in pairs {
                words.formUnion(Self.words(of: key))
                collectWords(value, into: &words)
            }
        case .null, .bool, .number, .numbers: break
        }
    }

    /// The maximal runs of `text` without an ASCII byte other than a letter, a digit or `_`
    /// (names are ASCII; other bytes are kept inside words, which only makes fewer matches).
    static func words(of text: String) -> [String] {
        var words: [String] = []
        var current: [UInt8] = []
        for byte in text.utf8 {
            let ascii = byte < 0x80
            let nameByte = (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || byte == 0x5F
            if !ascii || nameByte {
                current.append(byte)
            } else if !current.isEmpty {
                words.append(String(decoding: current, as: UTF8.self))
                current.removeAll(keepingCapacity: true)
            }
        }
        if !current.isEmpty { words.append(String(decoding: current, as: UTF8.self)) }
        return words
    }

    /// Compiles the expression at `node` with only `variables` visible; errors quote it on one line.
    static func compile(_ node: DocumentNode, _ fieldName: String, variables: [String], schema: Schema,
                        reader r: FieldReader) throws(GameFileError) -> CompiledExpression {
        let source = try r.expressionSource(node, fieldName)
        let view = schema.restricted(toVariables: variables)
        do throws(ExpressionError) {
            return try CompiledExpression(source, schema: view)
        } catch {
            throw r.error(fieldName, node, compileMessage(error, field: fieldName, view: view, source: source))
        }
    }

    /// The `ambiguity` block's keys: the set, the support and the nodes of radius, cost and weights.
    func readAmbiguityKeys() throws(GameFileError)
        -> (set: AmbiguityKind, support: SupportRestriction, radius: DocumentNode, cost: DocumentNode?, weights: DocumentNode?,
            ties: TieRule) {
        guard let amb = field("ambiguity"), amb.value != .null, RowSetSource.family(of: amb) == nil else {
            return (.none, .simplex, DocumentNode(.number(0)), nil, nil, .index)
        }
        let pairs = try r.object(amb, "ambiguity")
        try r.checkKeys(pairs, known: ["set", "radius", "cost", "weights", "support", "ties"], field: "ambiguity")
        func sub(_ k: String) -> DocumentNode? { pairs.first { $0.key == k }?.value }
        guard let setNode = sub("set") else {
            throw r.error("ambiguity.set", amb, "missing, expected one of: \(AmbiguityKind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let set = AmbiguityKind(rawValue: try r.choice(setNode, "ambiguity.set", AmbiguityKind.allCases.map(\.rawValue))) ?? .none
        var support = SupportRestriction.simplex
        if let s = sub("support") {
            support = SupportRestriction(rawValue: try r.choice(s, "ambiguity.support", SupportRestriction.allCases.map(\.rawValue))) ?? .simplex
        }
        var radius = DocumentNode(.number(0))
        if let rn = sub("radius") { radius = rn } else if set != .none {
            throw r.error("ambiguity.radius", amb, "missing, expected a number >= 0 or an expression in s, a, mu")
        }
        var ties = TieRule.index
        if let node = sub("ties") {
            ties = TieRule(rawValue: try r.choice(node, "ambiguity.ties", TieRule.allCases.map(\.rawValue))) ?? .index
        }
        return (set, support, radius, sub("cost"), sub("weights"), ties)
    }

    /// `ambiguity.cost` at every `(s, t)`, each entry checked (`c(s, s) = 0`, `c(s, t) > 0` for `s ≠ t`).
    static func groundCost(_ cost: (expression: CompiledExpression, node: DocumentNode), schema: Schema, slots: GameFile.Slots,
                           stateNames: [String], reader r: FieldReader) throws(GameFileError) -> GroundCost {
        let n = stateNames.count
        guard n <= 5_000 else { throw r.error("ambiguity.cost", cost.node, "a \(n)x\(n) ground cost is too large; wasserstein supports up to 5000 states") }
        var env = Environment(schema: schema)
        let matrix: [[Double]]
        do throws(GroundCostExpressionError) {
            matrix = try GroundCostExpression.tabulate(cost.expression, in: &env, s: slots.s, t: slots.t, count: n, checked: true)
        } catch {
            let message: String
            switch error {
            case let .evaluation(s, t, e): message = "at s=\(stateNames[s]), t=\(stateNames[t]): \(e.fieldMessage)"
            case let .entry(s, t, c): message = "at s=\(stateNames[s]), t=\(stateNames[t]): found \(c), expected a finite number >= 0"
            case let .diagonal(s, c): message = "at s=t=\(stateNames[s]): found \(c), expected c(s, s) = 0"
            case let .zeroOffDiagonal(s, t): message = "at s=\(stateNames[s]), t=\(stateNames[t]): found 0, expected a number > 0 for s ≠ t"
            case let .compilation(e): message = e.description
            }
            throw r.error("ambiguity.cost", cost.node, message)
        }
        do throws(AmbiguityError) { return try GroundCost(matrix) } catch {
            throw r.error("ambiguity.cost", cost.node, error.description)
        }
    }

    /// `ambiguity.weights` at every `t`, each finite and `> 0`.
    static func weights(_ expression: CompiledExpression, node: DocumentNode, schema: Schema, slots: GameFile.Slots,
                        stateNames: [String], reader r: FieldReader) throws(GameFileError) -> [Double] {
        var env = Environment(schema: schema)
        var w = [Double](repeating: 1, count: stateNames.count)
        for t in stateNames.indices {
            env[slots.t] = Double(t)
            do throws(ExpressionError) { w[t] = try expression.evaluate(in: env) } catch {
                throw r.error("ambiguity.weights", node, "at t=\(stateNames[t]): \(error.fieldMessage)")
            }
            guard w[t].isFinite, w[t] > 0 else {
                throw r.error("ambiguity.weights", node, "at t=\(stateNames[t]): found \(w[t]), expected a finite number > 0")
            }
        }
        return w
    }

    /// `population`.
    func readPopulation() throws(GameFileError) -> PopulationModel {
        guard let p = field("population") else { return .worstCase }
        return try r.choice(p, "population", ["worst-case", "nominal"]) == "nominal" ? .nominal : .worstCase
    }

    /// The `solver` block.
    func readSolver() throws(GameFileError) -> SolverSettings {
        var settings = SolverSettings()
        guard let sv = field("solver"), sv.value != .null else { return settings }
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
        return settings
    }
}
