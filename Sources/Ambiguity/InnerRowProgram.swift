import LinearProgramming

/// One row's inner problem `min_{q ∈ U(p, ρ)} q·V` in a compact form meant to be
/// kept alive and re-solved against changing `V` (the LP inner path of a Bellman sweep).
///
/// Every LP column `j` moves `sign_j` units of mass at state `state_j` (or none,
/// `state_j = −1`), and `q = base + Σ_j sign_j x_j e_{state_j}`. So for a value vector
/// `V` the objective is `c_j = sign_j V_{state_j}` with the constant `base·V`, and the LP
/// optimum is `σ` itself. Only the objective depends on `V`; the program depends on
/// `p`, `ρ` and the set, so it is rebuilt only when they change.
///
/// Formulations (`A` = allowed states: all, or `supp p` with `support: nominal`):
/// - `none`, and every set at `ρ = 0`: no columns (`σ = p·V`, `q = p`).
/// - `tv`, `l1`: mass added `u_t ≥ 0` (`t ∈ A`) and removed `0 ≤ w_t ≤ p_t`
///   (`t ∈ supp p`), `q = p + u − w`; rows `Σ u − Σ w = 0` and `Σ ω_t (u_t + w_t) ≤ ρ`
///   (`ω = ½` for tv, the weights for l1). Two rows, whatever `n`. With
///   `mergingAdditions` (tv and uniform-weight l1 on the simplex) the `n` columns `u_t`,
///   which are identical but for their cost `V_t`, are one column `u` that adds mass at
///   ``lowestState``: an LP with `k + 1` columns instead of `n + k` and the same optimum
///   (any `u` moved onto the cheapest of identical columns keeps every row and costs no
///   more).
/// - `linf`: `q = p + x` with `x_t ∈ [−min(p_t, ρ), ρ]` for `t ∈ A`; row `Σ x = 0` (every
///   bound one of the given doubles; `q_t ≤ 1` follows from `q ≥ 0` and `Σ q = Σ p`).
/// - `wasserstein`: a plan `π_st ≥ 0` (`s ∈ supp p`, `t ∈ A`), `q_t = Σ_s π_st`; rows
///   `Σ_t π_st = p_s` and `Σ c_st π_st ≤ ρ`.
public struct InnerRowProgram: Sendable {
    /// The constraints and bounds; every objective coefficient is 0 (set per `V`).
    public let program: LinearProgram
    /// `state_j` of every column (`−1`: a column that moves no mass).
    public let columnStates: [Int]
    /// `sign_j` of every column.
    public let columnSigns: [Double]
    /// `base`, the part of `q` that no column moves.
    public let base: SparseDistribution
    /// The number of states `n`.
    public let stateCount: Int

    /// `true` when the program has no column, so `σ = base·V` needs no solve.
    public var isFixed: Bool { columnStates.isEmpty }

    /// The ``columnStates`` entry of a column that moves mass at the state with the
    /// lowest `(V_t, t)` (see ``lowestState(values:)``), which depends on `V`.
    public static let lowestState = -2

    /// The state with the lowest `(V_t, t)` (`−0` and `+0` equal): where a merged
    /// column (``lowestState``) moves mass. `−1` for no values.
    public static func lowestState(values: UnsafeBufferPointer<Double>) -> Int {
        var best = -1, low = Double.infinity
        for t in values.indices where best < 0 || values[t] + 0.0 < low {
            best = t
            low = values[t] + 0.0
        }
        return best
    }

    /// The state column `j` moves mass at (`−1`: none), `lowest` standing for ``lowestState``.
    @inlinable public func state(ofColumn j: Int, lowest: Int) -> Int {
        let t = columnStates[j]
        return t == Self.lowestState ? lowest : t
    }

    /// Writes the objective of `values` (`n` finite numbers, already scaled as the
    /// caller wishes) into `coefficients` (one per column) and returns the constant.
    /// `lowest` is ``lowestState(values:)`` (needed only when a column is merged).
    public func objective(values: UnsafeBufferPointer<Double>, lowest: Int = -1,
                          into coefficients: UnsafeMutableBufferPointer<Double>) -> Double {
        for j in columnStates.indices {
            let t = state(ofColumn: j, lowest: lowest)
            coefficients[j] = t >= 0 ? columnSigns[j] * values[t] : 0
        }
        var constant = 0.0
        for (t, p) in zip(base.indices, base.probabilities) { constant += p * values[t] }
        return constant
    }

    /// `q` of a primal solution `x` by its support: entries `≤ 1e-15` (round-off of
    /// the LP) dropped and the rest divided by their sum. `scratch` (`n` zeros) and
    /// `marks` (`n` `false`) are work space, returned as they came, so a caller that
    /// solves many rows allocates only the result.
    public func sparseDistribution(primal x: UnsafeBufferPointer<Double>, lowest: Int = -1, scratch: inout [Double],
                                   marks: inout [Bool]) -> SparseDistribution {
        if scratch.count < stateCount { scratch = [Double](repeating: 0, count: stateCount) }
        if marks.count < stateCount { marks = [Bool](repeating: false, count: stateCount) }
        var touched: [Int] = []
        touched.reserveCapacity(base.indices.count + 4)
        func touch(_ t: Int) {
            if !marks[t] { marks[t] = true; touched.append(t) }
        }
        for (t, p) in zip(base.indices, base.probabilities) {
            touch(t)
            scratch[t] += p
        }
        for j in columnStates.indices where x[j] != 0 {
            let t = state(ofColumn: j, lowest: lowest)
            guard t >= 0 else { continue }
            touch(t)
            scratch[t] += columnSigns[j] * x[j]
        }
        touched.sort()
        var indices: [Int] = [], masses: [Double] = []
        var sum = 0.0
        for t in touched {
            let q = scratch[t]
            if q > 1e-15 {
                indices.append(t)
                masses.append(q)
                sum += q
            }
            scratch[t] = 0
            marks[t] = false
        }
        if sum > 0 { for k in masses.indices { masses[k] /= sum } }
        return SparseDistribution(indices: indices, probabilities: masses)
    }

    /// `q = base + Σ_j sign_j x_j e_{state_j}` of a primal solution `x`, dense.
    public func distribution(primal x: UnsafeBufferPointer<Double>, lowest: Int = -1) -> [Double] {
        var q = base.dense(count: stateCount)
        for j in columnStates.indices where x[j] != 0 {
            let t = state(ofColumn: j, lowest: lowest)
            if t >= 0 { q[t] += columnSigns[j] * x[j] }
        }
        return q
    }
}

extension AmbiguitySet {
    /// The compact program of one row (see ``InnerRowProgram``).
    ///
    /// - Parameters:
    ///   - nominal: `p`, a probability vector on `0..<stateCount` by its support.
    ///   - n: the number of states.
    ///   - radius: `ρ ≥ 0`.
    ///   - mergingAdditions: for `tv` and uniform-weight `l1` on the simplex, one column
    ///     adding mass at ``InnerRowProgram/lowestState`` instead of one per state (see
    ///     ``InnerRowProgram``); ignored for the other sets.
    /// - Throws: `AmbiguityError.invalidArgument` naming `nominal` (an index out of
    ///   range or not increasing, a negative or non-finite mass, a sum off 1 by more
    ///   than 1e-9), `radius`, `weights` or `cost` (wrong size), or `set` for `kl`/`chi2`.
    public func innerRowProgram(nominal: SparseDistribution, stateCount n: Int,
                                radius: Double, mergingAdditions: Bool = false) throws(AmbiguityError) -> InnerRowProgram {
        try validateRow(nominal: nominal, stateCount: n, radius: radius)
        guard kind.isPolyhedral else {
            throw .invalidArgument(field: .set, message: "'\(kind.rawValue)' is not polyhedral, so it has no LP formulation; use the certified dual solver (worstCase)")
        }
        var lp = LinearProgram(sense: .minimize)
        var states: [Int] = [], signs: [Double] = []
        func column(_ t: Int, _ sign: Double, lower: Double, upper: Double?) -> Int {
            states.append(t)
            signs.append(sign)
            return lp.addVariable(lower: lower, upper: upper)
        }
        let allowed: [Int] = support == .simplex ? Array(0..<n) : nominal.indices
        var base = nominal
        if kind == .none || radius == 0 {
            return InnerRowProgram(program: lp, columnStates: [], columnSigns: [], base: base, stateCount: n)
        }
        switch kind {
        case .tv, .l1:
            let merge = mergingAdditions && support == .simplex && (kind == .tv || uniformWeight != nil)
            let (balance, budget) = ballRows(allowed: merge ? [InnerRowProgram.lowestState] : allowed,
                                             nominal: nominal, column: column)
            lp.addConstraint(name: "balance", terms: balance, lower: 0, upper: 0)
            lp.addConstraint(name: "budget", terms: budget, upper: radius)
        case .linf:
            // q_t = p_t + x_t with −min(p_t, ρ) ≤ x_t ≤ ρ and Σ x = 0: every bound is one of
            // the given doubles (not p_t − ρ rounded), and q_t ≤ 1 follows from q ≥ 0, Σ q = Σ p.
            let dense = nominal.dense(count: n)
            var balance: [(variable: Int, coefficient: Double)] = []
            for t in allowed {
                let x = column(t, 1, lower: 0 - min(dense[t], radius), upper: radius)
                balance.append((x, 1))
            }
            lp.addConstraint(name: "balance", terms: balance, lower: 0, upper: 0)
        case .wasserstein:
            guard let cost else { throw .invalidArgument(field: .cost, message: "missing, expected a ground cost for set 'wasserstein'") }
            base = SparseDistribution(indices: [], probabilities: [])
            var budget: [(variable: Int, coefficient: Double)] = []
            for (s, p) in zip(nominal.indices, nominal.probabilities) {
                var out: [(variable: Int, coefficient: Double)] = []
                for t in allowed {
                    let x = column(t, 1, lower: 0, upper: nil)
                    out.append((x, 1))
                    if cost[s, t] != 0 { budget.append((x, cost[s, t])) }
                }
                lp.addConstraint(name: "source_\(s)", terms: out, lower: p, upper: p)
            }
            lp.addConstraint(name: "budget", terms: budget, upper: radius)
        case .none, .kl, .chi2:
            break
        }
        return InnerRowProgram(program: lp, columnStates: states, columnSigns: signs, base: base, stateCount: n)
    }

    /// The `tv`/`l1` columns, mass added `u_t` (`t` allowed) and removed `w_t ≤ p_t`
    /// (added by `column(t, sign, lower, upper)`), and the terms of the rows
    /// `Σ u − Σ w = 0` and `Σ ω_t (u_t + w_t) ≤ ρ`.
    private func ballRows(allowed: [Int], nominal: SparseDistribution, column: (Int, Double, Double, Double?) -> Int)
        -> (balance: [(variable: Int, coefficient: Double)], budget: [(variable: Int, coefficient: Double)]) {
        var balance: [(variable: Int, coefficient: Double)] = []
        var budget: [(variable: Int, coefficient: Double)] = []
        // (The merged column, t = lowestState, exists only for uniform weights.)
        let weight: (Int) -> Double = { t in kind == .tv ? 0.5 : (t < 0 ? uniformWeight ?? 1 : weights?[t] ?? 1) }
        for t in allowed {
            let u = column(t, 1, 0, nil)
            balance.append((u, 1))
            budget.append((u, weight(t)))
        }
        for (t, p) in zip(nominal.indices, nominal.probabilities) {
            let w = column(t, -1, 0, p)
            balance.append((w, -1))
            budget.append((w, weight(t)))
        }
        return (balance, budget)
    }

    /// Validates one row given by its support (the sparse counterpart of
    /// ``validate(nominal:values:radius:)`` without `values`).
    func validateRow(nominal: SparseDistribution, stateCount n: Int, radius: Double) throws(AmbiguityError) {
        guard n > 0 else { throw .invalidArgument(field: .nominal, message: "no states, expected at least one") }
        guard nominal.indices.count == nominal.probabilities.count, !nominal.indices.isEmpty else {
            throw .invalidArgument(field: .nominal, message: "\(nominal.indices.count) indices and \(nominal.probabilities.count) masses, expected the same non-zero number")
        }
        var sum = 0.0
        var previous = -1
        for (t, p) in zip(nominal.indices, nominal.probabilities) {
            guard t > previous, t < n else {
                throw .invalidArgument(field: .nominal, message: "index \(t) out of order or outside 0..<\(n)")
            }
            guard p.isFinite, p >= 0 else {
                throw .invalidArgument(field: .nominal, message: "entry \(t) is \(p), expected a finite number >= 0")
            }
            previous = t
            sum += p
        }
        guard abs(sum - 1) <= 1e-9 else {
            throw .invalidArgument(field: .nominal, message: "entries sum to \(sum), expected 1 within 1e-9 (not renormalized)")
        }
        try validateParameters(stateCount: n, radius: radius)
    }
}
