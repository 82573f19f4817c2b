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

    /// Reads a linear program written in CPLEX LP format.
    ///
    /// GLPK's terminal output during the read is captured (not printed), so a parse
    /// error carries GLPK's own message with its line number, for example
    /// `file.lp:6: numeric constant '1e400' out of range`. A file with `General`,
    /// `Integer`, `Binary` or `Semi-continuous` sections describes an integer program,
    /// which ``LinearProgram`` cannot hold: it is refused rather than read as its
    /// relaxation.
    ///
    /// The corresponding C function is `glp_read_lp`.
    /// - Throws: ``LPError/file(path:message:)`` when the file cannot be read or parsed;
    ///   ``LPError/integerVariables(path:column:count:)`` when it declares integer or
    ///   binary columns.
    public init(cplexFile path: String) throws(LPError) {
        guard !path.isEmpty, !path.utf8.contains(0) else {
            throw .file(path: path, message: "invalid file name")
        }
        rmfg_glpk_silence()
        guard let p = glp_create_prob() else {
            throw .file(path: path, message: "out of memory")
        }
        defer { glp_delete_prob(p) }
        let (code, output) = Self.capturingTerminalOutput { glp_read_lp(p, nil, path) }
        guard code == 0 else {
            throw .file(path: path, message: Self.parseMessage(output, path: path)
                ?? "cannot read a CPLEX LP file (missing or malformed)")
        }
        let integers = Int(glp_get_num_int(p))
        if integers > 0 {
            let n = glp_get_num_cols(p)
            var column = "?"
            for j in 1...max(n, 1) where n > 0 && glp_get_col_kind(p, j) != GLP_CV {
                column = glp_get_col_name(p, j).map { String(cString: $0) } ?? "x\(j)"
                break
            }
            throw .integerVariables(path: path, column: column, count: integers)
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

    /// Runs `body` with the calling thread's GLPK terminal output captured into a
    /// bounded buffer (16 KiB) instead of printed; returns `body`'s result and the text.
    static func capturingTerminalOutput<T>(_ body: () -> T) -> (T, String) {
        let capacity = 16 << 10
        let buffer = UnsafeMutablePointer<CChar>.allocate(capacity: capacity)
        defer { buffer.deallocate() }
        buffer.initialize(repeating: 0, count: capacity)
        var capture = rmfg_glpk_capture(buffer: buffer, capacity: capacity, length: 0)
        let result = withUnsafeMutablePointer(to: &capture) { pointer -> T in
            rmfg_glpk_capture_begin(pointer)
            defer { rmfg_glpk_silence() }  // the hook must not outlive `capture`
            return body()
        }
        let bytes = UnsafeBufferPointer(start: UnsafeRawPointer(buffer).assumingMemoryBound(to: UInt8.self),
                                        count: min(capture.length, capacity - 1))
        return (result, String(decoding: bytes, as: UTF8.self))
    }

    /// GLPK's diagnostic in the output of a failed `glp_read_lp`: the first line that
    /// starts with `path:` (`file.lp:6: …`), else the last line that is not GLPK's
    /// progress report; control characters removed. `nil` when there is none.
    static func parseMessage(_ output: String, path: String) -> String? {
        let lines = output.split(whereSeparator: { $0 == "\n" || $0 == "\r" })
            .map { line in
                // Printable characters only; no leading or trailing blanks.
                let kept = String(String.UnicodeScalarView(line.unicodeScalars.filter { $0.value >= 0x20 && $0.value != 0x7F }))
                return String(kept.drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
            }
            .filter { !$0.isEmpty }
        if let located = lines.first(where: { $0.hasPrefix(path + ":") && $0.count > path.count + 1 }) {
            // `path:6: message` becomes `line 6: message` (LPError.file names the path).
            return "line " + String(located.dropFirst(path.count + 1))
        }
        return lines.last { !$0.hasPrefix("Reading problem data") && !$0.contains("lines were read") }
    }
}
