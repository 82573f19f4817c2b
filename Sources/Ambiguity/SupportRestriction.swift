/// Where the worst-case distribution may put mass.
public enum SupportRestriction: String, Sendable, CaseIterable, Codable, Hashable {
    /// The whole simplex `Δ(S)` (default): mass may move to states with `p_i = 0`.
    case simplex
    /// Only `supp(p)`. KL and χ² always behave like this.
    case nominal
}
