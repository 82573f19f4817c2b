// The one acceptance rule behind every "passed", "agree" and "verified" that rmfg
// prints, and the check of a worst-case certificate against it.

/// The acceptance rule for a computed `σ` against the values `V` it came from:
/// a difference is accepted when it is finite and at most `1e-9·(1 + max|V|)`.
public enum Acceptance {
    /// The relative part of the rule, `1e-9`.
    public static let relativeTolerance = 1e-9

    /// `1e-9·(1 + max|V|)`, or NaN when an entry of `values` is not finite (so that
    /// nothing is accepted against such values). Never overflows: `max|V| ≤ 1.8e308`.
    public static func tolerance(values: [Double]) -> Double {
        var largest = 0.0
        for x in values {
            guard x.isFinite else { return .nan }
            largest = max(largest, abs(x))
        }
        return relativeTolerance * (1 + largest)
    }

    /// Whether `difference` is accepted: finite and `|difference| ≤` ``tolerance(values:)``.
    public static func accepts(_ difference: Double, values: [Double]) -> Bool {
        difference.isFinite && abs(difference) <= tolerance(values: values)
    }
}

/// The outcome of ``AmbiguitySet/check(value:distribution:certificate:distance:nominal:values:radius:)``.
public struct CertificateCheck: Sendable, Hashable {
    /// `true` when every condition holds.
    public let passed: Bool
    /// The tolerance used, ``Acceptance/tolerance(values:)``.
    public let tolerance: Double
    /// One sentence per failed condition (empty when passed).
    public let failures: [String]
}

extension AmbiguitySet {
    /// Checks a reported worst case independently of how it was computed.
    ///
    /// It passes when, with `tol =` ``Acceptance/tolerance(values:)``:
    /// - `σ`, the certificate's primal and dual bounds and its gap are finite;
    /// - `−tol ≤ gap ≤ tol`, `|σ − primal| ≤ tol` and `|σ − q·V| ≤ tol` (q·V recomputed from `q`);
    /// - `q` is feasible: `n` finite entries `≥ −1e-12`, `|Σ q − 1| ≤ 1e-9`, no mass off the
    ///   allowed support (`supp p` for `kl`, `chi2` and `support: nominal`; `q = p`
    ///   within `1e-9` for `none` and `ρ = 0`), and `D(q, p) ≤ ρ + 1e-9·(1 + ρ)`
    ///   (for `wasserstein` with the given `distance`, the cost of the plan the solver
    ///   built, an upper bound on `W(p, q)`; skipped when `distance` is `nil`).
    ///
    /// The inputs are assumed valid (``validate(nominal:values:radius:)``); a check of
    /// invalid input fails.
    public func check(value: Double, distribution q: [Double], certificate: Certificate, distance: Double?,
                      nominal p: [Double], values: [Double], radius: Double) -> CertificateCheck {
        let tol = Acceptance.tolerance(values: values)
        var failures: [String] = []
        if !tol.isFinite { failures.append("a value is not finite") }
        for (name, x) in [("σ", value), ("the primal bound", certificate.primal), ("the dual bound", certificate.dual),
                          ("the gap", certificate.gap)] where !x.isFinite {
            failures.append("\(name) is \(x), expected a finite number")
        }
        if certificate.gap.isFinite, tol.isFinite {
            if certificate.gap < -tol { failures.append("the gap \(certificate.gap) is negative beyond the tolerance \(tol): the dual bound exceeds the primal") }
            if certificate.gap > tol { failures.append("the gap \(certificate.gap) exceeds the tolerance \(tol)") }
        }
        if value.isFinite, certificate.primal.isFinite, !(abs(value - certificate.primal) <= tol) {
            failures.append("σ = \(value) differs from q·V = \(certificate.primal) by more than \(tol)")
        }
        // q·V recomputed here, not taken from the certificate (an LP's primal is GLPK's objective).
        // A convex combination: every partial sum stays within max|V|, so it cannot overflow.
        if q.count == values.count, value.isFinite, tol.isFinite {
            var qv = 0.0
            for (x, v) in zip(q, values) { qv += x * v }
            if !(abs(value - qv) <= tol) {
                failures.append("σ = \(value) differs from q·V = \(qv) recomputed from q by more than \(tol)")
            }
        }
        failures += feasibility(q, nominal: p, radius: radius, distance: distance)
        return CertificateCheck(passed: failures.isEmpty, tolerance: tol, failures: failures)
    }

    /// ``check(value:distribution:certificate:distance:nominal:values:radius:)`` of a certified result.
    public func check(_ result: WorstCase, nominal: [Double], values: [Double], radius: Double) -> CertificateCheck {
        check(value: result.value, distribution: result.distribution, certificate: result.certificate,
              distance: result.distance, nominal: nominal, values: values, radius: radius)
    }

    /// ``check(value:distribution:certificate:distance:nominal:values:radius:)`` of an LP result
    /// (its certificate: `q·V` and the LP dual objective; no distance for `wasserstein`).
    public func check(_ result: LPWorstCase, nominal: [Double], values: [Double], radius: Double) -> CertificateCheck {
        check(value: result.value, distribution: result.distribution, certificate: result.certificate,
              distance: nil, nominal: nominal, values: values, radius: radius)
    }

    /// The failed feasibility conditions of `q`.
    func feasibility(_ q: [Double], nominal p: [Double], radius: Double, distance given: Double?) -> [String] {
        guard q.count == p.count else { return ["q has \(q.count) entries, expected \(p.count)"] }
        var failures: [String] = []
        var sum = 0.0
        for (i, x) in q.enumerated() {
            if !x.isFinite { failures.append("q[\(i)] is \(x)"); continue }
            if x < -1e-12 { failures.append("q[\(i)] = \(x) is negative") }
            sum += x
        }
        guard failures.isEmpty else { return failures }
        if !(abs(sum - 1) <= 1e-9) { failures.append("q sums to \(sum), expected 1 within 1e-9") }
        let onNominal = kind == .kl || kind == .chi2 || support == .nominal
        if onNominal, let i = q.indices.first(where: { p[$0] == 0 && q[$0] > 1e-12 }) {
            failures.append("q[\(i)] = \(q[i]) outside supp(p)")
        }
        let slack = 1e-9 * (1 + radius)
        if kind == .none || radius == 0 {
            if let i = q.indices.first(where: { !(abs(q[$0] - p[$0]) <= 1e-9) }) {
                failures.append("q[\(i)] = \(q[i]) differs from p[\(i)] = \(p[i]), expected q = p")
            }
            return failures
        }
        let d: Double? = kind == .wasserstein ? given : distance(q, from: p)
        if let d, !(d <= radius + slack) {
            failures.append("D(q, p) = \(d) exceeds the radius \(radius)")
        }
        return failures
    }
}
