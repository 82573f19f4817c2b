import Ambiguity
import GameFiles
import LinearProgramming
import NumberText

/// One inner problem `σ = min_{q∈U} q·V` as `rmfg worst-case` solves it, from checked
/// C arguments; the result carries the same JSON fields as `rmfg worst-case --format json`.
package struct WorstCaseCall: Sendable {
    package enum Method: String, Sendable { case closedForm = "closed-form", lp, both }

    package let set: AmbiguitySet
    package let method: Method
    package let exact: Bool
    package let nominal: [Double]
    package let values: [Double]
    package let radius: Double

    /// Phase 1: the choices, then the set (weights for l1, the ground cost for wasserstein).
    package static func set(kind kindName: String, support supportName: String, n: Int, weights: [Double]?,
                            cost: [Double]?, costExpression: String?) throws(ABIError) -> AmbiguitySet {
        guard let kind = AmbiguityKind(rawValue: kindName) else {
            throw .input("set", "'\(kindName)', expected one of: \(AmbiguityKind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard let support = SupportRestriction(rawValue: supportName) else {
            throw .input("support", "'\(supportName)', expected simplex or nominal")
        }
        if weights != nil, kind != .l1 { throw .input("weights", "only for set l1") }
        if cost != nil || costExpression != nil, kind != .wasserstein { throw .input("cost", "only for set wasserstein") }
        if let k = weights?.firstIndex(where: { !($0.isFinite && $0 > 0) }) {
            throw .input("weights", "entry \(k) is \(weights?[k] ?? 0), expected a finite number > 0")
        }
        let ground = kind == .wasserstein ? try groundCost(n: n, matrix: cost, expression: costExpression) : nil
        do { return try AmbiguitySet(kind: kind, support: support, weights: weights, cost: ground) } catch {
            throw mapped(error)
        }
    }

    /// The wasserstein ground cost: a row-major `n × n` matrix, or an expression in `s`, `t`
    /// (default `abs(s - t)`, as `rmfg worst-case`), by ``GroundCostExpression``.
    static func groundCost(n: Int, matrix: [Double]?, expression: String?) throws(ABIError) -> GroundCost {
        var rows: [[Double]]
        if let matrix {
            rows = (0..<n).map { Array(matrix[($0 * n)..<($0 * n + n)]) }
        } else {
            let source = expression ?? "abs(s - t)"
            do { rows = try GroundCostExpression.matrix(source, states: n) } catch {
                switch error {
                case let .compilation(e): throw .input("cost", "\(e.description) in '\(source)'")
                case let .evaluation(s, t, e): throw .input("cost", "at s=\(s), t=\(t): \(e.message) in '\(source)'")
                default: throw .input("cost", "\(error) in '\(source)'")
                }
            }
        }
        do { return try GroundCost(rows) } catch { throw mapped(error) }
    }

    package init(set: AmbiguitySet, method methodName: String, exact: Bool, nominal: [Double], values: [Double],
                 radius: Double) throws(ABIError) {
        guard let method = Method(rawValue: methodName) else {
            throw .input("method", "'\(methodName)', expected closed-form, lp or both")
        }
        if exact, method == .closedForm { throw .input("exact", "applies to the LP; use method lp or both") }
        if method != .closedForm, !set.kind.isPolyhedral {
            throw .input("method", "set '\(set.kind.rawValue)' is not polyhedral, so it has no LP; use method closed-form (its certificate is the convex dual)")
        }
        (self.set, self.method, self.exact) = (set, method, exact)
        (self.nominal, self.values, self.radius) = (nominal, values, radius)
    }

    /// Phase 2: the closed form and/or the LP, their checks and the agreement; the result.
    package func run() throws(ABIError) -> ABIResult {
        let (p, v, rho) = (nominal, values, radius)
        var closed: WorstCase?
        var lp: LPWorstCase?
        do throws(AmbiguityError) {
            if method != .lp { closed = try set.worstCase(nominal: p, values: v, radius: rho) }
            if method != .closedForm {
                lp = try set.worstCaseLP(nominal: p, values: v, radius: rho, options: LPOptions(exact: exact))
            }
        } catch { throw Self.mapped(error) }
        var checks: [(String, CertificateCheck)] = []
        if let closed { checks.append(("closed form", set.check(closed, nominal: p, values: v, radius: rho))) }
        if let lp { checks.append(("LP", set.check(lp, nominal: p, values: v, radius: rho))) }
        var passed = checks.allSatisfy { $0.1.passed }
        var agreement: Double?
        if let closed, let lp {
            agreement = abs(closed.value - lp.value)
            passed = passed && Acceptance.accepts(abs(closed.value - lp.value), values: v)
        }
        let failures = checks.flatMap { name, check in check.failures.map { "\(name): \($0)" } }
        return result(closed: closed, lp: lp, agreement: agreement, failures: failures, passed: passed)
    }

    /// Phase 3: the JSON fields of `rmfg worst-case` and the arrays `distribution` (and `lp.distribution`).
    func result(closed: WorstCase?, lp: LPWorstCase?, agreement: Double?,
                failures: [String], passed: Bool) -> ABIResult {
        var fields: [(String, JSON)] = [("set", .string(set.kind.rawValue)), ("radius", .number(radius)),
                                            ("support", .string(set.support.rawValue)), ("nominal", .numbers(nominal)),
                                            ("values", .numbers(values))]
        var arrays: [String: [Double]] = [:]
        if let closed {
            fields += [("value", .number(closed.value)), ("distribution", .numbers(closed.distribution)),
                       ("method", .string(method.rawValue)), ("certificate", Self.certificate(closed.certificate)),
                       ("dual", .object(closed.dual.map { ($0.name, .number($0.value)) })),
                       ("distance", .number(closed.distance))]
            arrays["distribution"] = closed.distribution
        } else if let lp {
            fields += [("value", .number(lp.value)), ("distribution", .numbers(lp.distribution)),
                       ("method", .string(method.rawValue)), ("certificate", Self.certificate(lp.certificate)),
                       ("dual", .object(Self.lpDuals(lp))),
                       ("kktResidual", .number(lp.solution.kktResidual)), ("exact", .bool(lp.solution.exact))]
            arrays["distribution"] = lp.distribution
        }
        if method == .both, let lp, let agreement {
            fields += [("lp", .object([("value", .number(lp.value)), ("distribution", .numbers(lp.distribution)),
                                       ("status", .string(lp.status.rawValue)),
                                       ("kktResidual", .number(lp.solution.kktResidual)),
                                       ("exact", .bool(lp.solution.exact))])),
                       ("agreement", .number(agreement)), ("tolerance", .number(Acceptance.tolerance(values: values)))]
            arrays["lp.distribution"] = lp.distribution
        }
        if !failures.isEmpty { fields.append(("failures", .array(failures.map { .string($0) }))) }
        fields.append(("passed", .bool(passed)))
        return ABIResult(json: JSON.object(fields).serialized, arrays: arrays)
    }

    static func certificate(_ c: Certificate) -> JSON {
        .object([("primal", .number(c.primal)), ("dual", .number(c.dual)), ("gap", .number(c.gap))])
    }

    /// The LP's multipliers attached to the rows that produced them (as `rmfg worst-case`;
    /// in exact mode the exact row program's rows, ``LPWorstCase/rowNames``).
    static func lpDuals(_ s: LPWorstCase) -> [(String, JSON)] {
        zip(s.rowNames, s.rowDuals).map { name, dual in (name, .number(dual)) }
    }

    /// An Ambiguity error as an ABI error naming the same field.
    package static func mapped(_ error: AmbiguityError) -> ABIError {
        switch error {
        case let .invalidArgument(field, message): return .input(field.description, message)
        case let .linearProgram(message): return ABIError(.failed, field: "LP", message: "LP: \(message)")
        case let .outOfRange(message): return ABIError(.outOfRange, field: "values", message: "values: out of range: \(message)")
        }
    }
}
