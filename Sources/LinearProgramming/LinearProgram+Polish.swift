import CGLPK

/// The polishing rule of GLPK's optima (Docs/AmbiguitySets.md, "Polishing"), shared by
/// ``LinearProgram/solvePolished(options:polishTolerance:)`` and the warm row solves of
/// ``LPBank``: an optimum whose relative bound or sign residual (GLPK's KKT check) exceeds
/// ``strictResidual`` is re-solved from its basis with GLPK's `tol_bnd` and `tol_dj` at
/// ``tolerance``, and the re-solve is kept only when it is optimal with a smaller residual.
enum PolishRule {
    /// The largest relative residual accepted without a re-solve: `1e-12`. GLPK's own
    /// tolerances (`tol_bnd`, `tol_dj`, `1e-7` by default) let a basic variable end up to
    /// `1e-7·(1 + |b|)` beyond its bound (its ratio test trades feasibility for stable pivots)
    /// and a reduced cost up to `1e-7` on the wrong side of zero.
    static let strictResidual = 1e-12

    /// The re-solve's `tol_bnd` and `tol_dj`: `1e-13`, a tenth of ``strictResidual``.
    static let tolerance = 1e-13

    /// Whether an optimum with this residual is re-solved (`true` also for NaN).
    static func needsResolve(residual: Double) -> Bool { !(residual <= strictResidual) }

    /// Whether the re-solve, ended with `status` and `residual`, replaces an optimum of residual `first`.
    static func keepsResolve(status: LPStatus, residual: Double, over first: Double) -> Bool {
        status == .optimal && residual < first
    }

    /// The largest of GLPK's relative KKT residuals of the bounds (`GLP_KKT_PB`) and of the
    /// optimality signs (`GLP_KKT_DB`) of the basic solution that `p` holds, and of
    /// ``signResidual(_:)``.
    static func residual(_ p: OpaquePointer) -> Double {
        let kkt = max(GLPK.kkt(p, GLP_KKT_PB), GLPK.kkt(p, GLP_KKT_DB))
        let signs = signResidual(p)
        return signs <= kkt ? kkt : signs
    }

    /// The largest optimality sign that every non-basic row and column of `p` misses: a
    /// variable at its lower bound needs a reduced cost `d ≥ 0` (minimizing; `≤ 0`
    /// maximizing), at its upper bound `d ≤ 0`, a free one `d = 0`; a fixed one has no sign.
    /// A column's miss is relative to `1 + |c_j|`. GLPK's own `GLP_KKT_DB` does not cover
    /// every such variable: on `PolyhedralSet`'s full programs with an L∞ ball (columns
    /// bounded on both sides) GLPK's `1e-7` let reduced costs of the wrong sign stand where
    /// its check read 0, and `σ` came out above the optimum by up to `3.7e-8·max|V|`
    /// (`LPBankPolyhedralTests`, Docs/AmbiguitySets.md, "Polishing"). NaN when a dual is NaN.
    static func signResidual(_ p: OpaquePointer) -> Double {
        let sense: Double = glp_get_obj_dir(p) == GLP_MAX ? -1 : 1
        var worst = 0.0
        func note(_ stat: Int32, _ d: Double, scale: Double) {
            let miss: Double
            switch stat {
            case GLP_NL: miss = -d
            case GLP_NU: miss = d
            case GLP_NF: miss = abs(d)
            default: return
            }
            let relative = miss / scale
            if !(relative <= worst) { worst = relative }
        }
        let m = glp_get_num_rows(p), n = glp_get_num_cols(p)
        if m > 0 {
            for i in 1...m { note(glp_get_row_stat(p, i), sense * glp_get_row_dual(p, i), scale: 1) }
        }
        if n > 0 {
            for j in 1...n {
                note(glp_get_col_stat(p, j), sense * glp_get_col_dual(p, j), scale: 1 + abs(glp_get_obj_coef(p, j)))
            }
        }
        return worst
    }
}

extension LPSolution {
    /// The largest relative violation of a bound or of an optimality sign that
    /// ``LinearProgram/solvePolished(options:polishTolerance:)`` accepts without a re-solve:
    /// `1e-12` (the polishing rule's, shared with ``LPBank``).
    package static let strictResidual = PolishRule.strictResidual

    /// Whether GLPK's KKT check puts every bound and every sign of this solution within
    /// ``strictResidual`` (relative, `GLP_KKT_PB` and `GLP_KKT_DB`).
    package var meetsStrictResiduals: Bool { !PolishRule.needsResolve(residual: boundResidual) }

    /// The larger of the two residuals ``meetsStrictResiduals`` reads.
    var boundResidual: Double { max(kkt.primalBounds, kkt.dualBounds) }

    /// This solution with `iterations` in place of its own count.
    func counting(iterations total: Int) -> LPSolution {
        LPSolution(status: status, primalStatus: primalStatus, dualStatus: dualStatus, objective: objective, primal: primal,
                   rowActivities: rowActivities, rowDuals: rowDuals, reducedCosts: reducedCosts, kkt: kkt,
                   iterations: total, exact: exact)
    }
}

extension LinearProgram {
    /// The tolerances of the polishing re-solve of ``solvePolished(options:polishTolerance:)``:
    /// GLPK's `tol_bnd` and `tol_dj` set to `1e-13`, a tenth of ``LPSolution/strictResidual``.
    package static let polishTolerance = PolishRule.tolerance

    /// Solves the program like ``solve(options:)``, then, when an optimal floating solution
    /// leaves a bound or an optimality sign off by more than ``LPSolution/strictResidual``
    /// (relative, GLPK's KKT check), re-solves it from the same basis with GLPK's `tol_bnd` and
    /// `tol_dj` at `polishTolerance`.
    ///
    /// GLPK declares a basis optimal when its violations are within `tol_bnd` and `tol_dj`
    /// (`1e-7`). Scanning 5·10⁶ random L1 inner problems found four optima that the library's
    /// certificate check rejects for that reason (`q_t = −4.8e-8`; `Σ w|q − p|` of `9.8e-8` and
    /// `9.0e-8` against radii of `4.9e-8` and `7.4e-8`; a reduced cost of the wrong sign that put
    /// the dual bound `8.2e-8·max|V|` above the primal); the re-solve settled each of them, and
    /// the two optima of 9·10⁵ random TV, L∞ and Wasserstein problems that needed it.
    ///
    /// Returns the first solution when it meets the residual or is not optimal. Otherwise it
    /// returns the re-solve's optimum when its residual is smaller (with both solves' simplex
    /// iterations counted), else the first solution (also when the re-solve throws or stops
    /// short of an optimum): the certificate check then reports what is off.
    /// An exact solve (``LPOptions/exact``) is returned as it is. The problem is created, used
    /// and deleted on the calling thread inside this call.
    ///
    /// - Parameter polishTolerance: the re-solve's tolerances (tests pass GLPK's default `1e-7`
    ///   to reach the case where the re-solve does not help).
    /// - Throws: as ``solve(options:)`` for the first solve.
    package func solvePolished(options: LPOptions = LPOptions(),
                               polishTolerance: Double = LinearProgram.polishTolerance) throws(LPError) -> LPSolution {
        try withSolver { (solver: inout LPSolver) throws(LPError) -> LPSolution in
            let first = try solver.solve(options: options)
            guard !options.exact, first.status == .optimal else { return first }
            let firstResidual = solver.polishResidual
            guard PolishRule.needsResolve(residual: firstResidual) else { return first }
            var tight = options
            tight.primalTolerance = min(options.primalTolerance, polishTolerance)
            tight.dualTolerance = min(options.dualTolerance, polishTolerance)
            // The first solve left an optimal basis, so this one starts from it.
            guard let polished = try? solver.solve(options: tight),
                  PolishRule.keepsResolve(status: polished.status, residual: solver.polishResidual, over: firstResidual)
            else { return first }
            return polished.counting(iterations: first.iterations + polished.iterations)
        }
    }
}
