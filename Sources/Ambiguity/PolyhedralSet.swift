import LinearProgramming

/// How a linear constraint compares its left side with its bound.
public enum LinearRelation: String, Sendable, Hashable, CaseIterable, Codable {
    /// `Σ_t c_t q_t ≤ b`.
    case lessEqual = "<="
    /// `Σ_t c_t q_t = b`.
    case equal = "="
    /// `Σ_t c_t q_t ≥ b`.
    case greaterEqual = ">="
}

/// One linear constraint `Σ_t c_t q_t (≤ | = | ≥) b` on the worst-case distribution.
public struct LinearConstraint: Sendable, Hashable {
    /// A name for messages and the exported LP (`c0`, `c1`, … when `nil`).
    public var name: String?
    /// `c_t`, one per state.
    public var coefficients: [Double]
    /// `≤`, `=` or `≥`.
    public var relation: LinearRelation
    /// `b`.
    public var bound: Double

    /// A constraint as given (validated by ``PolyhedralSet``).
    public init(name: String? = nil, coefficients: [Double], relation: LinearRelation, bound: Double) {
        self.name = name
        self.coefficients = coefficients
        self.relation = relation
        self.bound = bound
    }
}

/// A general polyhedral ambiguity set for one row (Docs/AmbiguitySets.md):
/// `U = {q ∈ Δ : Σ_t c_kt q_t (≤|=|≥) b_k for every k}`, optionally intersected with a
/// polyhedral ball `{q : D(q, p) ≤ ρ}` (`tv`, `l1`, `linf` or `wasserstein`), and
/// restricted to `supp p` with `support: nominal`.
///
/// It has no closed form: `σ = min_{q ∈ U} q·V` is solved as a linear program and
/// certified by the LP duals (``worstCaseLP(nominal:values:options:)``). The moment set
/// `|Σ_t (q_t − p_t) f_k(t)| ≤ ε_k` is the special case built by
/// ``moment(features:radii:nominal:support:)``.
public struct PolyhedralSet: Sendable, Hashable {
    /// The linear constraints.
    public let constraints: [LinearConstraint]
    /// The ball the constraints are intersected with, if any, and its radius.
    public let ball: AmbiguitySet?
    /// The radius of ``ball`` (0 when there is none).
    public let ballRadius: Double
    /// Where `q` may put mass.
    public let support: SupportRestriction

    /// Validates everything that does not depend on `p` and `V`.
    ///
    /// - Throws: `AmbiguityError.invalidArgument` naming `constraints` (a non-finite
    ///   coefficient or bound, or rows of different lengths), `within` (a ball that is
    ///   not polyhedral, or `none`) or `within.radius` (negative or non-finite).
    public init(constraints: [LinearConstraint], within ball: AmbiguitySet? = nil, radius: Double = 0,
                support: SupportRestriction = .simplex) throws(AmbiguityError) {
        let n = constraints.first?.coefficients.count ?? 0
        for (k, c) in constraints.enumerated() {
            let label = c.name ?? "c\(k)"
            guard c.coefficients.count == n else {
                throw .invalidArgument(field: .constraints, message: "\(label) has \(c.coefficients.count) coefficients, expected \(n) like the first")
            }
            if let t = c.coefficients.firstIndex(where: { !$0.isFinite }) {
                throw .invalidArgument(field: .constraints, message: "\(label): coefficient of state \(t) is \(c.coefficients[t]), expected a finite number")
            }
            guard c.bound.isFinite else {
                throw .invalidArgument(field: .constraints, message: "\(label): bound is \(c.bound), expected a finite number")
            }
        }
        if let ball {
            guard ball.kind.isPolyhedral, ball.kind != .none else {
                throw .invalidArgument(field: .within, message: "set '\(ball.kind.rawValue)', expected tv, l1, linf or wasserstein (a polyhedral ball)")
            }
            guard radius.isFinite, radius >= 0 else {
                throw .invalidArgument(field: .withinRadius, message: "is \(radius), expected a finite number >= 0")
            }
        }
        self.constraints = constraints
        self.ball = ball
        self.ballRadius = ball == nil ? 0 : radius
        self.support = support
    }

    /// The moment set `{q ∈ Δ : |Σ_t q_t f_k(t) − Σ_t p_t f_k(t)| ≤ ε_k}`: two
    /// constraints per feature, `Σ_t f_k(t) q_t ≥ Σ_t f_k(t) p_t − ε_k` and
    /// `≤ Σ_t f_k(t) p_t + ε_k`.
    ///
    /// - Parameters:
    ///   - features: `f_k(t)`, one row of `n` numbers per feature.
    ///   - radii: `ε_k ≥ 0`, one per feature.
    ///   - nominal: `p` (`n` numbers).
    ///   - support: where `q` may put mass (the whole simplex, or `supp p`).
    /// - Throws: `AmbiguityError.invalidArgument` naming `features` (a row of another
    ///   length, a non-finite entry, none at all) or `radius` (another count than the
    ///   features, a negative or non-finite entry).
    public static func moment(features: [[Double]], radii: [Double], nominal: [Double],
                              support: SupportRestriction = .simplex) throws(AmbiguityError) -> PolyhedralSet {
        guard !features.isEmpty else { throw .invalidArgument(field: .features, message: "none given, expected at least one feature") }
        guard radii.count == features.count else {
            throw .invalidArgument(field: .radius, message: "\(radii.count) radii for \(features.count) features, expected one per feature")
        }
        var rows: [LinearConstraint] = []
        for (k, f) in features.enumerated() {
            guard f.count == nominal.count else {
                throw .invalidArgument(field: .features, message: "feature \(k + 1) has \(f.count) values, expected \(nominal.count) (one per state)")
            }
            if let t = f.firstIndex(where: { !$0.isFinite }) {
                throw .invalidArgument(field: .features, message: "feature \(k + 1) at state \(t) is \(f[t]), expected a finite number")
            }
            guard radii[k].isFinite, radii[k] >= 0 else {
                throw .invalidArgument(field: .radius, message: "ε\(k + 1) is \(radii[k]), expected a finite number >= 0")
            }
            var mean = 0.0
            for t in f.indices { mean += f[t] * nominal[t] }
            guard mean.isFinite else {
                throw .invalidArgument(field: .features, message: "feature \(k + 1): its nominal mean Σ p_t f(t) is not finite")
            }
            rows.append(LinearConstraint(name: "moment\(k + 1)_low", coefficients: f, relation: .greaterEqual, bound: mean - radii[k]))
            rows.append(LinearConstraint(name: "moment\(k + 1)_high", coefficients: f, relation: .lessEqual, bound: mean + radii[k]))
        }
        return try PolyhedralSet(constraints: rows, support: support)
    }

    /// Checks the sizes and numbers of `nominal` and `values`, and that `p` lies in
    /// the set: every constraint holds at `p` within `1e-9·(1 + |b| + Σ_t |c_t p_t|)`.
    ///
    /// - Throws: `AmbiguityError.invalidArgument` naming `nominal`, `values`,
    ///   `constraints` (another number of states than `p`) or `nominal` with the first
    ///   violated constraint (`p` outside the set).
    public func validate(nominal: [Double], values: [Double]) throws(AmbiguityError) {
        let carrier = ball ?? AmbiguitySet(uncheckedKind: .tv, support: support)
        try carrier.validate(nominal: nominal, values: values, radius: ballRadius)
        for (k, c) in constraints.enumerated() {
            let label = c.name ?? "c\(k)"
            guard c.coefficients.count == nominal.count else {
                throw .invalidArgument(field: .constraints, message: "\(label) has \(c.coefficients.count) coefficients, expected \(nominal.count) (one per state)")
            }
            let (lhs, holds) = c.check(nominal)
            guard holds else {
                throw .invalidArgument(field: .nominal, message: "p is outside the set: constraint \(label) gives \(lhs) \(c.relation.rawValue) \(c.bound) false (the nominal must lie in its ambiguity set)")
            }
        }
    }

    /// `min_{q ∈ U} q·V` as a linear program; columns `0..<n` are `q`.
    ///
    /// With a ball, the program is the ball's (``AmbiguitySet/linearProgram(nominal:values:radius:)``)
    /// plus one row per constraint; without, `q ≥ 0` (`q_t = 0` off `supp p` with
    /// `support: nominal`), `Σ q = 1` and the constraints.
    ///
    /// - Throws: as ``validate(nominal:values:)``.
    public func linearProgram(nominal: [Double], values: [Double]) throws(AmbiguityError) -> LinearProgram {
        try validate(nominal: nominal, values: values)
        var lp: LinearProgram
        if let ball {
            lp = try ball.linearProgram(nominal: nominal, values: values, radius: ballRadius)
        } else {
            lp = LinearProgram(sense: .minimize)
            for t in nominal.indices {
                let upper: Double? = support == .nominal && nominal[t] == 0 ? 0 : nil
                lp.addVariable(name: "q_\(t)", lower: 0, upper: upper, objective: values[t])
            }
            lp.addConstraint(name: "simplex", terms: nominal.indices.map { (variable: $0, coefficient: 1.0) }, lower: 1, upper: 1)
        }
        for (k, c) in constraints.enumerated() {
            let terms = c.coefficients.enumerated().compactMap { t, x in x == 0 ? nil : (variable: t, coefficient: x) }
            lp.addConstraint(name: c.name ?? "c\(k)", terms: terms, c.relation, c.bound)
        }
        return lp
    }

    /// Solves ``linearProgram(nominal:values:)`` with GLPK, on `V·2^−e` with
    /// `max|V|·2^−e ∈ [½, 1)`, and certifies `σ` by the dual objective of GLPK's row
    /// duals and reduced costs (a lower bound on `σ` by weak duality), reported in units
    /// of `V`. With `options.exact` it solves the exact row program instead
    /// (the program `rmfg solve --exact` checks rows with: data exactly the given doubles,
    /// scaled to integers for `glp_exact`), so ``LPWorstCase/value`` is the exact `σ`
    /// rounded once toward zero, as for ``AmbiguitySet/worstCaseLP(nominal:values:radius:options:)``.
    ///
    /// - Throws: `AmbiguityError.invalidArgument` as ``validate(nominal:values:)``;
    ///   `AmbiguityError.linearProgram` when the set is empty (infeasible LP),
    ///   unbounded, or GLPK fails; `AmbiguityError.outOfRange` as
    ///   ``AmbiguitySet/worstCaseLP(nominal:values:radius:options:)``.
    public func worstCaseLP(nominal: [Double], values: [Double],
                            options: LPOptions = LPOptions()) throws(AmbiguityError) -> LPWorstCase {
        try validate(nominal: nominal, values: values)
        if options.exact { return try exactWorstCase(nominal: SparseDistribution(dense: nominal), values: values, options: options) }
        let e = SortedValues.unitExponent(values)
        let scaled = values.map { Double(sign: .plus, exponent: -e, significand: $0) }
        let lp = try linearProgram(nominal: nominal, values: scaled)
        return try LPWorstCase.solve(lp, exponent: e, options: options) { Array($0.primal.prefix(nominal.count)) }
    }
}

extension LPWorstCase {
    /// Solves an inner-problem LP built on `V·2^−exponent` and scales the value,
    /// certificate and row duals back; names an empty or unbounded set. `distribution`
    /// reads `q` from the solution. An optimum that GLPK's tolerances (`1e-7`) left off by
    /// more than `1e-12` in a bound or a sign is re-solved at tolerances of `1e-13`
    /// (`LinearProgram.solvePolished`), so that `q`, the budget and the certificate pass the
    /// library's certificate check.
    static func solve(_ lp: LinearProgram, exponent e: Int, options: LPOptions,
                      distribution: (LPSolution) -> [Double]) throws(AmbiguityError) -> LPWorstCase {
        func back(_ x: Double) -> Double { Double(sign: .plus, exponent: e, significand: x) }
        let solution: LPSolution
        do {
            solution = try lp.solvePolished(options: options)
        } catch {
            throw .linearProgram(error.description)
        }
        switch solution.status {
        case .optimal: break
        case .infeasible:
            throw .linearProgram("the ambiguity set is empty (the LP is infeasible): no distribution satisfies every constraint")
        case .unbounded:
            throw .linearProgram("the inner problem is unbounded (GLPK status 'unbounded'); the set must lie in the simplex")
        default:
            throw .linearProgram("GLPK stopped with status '\(solution.status.rawValue)', expected 'optimal'")
        }
        // Multipliers within GLPK's own dual feasibility tolerance (`tol_dj`, which declared
        // the basis optimal) count as zero where their sign selects an infinite bound: a
        // reduced cost of −4e-8 on an unbounded transport column of a Wasserstein row made the
        // bound −∞ although GLPK's optimum was right (ExtremeMagnitudeTests,
        // wassersteinLPCertificateRegression). Where the selected bound is finite every
        // multiplier counts (`LinearProgram.dualObjective`). The data are scaled to
        // max|V| ∈ [½, 1), so the tolerance is relative to the values' magnitude.
        let dual = lp.dualObjective(of: solution, tolerance: max(1e-9, options.dualTolerance))
        let certificate = Certificate(primal: back(solution.objective), dual: back(dual),
                                      gap: back(solution.objective - dual))
        let value = back(solution.objective)
        if solution.objective.isFinite, !value.isFinite {
            throw .outOfRange("σ is about \(AmbiguitySet.decimal(solution.objective, exponent: e)), beyond the double range (±1.8e308)")
        }
        let rowDuals = solution.rowDuals.map(back)
        for k in rowDuals.indices where solution.rowDuals[k].isFinite && !rowDuals[k].isFinite {
            let name = lp.constraints[k].name ?? "row\(k)"
            throw .outOfRange("the dual of LP row \(name) is about \(AmbiguitySet.decimal(solution.rowDuals[k], exponent: e)), beyond the double range (±1.8e308); no finite number reports it")
        }
        return LPWorstCase(value: value, distribution: distribution(solution),
                           status: solution.status, solution: solution, exponent: e, certificate: certificate,
                           rowDuals: rowDuals,
                           rowNames: lp.constraints.enumerated().map { k, row in row.name ?? "row\(k)" })
    }
}

extension PolyhedralSet {
    /// Checks an LP result independently of GLPK: the checks `AmbiguitySet.check` makes
    /// of an LP result (finite numbers, gap and
    /// `|σ − q·V|` within ``Acceptance/tolerance(values:)``, `q` in the simplex and in the
    /// ball; without a ball, the whole simplex), and every linear constraint at `q` within
    /// `1e-9·(1 + |b| + Σ_t |c_t q_t|)`.
    public func check(_ result: LPWorstCase, nominal: [Double], values: [Double]) -> CertificateCheck {
        let carrier = ball ?? AmbiguitySet(uncheckedKind: .tv, support: support)
        let base = carrier.check(result, nominal: nominal, values: values, radius: ball == nil ? 1 : ballRadius)
        var failures = base.failures
        let q = result.distribution
        for (k, c) in constraints.enumerated() where c.coefficients.count == q.count {
            let (lhs, holds) = c.check(q)
            if !holds { failures.append("q violates \(c.name ?? "c\(k)"): \(lhs) \(c.relation.rawValue) \(c.bound) is false") }
        }
        return CertificateCheck(passed: failures.isEmpty, tolerance: base.tolerance, failures: failures)
    }
}

extension PolyhedralSet {
    /// The compact program of one row (see ``InnerRowProgram``) for the LP inner path:
    /// the ball's compact program (without a ball: `q_t ∈ [0, 1]` on the allowed states
    /// and `Σ q = 1`) plus one row per constraint, rewritten in the program's columns
    /// (`Σ_j c(state_j) sign_j x_j (≤|=|≥) b − c·base`).
    ///
    /// - Throws: as ``validate(nominal:values:)`` (`p` must lie in the set) and
    ///   ``AmbiguitySet/innerRowProgram(nominal:stateCount:radius:mergingAdditions:)``.
    public func innerRowProgram(nominal: SparseDistribution, stateCount n: Int) throws(AmbiguityError) -> InnerRowProgram {
        let carrier = ball ?? AmbiguitySet(uncheckedKind: .linf, support: support)
        let base = try carrier.innerRowProgram(nominal: nominal, stateCount: n, radius: ball == nil ? 1 : ballRadius)
        try validate(nominal: nominal.dense(count: n), values: [Double](repeating: 0, count: n))
        if base.isFixed { return base }
        var lp = base.program
        let baseMass = base.base.dense(count: n)
        for (k, c) in constraints.enumerated() {
            var shift = 0.0
            for t in 0..<n { shift += c.coefficients[t] * baseMass[t] }
            lp.addConstraint(name: c.name ?? "c\(k)", terms: base.columnTerms(c.coefficients), c.relation, c.bound - shift)
        }
        return InnerRowProgram(program: lp, columnStates: base.columnStates, columnSigns: base.columnSigns,
                               base: base.base, stateCount: n)
    }
}

extension InnerRowProgram {
    /// `Σ_j c(state_j) sign_j x_j`: the terms of `c·q` in the program's columns (the
    /// base's mass not included), columns with a zero coefficient left out.
    func columnTerms(_ c: [Double]) -> [(variable: Int, coefficient: Double)] {
        var terms: [(variable: Int, coefficient: Double)] = []
        for j in columnStates.indices where columnStates[j] >= 0 {
            let x = c[columnStates[j]] * columnSigns[j]
            if x != 0 { terms.append((j, x)) }
        }
        return terms
    }
}

extension LinearProgram {
    /// Adds the row `Σ terms (relation) bound` named `name`.
    mutating func addConstraint(
        name: String, terms: [(variable: Int, coefficient: Double)], _ relation: LinearRelation, _ bound: Double
    ) {
        switch relation {
        case .lessEqual: addConstraint(name: name, terms: terms, upper: bound)
        case .greaterEqual: addConstraint(name: name, terms: terms, lower: bound)
        case .equal: addConstraint(name: name, terms: terms, lower: bound, upper: bound)
        }
    }
}

extension LinearConstraint {
    /// `Σ_t c_t x_t` and whether the relation holds at `x` (same length as the
    /// coefficients), with slack `1e-9·(1 + |b| + Σ_t |c_t x_t|)`.
    func check(_ x: [Double]) -> (lhs: Double, holds: Bool) {
        var lhs = 0.0, scale = 1 + abs(bound)
        for t in x.indices {
            lhs += coefficients[t] * x[t]
            scale += abs(coefficients[t] * x[t])
        }
        let slack = 1e-9 * scale
        let holds = switch relation {
        case .lessEqual: lhs <= bound + slack
        case .greaterEqual: lhs >= bound - slack
        case .equal: abs(lhs - bound) <= slack
        }
        return (lhs, holds)
    }
}
