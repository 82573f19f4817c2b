import Ambiguity
import LinearProgramming

/// The result of ``EquilibriumOptions/exact``: every inner problem of the final pair
/// re-solved as a linear program in exact rational arithmetic (GLPK's `glp_exact`) and
/// compared with the value the solver used.
///
/// A polyhedral row (`none`, `tv`, `l1`, `linf`, `wasserstein`, and the `moment` and
/// `polyhedral` row sets) is an LP whose data are doubles, hence exact rationals:
/// `glp_exact` finds its optimum exactly, rounded once toward zero to a double. `kl` and `chi2`
/// rows are not linear programs and cannot be checked this way; they are counted in
/// ``nonPolyhedralRows`` and checked by their certified dual instead (the measure of
/// ``EquilibriumOptions/verify``), reported in ``certifiedMaxDisagreement``.
public struct ExactVerificationReport: Sendable, Hashable, Codable {
    /// Row problems re-solved in exact arithmetic (`n·m` per value function checked:
    /// `V*` and `V^π`).
    public let rowsChecked: Int
    /// The largest `|σ_used − σ_exact|` over those rows (0 when there were none; `∞`
    /// when a value function was not finite).
    public let maxDisagreement: Double
    /// Where the compared `σ_used` came from: the closed forms, or the LP inner path's
    /// row problems (``InnerMethod/lp``, always for row sets).
    public let compared: InnerMethod
    /// Rows whose set (`kl`, `chi2`) is not a linear program: not exactly verifiable.
    public let nonPolyhedralRows: Int
    /// For ``nonPolyhedralRows``: the largest certified-dual disagreement (the larger
    /// of `|σ − dual bound|` and `|σ − σ_certified|`, `∞` when the certificate check
    /// fails); 0 when there were none.
    public let certifiedMaxDisagreement: Double

    /// `true` when every row was checked in exact arithmetic (no `kl`/`chi2` rows).
    public var isExact: Bool { nonPolyhedralRows == 0 }
}

/// The exact check of ``EquilibriumOptions/exact``.
enum ExactCheck {
    /// Re-solves every row of `snapshot` against each value function in exact arithmetic.
    ///
    /// `σ_used` comes from `engine` (the solve's own LP path, warm) when the solve used
    /// the LP path, else from the closed forms. Each exact LP is built, solved and
    /// deleted by `worstCaseLP` on the calling thread in one synchronous scope, after
    /// the set, `p`, `V` and `ρ` are validated.
    static func verify(snapshot: GameSnapshot, valueFunctions: [[Double]],
                       engine: LPRowEngine?) throws(MeanFieldError) -> ExactVerificationReport {
        let rows = snapshot.stateCount * snapshot.actionCount
        let polyhedral = snapshot.rowSets != nil || snapshot.ambiguity.kind.isPolyhedral
        var tally = Tally()
        for v in valueFunctions {
            guard v.allSatisfy(\.isFinite) else {
                tally.add(rows: rows, polyhedral: polyhedral, disagreement: .infinity)
                continue
            }
            let used = try usedValues(snapshot: snapshot, values: v, engine: engine)
            for i in 0..<rows {
                let d = polyhedral
                    ? try exactDisagreement(snapshot: snapshot, row: i, values: v, used: used[i])
                    : try certifiedDisagreement(snapshot: snapshot, row: i, values: v, used: used[i])
                tally.add(rows: 1, polyhedral: polyhedral, disagreement: d.isFinite ? d : .infinity)
            }
        }
        return ExactVerificationReport(rowsChecked: tally.exactRows, maxDisagreement: tally.exactWorst,
                                       compared: engine == nil ? .closedForm : .lp,
                                       nonPolyhedralRows: tally.certifiedRows,
                                       certifiedMaxDisagreement: tally.certifiedWorst)
    }

    /// Counts and largest disagreements, kept apart for exact and certified rows.
    private struct Tally {
        var exactRows = 0, certifiedRows = 0
        var exactWorst = 0.0, certifiedWorst = 0.0

        mutating func add(rows: Int, polyhedral: Bool, disagreement d: Double) {
            if polyhedral {
                exactRows += rows
                exactWorst = max(exactWorst, d)
            } else {
                certifiedRows += rows
                certifiedWorst = max(certifiedWorst, d)
            }
        }
    }

    /// `σ` of every row as the solve computed it: the LP path's engine, or the closed form.
    static func usedValues(snapshot: GameSnapshot, values: [Double],
                           engine: LPRowEngine?) throws(MeanFieldError) -> [Double] {
        if let engine {
            return try engine.sweep(snapshot: snapshot, values: values, wantKernels: false).sigma
        }
        let sorted = SortedValues(values)
        let rows = snapshot.stateCount * snapshot.actionCount
        return (0..<rows).map { i in
            snapshot.ambiguity.worstCaseValue(nominal: snapshot.kernel(i), values: sorted, radius: snapshot.radii[i])
        }
    }

    /// `|σ_used − σ_exact|` of row `i`. `σ_exact` is the optimum of the row's program
    /// with one column per state and `p` as fixed columns (``InnerRowProgram``'s
    /// formulation, data exactly the row's doubles) on `V·2^−e` (exact), scaled to
    /// integral data, solved by `glp_exact` and scaled back: the set's
    /// `exactWorstCase`, which `worstCaseLP` with `LPOptions(exact: true)` also returns.
    static func exactDisagreement(snapshot: GameSnapshot, row i: Int, values: [Double],
                                  used: Double) throws(MeanFieldError) -> Double {
        let solved: LPWorstCase
        do throws(AmbiguityError) {
            if let rowSets = snapshot.rowSets {
                solved = try rowSets[i].exactWorstCase(nominal: snapshot.kernel(i), values: values)
            } else {
                solved = try snapshot.ambiguity.exactWorstCase(nominal: snapshot.kernel(i), values: values,
                                                               radius: snapshot.radii[i])
            }
        } catch {
            let name = "row (\(i / snapshot.actionCount), \(i % snapshot.actionCount))"
            switch error {
            case let .outOfRange(message): throw .ambiguity(.outOfRange("\(name): \(message)"))
            default: throw .ambiguity(.linearProgram("\(name): \(error)"))
            }
        }
        guard solved.solution.exact else {
            throw .ambiguity(.linearProgram("row (\(i / snapshot.actionCount), \(i % snapshot.actionCount)): glp_exact did not run, expected an optimum in exact arithmetic"))
        }
        return abs(used - solved.value)
    }

    /// A `kl`/`chi2` row: the certified dual's disagreement with `σ_used` (not exact).
    static func certifiedDisagreement(snapshot: GameSnapshot, row i: Int, values: [Double],
                                      used: Double) throws(MeanFieldError) -> Double {
        let nominal = snapshot.kernel(i).dense(count: values.count)
        do throws(AmbiguityError) {
            return try snapshot.ambiguity.disagreement(ofValue: used, nominal: nominal, values: values,
                                                       radius: snapshot.radii[i])
        } catch {
            throw .ambiguity(error)
        }
    }
}
