/// The simplex variant GLPK runs.
public enum LPMethod: String, Sendable, Hashable, CaseIterable {
    /// Primal simplex (`GLP_PRIMAL`). Best for warm starts after objective changes.
    case primalSimplex
    /// Dual simplex, falling back to primal on failure (`GLP_DUALP`).
    case dualSimplex
}

/// How to solve a ``LinearProgram``.
public struct LPOptions: Sendable, Hashable {
    /// The simplex variant; default ``LPMethod/primalSimplex``.
    public var method: LPMethod = .primalSimplex
    /// Use GLPK's LP presolver. It is always turned off for warm starts
    /// (a presolved solve discards the previous basis) and for exact mode.
    public var presolve: Bool = false
    /// After the floating-point simplex, re-solve in exact rational arithmetic
    /// (`glp_exact`) starting from the floating optimal basis. GLPK's exact simplex reads
    /// only integral doubles exactly, so it runs on a copy of the program scaled by
    /// powers of two (columns, each row, the objective) until every number is an
    /// integer; the solution is scaled back. So ``LPSolution/objective`` is the optimum
    /// of the LP whose data are exactly the given doubles, rounded once toward zero to a
    /// double (`glp_exact` hands out each exact value through GMP's `mpq_get_d`, which
    /// truncates; the objective is read from an extra basic row, not GLPK's floating sum);
    /// so is every primal and dual value, times a power of two. Slow; for research checks on
    /// small instances. Throws ``LPError/notExactlyRepresentable(_:)`` when the scaled
    /// numbers would leave the double range.
    public var exact: Bool = false
    /// The maximum number of simplex iterations; `nil` means no limit.
    public var iterationLimit: Int? = nil
    /// The time limit in seconds; `nil` means no limit.
    public var timeLimit: Double? = nil
    /// Primal feasibility tolerance (GLPK `tol_bnd`), in `(0, 1)`; default `1e-7`.
    public var primalTolerance: Double = 1e-7
    /// Dual feasibility tolerance (GLPK `tol_dj`), in `(0, 1)`; default `1e-7`.
    public var dualTolerance: Double = 1e-7
    /// Pivot tolerance (GLPK `tol_piv`), in `(0, 1)`; default `1e-10`.
    public var pivotTolerance: Double = 1e-10

    /// Default options: primal simplex, no presolve, floating point, no limits.
    public init(method: LPMethod = .primalSimplex, presolve: Bool = false, exact: Bool = false,
                iterationLimit: Int? = nil, timeLimit: Double? = nil) {
        self.method = method
        self.presolve = presolve
        self.exact = exact
        self.iterationLimit = iterationLimit
        self.timeLimit = timeLimit
    }

    /// Checks every option against GLPK's accepted ranges (GLPK aborts otherwise).
    public func validate() throws(LPError) {
        for (name, tol) in [(LPError.Field.primalTolerance, primalTolerance), (.dualTolerance, dualTolerance),
                            (.pivotTolerance, pivotTolerance)] {
            guard tol.isFinite, tol > 0, tol < 1 else {
                throw .invalidOption(name: name, reason: "is \(tol), expected a number in (0, 1)")
            }
        }
        if let iterationLimit, iterationLimit < 0 || iterationLimit > Int(Int32.max) {
            throw .invalidOption(name: .iterationLimit, reason: "is \(iterationLimit), expected 0...\(Int32.max)")
        }
        if let timeLimit, !(timeLimit.isFinite && timeLimit >= 0 && timeLimit * 1000 <= Double(Int32.max)) {
            throw .invalidOption(name: .timeLimit, reason: "is \(timeLimit) s, expected a finite number of seconds in 0...\(Int32.max / 1000)")
        }
    }
}
