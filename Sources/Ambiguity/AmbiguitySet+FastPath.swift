// The fast, allocation-light inner-problem path used by Bellman sweeps.
// Callers guarantee valid input (a probability row, finite values, radius >= 0);
// the validated, certified entry points live in `AmbiguitySet+Certified.swift`.

extension AmbiguitySet {
    /// `σ = min_{q ∈ U(p, ρ)} q·V` for a valid sparse row `p`.
    ///
    /// - Precondition: `nominal` is a probability vector on states `< values.values.count`
    ///   with at least one entry, `radius ≥ 0` and finite, every value finite, `weights`
    ///   (l1) and `cost` (wasserstein) sized for `values.values.count` states.
    ///   Not checked in release builds.
    public func worstCaseValue(nominal: SparseDistribution, values: SortedValues, radius: Double) -> Double {
        solveRow(nominal: nominal, values: values, radius: radius, build: false).value
    }

    /// ``worstCaseValue(nominal:values:radius:)`` reusing a sweep's shared work
    /// (``sweepContext(values:)``, built for the same `values`). Same result.
    package func worstCaseValue(nominal: SparseDistribution, values: SortedValues, radius: Double,
                                context: SweepContext) -> Double {
        solveRow(nominal: nominal, values: values, radius: radius, build: false, context: context).value
    }

    /// What every row of one Bellman sweep can share, built once per sweep for its `V`:
    /// for `wasserstein` on the simplex, every state's lower envelope (a state is the
    /// donor of about `k·m` rows); nothing for the other sets.
    package func sweepContext(values: SortedValues) -> SweepContext {
        if kind == .wasserstein, support == .simplex, let cost {
            return SweepContext(hulls: Wasserstein.Hulls(values: values.working, cost: cost))
        }
        return SweepContext(hulls: nil)
    }

    /// The worst-case distribution `q` (the tie-break of Docs/Theory.md, §1) and its value.
    ///
    /// - Precondition: as for ``worstCaseValue(nominal:values:radius:)``.
    public func worstCaseDistribution(nominal: SparseDistribution, values: SortedValues, radius: Double) -> (value: Double, distribution: SparseDistribution) {
        let s = solveRow(nominal: nominal, values: values, radius: radius, build: true)
        return (s.value, s.distribution)
    }

    /// Dispatches one row to the set's algorithm, in the working space of `values`
    /// (``SortedValues/working``): `σ` and the dual point are scaled back by
    /// `2^exponent` (exact; `±∞` only when the true `σ` is beyond the double range).
    func solveRow(nominal: SparseDistribution, values: SortedValues, radius: Double, build: Bool,
                  context: SweepContext? = nil) -> RowSolution {
        let e = values.exponent
        guard e != 0 else { return solveWorking(nominal: nominal, values: values, radius: radius, build: build, context: context) }
        var s = solveWorking(nominal: nominal, values: values.working, radius: radius, build: build, context: context)
        s.value = Double(sign: .plus, exponent: e, significand: s.value)
        s.dual = s.dual.scaled(exponent: e)
        return s
    }

    /// ``solveRow(nominal:values:radius:build:context:)`` on values already in their
    /// working space (`exponent == 0`); results in that space.
    func solveWorking(nominal: SparseDistribution, values: SortedValues, radius: Double, build: Bool,
                      context: SweepContext? = nil) -> RowSolution {
        var row = solveIndexed(nominal: nominal, values: values, radius: radius, build: build, context: context)
        if build, splitsTies,
           let split = TieSplit.apply(q: row.distribution, p: nominal, v: values, support: support, kind: kind, weights: weights) {
            (row.distribution, row.distance) = split
        }
        return row
    }

    /// Whether ``TieRule/split`` changes this set's distributions: `tv`, `l1` and
    /// `linf` (`none`, `kl` and `chi2` have a unique optimal `q`; `wasserstein` refuses `split`).
    package var splitsTies: Bool {
        guard ties == .split else { return false }
        switch kind {
        case .tv, .l1, .linf: return true
        default: return false
        }
    }

    /// The set's algorithm with the tie-break by `(V_t, t)`.
    func solveIndexed(nominal: SparseDistribution, values: SortedValues, radius: Double, build: Bool,
                      context: SweepContext?) -> RowSolution {
        switch kind {
        case .none:
            return RowSolution(value: nominal.dot(values.values),
                               distribution: build ? nominal : SparseDistribution(indices: [], probabilities: []),
                               dual: DualPoint(), distance: 0)
        case .tv:
            return TotalVariation.solve(p: nominal, v: values, radius: radius, support: support, build: build)
        case .l1:
            if let w = uniformWeight {
                // Σ w|q − p| ≤ ρ is the TV ball of radius ρ/(2w); λ_L1 = λ_TV/(2w).
                var s = TotalVariation.solve(p: nominal, v: values, radius: radius / (2 * w), support: support, build: build)
                // η = m(λ_L1) = V* + λ_L1·w equals TV's η = V* + λ_TV/2.
                s.dual.lambda /= 2 * w
                s.distance *= 2 * w
                return s
            }
            return WeightedL1.solve(p: nominal, v: values, radius: radius, support: support,
                                    weights: weights ?? [], minimumWeight: minimumWeight, build: build)
        case .linf:
            return LInfinity.solve(p: nominal, v: values, radius: radius, support: support, build: build)
        case .wasserstein:
            guard let cost else { preconditionFailure("wasserstein without a ground cost") }
            return Wasserstein.solve(p: nominal, v: values, radius: radius, support: support, cost: cost, build: build,
                                     hulls: context?.hulls)
        case .kl:
            return KullbackLeibler.solve(p: nominal, v: values, radius: radius, build: build)
        case .chi2:
            return ChiSquare.solve(p: nominal, v: values, radius: radius, build: build)
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

extension AmbiguitySet {
    /// The worst-case distribution of a row appended to flat (CSR) buffers: its
    /// support to `indices` (increasing) and its probabilities to `probabilities`.
    /// Returns `σ`. Same result as ``worstCaseDistribution(nominal:values:radius:)``;
    /// for `none` and `tv` it allocates nothing besides the buffers' growth, which is
    /// what lets a Bellman sweep keep every row's kernel in three arrays.
    ///
    /// - Precondition: as ``worstCaseValue(nominal:values:radius:)``.
    public func appendWorstCase(nominal: SparseDistribution, values: SortedValues, radius: Double,
                                indices: inout [Int], probabilities: inout [Double]) -> Double {
        appendWorstCase(nominal: nominal, values: values, radius: radius, context: nil,
                        indices: &indices, probabilities: &probabilities)
    }

    /// ``appendWorstCase(nominal:values:radius:indices:probabilities:)`` reusing a
    /// sweep's shared work (``sweepContext(values:)`` for the same `values`). Same result.
    package func appendWorstCase(nominal: SparseDistribution, values: SortedValues, radius: Double,
                                 context: SweepContext?, indices: inout [Int], probabilities: inout [Double]) -> Double {
        switch kind {
        case .none:
            indices.append(contentsOf: nominal.indices)
            probabilities.append(contentsOf: nominal.probabilities)
            return nominal.dot(values.values)
        case .tv where !splitsTies:
            return TotalVariation.append(p: nominal, v: values, radius: radius, support: support,
                                         indices: &indices, probabilities: &probabilities)
        default:
            let row = solveRow(nominal: nominal, values: values, radius: radius, build: true, context: context)
            let (value, q) = (row.value, row.distribution)
            indices.append(contentsOf: q.indices)
            probabilities.append(contentsOf: q.probabilities)
            return value
        }
    }
}

extension AmbiguitySet {
    /// `true` for the sets whose worst case of a row with `k` entries has at most
    /// `k + 1` entries and is computed without allocation: `none`, `tv`, and `l1`
    /// with uniform weights (a scaled TV ball). For these a Bellman sweep calls
    /// ``writeWorstCase(indices:masses:view:radius:outIndices:outMasses:)`` on raw buffers.
    /// Not with ``TieRule/split``, whose rows can spread over every tied state.
    package var writesRowsInPlace: Bool {
        if splitsTies { return false }
        switch kind {
        case .none, .tv: return true
        case .l1: return uniformWeight != nil
        default: return false
        }
    }

    /// `σ` and (with output buffers of room `k + 1`) the worst case of a row given as
    /// raw buffers, for a set with ``writesRowsInPlace``. Returns `σ` and the number of
    /// entries written (0 without buffers). Same numbers as
    /// ``appendWorstCase(nominal:values:radius:indices:probabilities:)``. Rows of one or two
    /// entries with `support: nominal` take ``TotalVariation/shortNominal(indices:masses:values:radius:outIndices:outMasses:)``,
    /// the same arithmetic without the general row's buffers and scans.
    ///
    /// - Precondition: ``writesRowsInPlace``, and the preconditions of ``worstCaseValue(nominal:values:radius:)``.
    @inline(__always)
    package func writeWorstCase(indices: UnsafeBufferPointer<Int>, masses: UnsafeBufferPointer<Double>,
                                view: RowValues, radius: Double,
                                outIndices: UnsafeMutablePointer<Int>?, outMasses: UnsafeMutablePointer<Double>?) -> (value: Double, count: Int) {
        switch kind {
        case .none:
            var dot = 0.0
            for pos in indices.indices { dot += masses[pos] * view.values[indices[pos]] }
            guard let outIndices, let outMasses else { return (dot, 0) }
            for pos in indices.indices {
                outIndices[pos] = indices[pos]
                outMasses[pos] = masses[pos]
            }
            return (dot, indices.count)
        case .l1:
            let w = uniformWeight ?? 1
            if support == .nominal, indices.count <= 2 {
                return TotalVariation.shortNominal(indices: indices, masses: masses, values: view.values, radius: radius / (2 * w),
                                                   outIndices: outIndices, outMasses: outMasses)
            }
            let r = TotalVariation.core(indices: indices, masses: masses, view: view, radius: radius / (2 * w),
                                        support: support, outIndices: outIndices, outMasses: outMasses)
            return (r.outcome.value, r.count)
        default:
            if support == .nominal, indices.count <= 2 {
                return TotalVariation.shortNominal(indices: indices, masses: masses, values: view.values, radius: radius,
                                                   outIndices: outIndices, outMasses: outMasses)
            }
            let r = TotalVariation.core(indices: indices, masses: masses, view: view, radius: radius,
                                        support: support, outIndices: outIndices, outMasses: outMasses)
            return (r.outcome.value, r.count)
        }
    }
}

/// The worst case of rows of one or two entries for the sets whose
/// ``AmbiguitySet/writeWorstCase(indices:masses:view:radius:outIndices:outMasses:)`` takes
/// ``TotalVariation/shortNominal(indices:masses:values:radius:outIndices:outMasses:)`` there
/// (``AmbiguitySet/shortRows``), called from a caller's loop without the general entry point's
/// dispatch on the set and the row: the frozen chain's refresh calls it once per row of the crowd
/// grid, where that dispatch was a large part of the row's cost (the refresh's chain part in 0.9×
/// the time at 1000×1000; Docs/Performance.md, section 8, "Twenty-sixth round"). The same
/// arithmetic, so bit for bit that function's `σ`, count and entries.
package struct ShortRows: Sendable {
    /// The `l1` ball's common weight `w` (its TV radius is `ρ/(2w)`), or `nil` for `tv`.
    @usableFromInline let l1Weight: Double?

    @usableFromInline init(l1Weight: Double?) { self.l1Weight = l1Weight }

    /// `σ` and the worst case of a row of one or two entries, as
    /// ``AmbiguitySet/writeWorstCase(indices:masses:view:radius:outIndices:outMasses:)`` gives them.
    ///
    /// - Precondition: `indices.count` is 1 or 2, and the preconditions of that function.
    @inlinable @inline(__always)
    package func worstCase(indices: UnsafeBufferPointer<Int>, masses: UnsafeBufferPointer<Double>,
                           values: UnsafeBufferPointer<Double>, radius: Double,
                           outIndices: UnsafeMutablePointer<Int>?, outMasses: UnsafeMutablePointer<Double>?) -> (value: Double, count: Int) {
        let r = if let w = l1Weight { radius / (2 * w) } else { radius }
        return TotalVariation.shortNominal(indices: indices, masses: masses, values: values, radius: r,
                                           outIndices: outIndices, outMasses: outMasses)
    }
}

extension AmbiguitySet {
    /// ``ShortRows`` for the sets whose rows of one or two entries
    /// ``writeWorstCase(indices:masses:view:radius:outIndices:outMasses:)`` solves with
    /// ``TotalVariation/shortNominal(indices:masses:values:radius:outIndices:outMasses:)``
    /// (`tv`, and `l1` with uniform weights, on `support: nominal`, ties by index), else `nil`.
    package var shortRows: ShortRows? {
        guard writesRowsInPlace, support == .nominal else { return nil }
        switch kind {
        case .tv: return ShortRows(l1Weight: nil)
        case .l1: return ShortRows(l1Weight: uniformWeight ?? 1)
        default: return nil
        }
    }
}

extension AmbiguitySet {
    /// `σ` of one dense row (`p` and `V` of equal length) for the TV ball and the uniform
    /// L1 ball (its TV ball of radius `ρ/(2w)`), checked and solved in one pass by
    /// ``TotalVariation/denseValue(nominal:values:radius:support:)``: bit for bit the value of
    /// ``writeWorstCase(indices:masses:view:radius:outIndices:outMasses:)`` on the row's
    /// support. `nil` for every other set, and when the row fails that function's checks
    /// (the caller then takes the general path, which reports the error).
    ///
    /// - Precondition: `radius` finite and `≥ 0`.
    @inline(__always)
    package func denseWorstCaseValue(nominal p: UnsafeBufferPointer<Double>, values v: UnsafeBufferPointer<Double>,
                                     radius: Double) -> Double? {
        guard writesRowsInPlace else { return nil }
        switch kind {
        case .tv:
            return TotalVariation.denseValue(nominal: p, values: v, radius: radius, support: support)
        case .l1:
            return TotalVariation.denseValue(nominal: p, values: v, radius: radius / (2 * (uniformWeight ?? 1)), support: support)
        default:
            return nil
        }
    }
}

/// Work shared by every row of one Bellman sweep (``AmbiguitySet/sweepContext(values:)``).
package struct SweepContext: Sendable {
    let hulls: Wasserstein.Hulls?
}
