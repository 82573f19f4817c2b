/// Integral data for `glp_exact`, and the way back.
///
/// GLPK's exact simplex reads every non-integral double as a nearby fraction (a
/// continued-fraction approximation within about `1e-10` relative: `set_d_eps` in
/// GLPK's `glpapi07.c`), and only integral doubles exactly. Multiplying every column by
/// `2^C`, each row by its own `2^{r_i}` and the objective by `2^{s−C}` — powers of two,
/// so exact — makes every number integral: with `x = 2^{−C} x'` the scaled program
/// `min 2^{s−C} c·x'` s.t. `2^{r_i−C} a_i·x' ∈ 2^{r_i}[l_i, u_i]`, `x' ∈ 2^C [l, u]` is
/// the given one with its objective times `2^s`. So its exact optimum, scaled back, is
/// the exact optimum of the LP of the given doubles.
package struct IntegralScaling {
    /// The scaled program: every bound, coefficient and the constant an integer.
    package let program: LinearProgram
    /// `C`: every column is `2^C` times the original.
    package let columnShift: Int
    /// `s`: the objective is `2^s` times the original.
    package let objectiveShift: Int
    /// `r_i`: row `i` is `2^{r_i}` times the original.
    package let rowShifts: [Int]

    /// The exponent of the lowest set bit of a finite `x` (`x = m·2^k`, `m` odd); `nil`
    /// for 0 and for non-finite numbers (an infinite bound is no bound).
    static func lowBit(_ x: Double?) -> Int? {
        guard let x, x != 0, x.isFinite else { return nil }
        return Int(x.exponent) - Int(x.significandWidth)
    }

    /// `x·2^e`, exact unless it leaves the double range.
    static func times(_ x: Double, _ e: Int) -> Double { Double(sign: .plus, exponent: e, significand: x) }

    /// The integral form of `lp`; `nil` when some scaled number would exceed the double
    /// range (the LP's numbers span more than about 2⁹⁰⁰ between lowest and highest bit).
    package init?(_ lp: LinearProgram) {
        var columnShift = 0  // C: every column bound integral
        for v in lp.variables {
            for b in [v.lower, v.upper] { if let k = Self.lowBit(b) { columnShift = max(columnShift, -k) } }
        }
        var objectiveShift = 0  // s: every c_j 2^{s−C} and the constant 2^s integral
        for v in lp.variables { if let k = Self.lowBit(v.objective) { objectiveShift = max(objectiveShift, columnShift - k) } }
        if let k = Self.lowBit(lp.objectiveConstant) { objectiveShift = max(objectiveShift, -k) }
        var out = LinearProgram(sense: lp.sense)
        var finite = true
        func scaled(_ x: Double?, _ e: Int) -> Double? {
            guard let x, x.isFinite else { return x }
            let y = Self.times(x, e)
            if !y.isFinite { finite = false }
            return y
        }
        for v in lp.variables {
            out.addVariable(lower: scaled(v.lower, columnShift), upper: scaled(v.upper, columnShift),
                            objective: scaled(v.objective, objectiveShift - columnShift) ?? 0)
        }
        var rowShifts: [Int] = []
        rowShifts.reserveCapacity(lp.constraints.count)
        for c in lp.constraints {
            var shift = 0  // r_i: every a_ij 2^{r_i − C} and the bounds 2^{r_i} integral
            for t in c.terms { if let k = Self.lowBit(t.coefficient) { shift = max(shift, columnShift - k) } }
            for b in [c.lower, c.upper] { if let k = Self.lowBit(b) { shift = max(shift, -k) } }
            rowShifts.append(shift)
            out.addConstraint(terms: c.terms.map { (variable: $0.variable, coefficient: scaled($0.coefficient, shift - columnShift) ?? 0) },
                              lower: scaled(c.lower, shift), upper: scaled(c.upper, shift))
        }
        out.objectiveConstant = scaled(lp.objectiveConstant, objectiveShift) ?? 0
        guard finite else { return nil }
        (program, self.columnShift, self.objectiveShift, self.rowShifts) = (out, columnShift, objectiveShift, rowShifts)
    }

    /// A solution of ``program`` in the units of the original LP: objective `2^{−s}`,
    /// primal `2^{−C}`, reduced costs `2^{C−s}`, row activities `2^{−r_i}`, row duals
    /// `2^{r_i−s}` times the scaled ones (exact, but for underflow or overflow).
    /// `objective` replaces the solution's (the scaled program's optimum read elsewhere).
    package func unscale(_ s: LPSolution, objective: Double) -> LPSolution {
        let c = columnShift, o = objectiveShift
        return LPSolution(status: s.status, primalStatus: s.primalStatus, dualStatus: s.dualStatus,
                          objective: Self.times(objective, -o), primal: s.primal.map { Self.times($0, -c) },
                          rowActivities: zip(s.rowActivities, rowShifts).map { Self.times($0, -$1) },
                          rowDuals: zip(s.rowDuals, rowShifts).map { Self.times($0, $1 - o) },
                          reducedCosts: s.reducedCosts.map { Self.times($0, c - o) },
                          kkt: s.kkt, iterations: s.iterations, exact: s.exact)
    }
}
