import CGLPK

/// Small adapters between Swift values and GLPK calls. Every function here
/// assumes its input was validated by `LinearProgram.validate()`.
enum GLPK {
    /// Creates a `glp_prob` holding `program`. 1-based indices on the C side.
    static func makeProblem(_ program: LinearProgram) -> OpaquePointer {
        guard let p = glp_create_prob() else {
            preconditionFailure("glp_create_prob returned NULL (out of memory)")
        }
        glp_set_obj_dir(p, program.sense == .minimize ? GLP_MIN : GLP_MAX)
        glp_set_obj_coef(p, 0, program.objectiveConstant)
        let n = program.variables.count
        let m = program.constraints.count
        // glp_add_cols/glp_add_rows abort on a count of 0.
        if n > 0 { glp_add_cols(p, Int32(n)) }
        if m > 0 { glp_add_rows(p, Int32(m)) }
        for (j, v) in program.variables.enumerated() {
            let col = Int32(j + 1)
            if let name = v.name { glp_set_col_name(p, col, name) }
            let (type, lb, ub) = boundType(v.lower, v.upper)
            glp_set_col_bnds(p, col, type, lb, ub)
            glp_set_obj_coef(p, col, v.objective)
        }
        var ia: [Int32] = [0]
        var ja: [Int32] = [0]
        var ar: [Double] = [0]
        for (i, c) in program.constraints.enumerated() {
            let row = Int32(i + 1)
            if let name = c.name { glp_set_row_name(p, row, name) }
            let (type, lb, ub) = boundType(c.lower, c.upper)
            glp_set_row_bnds(p, row, type, lb, ub)
            for term in c.terms where term.coefficient != 0 {
                ia.append(row)
                ja.append(Int32(term.variable + 1))
                ar.append(term.coefficient)
            }
        }
        if ia.count > 1 {
            glp_load_matrix(p, Int32(ia.count - 1), ia, ja, ar)
        }
        return p
    }

    /// GLPK's bound type and values for optional bounds (`nil` or infinite = none).
    static func boundType(_ lower: Double?, _ upper: Double?) -> (Int32, Double, Double) {
        let lo = lower.flatMap { $0.isFinite ? $0 : nil }
        let up = upper.flatMap { $0.isFinite ? $0 : nil }
        switch (lo, up) {
        case (nil, nil): return (GLP_FR, 0, 0)
        case let (l?, nil): return (GLP_LO, l, 0)
        case let (nil, u?): return (GLP_UP, 0, u)
        case let (l?, u?): return (l == u ? GLP_FX : GLP_DB, l, u)
        }
    }

    /// Gives `target` the basis statuses of `source` (same shape): a basis is
    /// invariant under scaling rows and columns.
    static func copyBasis(from source: OpaquePointer, to target: OpaquePointer, rows m: Int, columns n: Int) {
        for i in 0..<Int32(m) { glp_set_row_stat(target, i + 1, glp_get_row_stat(source, i + 1)) }
        for j in 0..<Int32(n) { glp_set_col_stat(target, j + 1, glp_get_col_stat(source, j + 1)) }
    }

    /// Maps a `glp_simplex`/`glp_exact` return code and the stored solution
    /// status to a termination status.
    static func status(returnCode code: Int32, problem p: OpaquePointer) -> LPStatus {
        switch code {
        case 0:
            switch glp_get_status(p) {
            case GLP_OPT: return .optimal
            case GLP_NOFEAS: return .infeasible
            case GLP_UNBND: return .unbounded
            default:
                let prim = glp_get_prim_stat(p)
                let dual = glp_get_dual_stat(p)
                if prim == GLP_NOFEAS { return .infeasible }
                if dual == GLP_NOFEAS, prim == GLP_FEAS { return .unbounded }
                return .undefined
            }
        case GLP_EITLIM: return .iterationLimit
        case GLP_ETMLIM: return .timeLimit
        case GLP_ENOPFS: return .infeasible
        case GLP_ESING, GLP_ECOND, GLP_EINSTAB, GLP_EFAIL: return .numericalFailure
        default: return .undefined
        }
    }

    static func solutionStatus(_ code: Int32) -> SolutionStatus {
        switch code {
        case GLP_FEAS: .feasible
        case GLP_INFEAS: .infeasible
        case GLP_NOFEAS: .noFeasibleSolution
        default: .undefined
        }
    }

    static func describe(_ code: Int32) -> String {
        switch code {
        case GLP_EBADB: "invalid initial basis"
        case GLP_ESING: "singular basis matrix"
        case GLP_ECOND: "ill-conditioned basis matrix"
        case GLP_EBOUND: "incorrect double bounds"
        case GLP_EFAIL: "solver failure"
        case GLP_EITLIM: "iteration limit reached"
        case GLP_ETMLIM: "time limit reached"
        case GLP_ENOPFS: "no primal feasible solution"
        case GLP_ENODFS: "no dual feasible solution"
        case GLP_EINSTAB: "numerical instability"
        default: "unexpected return code"
        }
    }

    static func kkt(_ p: OpaquePointer, _ cond: Int32) -> Double {
        var ae = 0.0, re = 0.0
        var ai: Int32 = 0, ri: Int32 = 0
        glp_check_kkt(p, GLP_SOL, cond, &ae, &ai, &re, &ri)
        return re
    }

    static func readSolution(_ p: OpaquePointer, status: LPStatus, variables n: Int, rows m: Int,
                             iterations: Int, exact: Bool) -> LPSolution {
        let primal = (0..<n).map { glp_get_col_prim(p, Int32($0 + 1)) }
        let reduced = (0..<n).map { glp_get_col_dual(p, Int32($0 + 1)) }
        let activity = (0..<m).map { glp_get_row_prim(p, Int32($0 + 1)) }
        let duals = (0..<m).map { glp_get_row_dual(p, Int32($0 + 1)) }
        let kkt = KKTResidual(primalEquality: kkt(p, GLP_KKT_PE), primalBounds: kkt(p, GLP_KKT_PB),
                              dualEquality: kkt(p, GLP_KKT_DE), dualBounds: kkt(p, GLP_KKT_DB))
        return LPSolution(status: status,
                          primalStatus: solutionStatus(glp_get_prim_stat(p)),
                          dualStatus: solutionStatus(glp_get_dual_stat(p)),
                          objective: glp_get_obj_val(p), primal: primal, rowActivities: activity,
                          rowDuals: duals, reducedCosts: reduced, kkt: kkt,
                          iterations: iterations, exact: exact)
    }

    static func writeCPLEX(_ p: OpaquePointer, to path: String) throws(LPError) {
        guard !path.isEmpty, !path.utf8.contains(0) else {
            throw .file(path: path, message: "invalid file name")
        }
        rmfg_glpk_silence()
        if glp_write_lp(p, nil, path) != 0 {
            throw .file(path: path, message: "cannot write the LP file")
        }
    }
}
