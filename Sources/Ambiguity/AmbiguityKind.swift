/// The distance that defines an ambiguity set (Docs/AmbiguitySets.md).
public enum AmbiguityKind: String, Sendable, CaseIterable, Codable, Hashable {
    /// `{p}`: the classical, non-robust model.
    case none
    /// Total variation `½ Σ|q − p| ≤ ρ`.
    case tv
    /// Weighted L1 `Σ w_i |q_i − p_i| ≤ ρ`.
    case l1
    /// L∞ `max |q_i − p_i| ≤ ρ`.
    case linf
    /// Order-1 Wasserstein (optimal-transport cost under a ground cost) `≤ ρ`.
    case wasserstein
    /// Kullback–Leibler `Σ q log(q/p) ≤ ρ`, on `supp(p)`.
    case kl
    /// Pearson χ² `Σ (q − p)²/p ≤ ρ` (the f-divergence with `f(t) = (t − 1)²`), on `supp(p)`.
    case chi2

    /// Whether the set is a polytope, so that the inner problem is a linear program.
    public var isPolyhedral: Bool {
        switch self {
        case .none, .tv, .l1, .linf, .wasserstein: true
        case .kl, .chi2: false
        }
    }
}
