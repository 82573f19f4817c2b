extension LinearProgram {
    /// The Lagrangian dual bound certified by the row duals and reduced costs of
    /// `solution` (GLPK's sign convention, see ``LPSolution``).
    ///
    /// For a minimization, weak duality gives for every feasible `x`:
    /// `c·x + c₀ ≥ c₀ + Σ_i y_i·b_i + Σ_j d_j·β_j`, where `b_i` is the row bound the
    /// sign of `y_i` selects (lower for `y_i > 0`, upper for `y_i < 0`) and `β_j` the
    /// column bound the sign of `d_j` selects; for a maximization the inequality
    /// and the selection flip. A multiplier whose selected bound is infinite makes
    /// the point dual-infeasible, unless it is at most `tolerance` in magnitude: then it
    /// counts as zero (GLPK declares a basis optimal with reduced costs of the wrong sign
    /// up to its `tol_dj`). A multiplier whose selected bound is finite always counts,
    /// however small: dropping it would move the bound by `multiplier·b` and could put it
    /// above the primal objective (a row dual of −4e-8 on `Σ q = 1` of an L∞ inner problem
    /// did: `ExtremeMagnitudeTests.linfLPCertificateRegression`). At an optimal basic
    /// solution this equals the primal objective up to rounding, so
    /// `objective − dualObjective` is a certified gap.
    ///
    /// - Returns: the bound, or `-∞` (minimize) / `+∞` (maximize) when the
    ///   multipliers are not dual feasible.
    public func dualObjective(of solution: LPSolution, tolerance: Double = 1e-9) -> Double {
        let minimize = sense == .minimize
        var bound = objectiveConstant
        func add(_ multiplier: Double, lower: Double?, upper: Double?) -> Bool {
            if multiplier == 0 { return true }
            // In a minimization a positive multiplier pairs with the lower bound.
            let useLower = (multiplier > 0) == minimize
            guard let b = useLower ? lower : upper, b.isFinite else { return abs(multiplier) <= tolerance }
            bound += multiplier * b
            return true
        }
        for (i, row) in constraints.enumerated() where i < solution.rowDuals.count {
            if !add(solution.rowDuals[i], lower: row.lower, upper: row.upper) { return minimize ? -.infinity : .infinity }
        }
        for (j, column) in variables.enumerated() where j < solution.reducedCosts.count {
            if !add(solution.reducedCosts[j], lower: column.lower, upper: column.upper) { return minimize ? -.infinity : .infinity }
        }
        return bound
    }
}
