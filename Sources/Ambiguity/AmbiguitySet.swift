// The parameters of an ambiguity set. Its inner problems live in
// `AmbiguitySet+FastPath.swift` (the closed forms the Bellman sweeps call, one file
// per distance: `TotalVariation.swift`, `WeightedL1.swift`, `LInfinity.swift`,
// `Wasserstein.swift`, `KullbackLeibler.swift`, `ChiSquare.swift`),
// `AmbiguitySet+LinearProgram.swift` (the LP path) and `AmbiguitySet+Certified.swift`
// (the validated, certified entry points). The types they share (AmbiguityKind,
// SupportRestriction, AmbiguityError, GroundCost, SparseDistribution, SortedValues,
// RowValues) each have their own file.

/// An `(s,a)`-rectangular ambiguity set `U = {q ∈ Δ : D(q, p) ≤ ρ}` without its
/// nominal `p` and radius `ρ`, which vary by row and are passed per call.
public struct AmbiguitySet: Sendable, Hashable {
    /// The distance `D`.
    public let kind: AmbiguityKind
    /// Where `q` may put mass (ignored by `kl` and `chi2`, which always use `supp(p)`).
    public let support: SupportRestriction
    /// `l1` weights `w_t > 0`, one per state; `nil` means all ones.
    public let weights: [Double]?
    /// `wasserstein` ground cost; required for that kind.
    public let cost: GroundCost?
    /// How the worst case chooses among tied optimal distributions (``TieRule``).
    public let ties: TieRule
    /// The common value of the `l1` weights when they are all equal (all ones
    /// when `weights` is `nil`), else `nil`: the ball is then a scaled TV ball.
    let uniformWeight: Double?
    /// The smallest `l1` weight (1 when `weights` is `nil`).
    let minimumWeight: Double

    /// Validates the parameters that do not depend on the row.
    ///
    /// - Throws: `AmbiguityError.invalidArgument` naming `weights` (non-finite or
    ///   non-positive entry, or given for a kind other than `l1`) or `cost`
    ///   (missing for `wasserstein`, or given for another kind) or `ties` (`split` with
    ///   `wasserstein`, whose transport plans are not separable by state).
    public init(kind: AmbiguityKind, support: SupportRestriction = .simplex,
                weights: [Double]? = nil, cost: GroundCost? = nil, ties: TieRule = .index) throws(AmbiguityError) {
        if ties == .split, kind == .wasserstein {
            throw .invalidArgument(field: .ties, message: "split is not available for set 'wasserstein', expected index")
        }
        if let weights {
            guard kind == .l1 else {
                throw .invalidArgument(field: .weights, message: "given for set '\(kind.rawValue)', expected only for 'l1'")
            }
            for (t, w) in weights.enumerated() where !(w.isFinite && w > 0) {
                throw .invalidArgument(field: .weights, message: "w(\(t)) = \(w), expected a finite number > 0")
            }
        }
        if kind == .wasserstein, cost == nil {
            throw .invalidArgument(field: .cost, message: "missing, expected a ground cost for set 'wasserstein'")
        }
        if cost != nil, kind != .wasserstein {
            throw .invalidArgument(field: .cost, message: "given for set '\(kind.rawValue)', expected only for 'wasserstein'")
        }
        self.kind = kind
        self.support = support
        self.weights = weights
        self.cost = cost
        self.ties = ties
        if let weights, let first = weights.first {
            uniformWeight = weights.allSatisfy { $0 == first } ? first : nil
            minimumWeight = weights.min() ?? 1
        } else {
            uniformWeight = 1
            minimumWeight = 1
        }
    }

    /// The set `{p}` of the classical game.
    public static let nominalOnly = AmbiguitySet(uncheckedKind: .none)

    /// Total variation on the given support.
    public static func totalVariation(support: SupportRestriction = .simplex) -> AmbiguitySet {
        AmbiguitySet(uncheckedKind: .tv, support: support)
    }

    /// This set with tie rule `ties`.
    ///
    /// - Throws: `AmbiguityError.invalidArgument` naming `ties` for `split` with `wasserstein`.
    public func with(ties: TieRule) throws(AmbiguityError) -> AmbiguitySet {
        try AmbiguitySet(kind: kind, support: support, weights: weights, cost: cost, ties: ties)
    }

    init(uncheckedKind kind: AmbiguityKind, support: SupportRestriction = .simplex) {
        self.kind = kind
        self.support = support
        self.weights = nil
        self.cost = nil
        self.ties = .index
        self.uniformWeight = 1
        self.minimumWeight = 1
    }
}
