// The fast, allocation-light inner-problem path used by Bellman sweeps.
// Callers guarantee valid input (a probability row, finite values, radius >= 0);
// the validated, certified entry points live in `AmbiguitySet+Certified.swift`.

extension AmbiguitySet {
    /// `σ = min_{q ∈ U(p, ρ)} q·V` for a valid sparse row `p`.
    ///
    /// - Precondition: `nominal` is a probability vector on states `< values.values.count`,
    ///   `radius ≥ 0` and finite, every value finite. Not checked in release builds.
    public func worstCaseValue(nominal: SparseDistribution, values: SortedValues, radius: Double) -> Double {
        switch kind {
        case .none:
            return nominal.dot(values.values)
        case .tv:
            return TotalVariation.value(p: nominal, v: values, radius: radius, support: support)
        default:
            preconditionFailure("worst case for \(kind) not yet implemented")
        }
    }

    /// The worst-case distribution `q` (MODEL.md's tie-break) and its value.
    public func worstCaseDistribution(nominal: SparseDistribution, values: SortedValues, radius: Double) -> (value: Double, distribution: SparseDistribution) {
        switch kind {
        case .none:
            return (nominal.dot(values.values), nominal)
        case .tv:
            return TotalVariation.distribution(p: nominal, v: values, radius: radius, support: support)
        default:
            preconditionFailure("worst case for \(kind) not yet implemented")
        }
    }
}

extension SparseDistribution {
    /// `Σ_i p_i v_i` over the support.
    @inlinable public func dot(_ v: [Double]) -> Double {
        var s = 0.0
        for k in indices.indices { s += probabilities[k] * v[indices[k]] }
        return s
    }
}
