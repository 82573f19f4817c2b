extension LPSolution {
    /// The largest relative violation of a bound or of an optimality sign that
    /// ``LinearProgram/solvePolished(options:)`` accepts: `1e-12`. GLPK's own tolerances
    /// (`tol_bnd`, `tol_dj`, `1e-7` by default) let a basic variable end up to `1e-7·(1 + |b|)`
    /// beyond its bound (its ratio test trades feasibility for stable pivots) and a
    /// reduced cost up to `1e-7` on the wrong side of zero.
    package static let strictResidual = 1e-12

    /// Whether GLPK's KKT check puts every bound and every sign of this solution within
    /// ``strictResidual`` (relative, `GLP_KKT_PB` and `GLP_KKT_DB`).
    package var meetsStrictResiduals: Bool {
        kkt.primalBounds <= Self.strictResidual && kkt.dualBounds <= Self.strictResidual
    }
}

extension LinearProgram {
    /// The tolerances of the polishing re-solve of ``solvePolished(options:)``: GLPK's
    /// `tol_bnd` and `tol_dj` set to `1e-13`, a tenth of ``LPSolution/strictResidual``.
    package static let polishTolerance = 1e-13

    /// Solves the program like ``solve(options:)``, then makes sure an optimal floating
    /// solution holds every bound and optimality sign to ``LPSolution/strictResidual``
    /// (relative), not only to GLPK's tolerances.
    ///
    /// GLPK declares a basis optimal when its violations are within `tol_bnd` and
    /// `tol_dj` (`1e-7`). On about one inner problem in a million (L1 balls at random
    /// radii) that left an entry of `q` at `−4.8e-8`, a budget `Σ w|q − p| ≤ ρ` exceeded by
    /// `1.6e-8`, or a reduced cost of the wrong sign that moved the dual bound by `4e-8`:
    /// numbers the library's own certificate check rejects. When the KKT check finds a
    /// violation beyond ``LPSolution/strictResidual``, this re-solves from the same basis
    /// with both tolerances at `1e-13`; if that does not reach the residual either, it
    /// re-solves in exact rational arithmetic from the floating basis (`glp_exact`, as
    /// ``LPOptions/exact``), where the program's numbers allow it. It returns the first
    /// optimal solution that meets the residual, else the last optimal one.
    ///
    /// The problem is created, used and deleted on the calling thread inside this call.
    ///
    /// - Parameter polishTolerance: the tolerances of the re-solve (tests pass GLPK's
    ///   default `1e-7` to reach the exact phase).
    /// - Throws: as ``solve(options:)``.
    package func solvePolished(options: LPOptions = LPOptions(),
                               polishTolerance: Double = polishTolerance) throws(LPError) -> LPSolution {
        try withSolver { (solver: inout LPSolver) throws(LPError) -> LPSolution in
            let first = try solver.solve(options: options)
            guard !options.exact, first.status == .optimal, !first.meetsStrictResiduals else { return first }
            var best = first
            var tight = options
            tight.primalTolerance = min(options.primalTolerance, polishTolerance)
            tight.dualTolerance = min(options.dualTolerance, polishTolerance)
            let polished = try solver.solve(options: tight)
            if polished.status == .optimal {
                if polished.meetsStrictResiduals { return polished }
                best = polished
            }
            var exact = options
            exact.exact = true
            // The exact phase can refuse numbers that span too much of the double range
            // (`notExactlyRepresentable`) or fail: the floating solution stands then.
            guard let rational = try? solver.solve(options: exact), rational.status == .optimal else { return best }
            return rational
        }
    }
}
