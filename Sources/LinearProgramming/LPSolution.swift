/// Why the solver stopped (the *termination status*), separate from what the
/// solution is.
public enum LPStatus: String, Sendable, Hashable, CaseIterable {
    /// An optimal basic solution was found (`GLP_OPT`).
    case optimal
    /// The program has no feasible point (`GLP_NOFEAS`, or `GLP_ENOPFS` from the presolver).
    case infeasible
    /// The objective is unbounded over a non-empty feasible set (`GLP_UNBND`).
    case unbounded
    /// The iteration limit was reached (`GLP_EITLIM`).
    case iterationLimit
    /// The time limit was reached (`GLP_ETMLIM`).
    case timeLimit
    /// The basis became singular or ill-conditioned, or the exact solver
    /// failed (`GLP_ESING`, `GLP_ECOND`, `GLP_EINSTAB`, `GLP_EFAIL`).
    case numericalFailure
    /// GLPK stopped without a definite answer.
    case undefined
}

/// The status of a primal or dual basic solution (what the solution *is*).
public enum SolutionStatus: String, Sendable, Hashable {
    /// Feasible (`GLP_FEAS`).
    case feasible
    /// The point is infeasible (`GLP_INFEAS`).
    case infeasible
    /// No feasible point exists (`GLP_NOFEAS`).
    case noFeasibleSolution
    /// Not available (`GLP_UNDEF`).
    case undefined
}

/// Karush–Kuhn–Tucker residuals of a basic solution, from `glp_check_kkt`.
/// Each is the largest relative error of its condition; small values (around
/// `1e-9` or below) certify the reported solution as optimal.
public struct KKTResidual: Sendable, Hashable {
    /// Primal equalities: row activities equal `A x` (`GLP_KKT_PE`).
    public var primalEquality: Double
    /// Primal bounds: rows and columns within their bounds (`GLP_KKT_PB`).
    public var primalBounds: Double
    /// Dual equalities: reduced costs equal `c − Aᵀ y` (`GLP_KKT_DE`).
    public var dualEquality: Double
    /// Dual bounds: reduced costs and row duals have the signs optimality needs (`GLP_KKT_DB`).
    public var dualBounds: Double
    /// The largest of the four.
    public var maximum: Double { max(primalEquality, primalBounds, dualEquality, dualBounds) }
}

/// The result of solving a ``LinearProgram``.
///
/// The termination ``status`` says why GLPK stopped; ``primalStatus`` and
/// ``dualStatus`` say what the returned point is. The numeric fields are those
/// of GLPK's current basic solution and are meaningful as an optimum only when
/// `status == .optimal`.
///
/// Sign convention (GLPK's): the row dual `y_i` and reduced cost `d_j` satisfy
/// `d_j = c_j − Σ_i a_ij y_i`. In a **minimization**, a row at its lower bound
/// has `y_i ≥ 0` and at its upper bound `y_i ≤ 0`; in a **maximization** the
/// signs flip. So `y_i` is the rate of change of the optimal objective when the
/// active bound of row `i` moves up.
public struct LPSolution: Sendable, Hashable {
    /// Why the solver stopped.
    public let status: LPStatus
    /// The status of the primal point.
    public let primalStatus: SolutionStatus
    /// The status of the dual point.
    public let dualStatus: SolutionStatus
    /// The objective value (including ``LinearProgram/objectiveConstant``).
    public let objective: Double
    /// The value of each variable.
    public let primal: [Double]
    /// The activity `Σ a_ij x_j` of each row.
    public let rowActivities: [Double]
    /// The dual value (shadow price) of each row.
    public let rowDuals: [Double]
    /// The reduced cost of each variable.
    public let reducedCosts: [Double]
    /// KKT residuals of the basic solution.
    public let kkt: KKTResidual
    /// The largest KKT residual (``KKTResidual/maximum``).
    public var kktResidual: Double { kkt.maximum }
    /// Simplex iterations of this solve (floating and exact phases together).
    public let iterations: Int
    /// Whether the final phase ran in exact rational arithmetic.
    public let exact: Bool

    /// A solution with the given fields (the solver builds these; tests and
    /// callers that certify a point from elsewhere may too).
    public init(status: LPStatus, primalStatus: SolutionStatus, dualStatus: SolutionStatus, objective: Double,
                primal: [Double], rowActivities: [Double], rowDuals: [Double], reducedCosts: [Double],
                kkt: KKTResidual, iterations: Int, exact: Bool) {
        self.status = status
        self.primalStatus = primalStatus
        self.dualStatus = dualStatus
        self.objective = objective
        self.primal = primal
        self.rowActivities = rowActivities
        self.rowDuals = rowDuals
        self.reducedCosts = reducedCosts
        self.kkt = kkt
        self.iterations = iterations
        self.exact = exact
    }
}
