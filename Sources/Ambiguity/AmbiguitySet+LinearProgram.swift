import LinearProgramming

/// The inner problem of a polyhedral set solved as a linear program.
public struct LPWorstCase: Sendable, Hashable {
    /// `σ`, the LP optimum.
    public let value: Double
    /// The LP's `q` (columns `0..<n`); it may differ from the closed form's
    /// only where values tie.
    public let distribution: [Double]
    /// The solver's termination status (always `.optimal` when returned).
    public let status: LPStatus
    /// The full solver result (duals, KKT residuals, iteration count) of the LP built
    /// on `V·2^−exponent`: its objective and duals are in those units.
    public let solution: LPSolution
    /// The scaling of `V` the LP was solved with: `max|V|·2^−exponent ∈ [½, 1)` (`0`
    /// for `V = 0`), so that GLPK's absolute tolerances fit every magnitude.
    public let exponent: Int
    /// `q·V` and the LP dual objective at the solver's duals, with their gap formed in
    /// the scaled space, all scaled back by `2^exponent`.
    public let certificate: Certificate
    /// The row duals in units of `V`, one per row of the LP solved (``rowNames``); `±∞`
    /// where out of range.
    public let rowDuals: [Double]
    /// The names of the LP's rows (`row<k>` for an unnamed one): the constraints of
    /// ``AmbiguitySet/linearProgram(nominal:values:radius:)`` (or
    /// ``PolyhedralSet/linearProgram(nominal:values:)``), or in exact mode those of the
    /// exact row program (`balance`, `budget`, `simplex`, `source_<s>`, `mass`, and each
    /// polyhedral constraint's name).
    public let rowNames: [String]
}

extension AmbiguitySet {
    /// The inner problem `min_{q ∈ U(p, ρ)} q·V` as a linear program, so the CLI
    /// can export it (`writeCPLEX`) or solve it. Columns `0..<n` are `q`.
    ///
    /// - `none` and every set at `ρ = 0`: `q_t` fixed at `p_t`.
    /// - `tv` / `l1`: `d_t ≥ |q_t − p_t|` by rows `q_t − d_t ≤ p_t`,
    ///   `q_t + d_t ≥ p_t`, and the budget `Σ w_t d_t ≤ ρ` (`w = ½` for tv).
    /// - `linf`: bounds `max(0, p_t − ρ) ≤ q_t ≤ min(1, p_t + ρ)`.
    /// - `wasserstein`: a plan `π_st ≥ 0` (`s ∈ supp p`, `t` allowed) with
    ///   `Σ_t π_st = p_s`, `q_t = Σ_s π_st` and `Σ c_st π_st ≤ ρ`.
    /// - Always `Σ q = 1`; with `support: nominal`, `q_t = 0` off `supp(p)`.
    ///
    /// - Throws: `AmbiguityError.invalidArgument` for invalid input (as
    ///   ``validate(nominal:values:radius:)``) or for `kl`/`chi2`
    ///   (field `set`: not polyhedral; use ``worstCase(nominal:values:radius:)``).
    public func linearProgram(nominal: [Double], values: [Double], radius: Double) throws(AmbiguityError) -> LinearProgram {
        try validate(nominal: nominal, values: values, radius: radius)
        guard kind.isPolyhedral else {
            throw .invalidArgument(field: .set, message: "'\(kind.rawValue)' is not polyhedral, so it has no LP formulation; use the certified dual solver (worstCase)")
        }
        let n = nominal.count
        var lp = LinearProgram(sense: .minimize)
        let allowed = (0..<n).map { support == .simplex || nominal[$0] > 0 }
        let fixed = kind == .none || radius == 0
        for t in 0..<n {
            var lower = 0.0
            var upper: Double? = nil
            if fixed {
                lower = nominal[t]; upper = nominal[t]
            } else if !allowed[t] {
                upper = 0
            } else if kind == .linf {
                lower = max(0, nominal[t] - radius)
                upper = min(1, nominal[t] + radius)
            }
            lp.addVariable(name: "q_\(t)", lower: lower, upper: upper, objective: values[t])
        }
        lp.addConstraint(name: "simplex", terms: (0..<n).map { (variable: $0, coefficient: 1.0) }, lower: 1, upper: 1)
        guard !fixed else { return lp }
        switch kind {
        case .tv, .l1:
            var budget: [(variable: Int, coefficient: Double)] = []
            for t in 0..<n where allowed[t] {
                let d = lp.addVariable(name: "d_\(t)", lower: 0)
                lp.addConstraint(name: "above_\(t)", terms: [(t, 1), (d, -1)], upper: nominal[t])
                lp.addConstraint(name: "below_\(t)", terms: [(t, 1), (d, 1)], lower: nominal[t])
                budget.append((d, kind == .tv ? 0.5 : (weights?[t] ?? 1)))
            }
            lp.addConstraint(name: "budget", terms: budget, upper: radius)
        case .wasserstein:
            guard let cost else { throw .invalidArgument(field: .cost, message: "missing, expected a ground cost for set 'wasserstein'") }
            var inflow = [[(variable: Int, coefficient: Double)]](repeating: [], count: n)
            var budget: [(variable: Int, coefficient: Double)] = []
            for s in 0..<n where nominal[s] > 0 {
                var out: [(variable: Int, coefficient: Double)] = []
                for t in 0..<n where allowed[t] {
                    let x = lp.addVariable(name: "pi_\(s)_\(t)", lower: 0)
                    out.append((x, 1))
                    inflow[t].append((x, -1))
                    if cost[s, t] != 0 { budget.append((x, cost[s, t])) }
                }
                lp.addConstraint(name: "source_\(s)", terms: out, lower: nominal[s], upper: nominal[s])
            }
            for t in 0..<n where allowed[t] {
                lp.addConstraint(name: "target_\(t)", terms: [(t, 1)] + inflow[t], lower: 0, upper: 0)
            }
            lp.addConstraint(name: "budget", terms: budget, upper: radius)
        case .none, .linf, .kl, .chi2:
            break
        }
        return lp
    }

    /// Solves ``linearProgram(nominal:values:radius:)`` with GLPK.
    ///
    /// With `options.exact` it solves instead, in exact rational arithmetic, the row
    /// program whose data are exactly the given doubles (`p` as fixed columns, mass moves
    /// so `Σ q = Σ p`, no bound such as `p_t − ρ` computed in floating point; the program
    /// `rmfg solve --exact` checks rows with), scaled to integral data so that
    /// `glp_exact` reads it exactly: ``LPWorstCase/value`` is then the exact `σ` of the given `p`, `V`
    /// and `ρ`, rounded once (toward zero) to a double. Its ``LPWorstCase/rowDuals`` belong to that
    /// program's rows (``LPWorstCase/rowNames``).
    ///
    /// The LP is built on `V·2^−e` with `max|V|·2^−e ∈ [½, 1)` (exact; `σ` is positively
    /// homogeneous in `V`), so GLPK's absolute tolerances fit any magnitude of `V`; the
    /// value, certificate and row duals are scaled back.
    ///
    /// - Throws: `AmbiguityError.invalidArgument` as ``linearProgram(nominal:values:radius:)``;
    ///   `AmbiguityError.linearProgram` when GLPK fails or stops without an
    ///   optimal solution; `AmbiguityError.outOfRange` when `σ` or a row dual is beyond
    ///   the double range.
    public func worstCaseLP(nominal: [Double], values: [Double], radius: Double,
                            options: LPOptions = LPOptions()) throws(AmbiguityError) -> LPWorstCase {
        try validate(nominal: nominal, values: values, radius: radius)
        if options.exact {
            return try exactWorstCase(nominal: SparseDistribution(dense: nominal), values: values, radius: radius,
                                      options: options)
        }
        // σ is positively homogeneous in V: solve on V·2^−e (exact) with max|V| in [½, 1).
        let e = SortedValues.unitExponent(values)
        let scaled = values.map { Double(sign: .plus, exponent: -e, significand: $0) }
        let lp = try linearProgram(nominal: nominal, values: scaled, radius: radius)
        return try LPWorstCase.solve(lp, exponent: e, options: options) { Array($0.primal.prefix(nominal.count)) }
    }
}
