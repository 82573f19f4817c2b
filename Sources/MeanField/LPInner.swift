import Ambiguity

/// The bridge to the Ambiguity module's validated paths (`inner: lp`, verification).
///
/// Polyhedral sets (`none`, `tv`, `l1`, `linf`, `wasserstein`) are solved as linear
/// programs with `AmbiguitySet.worstCaseLP` (GLPK). `kl` and `chi2` are not linear
/// programs; for them the validated, certified `AmbiguitySet.worstCase` is used instead.
enum LPInner {
    /// `σ` and the reported `q` of one row through the validated path.
    static func solveRow(set: AmbiguitySet, nominal: SparseDistribution, values: [Double],
                         radius: Double) throws(MeanFieldError) -> (value: Double, distribution: SparseDistribution) {
        let dense = nominal.dense(count: values.count)
        do throws(AmbiguityError) {
            if set.kind.isPolyhedral {
                let lp = try set.worstCaseLP(nominal: dense, values: values, radius: radius)
                return (lp.value, cleaned(lp.distribution))
            }
            let wc = try set.worstCase(nominal: dense, values: values, radius: radius)
            return (wc.value, cleaned(wc.distribution))
        } catch {
            throw .ambiguity(error)
        }
    }

    /// A sparse, non-negative, normalized copy of an LP's dense `q` (its round-off removed).
    static func cleaned(_ q: [Double]) -> SparseDistribution {
        var x = q
        var sum = 0.0
        for i in x.indices {
            if !(x[i] > 1e-15) { x[i] = 0 }
            sum += x[i]
        }
        if sum > 0 { for i in x.indices { x[i] /= sum } }
        return SparseDistribution(dense: x)
    }

    /// Re-solves every row's inner problem against each value function through the
    /// validated path and compares `σ` with the closed form.
    ///
    /// Polyhedral sets are compared with the LP's `σ` (GLPK). `kl` and `chi2` have no LP:
    /// their row counts `AmbiguitySet.disagreement(ofValue:…)`, the larger of
    /// `|closed − dual bound|` (the certified dual objective, evaluated from the
    /// multipliers alone) and `|closed − σ_certified|`, formed in the scaled space, and
    /// `∞` when the certificate check fails. A
    /// non-finite value function or result counts as an infinite disagreement, never as 0.
    static func verify(snapshot: GameSnapshot, valueFunctions: [[Double]]) throws(MeanFieldError) -> VerificationReport {
        if let rowSets = snapshot.rowSets { return try verify(snapshot: snapshot, rowSets: rowSets, valueFunctions: valueFunctions) }
        var problems = 0
        var worst = 0.0
        let rows = snapshot.stateCount * snapshot.actionCount
        let set = snapshot.ambiguity
        for v in valueFunctions {
            guard v.allSatisfy(\.isFinite) else {
                problems += rows
                worst = .infinity
                continue
            }
            let sorted = SortedValues(v)
            for i in 0..<rows {
                let closed = set.worstCaseValue(nominal: snapshot.kernel(i), values: sorted, radius: snapshot.radii[i])
                problems += 1
                var d: Double
                if set.kind.isPolyhedral {
                    let lp = try solveRow(set: set, nominal: snapshot.kernel(i), values: v, radius: snapshot.radii[i])
                    d = abs(closed - lp.value)
                } else {
                    let dense = snapshot.kernel(i).dense(count: v.count)
                    do throws(AmbiguityError) {
                        d = try set.disagreement(ofValue: closed, nominal: dense, values: v, radius: snapshot.radii[i])
                    } catch {
                        throw .ambiguity(error)
                    }
                }
                if !d.isFinite { d = .infinity }
                if d > worst { worst = d }
            }
        }
        return VerificationReport(problems: problems, maxDisagreement: worst)
    }

    /// Row sets have no closed form: each row's `σ` from the compact programs of the LP
    /// path (a fresh engine, cold) is compared with `PolyhedralSet.worstCaseLP`
    /// (the full program, another formulation).
    static func verify(snapshot: GameSnapshot, rowSets: [PolyhedralSet], valueFunctions: [[Double]]) throws(MeanFieldError) -> VerificationReport {
        var problems = 0
        var worst = 0.0
        let rows = snapshot.stateCount * snapshot.actionCount
        for v in valueFunctions {
            guard v.allSatisfy(\.isFinite) else {
                problems += rows
                worst = .infinity
                continue
            }
            let compact = try LPRowEngine(rows: rows, actionCount: snapshot.actionCount, workerCount: 1).sweep(snapshot: snapshot, values: v, wantKernels: false).sigma
            for i in 0..<rows {
                let full: LPWorstCase
                do throws(AmbiguityError) {
                    full = try rowSets[i].worstCaseLP(nominal: snapshot.kernel(i).dense(count: v.count), values: v)
                } catch {
                    throw .ambiguity(error)
                }
                problems += 1
                var d = abs(compact[i] - full.value)
                if !d.isFinite { d = .infinity }
                if d > worst { worst = d }
            }
        }
        return VerificationReport(problems: problems, maxDisagreement: worst)
    }
}
