/// How nature's worst case chooses among optimal distributions when values tie
/// (`ambiguity.ties`, Docs/AmbiguitySets.md, "Ties").
public enum TieRule: String, Sendable, CaseIterable, Codable, Hashable {
    /// States are ordered by `(V_t, t)`: the first of several tied states takes
    /// the mass (the default, and the rule of Docs/Theory.md, §1).
    case index
    /// Mass moved within a class of tied states is spread symmetrically: every
    /// member's change from `p` is the same (mass gained in equal amounts, mass
    /// removed by water filling `min(p_t, θ)`), so a permutation of the states that
    /// keeps `p`, `V` (and the set's weights) keeps `q`.
    case split
}

/// The tolerance that makes two values tie under ``TieRule/split``:
/// `|V_i − V_j| ≤ absolute + relative · max_t |V_t|` (on the working values of
/// ``SortedValues``).
public enum TieTolerance {
    /// The absolute part.
    public static let absolute = 1e-12
    /// The part relative to the largest magnitude in `V`.
    public static let relative = 1e-12

    /// The tolerance for values whose largest magnitude is `scale`.
    @inlinable public static func tolerance(scale: Double) -> Double { absolute + relative * scale }
}
