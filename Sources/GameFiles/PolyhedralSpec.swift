import Ambiguity
import Expressions

/// A `moment` or `polyhedral` ambiguity set as written by a user: expressions in the
/// state `t` (coefficients, features) and in `s`, `a` (bounds, radii), turned into a
/// numeric `PolyhedralSet` for one nominal row by ``set(nominal:state:action:)``.
///
/// Every expression may use `t` (coefficients and features only), `s`, `a` and the
/// constant `states` (`n`). Errors name the field (`features`, `radius`,
/// `constraints[k].coefficients`, …) and the point where evaluation failed.
public struct PolyhedralSpec: Sendable, Hashable {
    /// Which family.
    public enum Family: String, Sendable, Hashable, CaseIterable {
        /// `|Σ_t (q_t − p_t) f_k(t)| ≤ ε_k`.
        case moment
        /// `Σ_t c_k(t) q_t (≤|=|≥) b_k`.
        case polyhedral
    }

    /// One written constraint.
    public struct Row: Sendable, Hashable {
        /// A name (`c1`, `c2`, … when none is given).
        public var name: String
        /// `c(t)`, an expression.
        public var coefficients: String
        /// `≤`, `=` or `≥`.
        public var relation: LinearRelation
        /// `b`, an expression without `t`.
        public var bound: String

        /// A row as written.
        public init(name: String, coefficients: String, relation: LinearRelation, bound: String) {
            self.name = name
            self.coefficients = coefficients
            self.relation = relation
            self.bound = bound
        }
    }

    /// The family.
    public var family: Family
    /// `moment`: the features `f_k(t)`.
    public var features: [String] = []
    /// `moment`: the radii `ε_k`, one per feature (or one for all).
    public var radii: [String] = []
    /// `polyhedral`: the constraints.
    public var rows: [Row] = []
    /// An optional ball the set is intersected with (`tv`, `l1`, `linf`, `wasserstein`
    /// with the cost `|s − t|/n`), and its radius expression.
    public var within: (kind: AmbiguityKind, radius: String)? {
        get { withinKind.map { ($0, withinRadius) } }
        set { withinKind = newValue?.kind; withinRadius = newValue?.radius ?? "0" }
    }
    private var withinKind: AmbiguityKind?
    private var withinRadius = "0"
    /// Where `q` may put mass.
    public var support: SupportRestriction = .simplex

    /// An empty spec of `family`.
    public init(family: Family) { self.family = family }

    /// The written field a ``PolyhedralSpec/SetError`` names; `description` is its name in messages.
    public enum Field: Sendable, Hashable, CustomStringConvertible {
        /// `features[k]` (1-based).
        case feature(Int)
        /// `radius`, the list as a whole.
        case radii
        /// `radius[k]` (1-based).
        case radius(Int)
        /// `constraints[k].coefficients` (1-based).
        case coefficients(Int)
        /// `constraints[k].bound` (1-based).
        case bound(Int)
        /// `within`, the ball.
        case within
        /// `within.radius`.
        case withinRadius
        /// The set as a whole (its evaluation context, or an unexpected failure).
        case set
        /// A field the Ambiguity module's checks of the numeric set name.
        case ambiguity(AmbiguityError.Field)

        /// The name in messages: `features[2]`, `radius`, `constraints[1].bound`, … or the
        /// Ambiguity field's own name.
        public var description: String {
            switch self {
            case let .feature(k): "features[\(k)]"
            case .radii: "radius"
            case let .radius(k): "radius[\(k)]"
            case let .coefficients(k): "constraints[\(k)].coefficients"
            case let .bound(k): "constraints[\(k)].bound"
            case .within: "within"
            case .withinRadius: "within.radius"
            case .set: "set"
            case let .ambiguity(field): field.description
            }
        }
    }

    /// Why ``PolyhedralSpec/set(nominal:state:action:)`` failed: the field and what was found and expected.
    public struct SetError: Error, Sendable, Equatable, CustomStringConvertible {
        /// The field.
        public var field: Field
        /// What was found and what was expected.
        public var message: String

        /// An error about `field`.
        public init(field: Field, message: String) {
            self.field = field
            self.message = message
        }

        /// `field: message`.
        public var description: String { "\(field): \(message)" }
    }

    /// The moment spec of comma-separated lists, as `rmfg worst-case --features "t,t^2"
    /// --radius 0.1,0.5` gives them (commas inside parentheses do not split).
    ///
    /// - Throws: ``GameFileError`` naming `--features` or `--radius` for an empty list.
    public static func moment(features: String, radii: String, support: SupportRestriction = .simplex) throws(GameFileError) -> PolyhedralSpec {
        var spec = PolyhedralSpec(family: .moment)
        spec.features = splitList(features)
        spec.radii = splitList(radii)
        spec.support = support
        guard !spec.features.isEmpty else { throw GameFileError(file: "", field: "--features", message: "empty, expected comma-separated expressions in t") }
        guard !spec.radii.isEmpty else { throw GameFileError(file: "", field: "--radius", message: "empty, expected one radius per feature (or one for all)") }
        return spec
    }

    /// Splits `text` at commas outside parentheses and brackets, trimming blanks.
    package static func splitList(_ text: String) -> [String] {
        var parts: [String] = [], current = ""
        var depth = 0
        for ch in text {
            switch ch {
            case "(", "[": depth += 1
            case ")", "]": depth -= 1
            default: break
            }
            if ch == ",", depth == 0 {
                parts.append(current)
                current = ""
            } else {
                current.append(ch)
            }
        }
        parts.append(current)
        let trimmed = parts.map { $0.trimmingBlanks }
        return trimmed.allSatisfy(\.isEmpty) ? [] : trimmed
    }

    /// The numeric set of one row: every expression evaluated at `t = 0..<n`, `s`, `a`.
    ///
    /// - Throws: ``SetError`` naming the field whose expression does not compile or
    ///   evaluate, or whose set is invalid (`PolyhedralSet`'s checks).
    public func set(nominal: [Double], state: Int = 0, action: Int = 0) throws(SetError) -> PolyhedralSet {
        let n = nominal.count
        let context = try Context(stateCount: n, state: state, action: action)
        let ball = try withinKind.map { kind throws(SetError) -> AmbiguitySet in
            do throws(AmbiguityError) { return try Self.ball(kind, support: support, stateCount: n) } catch {
                throw SetError(field: .within, message: error.description)
            }
        }
        let ballRadius = withinKind == nil ? 0 : try context.scalar(withinRadius, field: .withinRadius)
        do {
            switch family {
            case .moment:
                let f = try features.enumerated().map { k, source throws(SetError) in
                    try context.vector(source, field: .feature(k + 1))
                }
                guard radii.count == features.count || radii.count == 1 else {
                    throw SetError(field: .radii, message: "\(radii.count) radii for \(features.count) features, expected one per feature or one for all")
                }
                let eps = try features.indices.map { k throws(SetError) in
                    try context.scalar(radii[radii.count == 1 ? 0 : k], field: .radius(k + 1))
                }
                let moment = try PolyhedralSet.moment(features: f, radii: eps, nominal: nominal, support: support)
                return try PolyhedralSet(constraints: moment.constraints, within: ball, radius: ballRadius, support: support)
            case .polyhedral:
                let constraints = try rows.enumerated().map { k, row throws(SetError) in
                    LinearConstraint(name: row.name,
                                     coefficients: try context.vector(row.coefficients, field: .coefficients(k + 1)),
                                     relation: row.relation,
                                     bound: try context.scalar(row.bound, field: .bound(k + 1)))
                }
                return try PolyhedralSet(constraints: constraints, within: ball, radius: ballRadius, support: support)
            }
        } catch let error as AmbiguityError {
            throw SetError(field: .ambiguity(error.field), message: error.message)
        } catch let error as SetError {
            throw error
        } catch {
            throw SetError(field: .set, message: "\(error)")
        }
    }

    /// The ball of `within` on `n` states: `tv`, `l1`, `linf`, or `wasserstein` with the
    /// ground cost `|s − t|/n` (the constraints file's and the C ABI's).
    ///
    /// - Throws: `AmbiguityError` as `AmbiguitySet(kind:support:cost:)`.
    package static func ball(_ kind: AmbiguityKind, support: SupportRestriction, stateCount n: Int) throws(AmbiguityError) -> AmbiguitySet {
        let cost = kind == .wasserstein ? try GroundCost((0..<n).map { s in (0..<n).map { t in Double(abs(s - t)) / Double(n) } }) : nil
        return try AmbiguitySet(kind: kind, support: support, cost: cost)
    }

    /// Specs are equal when every written field is.
    public static func == (a: PolyhedralSpec, b: PolyhedralSpec) -> Bool {
        a.family == b.family && a.features == b.features && a.radii == b.radii && a.rows == b.rows
            && a.withinKind == b.withinKind && a.withinRadius == b.withinRadius && a.support == b.support
    }

    /// Hashes every written field.
    public func hash(into h: inout Hasher) {
        h.combine(family); h.combine(features); h.combine(radii); h.combine(rows)
        h.combine(withinKind); h.combine(withinRadius); h.combine(support)
    }
}

/// The evaluation context of one row: `t`, `s`, `a`, `states`.
private struct Context {
    var schema = Schema()
    let t: ScalarSlot, s: ScalarSlot, a: ScalarSlot
    let n: Int, state: Int, action: Int

    init(stateCount: Int, state: Int, action: Int) throws(PolyhedralSpec.SetError) {
        do {
            t = try schema.declareScalar("t")
            s = try schema.declareScalar("s")
            a = try schema.declareScalar("a")
            try schema.declareConstant("states", value: Double(stateCount))
        } catch {
            throw PolyhedralSpec.SetError(field: .set, message: error.description)
        }
        n = stateCount
        self.state = state
        self.action = action
    }

    func compile(_ source: String, field: PolyhedralSpec.Field, allowT: Bool) throws(PolyhedralSpec.SetError) -> CompiledExpression {
        let schema = allowT ? self.schema : self.schema.hiding(["t"])
        do {
            return try CompiledExpression(source, schema: schema)
        } catch {
            throw PolyhedralSpec.SetError(field: field, message: "\(error.description) in '\(source)'")
        }
    }

    func environment() -> Environment {
        var env = Environment(schema: schema)
        env[s] = Double(state)
        env[a] = Double(action)
        return env
    }

    func scalar(_ source: String, field: PolyhedralSpec.Field) throws(PolyhedralSpec.SetError) -> Double {
        let e = try compile(source, field: field, allowT: false)
        do { return try e.evaluate(in: environment()) } catch {
            throw PolyhedralSpec.SetError(field: field, message: "at s=\(state), a=\(action): \(error.description) in '\(source)'")
        }
    }

    func vector(_ source: String, field: PolyhedralSpec.Field) throws(PolyhedralSpec.SetError) -> [Double] {
        let e = try compile(source, field: field, allowT: true)
        var env = environment()
        var out = [Double](repeating: 0, count: n)
        for i in 0..<n {
            env[t] = Double(i)
            do { out[i] = try e.evaluate(in: env) } catch {
                throw PolyhedralSpec.SetError(field: field, message: "at t=\(i): \(error.description) in '\(source)'")
            }
        }
        return out
    }
}

extension String {
    fileprivate var trimmingBlanks: String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" { s = s.dropLast() }
        return String(s)
    }
}

extension PolyhedralSpec {
    /// Reads a constraints file (YAML, or JSON for a `.json` name; Docs/Format.md):
    ///
    /// ```yaml
    /// set: polyhedral            # or moment
    /// constraints:               # polyhedral
    ///   - {name: mean, coefficients: t, relation: "<=", bound: 1.5}
    /// features: [t, t^2]         # moment
    /// radius: [0.1, 0.5]         # moment
    /// within: {set: tv, radius: 0.1}
    /// support: simplex
    /// ```
    ///
    /// - Throws: ``GameFileError`` naming the file and field.
    public static func load(path: String) throws(GameFileError) -> PolyhedralSpec {
        let text = try DocumentReader.readText(path: path)
        let root = try DocumentReader.parseRoot(text: text, path: path, json: path.hasSuffix(".json"), reference: "Docs/Format.md")
        return try parse(root, reader: FieldReader(file: path))
    }

    /// Interprets a parsed `ambiguity`-like mapping (see ``load(path:)``).
    package static func parse(_ root: DocumentNode, reader r: FieldReader, field prefix: String = "") throws(GameFileError) -> PolyhedralSpec {
        func name(_ key: String) -> String { prefix.isEmpty ? key : "\(prefix).\(key)" }
        let pairs = try r.object(root, prefix)
        try r.checkKeys(pairs, known: ["set", "constraints", "features", "radius", "within", "support"], field: prefix)
        func node(_ key: String) -> DocumentNode? { pairs.first { $0.key == key }?.value }
        guard let setNode = node("set") else { throw r.error(name("set"), root, "missing, expected moment or polyhedral") }
        let family = Family(rawValue: try r.choice(setNode, name("set"), Family.allCases.map(\.rawValue))) ?? .polyhedral
        var spec = PolyhedralSpec(family: family)
        if let support = node("support") {
            spec.support = SupportRestriction(rawValue: try r.choice(support, name("support"), SupportRestriction.allCases.map(\.rawValue))) ?? .simplex
        }
        switch family {
        case .moment:
            guard let features = node("features") else { throw r.error(name("features"), root, "missing, expected a list of expressions in t") }
            spec.features = try expressions(features, name("features"), r)
            guard let radius = node("radius") else { throw r.error(name("radius"), root, "missing, expected one radius per feature") }
            spec.radii = try expressions(radius, name("radius"), r)
            if node("constraints") != nil { throw r.error(name("constraints"), node("constraints"), "given for set 'moment', expected only for 'polyhedral'") }
        case .polyhedral:
            guard let list = node("constraints"), let items = list.value.items, !items.isEmpty else {
                throw r.error(name("constraints"), node("constraints") ?? root, "missing or empty, expected a list of {coefficients, relation, bound}")
            }
            spec.rows = try items.enumerated().map { k, item throws(GameFileError) in try row(item, name("constraints[\(k + 1)]"), k, r) }
            if node("features") != nil { throw r.error(name("features"), node("features"), "given for set 'polyhedral', expected only for 'moment'") }
        }
        if let within = node("within") { spec.within = try ball(within, name("within"), r) }
        return spec
    }

    private static func expressions(_ node: DocumentNode, _ field: String, _ r: FieldReader) throws(GameFileError) -> [String] {
        if let items = node.value.items {
            guard !items.isEmpty else { throw r.error(field, node, "empty list, expected at least one expression") }
            return try items.enumerated().map { k, item throws(GameFileError) in try r.expressionSource(item, "\(field)[\(k + 1)]") }
        }
        return [try r.expressionSource(node, field)]
    }

    private static func row(_ node: DocumentNode, _ field: String, _ k: Int, _ r: FieldReader) throws(GameFileError) -> Row {
        let pairs = try r.object(node, field)
        try r.checkKeys(pairs, known: ["name", "coefficients", "relation", "bound"], field: field)
        func get(_ key: String) throws(GameFileError) -> DocumentNode {
            guard let v = pairs.first(where: { $0.key == key })?.value else {
                throw r.error("\(field).\(key)", node, "missing")
            }
            return v
        }
        let relation = LinearRelation(rawValue: try r.choice(try get("relation"), "\(field).relation", LinearRelation.allCases.map(\.rawValue))) ?? .lessEqual
        let label = try pairs.first { $0.key == "name" }.map { pair throws(GameFileError) in try r.string(pair.value, "\(field).name") }
        return Row(name: label ?? "c\(k + 1)", coefficients: try r.expressionSource(try get("coefficients"), "\(field).coefficients"),
                   relation: relation, bound: try r.expressionSource(try get("bound"), "\(field).bound"))
    }

    private static func ball(_ node: DocumentNode, _ field: String, _ r: FieldReader) throws(GameFileError) -> (kind: AmbiguityKind, radius: String) {
        let pairs = try r.object(node, field)
        try r.checkKeys(pairs, known: ["set", "radius"], field: field)
        let allowed = ["tv", "l1", "linf", "wasserstein"]
        guard let set = pairs.first(where: { $0.key == "set" })?.value else { throw r.error("\(field).set", node, "missing, expected one of: \(allowed.joined(separator: ", "))") }
        let kind = AmbiguityKind(rawValue: try r.choice(set, "\(field).set", allowed)) ?? .tv
        guard let radius = pairs.first(where: { $0.key == "radius" })?.value else { throw r.error("\(field).radius", node, "missing, expected a number >= 0 or an expression in s, a") }
        return (kind, try r.expressionSource(radius, "\(field).radius"))
    }
}
