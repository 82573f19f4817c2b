import Ambiguity
import ArgumentParser
import GameFiles
import LinearProgramming
import NumberText

/// Which solvers `rmfg worst-case --method` runs.
enum WorstCaseMethod: String, FlagValue {
    case closedForm = "closed-form", lp, both
    static var expectedValues: String { "closed-form, lp or both" }
}

/// `rmfg worst-case`: the inner problem `σ = min_{q ∈ U} q·V` for one nominal
/// distribution, with its certificate, optionally checked against the LP.
struct WorstCaseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worst-case",
        abstract: "Solve the inner problem σ = min_{q ∈ U} q·V for one nominal distribution, with a certificate.",
        discussion: """
        U = {q in the simplex : D(q, p) <= radius} for the chosen set (Docs/AmbiguitySets.md). \
        The closed form (default) reports σ, the worst-case q (ties broken by (V_t, t) \
        ascending), the dual multipliers and a certificate: the objective of a feasible q, \
        of a feasible dual point, and their gap. --method lp solves the same problem as a \
        linear program with GLPK; --method both solves it both ways and exits with status 1 \
        when they disagree by more than 1e-9·(1 + max|V|). --claim checks a value derived \
        by hand against the same tolerance.

        Example:
          rmfg worst-case --set tv --radius 0.1 --nominal 0.2,0.3,0.5 --values 1,2,3 --method both
        """
    )

    @Option(help: "The ambiguity set: none, tv, l1, linf, wasserstein, kl, chi2, moment (with --features) or polyhedral (with --constraints).")
    var set: Choice<AmbiguityKind>

    /// `--set` as given (`moment` and `polyhedral` are not closed-form kinds).
    var setName: String { self.set.defaultValueDescription }

    @Option(parsing: .unconditional, help: "moment: the features f_k(t), comma-separated expressions in t (e.g. \"t,t^2\"); --radius then lists ε_k (one, or one per feature).")
    var features: String?

    @Option(help: "moment or polyhedral: a constraints file (YAML or .json; Docs/Format.md), with an optional ball (within).")
    var constraints: String?

    @Option(parsing: .unconditional, help: "The radius ρ >= 0 (for tv, half the L1 distance; for kl in nats).")
    var radius: String

    @Option(parsing: .unconditional, help: "The nominal distribution p: comma-separated probabilities summing to 1 (within 1e-9; never renormalized).")
    var nominal: String?

    @Option(name: .customLong("nominal-file"), help: "The nominal distribution p from a file: CSV (one row or one column, # comments) or NumPy .npy (a vector).")
    var nominalFile: String?

    @Option(parsing: .unconditional, help: "The values V, one per state, comma-separated.")
    var values: String?

    @Option(name: .customLong("values-file"), help: "The values V from a file: CSV (one row or one column, # comments) or NumPy .npy (a vector).")
    var valuesFile: String?

    @Option(parsing: .unconditional, help: "wasserstein: the ground cost c(s, t) as an expression in s and t (default abs(s - t)).")
    var cost: String?

    @Option(help: "wasserstein: the ground cost as a CSV file of n rows of n numbers.")
    var costFile: String?

    @Option(parsing: .unconditional, help: "l1: the weights w_t > 0, comma-separated (default all 1).")
    var weights: String?

    @Option(help: "Where q may put mass: simplex (default; also states with p_t = 0) or nominal (supp p only).")
    var support = Choice(SupportRestriction.simplex)

    @Option(help: "closed-form (default), lp (GLPK; polyhedral sets only) or both (and compare).")
    var method = Choice(WorstCaseMethod.closedForm)

    @Option(help: "Among tied optimal q: index (default; the first state by (V_t, t) takes the mass) or split (spread symmetrically over tied states; tv, l1, linf).")
    var ties = Choice(TieRule.index)

    @Flag(help: "Solve exactly: the row LP of the given doubles, scaled to integers, in rational arithmetic (glp_exact); σ is exact, rounded once toward zero.")
    var exact = false

    @Option(help: "Write the LP in CPLEX LP format to this file (polyhedral sets).")
    var exportLp: String?

    @Option(parsing: .unconditional, help: "A value derived by hand; exit status 1 when it differs from σ by more than 1e-9·(1 + max|V|).")
    var claim: String?

    @OptionGroup var output: FormatOptions

    func run() throws {
        try runCommand(format: output, solve)
    }

    func solve() throws -> Bool {
        if ["moment", "polyhedral"].contains(setName) || features != nil || constraints != nil { return try solvePolyhedral() }
        let problem = try readProblem()
        let uset = try ambiguitySet(problem)
        let exported = try exportLp.map { path throws -> ExportedLP in
            let lp = try wrap { () throws(AmbiguityError) in try uset.linearProgram(nominal: problem.p, values: problem.v, radius: problem.rho) }
            return try exportCPLEX(lp, to: path, inputs: [costFile, nominalFile, valuesFile].compactMap { $0 })
        }
        let outcome = try compute(problem, uset)
        switch try output.format {
        case .json: emit(JSON.object(jsonFields(problem, outcome)).serialized)
        case .text: emit(textLines(problem, outcome).joined(separator: "\n"))
        }
        try exported?.write()  // after the report: a failed standard output writes no file
        return outcome.passed
    }

    /// The validated flags: the set, support, method, radius, vectors and claim.
    struct Problem {
        let kind: AmbiguityKind
        let support: SupportRestriction
        let method: WorstCaseMethod
        let rho: Double
        let p: [Double]
        let v: [Double]
        let claimed: Double?
        var tolerance: Double { Acceptance.tolerance(values: v) }
    }

    /// What the chosen methods computed, their certificate checks and the verdict.
    struct Outcome {
        let closed: WorstCase?
        let lp: LPWorstCase?
        let checks: [(String, CertificateCheck)]
        let sigma: Double
        let passed: Bool
        var failures: [String] { checks.flatMap { name, check in check.failures.map { "\(name): \($0)" } } }
        var agreement: Double? {
            guard let closed, let lp else { return nil }
            return abs(closed.value - lp.value)
        }
    }

    /// Phase 1: every flag checked, in the documented order.
    func readProblem() throws -> Problem {
        let kind = try set.value(flag: "--set")
        let supportKind = try support.value(flag: "--support")
        let method = try self.method.value(flag: "--method")
        let rho = try Parse.number(radius, flag: "--radius")
        guard rho >= 0 else { throw InputError("--radius: \(radius), expected a number >= 0") }
        let p = try Parse.probabilityVector(Parse.vectorFlag(nominal, file: nominalFile, flag: "--nominal"),
                                            flag: nominalFile == nil ? "--nominal" : "--nominal-file")
        let v = try Parse.vectorFlag(values, file: valuesFile, flag: "--values")
        guard v.count == p.count else {
            throw InputError("\(valuesFile == nil ? "--values" : "--values-file"): \(v.count) entries, expected \(p.count) (one per entry of \(nominalFile == nil ? "--nominal" : "--nominal-file"))")
        }
        let claimed = try claim.map { try Parse.number($0, flag: "--claim") }
        if exact, method == .closedForm {
            throw InputError("--exact: applies to the LP; use --method lp or --method both")
        }
        if (method != .closedForm || exportLp != nil), !kind.isPolyhedral {
            throw InputError("--method/--export-lp: set '\(kind.rawValue)' is not polyhedral, so it has no LP; use --method closed-form (its certificate is the convex dual)")
        }
        return Problem(kind: kind, support: supportKind, method: method, rho: rho, p: p, v: v, claimed: claimed)
    }

    /// Phase 2: the set, with the l1 weights and the wasserstein ground cost.
    func ambiguitySet(_ problem: Problem) throws -> AmbiguitySet {
        let kind = problem.kind, n = problem.p.count
        var w: [Double]?
        if let weights {
            guard kind == .l1 else { throw InputError("--weights: only for --set l1") }
            w = try Parse.vector(weights, flag: "--weights")
            guard w?.count == n else { throw InputError("--weights: \(w?.count ?? 0) entries, expected \(n)") }
            if let k = w?.firstIndex(where: { $0 <= 0 }) { throw InputError("--weights: entry \(k + 1) is \(w?[k] ?? 0), expected a number > 0") }
        }
        if (cost != nil || costFile != nil), kind != .wasserstein {
            throw InputError("--cost/--cost-file: only for --set wasserstein")
        }
        if cost != nil, costFile != nil { throw InputError("--cost and --cost-file: give one of them") }
        var ground: GroundCost?
        if kind == .wasserstein {
            let matrix = try costFile.map { try Parse.csvMatrix(path: $0, flag: "--cost-file") }
                ?? (try costMatrix(cost ?? "abs(s - t)", n: n))
            guard matrix.count == n else {
                throw InputError("--cost-file: \(matrix.count) rows, expected \(n) (one per state)")
            }
            do { ground = try GroundCost(matrix) } catch { throw InputError("--cost\(costFile == nil ? "" : "-file"): \(error.message)") }
        }
        let tieRule = try ties.value(flag: "--ties")
        do { return try AmbiguitySet(kind: kind, support: problem.support, weights: w, cost: ground, ties: tieRule) } catch {
            throw InputError("--\(error.field): \(error.message)")
        }
    }

    /// Phase 3: the closed form and/or the LP, their certificate checks, the agreement and the claim.
    func compute(_ problem: Problem, _ uset: AmbiguitySet) throws -> Outcome {
        let p = problem.p, v = problem.v, rho = problem.rho
        var closed: WorstCase?
        var lpResult: LPWorstCase?
        if problem.method != .lp {
            closed = try wrap { () throws(AmbiguityError) in try uset.worstCase(nominal: p, values: v, radius: rho) }
        }
        if problem.method != .closedForm {
            lpResult = try wrap { () throws(AmbiguityError) in
                try uset.worstCaseLP(nominal: p, values: v, radius: rho, options: LPOptions(exact: exact))
            }
        }
        // `passed` starts from the certificate checks (gap, feasibility), in the library.
        var checks: [(String, CertificateCheck)] = []
        if let closed { checks.append(("closed form", uset.check(closed, nominal: p, values: v, radius: rho))) }
        if let solved = lpResult { checks.append(("LP", uset.check(solved, nominal: p, values: v, radius: rho))) }
        var ok = checks.allSatisfy { $0.1.passed }
        let sigma = closed?.value ?? lpResult?.value ?? .nan
        if problem.method == .both, let closed, let solved = lpResult {
            ok = ok && Acceptance.accepts(abs(closed.value - solved.value), values: v)
        }
        if let claimed = problem.claimed { ok = ok && Acceptance.accepts(claimed - sigma, values: v) }
        return Outcome(closed: closed, lp: lpResult, checks: checks, sigma: sigma, passed: ok)
    }

    /// Phase 4: the JSON object's fields (Docs/CLI.md).
    func jsonFields(_ problem: Problem, _ outcome: Outcome) -> [(String, JSON)] {
        var fields: [(String, JSON)] = [("set", .string(problem.kind.rawValue)), ("radius", .number(problem.rho)),
                                        ("support", .string(problem.support.rawValue)), ("nominal", .numbers(problem.p)),
                                        ("values", .numbers(problem.v))]
        func certificate(_ c: Certificate) -> JSON {
            .object([("primal", .number(c.primal)), ("dual", .number(c.dual)), ("gap", .number(c.gap))])
        }
        if let closed = outcome.closed {
            fields += [("value", .number(closed.value)), ("distribution", .numbers(closed.distribution)),
                       ("method", .string(problem.method.rawValue)), ("certificate", certificate(closed.certificate)),
                       ("dual", .object(closed.dual.map { ($0.name, .number($0.value)) })),
                       ("distance", .number(closed.distance))]
        } else if let solved = outcome.lp {
            fields += [("value", .number(solved.value)), ("distribution", .numbers(solved.distribution)),
                       ("method", .string(problem.method.rawValue)), ("certificate", certificate(solved.certificate)),
                       ("dual", .object(lpDuals(solved))),
                       ("kktResidual", .number(solved.solution.kktResidual)),
                       ("exact", .bool(solved.solution.exact))]
        }
        if problem.method == .both, let agreement = outcome.agreement, let solved = outcome.lp {
            fields += [("lp", .object([("value", .number(solved.value)), ("distribution", .numbers(solved.distribution)),
                                       ("status", .string(solved.status.rawValue)),
                                       ("kktResidual", .number(solved.solution.kktResidual)),
                                       ("exact", .bool(solved.solution.exact))])),
                       ("agreement", .number(agreement)), ("tolerance", .number(problem.tolerance))]
        }
        if let claimed = problem.claimed {
            fields += [("claim", .number(claimed)), ("claimError", .number(claimed - outcome.sigma))]
        }
        if let exportLp { fields.append(("exportedLP", .string(exportLp))) }
        let failures = outcome.failures
        if !failures.isEmpty { fields.append(("failures", .array(failures.map { .string($0) }))) }
        fields.append(("passed", .bool(outcome.passed)))
        return fields
    }

    /// Phase 5: the text report.
    func textLines(_ problem: Problem, _ outcome: Outcome) -> [String] {
        let p = problem.p, v = problem.v, both = problem.method == .both
        var text = ["worst case over \(problem.kind.rawValue) ball, radius \(fmt(problem.rho)), support \(problem.support.rawValue)",
                    "σ = min_{q∈U} q·V = \(fmt(outcome.sigma))   (nominal p·V = \(fmt(zip(p, v).map(*).reduce(0, +))))", ""]
        let q = outcome.closed?.distribution ?? outcome.lp?.distribution ?? []
        var table = TextTable(header: both ? ["state", "V", "nominal p", "worst-case q", "LP q"] : ["state", "V", "nominal p", "worst-case q"])
        for t in p.indices {
            var row = ["\(t)", fmt(v[t]), fmt(p[t]), fmt(q[t])]
            if both, let solved = outcome.lp { row.append(fmt(solved.distribution[t])) }
            table.add(row)
        }
        text += [table.rendered, ""]
        if let closed = outcome.closed {
            if !closed.dual.isEmpty {
                text.append("dual         " + closed.dual.map { "\($0.name) = \(fmt($0.value))" }.joined(separator: ", "))
            }
            text.append("certificate  primal \(fmt(closed.certificate.primal)), dual \(fmt(closed.certificate.dual)), gap \(fmt(closed.certificate.gap))")
        } else if let solved = outcome.lp {
            let c = solved.certificate
            text.append("certificate  primal \(fmt(c.primal)), dual \(fmt(c.dual)), gap \(fmt(c.gap)) (LP duals\(solved.solution.exact ? ", exact arithmetic" : ""); KKT residual \(fmt(solved.solution.kktResidual)))")
        }
        for failure in outcome.failures { text.append("check        FAILED: \(failure)") }
        let tolerance = problem.tolerance
        if both, let agreement = outcome.agreement, let solved = outcome.lp {
            let agree = Acceptance.accepts(agreement, values: v)
            text.append("LP           σ = \(fmt(solved.value)), status \(solved.status.rawValue)\(solved.solution.exact ? " (exact arithmetic)" : ""), KKT residual \(fmt(solved.solution.kktResidual))")
            text.append("agreement    |closed form − LP| = \(fmt(agreement)) \(agree ? "<=" : ">") tolerance \(fmt(tolerance)): \(agree ? "agree" : "DISAGREE")")
        }
        if let claimed = problem.claimed {
            let error = claimed - outcome.sigma
            text.append("claim        \(fmt(claimed)): error \(fmt(error)) — \(Acceptance.accepts(error, values: v) ? "confirmed" : "REFUTED") (tolerance \(fmt(tolerance)))")
        }
        if let exportLp { text.append("LP written to \(exportLp) (CPLEX LP format)") }
        return text
    }

    /// `c(s, t)` from an expression in `s` and `t` (also `states`), by ``GroundCostExpression``.
    func costMatrix(_ source: String, n: Int) throws -> [[Double]] {
        do { return try GroundCostExpression.matrix(source, states: n) } catch {
            switch error {
            case let .compilation(e): throw InputError("--cost: \(e.description) in '\(source)'")
            case let .evaluation(s, t, e): throw InputError("--cost: at s=\(s), t=\(t): \(e.message) in '\(source)'")
            default: throw InputError("--cost: \(error)")  // entries are checked by GroundCost, not here
            }
        }
    }

    /// The LP's multipliers (in units of V) attached to the rows that produced them.
    func lpDuals(_ s: LPWorstCase) -> [(String, JSON)] {
        zip(s.rowNames, s.rowDuals).map { name, dual in (name, .number(dual)) }
    }

    func wrap<T>(_ body: () throws(AmbiguityError) -> T) throws -> T {
        do { return try body() } catch {
            switch error {
            case let .invalidArgument(field, message):
                let flag = switch field {
                case .nominal, .values, .radius, .weights, .cost, .set: "--\(field)"
                default: field.description
                }
                throw InputError("\(flag): \(message)")
            case let .linearProgram(message):
                throw InputError("LP: \(message)")
            case .outOfRange:
                throw InputError("--values: \(error.description)")
            }
        }
    }
}
