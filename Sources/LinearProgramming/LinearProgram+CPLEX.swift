import CGLPK

extension LinearProgram {
    /// Writes the program in CPLEX LP format, for checking a result in another
    /// solver (`glpsol --lp FILE`, CPLEX, Gurobi, HiGHS, …). GLPK replaces names
    /// that are not valid LP-format symbols by generic ones (`r_1`, `x_1`).
    ///
    /// The corresponding C function is `glp_write_lp`.
    /// - Throws: a validation ``LPError``, or ``LPError/file(path:message:)``.
    public func writeCPLEX(to path: String) throws(LPError) {
        try withSolver { (solver: inout LPSolver) throws(LPError) in
            try solver.writeCPLEX(to: path)
        }
    }

    /// Reads a program written in CPLEX LP format.
    ///
    /// The corresponding C function is `glp_read_lp`.
    /// - Throws: ``LPError/file(path:message:)`` when the file cannot be read or parsed.
    public init(cplexFile path: String) throws(LPError) {
        guard !path.isEmpty, !path.utf8.contains(0) else {
            throw .file(path: path, message: "invalid file name")
        }
        rmfg_glpk_silence()
        guard let p = glp_create_prob() else {
            throw .file(path: path, message: "out of memory")
        }
        defer { glp_delete_prob(p) }
        guard glp_read_lp(p, nil, path) == 0 else {
            throw .file(path: path, message: "cannot read a CPLEX LP file (missing or malformed)")
        }
        self.init(sense: glp_get_obj_dir(p) == GLP_MAX ? .maximize : .minimize)
        objectiveConstant = glp_get_obj_coef(p, 0)
        let n = Int(glp_get_num_cols(p))
        let m = Int(glp_get_num_rows(p))
        func bounds(_ type: Int32, _ lb: Double, _ ub: Double) -> (Double?, Double?) {
            switch type {
            case GLP_FR: (nil, nil)
            case GLP_LO: (lb, nil)
            case GLP_UP: (nil, ub)
            default: (lb, ub)
            }
        }
        for j in 1...max(n, 1) where n > 0 {
            let (lo, up) = bounds(glp_get_col_type(p, Int32(j)), glp_get_col_lb(p, Int32(j)), glp_get_col_ub(p, Int32(j)))
            addVariable(name: glp_get_col_name(p, Int32(j)).map { String(cString: $0) },
                        lower: lo, upper: up, objective: glp_get_obj_coef(p, Int32(j)))
        }
        var ind = [Int32](repeating: 0, count: n + 1)
        var val = [Double](repeating: 0, count: n + 1)
        for i in 1...max(m, 1) where m > 0 {
            let len = Int(glp_get_mat_row(p, Int32(i), &ind, &val))
            let terms = (1...max(len, 1)).compactMap { k -> (variable: Int, coefficient: Double)? in
                k <= len ? (Int(ind[k]) - 1, val[k]) : nil
            }
            let (lo, up) = bounds(glp_get_row_type(p, Int32(i)), glp_get_row_lb(p, Int32(i)), glp_get_row_ub(p, Int32(i)))
            addConstraint(name: glp_get_row_name(p, Int32(i)).map { String(cString: $0) },
                          terms: terms, lower: lo, upper: up)
        }
    }
}
