import LinearProgramming

// The inner problem of one row as an LP whose data are exactly the row's doubles, for
// solving in exact rational arithmetic (`glp_exact`).

extension InnerRowProgram {
    /// This program (one column per state, never merged) with `V` as objective and the
    /// base as fixed columns: `min Σ_t base_t V_t + Σ_j sign_j V_{state_j} x_j`, every
    /// coefficient a double of the input, no constant computed in floating point.
    ///
    /// Columns `0..<columnStates.count` are the program's; then one fixed column
    /// `base_t` per base entry. The rows are the program's (mass moves, so `Σ q = Σ p`
    /// holds exactly whatever rounding `p` carries), and a free row when there would be
    /// none (`glp_exact` needs one).
    package func exactProgram(values: [Double]) -> (program: LinearProgram, baseColumns: [Int]) {
        var lp = program
        for j in columnStates.indices where columnStates[j] >= 0 {
            lp.setObjective(columnSigns[j] * values[columnStates[j]], for: j)
        }
        var baseColumns: [Int] = []
        for (t, p) in zip(base.indices, base.probabilities) {
            baseColumns.append(lp.addVariable(lower: p, upper: p, objective: values[t]))
        }
        if lp.constraints.isEmpty {
            lp.addConstraint(name: "mass", terms: baseColumns.map { (variable: $0, coefficient: 1.0) })
        }
        return (lp, baseColumns)
    }
}

extension AmbiguitySet {
    /// Row `p`'s inner problem against `values` as an LP for exact arithmetic:
    /// ``innerRowProgram(nominal:stateCount:radius:mergingAdditions:)`` (one column per
    /// state) through ``InnerRowProgram/exactProgram(values:)``. Its optimum is `σ`.
    ///
    /// - Throws: as ``innerRowProgram(nominal:stateCount:radius:mergingAdditions:)``, and
    ///   `AmbiguityError.invalidArgument` naming `values` (wrong count or not finite).
    package func exactRowProgram(nominal: SparseDistribution, values: [Double],
                                 radius: Double) throws(AmbiguityError) -> LinearProgram {
        try Self.validateExactValues(values)
        return try innerRowProgram(nominal: nominal, stateCount: values.count, radius: radius).exactProgram(values: values).program
    }

    static func validateExactValues(_ values: [Double]) throws(AmbiguityError) {
        if let t = values.firstIndex(where: { !$0.isFinite }) {
            throw .invalidArgument(field: .values, message: "entry \(t) is \(values[t]), expected a finite number")
        }
    }
}

extension PolyhedralSet {
    /// Row `p`'s inner problem against `values` as an LP for exact arithmetic: the
    /// carrier's (ball's, or `q ∈ [0, 1]` with `Σ q = 1`) exact program, and every
    /// constraint written on `q = base + Σ_j sign_j x_j e_{state_j}` with the base's
    /// fixed columns (`Σ_t c_t base_t + Σ_j c(state_j) sign_j x_j (≤|=|≥) b`), so each
    /// bound is the constraint's own `b`, not a difference computed in floating point.
    ///
    /// - Throws: as ``innerRowProgram(nominal:stateCount:)`` (`p` must lie in the set).
    package func exactRowProgram(nominal: SparseDistribution, values: [Double]) throws(AmbiguityError) -> LinearProgram {
        try AmbiguitySet.validateExactValues(values)
        let n = values.count
        let carrier = ball ?? AmbiguitySet(uncheckedKind: .linf, support: support)
        let base = try carrier.innerRowProgram(nominal: nominal, stateCount: n, radius: ball == nil ? 1 : ballRadius)
        try validate(nominal: nominal.dense(count: n), values: [Double](repeating: 0, count: n))
        var (lp, baseColumns) = base.exactProgram(values: values)
        // A fixed carrier ({p}): p lies in the set (validated), so the set is {p}.
        if base.isFixed { return lp }
        for (k, c) in constraints.enumerated() {
            var terms = base.columnTerms(c.coefficients)
            for (column, t) in zip(baseColumns, base.base.indices) where c.coefficients[t] != 0 {
                terms.append((column, c.coefficients[t]))
            }
            lp.addConstraint(name: c.name ?? "c\(k)", terms: terms, c.relation, c.bound)
        }
        return lp
    }
}

/// Integer data for `glp_exact`. GLPK's exact simplex reads every non-integral double
/// as a nearby fraction (a continued-fraction approximation within about `1e-10`
/// relative, `set_d_eps` in GLPK), and only integral doubles exactly. Multiplying every
/// column by `2^C`, each row by its own `2^{r_i}` and the objective by `2^{s−C}` — powers
/// of two, so exact — makes every number integral, and the scaled LP's optimum is
/// `2^s σ` exactly: GLPK then solves the LP of the doubles themselves.
package enum IntegralScaling {
    /// The exponent of the lowest set bit of `x` (`x = m·2^k`, `m` odd); `nil` for 0.
    static func lowBit(_ x: Double) -> Int? {
        x == 0 ? nil : Int(x.exponent) - Int(x.significandWidth)
    }

    /// `lp` with integral data, and `s` (the optimum of the result is `2^s` times
    /// `lp`'s); `nil` when some scaled number would exceed the double range.
    package static func scaled(_ lp: LinearProgram) -> (program: LinearProgram, exponent: Int)? {
        var columnShift = 0  // C: every column bound integral
        for v in lp.variables {
            for b in [v.lower, v.upper] { if let b, let k = lowBit(b) { columnShift = max(columnShift, -k) } }
        }
        var objectiveShift = 0  // s: every c_j 2^{s−C} integral
        for v in lp.variables { if let k = lowBit(v.objective) { objectiveShift = max(objectiveShift, columnShift - k) } }
        var out = LinearProgram(sense: lp.sense)
        func scale(_ x: Double, _ e: Int) -> Double { Double(sign: .plus, exponent: e, significand: x) }
        var finite = true
        func check(_ x: Double) -> Double {
            if !x.isFinite { finite = false }
            return x
        }
        for v in lp.variables {
            out.addVariable(lower: v.lower.map { check(scale($0, columnShift)) }, upper: v.upper.map { check(scale($0, columnShift)) },
                            objective: check(scale(v.objective, objectiveShift - columnShift)))
        }
        for c in lp.constraints {
            var shift = 0  // r_i: every a_ij 2^{r_i − C} and the bounds integral
            for t in c.terms { if let k = lowBit(t.coefficient) { shift = max(shift, columnShift - k) } }
            for b in [c.lower, c.upper] { if let b, let k = lowBit(b) { shift = max(shift, -k) } }
            out.addConstraint(terms: c.terms.map { (variable: $0.variable, coefficient: check(scale($0.coefficient, shift - columnShift))) },
                              lower: c.lower.map { check(scale($0, shift)) }, upper: c.upper.map { check(scale($0, shift)) })
        }
        out.objectiveConstant = check(scale(lp.objectiveConstant, objectiveShift))
        return finite && lowBit(out.objectiveConstant).map { $0 >= 0 } ?? true ? (out, objectiveShift) : nil
    }
}
