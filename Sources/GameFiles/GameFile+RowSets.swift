import Ambiguity
import Expressions
import MeanField

/// A game file's `moment` or `polyhedral` ambiguity block (Docs/Format.md), its
/// expressions compiled against the game's schema: features and coefficients in
/// `t, s, a, mu`, radii and bounds in `s, a, mu`. ``set(_:_:_:_:)`` evaluates them for
/// one row in `O(n)` per feature or constraint.
struct RowSetSource: Sendable {
    /// One compiled constraint.
    struct Row: Sendable {
        let name: String
        let field: String
        let coefficients: CompiledExpression
        let relation: LinearRelation
        let bound: CompiledExpression
    }

    let family: PolyhedralSpec.Family
    let support: SupportRestriction
    /// `moment`: `(feature, radius)` pairs with their field names.
    let moments: [(feature: CompiledExpression, radius: CompiledExpression, index: Int, radiusField: String)]
    /// `polyhedral`: the constraints.
    let rows: [Row]
    /// The optional ball and its radius.
    let within: (set: AmbiguitySet, radius: CompiledExpression)?
    let bind: GameFile.RowBinder
    /// The radii (`moment`) or the constraint count (`polyhedral`), for reports.
    let summary: String

    /// The family named by `ambiguity.set`, when it is `moment` or `polyhedral`.
    static func family(of ambiguity: DocumentNode?) -> PolyhedralSpec.Family? {
        guard let ambiguity, case let .object(pairs) = ambiguity.value,
              let set = pairs.first(where: { $0.key == "set" })?.value, case let .string(name) = set.value else { return nil }
        return PolyhedralSpec.Family(rawValue: name)
    }

    /// Reads and compiles the block at `node`; errors name the field (`ambiguity.features[2]`, …).
    static func read(_ node: DocumentNode, reader r: FieldReader, schema: Schema, slots: GameFile.Slots) throws(GameFileError) -> RowSetSource {
        let spec = try PolyhedralSpec.parse(node, reader: r, field: "ambiguity")
        func compile(_ source: String, _ field: String, withT: Bool) throws(GameFileError) -> CompiledExpression {
            let variables = withT ? ["t", "s", "a", "mu"] : ["s", "a", "mu"]
            let view = schema.restricted(toVariables: variables)
            do throws(ExpressionError) {
                return try CompiledExpression(source, schema: view)
            } catch {
                throw r.error(field, node, GameFileReader.compileMessage(error, field: field, view: view, source: source))
            }
        }
        var moments: [(feature: CompiledExpression, radius: CompiledExpression, index: Int, radiusField: String)] = []
        if spec.family == .moment {
            guard spec.radii.count == spec.features.count || spec.radii.count == 1 else {
                throw r.error("ambiguity.radius", node, "\(spec.radii.count) radii for \(spec.features.count) features, expected one per feature (or one for all)")
            }
            for (k, f) in spec.features.enumerated() {
                let radiusField = spec.radii.count == 1 ? "ambiguity.radius" : "ambiguity.radius[\(k + 1)]"
                moments.append((try compile(f, "ambiguity.features[\(k + 1)]", withT: true),
                                try compile(spec.radii[spec.radii.count == 1 ? 0 : k], radiusField, withT: false), k + 1, radiusField))
            }
        }
        let rows = try spec.rows.enumerated().map { k, row throws(GameFileError) in
            let field = "ambiguity.constraints[\(k + 1)]"
            return Row(name: row.name, field: field, coefficients: try compile(row.coefficients, "\(field).coefficients", withT: true),
                       relation: row.relation, bound: try compile(row.bound, "\(field).bound", withT: false))
        }
        var within: (set: AmbiguitySet, radius: CompiledExpression)?
        if let ball = spec.within {
            guard ball.kind != .wasserstein else {
                throw r.error("ambiguity.within.set", node, "wasserstein is not supported inside a game's polyhedral set, expected tv, l1 or linf")
            }
            let radius = try compile(ball.radius, "ambiguity.within.radius", withT: false)
            do throws(AmbiguityError) {
                within = (try AmbiguitySet(kind: ball.kind, support: spec.support), radius)
            } catch {
                throw r.error("ambiguity.within", node, error.description)
            }
        }
        let bind = GameFile.RowBinder(template: Environment(schema: schema), slots: slots)
        let summary = spec.family == .moment ? "[\(spec.radii.joined(separator: ", "))] on [\(spec.features.joined(separator: ", "))]"
            : "\(rows.count) constraint\(rows.count == 1 ? "" : "s")"
        let ballText = spec.within.map { " within \($0.kind.rawValue) \($0.radius)" } ?? ""
        return RowSetSource(family: spec.family, support: spec.support, moments: moments, rows: rows, within: within, bind: bind,
                            summary: summary + ballText)
    }

    /// The set of row `(s, a)` at `μ` with nominal `p`.
    ///
    /// - Throws: `AmbiguityError.invalidArgument` naming the field whose expression
    ///   failed or whose set is invalid.
    func set(_ s: Int, _ a: Int, _ mu: [Double], _ p: [Double]) throws(AmbiguityError) -> PolyhedralSet {
        var env: Environment
        do throws(ExpressionError) { env = try bind(s, a, mu) } catch {
            throw .invalidArgument(field: .document("ambiguity"), message: error.message)
        }
        let n = p.count
        func scalar(_ e: CompiledExpression, _ field: String) throws(AmbiguityError) -> Double {
            do throws(ExpressionError) { return try e.evaluate(in: env) } catch {
                throw .invalidArgument(field: .document(field), message: error.fieldMessage)
            }
        }
        func vector(_ e: CompiledExpression, _ field: String) throws(AmbiguityError) -> [Double] {
            var out = [Double](repeating: 0, count: n)
            for t in 0..<n {
                env[bind.slots.t] = Double(t)
                do throws(ExpressionError) { out[t] = try e.evaluate(in: env) } catch {
                    throw .invalidArgument(field: .document(field), message: "at t=\(t): \(error.fieldMessage)")
                }
            }
            return out
        }
        let ballRadius = try within.map { w throws(AmbiguityError) in try scalar(w.radius, "ambiguity.within.radius") } ?? 0
        switch family {
        case .moment:
            var features: [[Double]] = [], radii: [Double] = []
            for m in moments {
                features.append(try vector(m.feature, "ambiguity.features[\(m.index)]"))
                radii.append(try scalar(m.radius, m.radiusField))
            }
            let moment = try PolyhedralSet.moment(features: features, radii: radii, nominal: p, support: support)
            return try PolyhedralSet(constraints: moment.constraints, within: within?.set, radius: ballRadius, support: support)
        case .polyhedral:
            var constraints: [LinearConstraint] = []
            for row in rows {
                constraints.append(LinearConstraint(name: row.name, coefficients: try vector(row.coefficients, "\(row.field).coefficients"),
                                                    relation: row.relation, bound: try scalar(row.bound, "\(row.field).bound")))
            }
            return try PolyhedralSet(constraints: constraints, within: within?.set, radius: ballRadius, support: support)
        }
    }
}
