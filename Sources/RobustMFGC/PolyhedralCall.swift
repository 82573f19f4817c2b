import Ambiguity
import GameFiles
import LinearProgramming
import NumberText

/// A `moment` or `polyhedral` inner problem as `rmfg worst-case --set moment|polyhedral`
/// solves it: a linear program (GLPK, exactly with `exact`), certified by its duals and
/// checked by ``PolyhedralSet/check(_:nominal:values:)``, from checked C arrays. The result
/// carries the fields of `rmfg worst-case --set polyhedral --format json`.
package struct PolyhedralCall: Sendable {
    package let family: PolyhedralSpec.Family
    package let set: PolyhedralSet
    package let exact: Bool
    package let nominal: [Double]
    package let values: [Double]

    /// The rows of the set: `A q (rel) b` (polyhedral; rows `c1`, `c2`, …) or the features
    /// `F` with radii `ε` (moment; one for all rows, or one per row), optionally within a ball.
    package struct Rows: Sendable {
        /// `rows × n` numbers, row-major: `A` or `F`.
        package var matrix: [Double]
        package var count: Int
        /// polyhedral: one relation per row (`<=`, `=`, `>=`), comma-separated.
        package var relations: String?
        /// polyhedral: `b` (one per row); moment: `ε` (one, or one per row).
        package var bounds: [Double]
        /// `tv`, `l1`, `linf` or `wasserstein` (cost `|s − t|/n`), or `nil`; and its radius.
        package var within: String?
        package var withinRadius: Double

        package init(matrix: [Double], count: Int, relations: String?, bounds: [Double], within: String?, withinRadius: Double) {
            (self.matrix, self.count, self.relations, self.bounds) = (matrix, count, relations, bounds)
            (self.within, self.withinRadius) = (within, withinRadius)
        }

        /// Row `k` of the matrix (`n` numbers).
        func row(_ k: Int, n: Int) -> [Double] { Array(matrix[(k * n)..<(k * n + n)]) }
    }

    /// Checks the choices, `p` and `V` (as every set checks them), then builds the set.
    package init(family name: String, support supportName: String, exact: Bool, nominal: [Double], values: [Double],
                 rows: Rows) throws(ABIError) {
        guard let family = PolyhedralSpec.Family(rawValue: name) else {
            throw .input("set", "'\(name)', expected moment or polyhedral")
        }
        guard let support = SupportRestriction(rawValue: supportName) else {
            throw .input("support", "'\(supportName)', expected simplex or nominal")
        }
        do throws(AmbiguityError) {
            // p and V first, so that a NaN is named as such before any row uses p.
            try AmbiguitySet(kind: .tv, support: support).validate(nominal: nominal, values: values, radius: 0)
            let ball = try Self.ball(rows, support: support, n: nominal.count)
            let n = nominal.count
            switch family {
            case .moment:
                guard rows.relations == nil else { throw .invalidArgument(field: .relations, message: "only for set polyhedral") }
                guard rows.bounds.count == 1 || rows.bounds.count == rows.count else {
                    throw .invalidArgument(field: .radius, message: "\(rows.bounds.count) radii for \(rows.count) features, expected one per feature or one for all")
                }
                let eps = (0..<rows.count).map { rows.bounds[rows.bounds.count == 1 ? 0 : $0] }
                let moment = try PolyhedralSet.moment(features: (0..<rows.count).map { rows.row($0, n: n) }, radii: eps,
                                                      nominal: nominal, support: support)
                set = try PolyhedralSet(constraints: moment.constraints, within: ball, radius: rows.withinRadius, support: support)
            case .polyhedral:
                let constraints = try Self.constraints(rows, n: n)
                set = try PolyhedralSet(constraints: constraints, within: ball, radius: rows.withinRadius, support: support)
            }
        } catch {
            throw WorstCaseCall.mapped(error)
        }
        (self.family, self.exact, self.nominal, self.values) = (family, exact, nominal, values)
    }

    /// The ball of `within` (``PolyhedralSpec/ball(_:support:stateCount:)``), or `nil`.
    static func ball(_ rows: Rows, support: SupportRestriction, n: Int) throws(AmbiguityError) -> AmbiguitySet? {
        guard let name = rows.within else { return nil }
        let allowed: [AmbiguityKind] = [.tv, .l1, .linf, .wasserstein]
        guard let kind = AmbiguityKind(rawValue: name), allowed.contains(kind) else {
            throw .invalidArgument(field: .within, message: "'\(name)', expected one of: \(allowed.map(\.rawValue).joined(separator: ", "))")
        }
        return try PolyhedralSpec.ball(kind, support: support, stateCount: n)
    }

    /// `A q (rel) b`, rows named `c1`, `c2`, … as in a constraints file.
    static func constraints(_ rows: Rows, n: Int) throws(AmbiguityError) -> [LinearConstraint] {
        let names = (rows.relations ?? "").split(separator: ",", omittingEmptySubsequences: false)
            .map { String($0.drop { $0 == " " }.reversed().drop { $0 == " " }.reversed()) }
        guard rows.relations != nil, names.count == rows.count else {
            throw .invalidArgument(field: .relations, message: "\(rows.relations == nil ? 0 : names.count) entries, expected \(rows.count) (one per constraint)")
        }
        guard rows.bounds.count == rows.count else {
            throw .invalidArgument(field: .bounds, message: "\(rows.bounds.count) entries, expected \(rows.count) (one per constraint)")
        }
        var out: [LinearConstraint] = []
        for k in 0..<rows.count {
            guard let relation = LinearRelation(rawValue: names[k]) else {
                throw .invalidArgument(field: .relations, message: "entry \(k) is '\(names[k])', expected one of: <=, =, >=")
            }
            out.append(LinearConstraint(name: "c\(k + 1)", coefficients: rows.row(k, n: n), relation: relation, bound: rows.bounds[k]))
        }
        return out
    }

    /// The LP, its certificate check and the fields of `rmfg worst-case --set moment|polyhedral --format json`.
    package func run() throws(ABIError) -> ABIResult {
        let (p, v) = (nominal, values)
        let solved: LPWorstCase
        do throws(AmbiguityError) {
            solved = try set.worstCaseLP(nominal: p, values: v, options: LPOptions(exact: exact))
        } catch {
            if case let .linearProgram(message) = error { throw .input("set", "\(family.rawValue): \(message)") }
            throw WorstCaseCall.mapped(error)
        }
        let check = set.check(solved, nominal: p, values: v)
        var fields: [(String, JSON)] = [("set", .string(family.rawValue)), ("support", .string(set.support.rawValue)),
                                        ("nominal", .numbers(p)), ("values", .numbers(v)),
                                        ("value", .number(solved.value)), ("distribution", .numbers(solved.distribution)),
                                        ("method", .string("lp")), ("certificate", WorstCaseCall.certificate(solved.certificate)),
                                        ("dual", .object(WorstCaseCall.lpDuals(solved))),
                                        ("kktResidual", .number(solved.solution.kktResidual)),
                                        ("exact", .bool(solved.solution.exact))]
        if !check.failures.isEmpty { fields.append(("failures", .array(check.failures.map { .string($0) }))) }
        fields.append(("passed", .bool(check.passed)))
        return ABIResult(json: JSON.object(fields).serialized, arrays: ["distribution": solved.distribution])
    }
}
