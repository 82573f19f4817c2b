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
    /// `σ` of row `p` against `values` in exact rational arithmetic: the row's program
    /// with one column per state (``innerRowProgram(nominal:stateCount:radius:mergingAdditions:)``,
    /// never merged) through ``InnerRowProgram/exactProgram(values:)``, on `V·2^−e`,
    /// solved with `LPOptions(exact: true)` (integral scaling, `glp_exact`) and scaled
    /// back. The value is the exact optimum of the problem with the given doubles (mass
    /// moves: `Σ q = Σ p`), rounded once toward zero to a double. The same program checks every row
    /// of `rmfg solve --exact`, and ``worstCaseLP(nominal:values:radius:options:)`` with
    /// `options.exact` returns this.
    ///
    /// - Throws: as ``innerRowProgram(nominal:stateCount:radius:mergingAdditions:)``;
    ///   `AmbiguityError.invalidArgument` naming `values` (not finite);
    ///   `AmbiguityError.linearProgram` when GLPK fails or the numbers cannot be made
    ///   integral within the double range; `AmbiguityError.outOfRange` as
    ///   ``worstCaseLP(nominal:values:radius:options:)``.
    package func exactWorstCase(nominal: SparseDistribution, values: [Double], radius: Double,
                                options: LPOptions = LPOptions(exact: true)) throws(AmbiguityError) -> LPWorstCase {
        try Self.validateExactValues(values)
        let e = Self.exactExponent(values)
        let scaled = values.map { Double(sign: .plus, exponent: -e, significand: $0) }
        let row = try innerRowProgram(nominal: nominal, stateCount: values.count, radius: radius)
        return try LPWorstCase.solve(row.exactProgram(values: scaled).program, exponent: e, options: options) {
            $0.primal.withUnsafeBufferPointer { row.distribution(primal: $0) }
        }
    }

    static func validateExactValues(_ values: [Double]) throws(AmbiguityError) {
        if let t = values.firstIndex(where: { !$0.isFinite }) {
            throw .invalidArgument(field: .values, message: "entry \(t) is \(values[t]), expected a finite number")
        }
    }

    /// ``SortedValues/unitExponent(_:)`` when `V·2^−e` is exact (no entry loses bits
    /// below the double range), else 0: exact arithmetic must see the given values.
    static func exactExponent(_ values: [Double]) -> Int {
        let e = SortedValues.unitExponent(values)
        let exact = values.allSatisfy { v in
            Double(sign: .plus, exponent: e, significand: Double(sign: .plus, exponent: -e, significand: v)) == v
        }
        return exact ? e : 0
    }
}

extension PolyhedralSet {
    /// `σ` of row `p` against `values` in exact rational arithmetic, as
    /// ``AmbiguitySet/exactWorstCase(nominal:values:radius:options:)``: the carrier's
    /// (ball's, or `q ∈ [0, 1]` with `Σ q = 1`) exact program, and every constraint
    /// written on `q = base + Σ_j sign_j x_j e_{state_j}` with the base's fixed columns
    /// (`Σ_t c_t base_t + Σ_j c(state_j) sign_j x_j (≤|=|≥) b`), so each bound is the
    /// constraint's own `b`, not a difference computed in floating point.
    ///
    /// - Throws: as ``innerRowProgram(nominal:stateCount:)`` (`p` must lie in the set),
    ///   and as ``AmbiguitySet/exactWorstCase(nominal:values:radius:options:)``.
    package func exactWorstCase(nominal: SparseDistribution, values: [Double],
                                options: LPOptions = LPOptions(exact: true)) throws(AmbiguityError) -> LPWorstCase {
        try AmbiguitySet.validateExactValues(values)
        let n = values.count
        let e = AmbiguitySet.exactExponent(values)
        let scaled = values.map { Double(sign: .plus, exponent: -e, significand: $0) }
        let carrier = ball ?? AmbiguitySet(uncheckedKind: .linf, support: support)
        let base = try carrier.innerRowProgram(nominal: nominal, stateCount: n, radius: ball == nil ? 1 : ballRadius)
        try validate(nominal: nominal.dense(count: n), values: [Double](repeating: 0, count: n))
        var (lp, baseColumns) = base.exactProgram(values: scaled)
        // A fixed carrier ({p}): p lies in the set (validated), so the set is {p}.
        if !base.isFixed {
            for (k, c) in constraints.enumerated() {
                var terms = base.columnTerms(c.coefficients)
                for (column, t) in zip(baseColumns, base.base.indices) where c.coefficients[t] != 0 {
                    terms.append((column, c.coefficients[t]))
                }
                lp.addConstraint(name: c.name ?? "c\(k)", terms: terms, c.relation, c.bound)
            }
        }
        return try LPWorstCase.solve(lp, exponent: e, options: options) {
            $0.primal.withUnsafeBufferPointer { base.distribution(primal: $0) }
        }
    }
}
