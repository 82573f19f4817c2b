import Foundation

// The validated, certified dense entry point used by the CLI and by research
// checks. It never crashes on bad input: every argument is checked and the
// offending field is named in the thrown error.

/// A primal–dual pair that proves the reported worst-case value optimal.
public struct Certificate: Sendable, Hashable, Codable {
    /// `q·V` of the reported feasible `q` (an upper bound on `σ`).
    public let primal: Double
    /// The objective of a feasible point of the set's LP or Lagrangian dual
    /// (a lower bound on `σ`).
    public let dual: Double
    /// `primal − dual`, `≥ 0` up to rounding; zero proves optimality.
    public let gap: Double

    /// Stores the two bounds and their difference.
    public init(primal: Double, dual: Double) {
        self.primal = primal
        self.dual = dual
        self.gap = primal - dual
    }

    /// Stores the two bounds and a gap computed elsewhere (in a scaled space, where
    /// `primal − dual` cannot overflow; equal to `primal − dual` up to rounding).
    public init(primal: Double, dual: Double, gap: Double) {
        self.primal = primal
        self.dual = dual
        self.gap = gap
    }
}

/// A named dual multiplier (CLI.md: `dual`), e.g. `lambda` for the distance
/// constraint, `eta` for `Σ q = 1`, `beta` for the KL temperature.
public struct DualMultiplier: Sendable, Hashable, Codable {
    /// The multiplier's name.
    public let name: String
    /// Its value.
    public let value: Double

    /// The names the closed forms give their multipliers (``name`` holds the raw value).
    public enum Name: String, Sendable, Hashable, CaseIterable {
        /// The budget (radius) constraint's multiplier (tv, l1, wasserstein, chi2).
        case lambda
        /// The mass constraint's multiplier (tv, l1, linf, chi2).
        case eta
        /// KL's temperature `β` of the dual `max_β −β log E_p[exp(−V/β)] − βρ`.
        case beta
    }

    /// Stores a named multiplier.
    public init(name: String, value: Double) {
        self.name = name
        self.value = value
    }
}

/// The certified solution of one inner problem `σ = min_{q ∈ U} q·V`.
public struct WorstCase: Sendable, Hashable {
    /// `σ`.
    public let value: Double
    /// The worst-case `q` (dense, the tie-break of Docs/Theory.md, §1).
    public let distribution: [Double]
    /// The dual multipliers, in a fixed order per set (empty for `none` and at `ρ = 0`).
    public let dual: [DualMultiplier]
    /// Primal bound, dual bound and gap.
    public let certificate: Certificate
    /// `D(q, p)` of the reported `q`, which is `≤ ρ` up to rounding (for
    /// `wasserstein`: the cost of the transport plan built, an upper bound on
    /// `W_c(p, q)`).
    public let distance: Double

    /// The multiplier `name`, if the set has one.
    public func multiplier(_ name: DualMultiplier.Name) -> Double? {
        dual.first { $0.name == name.rawValue }?.value
    }
}

extension AmbiguitySet {
    /// Checks a dense problem instance against this set.
    ///
    /// - Throws: `AmbiguityError.invalidArgument` naming `nominal` (empty, an
    ///   entry negative or not finite, or a sum farther than `1e-9` from 1),
    ///   `values` (length differs from `nominal`, or an entry not finite),
    ///   `radius` (negative or not finite), `weights` (length differs) or `cost`
    ///   (size differs).
    public func validate(nominal: [Double], values: [Double], radius: Double) throws(AmbiguityError) {
        let n = nominal.count
        guard n > 0 else { throw .invalidArgument(field: .nominal, message: "empty, expected a probability vector with at least one entry") }
        var sum = 0.0
        for (i, x) in nominal.enumerated() {
            guard x.isFinite, x >= 0 else {
                throw .invalidArgument(field: .nominal, message: "entry \(i) is \(x), expected a finite number >= 0")
            }
            sum += x
        }
        guard abs(sum - 1) <= 1e-9 else {
            throw .invalidArgument(field: .nominal, message: "entries sum to \(sum), expected 1 within 1e-9 (not renormalized)")
        }
        guard values.count == n else {
            throw .invalidArgument(field: .values, message: "has \(values.count) entries, expected \(n) (one per state of nominal)")
        }
        for (i, x) in values.enumerated() where !x.isFinite {
            throw .invalidArgument(field: .values, message: "entry \(i) is \(x), expected a finite number")
        }
        try validateParameters(stateCount: n, radius: radius)
    }

    /// Checks `radius` and that the set's weights (`l1`) and ground cost (`wasserstein`)
    /// have one entry per state of an `n`-state problem.
    func validateParameters(stateCount n: Int, radius: Double) throws(AmbiguityError) {
        guard radius.isFinite, radius >= 0 else {
            throw .invalidArgument(field: .radius, message: "is \(radius), expected a finite number >= 0")
        }
        if kind == .l1, let weights, weights.count != n {
            throw .invalidArgument(field: .weights, message: "has \(weights.count) entries, expected \(n) (one per state)")
        }
        if kind == .wasserstein, let cost, cost.count != n {
            throw .invalidArgument(field: .cost, message: "is \(cost.count)×\(cost.count), expected \(n)×\(n) (one row and column per state)")
        }
    }

    /// Solves `σ = min_{q ∈ U(p, ρ)} q·V` with the set's fast algorithm and
    /// certifies the answer with a dual point evaluated independently.
    ///
    /// The certificate's `primal` is `q·V` of the reported feasible `q`; its
    /// `dual` is the objective of the reported multipliers in the set's dual
    /// (see each set's documentation and `Docs/AmbiguitySets.md`), evaluated
    /// densely from the multipliers alone. At `ρ = 0` the set is `{p}` and the
    /// dual is that of the program `q = p` (objective `p·V`, no multipliers).
    ///
    /// **Extreme magnitudes.** Everything is computed on `V·2^−e` (the working space of
    /// ``SortedValues``: `max|V|` scaled into `[½, 1)` when it lies outside
    /// `[2^−100, 2^100]`), including the certificate's gap, and scaled back by the exact
    /// factor `2^e`: support functions are positively homogeneous, so this is the same
    /// problem without overflow or underflow in between.
    ///
    /// - Throws: `AmbiguityError.invalidArgument` as ``validate(nominal:values:radius:)``;
    ///   `AmbiguityError.outOfRange` when a reported quantity (`σ`, a certificate bound or
    ///   a dual multiplier) is itself beyond the double range (for example the tv budget
    ///   multiplier `λ = V_max − V_min` of `V = ±1e308`).
    public func worstCase(nominal: [Double], values: [Double], radius: Double) throws(AmbiguityError) -> WorstCase {
        try validate(nominal: nominal, values: values, radius: radius)
        let w = certifiedWorking(nominal: nominal, values: values, radius: radius)
        let (e, row, q, primal, dual, multipliers) = (w.exponent, w.row, w.distribution, w.primal, w.dual, w.multipliers)
        // The gap is formed in the working space, then scaled (exact).
        let gap = primal - dual
        func back(_ x: Double) -> Double { e == 0 ? x : Double(sign: .plus, exponent: e, significand: x) }
        func representable(_ name: String, _ working: Double, _ scaled: Double) throws(AmbiguityError) {
            if working.isFinite, !scaled.isFinite {
                throw .outOfRange("\(name) is about \(Self.decimal(working, exponent: e)), beyond the double range (±1.8e308); no finite number reports it")
            }
        }
        let value = back(row.value)
        try representable("σ", row.value, value)
        let certificate = Certificate(primal: back(primal), dual: back(dual), gap: back(gap))
        try representable("the certificate's primal bound", primal, certificate.primal)
        try representable("the certificate's dual bound", dual, certificate.dual)
        var scaledMultipliers: [DualMultiplier] = []
        for m in multipliers {
            let x = back(m.value)
            try representable("the dual multiplier \(m.name)", m.value, x)
            scaledMultipliers.append(DualMultiplier(name: m.name, value: x))
        }
        return WorstCase(value: value, distribution: q, dual: scaledMultipliers, certificate: certificate,
                         distance: row.distance)
    }

    /// The certified solution in the working space of `values` (``SortedValues/working``):
    /// `σ`, `q`, `q·V`, the dual bound and the multipliers all in units of `V·2^−exponent`.
    /// Input must be valid.
    func certifiedWorking(nominal: [Double], values: [Double], radius: Double)
        -> (exponent: Int, workingValues: [Double], row: RowSolution, distribution: [Double], primal: Double, dual: Double,
            multipliers: [DualMultiplier]) {
        let n = nominal.count
        let p = SparseDistribution(dense: nominal)
        let sorted = SortedValues(values)
        let work = sorted.working
        let u = work.values
        let row = solveWorking(nominal: p, values: work, radius: radius, build: true)
        let q = row.distribution.dense(count: n)
        var primal = 0.0
        for i in 0..<n { primal += q[i] * u[i] }
        var multipliers: [DualMultiplier] = []
        let dual: Double
        if kind == .none || radius == 0 {
            dual = p.dot(u)
        } else {
            (multipliers, dual) = certify(p: p, values: u, radius: radius, point: row.dual)
        }
        return (sorted.exponent, u, row, q, primal, dual, multipliers)
    }

    /// How far a value `σ` computed elsewhere (a Bellman sweep's fast path) is from the
    /// certified solution: `max(|σ − σ_certified|, |σ − dual bound|)`, or `∞` when the
    /// certified solution fails ``check(value:distribution:certificate:distance:nominal:values:radius:)``
    /// or `σ` is not finite. Everything is formed in the working space of `values` and
    /// scaled back, so no reported multiplier has to be a double (unlike
    /// ``worstCase(nominal:values:radius:)``, which throws `outOfRange` then).
    ///
    /// - Throws: `AmbiguityError.invalidArgument` as ``validate(nominal:values:radius:)``.
    public func disagreement(ofValue sigma: Double, nominal: [Double], values: [Double], radius: Double) throws(AmbiguityError) -> Double {
        try validate(nominal: nominal, values: values, radius: radius)
        let w = certifiedWorking(nominal: nominal, values: values, radius: radius)
        let check = self.check(value: w.row.value, distribution: w.distribution,
                               certificate: Certificate(primal: w.primal, dual: w.dual), distance: w.row.distance,
                               nominal: nominal, values: w.workingValues, radius: radius)
        let s = Double(sign: .plus, exponent: -w.exponent, significand: sigma)
        guard check.passed, s.isFinite else { return .infinity }
        let d = max(abs(s - w.row.value), abs(s - w.dual))
        return Double(sign: .plus, exponent: w.exponent, significand: d)
    }

    /// `x·2^e` in decimal scientific notation with 3 significant digits, for numbers
    /// beyond the double range (messages only).
    static func decimal(_ x: Double, exponent e: Int) -> String {
        guard x != 0, x.isFinite else { return "\(x)" }
        let l = log10(abs(x)) + Double(e) * log10(2.0)
        let power = l.rounded(.down)
        let mantissa = pow(10, l - power)
        return "\(x < 0 ? "-" : "")\(String(format: "%.2f", mantissa))e\(Int(power))"
    }

    /// The named multipliers and the dual objective at them (for `ρ > 0`).
    func certify(p: SparseDistribution, values: [Double], radius: Double, point: DualPoint) -> ([DualMultiplier], Double) {
        let n = values.count
        let allowed: (Int) -> Bool = { [support] i in support == .simplex || p.position(of: i) != nil }
        switch kind {
        case .none:
            return ([], p.dot(values))
        case .tv, .l1:
            // Lagrangian: η − λρ + Σ_i p_i min(V_i − η, λ w_i), feasible when
            // η ≤ V_j + λ w_j on A (TV: w = ½); the best η for λ is that minimum.
            let lambda = point.lambda
            let weight: (Int) -> Double = { [weights, kind] i in kind == .tv ? 0.5 : (weights?[i] ?? 1) }
            var eta = Double.infinity
            for j in 0..<n where allowed(j) { eta = min(eta, values[j] + lambda * weight(j)) }
            var dual = eta - lambda * radius
            for (i, pi) in zip(p.indices, p.probabilities) { dual += pi * min(values[i] - eta, lambda * weight(i)) }
            return ([DualMultiplier(name: "lambda", value: lambda), DualMultiplier(name: "eta", value: eta)], dual)
        case .linf:
            let dense = p.dense(count: n)
            return ([DualMultiplier(name: "eta", value: point.eta)],
                    LInfinity.dualObjective(p: dense, values: values, radius: radius, support: support, eta: point.eta))
        case .wasserstein:
            guard let cost else { return ([], -.infinity) }
            return ([DualMultiplier(name: "lambda", value: point.lambda)],
                    Wasserstein.dualObjective(p: p, values: values, radius: radius, support: support, cost: cost, lambda: point.lambda))
        case .kl:
            return ([DualMultiplier(name: "beta", value: point.beta)],
                    KullbackLeibler.dualObjective(p: p, values: values, radius: radius, beta: point.beta))
        case .chi2:
            return ([DualMultiplier(name: "lambda", value: point.lambda), DualMultiplier(name: "eta", value: point.eta)],
                    ChiSquare.dualObjective(p: p, values: values, radius: radius, lambda: point.lambda, eta: point.eta))
        }
    }

    /// `D(q, p)` for dense vectors, as the set defines it (`wasserstein`: not
    /// available without solving a transport problem, returns `nil`).
    public func distance(_ q: [Double], from p: [Double]) -> Double? {
        guard q.count == p.count else { return nil }
        if kind == .l1, let weights, weights.count != q.count { return nil }
        switch kind {
        case .none:
            return zip(q, p).allSatisfy { $0 == $1 } ? 0 : .infinity
        case .tv:
            return 0.5 * zip(q, p).reduce(0) { $0 + abs($1.0 - $1.1) }
        case .l1:
            var s = 0.0
            for i in 0..<q.count { s += (weights?[i] ?? 1) * abs(q[i] - p[i]) }
            return s
        case .linf:
            return zip(q, p).reduce(0) { max($0, abs($1.0 - $1.1)) }
        case .wasserstein:
            return nil
        case .kl:
            return KullbackLeibler.divergence(q, p)
        case .chi2:
            return ChiSquare.divergence(q, p)
        }
    }
}
