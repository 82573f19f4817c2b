import CGLPK

/// A live GLPK problem built from a ``LinearProgram``, reachable only inside
/// ``LinearProgram/withSolver(_:)``.
///
/// It owns one `glp_prob` and deletes it in `deinit`. It is non-copyable and
/// not `Sendable`, and the scope that hands it out is synchronous, so the
/// problem is created, used and deleted on one OS thread — GLPK's rule, since
/// its environment (memory pool, terminal hooks) is per thread.
public struct LPSolver: ~Copyable {
    private let problem: OpaquePointer
    private var program: LinearProgram
    private var hasOptimalBasis = false

    init(validated program: LinearProgram) {
        rmfg_glpk_silence()
        self.program = program
        self.problem = GLPK.makeProblem(program)
    }

    deinit {
        glp_delete_prob(problem)
    }

    /// The number of variables.
    public var variableCount: Int { program.variables.count }

    /// The residual the polishing rule reads from the live problem's basic solution
    /// (``PolishRule/residual(_:)``: GLPK's KKT check of bounds and signs, and every
    /// non-basic variable's sign).
    var polishResidual: Double { PolishRule.residual(problem) }

    /// Changes one objective coefficient of the live problem. The next
    /// ``solve(options:)`` starts from the current basis.
    ///
    /// The corresponding C function is `glp_set_obj_coef`.
    /// - Throws: ``LPError/invalidVariable(index:name:reason:)`` for a bad index
    ///   or a non-finite coefficient.
    public mutating func setObjective(_ coefficient: Double, for variable: Int) throws(LPError) {
        guard variable >= 0, variable < program.variables.count else {
            throw .invalidVariable(index: variable, name: nil, reason: "index out of range 0..<\(program.variables.count)")
        }
        guard coefficient.isFinite else {
            throw .invalidVariable(index: variable, name: program.variables[variable].name,
                                   reason: "objective coefficient is \(coefficient), expected a finite number")
        }
        program.setObjective(coefficient, for: variable)
        glp_set_obj_coef(problem, Int32(variable + 1), coefficient)
    }

    /// Solves the problem. After a previous optimal solve the simplex starts
    /// from that basis (presolve is skipped then, since it would discard it).
    ///
    /// The corresponding C functions are `glp_simplex` and `glp_exact`.
    /// - Throws: ``LPError/invalidOption(name:reason:)`` for out-of-range options,
    ///   ``LPError/solverFailure(code:message:)`` when GLPK refuses the problem.
    public mutating func solve(options: LPOptions = LPOptions()) throws(LPError) -> LPSolution {
        try options.validate()
        rmfg_glpk_silence()
        let before = Int(glp_get_it_cnt(problem))
        var parm = glp_smcp()
        glp_init_smcp(&parm)
        parm.msg_lev = GLP_MSG_OFF
        parm.meth = options.method == .primalSimplex ? GLP_PRIMAL : GLP_DUALP
        parm.tol_bnd = options.primalTolerance
        parm.tol_dj = options.dualTolerance
        parm.tol_piv = options.pivotTolerance
        if let limit = options.iterationLimit { parm.it_lim = Int32(limit) }
        if let limit = options.timeLimit { parm.tm_lim = Int32((limit * 1000).rounded(.up)) }
        let usePresolve = options.presolve && !options.exact && !hasOptimalBasis
        parm.presolve = usePresolve ? GLP_ON : GLP_OFF
        if !usePresolve && !hasOptimalBasis {
            glp_adv_basis(problem, 0)
        }

        var code = glp_simplex(problem, &parm)
        if usePresolve && code == GLP_ENODFS {
            // The presolver only says "no dual feasible solution" (infeasible or
            // unbounded); re-solve without it for a definite status.
            parm.presolve = GLP_OFF
            glp_adv_basis(problem, 0)
            code = glp_simplex(problem, &parm)
        }
        let status = GLPK.status(returnCode: code, problem: problem)
        if status == .undefined, code != 0, ![GLP_EITLIM, GLP_ETMLIM, GLP_ENOPFS].contains(code) {
            throw .solverFailure(code: Int(code), message: GLPK.describe(code))
        }
        hasOptimalBasis = status == .optimal
        let iterations = Int(glp_get_it_cnt(problem)) - before
        if options.exact, code == 0 || status == .optimal || status == .numericalFailure {
            return try solveExact(&parm, floatIterations: iterations)
        }
        return GLPK.readSolution(problem, status: status, variables: program.variables.count,
                                 rows: program.constraints.count, iterations: iterations, exact: false)
    }

    /// The exact phase: `glp_exact` on the integral form of the program
    /// (``IntegralScaling``: GLPK's exact simplex reads only integral doubles exactly),
    /// started from the live problem's floating basis, and the solution scaled back. The
    /// scaled problem is created, solved and deleted here, on this thread; the live
    /// problem keeps its floating basis for the next warm start.
    ///
    /// `glp_exact` stores each variable as its exact value truncated to a double (GMP's
    /// `mpq_get_d`) but forms the objective in floating point from those; so the copy
    /// has one more row, free and basic, `z = c₀·one + Σ c_j x_j` (`one` a column fixed
    /// at 1), whose value is the exact optimum truncated toward zero, read as the objective.
    private func solveExact(_ parm: inout glp_smcp, floatIterations: Int) throws(LPError) -> LPSolution {
        guard let scaling = IntegralScaling(program) else {
            throw .notExactlyRepresentable("the program's numbers span too many binary orders of magnitude (more than the double range) to be made integral, so glp_exact cannot read them exactly")
        }
        var extended = scaling.program
        let one = extended.addVariable(lower: 1, upper: 1)
        var terms = extended.variables.indices.compactMap { j in
            extended.variables[j].objective == 0 ? nil : (variable: j, coefficient: extended.variables[j].objective)
        }
        if extended.objectiveConstant != 0 { terms.append((one, extended.objectiveConstant)) }
        extended.addConstraint(terms: terms)
        let (m, n) = (program.constraints.count, program.variables.count)
        let copy = GLPK.makeProblem(extended)
        defer { glp_delete_prob(copy) }
        GLPK.copyBasis(from: problem, to: copy, rows: m, columns: n)
        glp_set_row_stat(copy, Int32(m + 1), GLP_BS)
        glp_set_col_stat(copy, Int32(n + 1), GLP_NS)
        var code = glp_exact(copy, &parm)
        if code == GLP_EBADB || code == GLP_ESING {
            // The floating basis is unusable: restart exact from the standard basis.
            glp_std_basis(copy)
            code = glp_exact(copy, &parm)
        }
        let status = GLPK.status(returnCode: code, problem: copy)
        if status == .undefined, code != 0, ![GLP_EITLIM, GLP_ETMLIM].contains(code) {
            throw .solverFailure(code: Int(code), message: GLPK.describe(code))
        }
        let scaled = GLPK.readSolution(copy, status: status, variables: n, rows: m,
                                       iterations: floatIterations + Int(glp_get_it_cnt(copy)), exact: true)
        let objective = glp_get_row_stat(copy, Int32(m + 1)) == GLP_BS ? glp_get_row_prim(copy, Int32(m + 1)) : scaled.objective
        return scaling.unscale(scaled, objective: objective)
    }

    /// Writes the live problem (with its current objective) in CPLEX LP format.
    ///
    /// The corresponding C function is `glp_write_lp`.
    public func writeCPLEX(to path: String) throws(LPError) {
        try GLPK.writeCPLEX(problem, to: path)
    }
}

@available(*, unavailable, message: "a GLPK problem must stay on the thread that created it")
extension LPSolver: Sendable {}
