import CGLPK
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The outcome of one ``LPBank/solve(slot:allowTies:tieTolerance:)``.
public struct LPBankSolve: Sendable, Hashable {
    /// The termination status.
    public let status: LPStatus
    /// The objective value (including the constant) at the final basis.
    public let objective: Double
    /// Simplex iterations (pivots) of this solve (`glp_get_it_cnt` before and after).
    public let pivots: Int
    /// `true` when the solve started from the slot's previous optimal basis.
    public let warm: Bool
    /// `true` when that basis was proven still optimal for the new objective by its
    /// reduced costs (`B⁻ᵀ c_B` by `glp_btran`), so the simplex did not run.
    public let reused: Bool
}

/// What a slot keeps in Swift for warm re-solves: the matrix by columns, the current
/// objective, and the last optimal basis with its primal solution.
struct LPSlotCache {
    var rows = 0
    var columnStart: [Int] = [0]
    var columnRow: [Int] = []
    var columnValue: [Double] = []
    var objective: [Double] = []
    var constant = 0.0
    var objectiveSynced = false
    var rowStat: [Int32] = []
    var columnStat: [Int32] = []
    var head: [Int32] = []
    var primal: [Double] = []
    var basisKnown = false

    init() {}

    init(_ program: LinearProgram) {
        let n = program.variables.count
        rows = program.constraints.count
        var counts = [Int](repeating: 0, count: n + 1)
        for c in program.constraints { for t in c.terms where t.coefficient != 0 { counts[t.variable + 1] += 1 } }
        for j in 0..<n { counts[j + 1] += counts[j] }
        columnStart = counts
        var next = counts
        columnRow = [Int](repeating: 0, count: counts[n])
        columnValue = [Double](repeating: 0, count: counts[n])
        for (i, c) in program.constraints.enumerated() {
            for t in c.terms where t.coefficient != 0 {
                columnRow[next[t.variable]] = i
                columnValue[next[t.variable]] = t.coefficient
                next[t.variable] += 1
            }
        }
        objective = program.variables.map(\.objective)
        constant = program.objectiveConstant
    }
}

/// Live GLPK problems in numbered slots, each re-solved by the primal simplex from
/// its previous optimal basis after objective changes (a warm start).
///
/// The bank owns its `glp_prob`s and deletes them in `deinit`. It is non-copyable
/// and not `Sendable`, so every problem is created, used and deleted on the OS thread
/// that created the bank, inside the scope that owns it — GLPK's rule, since its
/// environment (memory pool, terminal hooks) is per thread. A long-lived owner is a
/// dedicated thread whose body holds the bank for its whole life, or a synchronous
/// scope of one thread (the LP row engine's calling thread, for one solve).
///
/// Every optimal simplex result (a row's solve and a tie-break re-solve) is polished by the
/// rule of the one-shot LP path (`LinearProgram.solvePolished`, Docs/AmbiguitySets.md,
/// "Polishing"): when GLPK's KKT check finds a bound or an optimality sign off by more than
/// `1e-12` (relative), the problem is
/// re-solved from that basis with `tol_bnd` and `tol_dj` at `1e-13`, and the re-solve is kept
/// only when it is optimal with a smaller residual (else the first basis is restored). The
/// residuals are GLPK's own (`glp_check_kkt`, bounds and dual bounds); a reduced cost that
/// GLPK's dual-bound check does not cover is held to the sign by the bank's `tol_dj`
/// (``dualTolerance``, `1e-12`).
///
/// The bank remembers the thread that created it. Should its owner be released on
/// another thread (a programming error: nothing in RobustMFG does), `deinit` leaves the
/// problems to leak instead of deleting them in the wrong thread's GLPK environment, and
/// counts the event in `foreignReleases`.
public struct LPBank: ~Copyable {
    /// Banks released on another thread than the one that created them (their problems
    /// leaked, not deleted), since the process started. Tests check it stays 0.
    package static let foreignReleases = Atomic<Int>(0)

    private let owner: pthread_t
    private let problems: UnsafeMutableBufferPointer<OpaquePointer?>
    private let columnCounts: UnsafeMutableBufferPointer<Int>
    private let hasBasis: UnsafeMutableBufferPointer<Bool>
    private var caches: [LPSlotCache]
    /// The tolerances of the polishing re-solve (`nil`: no polishing).
    private let polishTolerance: Double?
    #if DEBUG || RMFG_TEST_HOOKS
    /// Tests: every `glp_warm_up` of a restored basis counts as failed (`GLP_ESING`), to
    /// reach the path that solves the slot again.
    package var failsWarmUp = false
    /// Tests: how often a failed `glp_warm_up` made the slot be solved again.
    package private(set) var warmUpFallbacks = 0
    #endif

    /// An empty bank of `slots` slots (negative counts are treated as 0), polishing every
    /// optimum that misses residuals of `1e-12` (see ``LPBank``).
    public init(slots: Int) {
        self.init(slots: slots, polishTolerance: PolishRule.tolerance)
    }

    /// An empty bank of `slots` slots whose polishing re-solves use `polishTolerance` as
    /// GLPK's `tol_bnd` and `tol_dj` (at most ``dualTolerance``; a tolerance that is not a
    /// positive finite number, which GLPK would refuse, counts as `1e-13`), or that does not
    /// polish (`nil`; tests use it to reach GLPK's plain optima).
    package init(slots: Int, polishTolerance: Double?) {
        rmfg_glpk_silence()
        // GLPK aborts on a tolerance that is not positive (and `min` would drop a NaN).
        self.polishTolerance = polishTolerance.map { $0 > 0 && $0.isFinite ? $0 : PolishRule.tolerance }
        owner = pthread_self()
        let count = max(0, slots)
        problems = .allocate(capacity: count)
        problems.initialize(repeating: nil)
        columnCounts = .allocate(capacity: count)
        columnCounts.initialize(repeating: 0)
        hasBasis = .allocate(capacity: count)
        hasBasis.initialize(repeating: false)
        caches = [LPSlotCache](repeating: LPSlotCache(), count: count)
    }

    deinit {
        if isOnOwnerThread {
            for p in problems { if let p { glp_delete_prob(p) } }
        } else if problems.contains(where: { $0 != nil }) {
            Self.foreignReleases.add(1, ordering: .relaxed)
        }
        problems.deallocate()
        columnCounts.deallocate()
        hasBasis.deallocate()
    }

    /// The number of slots.
    public var slotCount: Int { problems.count }

    /// `true` on the thread that created the bank (the only one allowed to use it).
    public var isOnOwnerThread: Bool { pthread_equal(owner, pthread_self()) != 0 }

    /// The number of columns of the problem in `slot` (0 when empty).
    public func columnCount(slot: Int) -> Int {
        slot >= 0 && slot < problems.count ? columnCounts[slot] : 0
    }

    /// Validates `program` and puts it into `slot`, replacing (and deleting) the
    /// problem there. The next ``solve(slot:allowTies:tieTolerance:)`` starts cold.
    ///
    /// - Throws: the errors of ``LinearProgram/validate()``, and
    ///   ``LPError/invalidOption(name:reason:)`` for a slot out of range.
    public mutating func load(_ program: LinearProgram, slot: Int) throws(LPError) {
        try checkSlot(slot)
        try program.validate()
        if let old = problems[slot] { glp_delete_prob(old) }
        problems[slot] = GLPK.makeProblem(program)
        columnCounts[slot] = program.variables.count
        hasBasis[slot] = false
        caches[slot] = LPSlotCache(program)
        caches[slot].objectiveSynced = true
    }

    /// Sets the objective of `slot`: `coefficients[j]` for column `j` (every column)
    /// and the constant term. The basis is kept.
    ///
    /// - Throws: ``LPError/invalidOption(name:reason:)`` for an empty or out-of-range
    ///   slot or a wrong count; ``LPError/invalidVariable(index:name:reason:)`` for a
    ///   non-finite coefficient; ``LPError/invalidObjectiveConstant(_:)``.
    public mutating func setObjective(_ coefficients: UnsafeBufferPointer<Double>, constant: Double,
                                      slot: Int) throws(LPError) {
        let p = try problem(slot)
        guard coefficients.count == columnCounts[slot] else {
            throw .invalidOption(name: .coefficients, reason: "has \(coefficients.count) entries, expected \(columnCounts[slot])")
        }
        guard constant.isFinite else { throw .invalidObjectiveConstant(constant) }
        for (j, c) in coefficients.enumerated() where !c.isFinite {
            throw .invalidVariable(index: j, name: nil, reason: "objective coefficient is \(c), expected a finite number")
        }
        _ = p
        caches[slot].constant = constant
        caches[slot].objective.withUnsafeMutableBufferPointer { o in
            for j in o.indices { o[j] = coefficients[j] }
        }
        caches[slot].objectiveSynced = false
    }

    /// Copies the slot's objective into GLPK when it changed since the last copy.
    private mutating func syncObjective(_ p: OpaquePointer, slot: Int) {
        guard !caches[slot].objectiveSynced else { return }
        glp_set_obj_coef(p, 0, caches[slot].constant)
        caches[slot].objective.withUnsafeBufferPointer { o in
            for j in o.indices { glp_set_obj_coef(p, Int32(j + 1), o[j]) }
        }
        caches[slot].objectiveSynced = true
    }

    /// Reads the optimal basis and primal solution GLPK holds for `slot`.
    private mutating func refreshCache(_ p: OpaquePointer, slot: Int) {
        let m = Int(glp_get_num_rows(p)), n = Int(glp_get_num_cols(p))
        var cache = caches[slot]
        cache.rowStat = (0..<m).map { glp_get_row_stat(p, Int32($0 + 1)) }
        cache.columnStat = (0..<n).map { glp_get_col_stat(p, Int32($0 + 1)) }
        cache.head = (0..<m).map { glp_get_bhead(p, Int32($0 + 1)) }
        cache.primal = (0..<n).map { glp_get_col_prim(p, Int32($0 + 1)) }
        cache.basisKnown = true
        caches[slot] = cache
    }

    /// The objective at the cached basis when that basis is still optimal for the
    /// slot's current objective (every non-basic reduced cost of the right sign within
    /// ``dualTolerance``, and, unless `allowTies`, none within `tieTolerance` of 0);
    /// else `nil`. Reduced costs come from `π = B⁻ᵀ c_B` (`glp_btran` on GLPK's
    /// factorization): `d_j = c_j + Σ_i a_ij π_i` for columns and `−π_i` for rows.
    private func reusableObjective(_ p: OpaquePointer, slot: Int, allowTies: Bool, tieTolerance: Double) -> Double? {
        let cache = caches[slot]
        let m = cache.rows
        guard cache.basisKnown, m > 0, glp_bf_exists(p) != 0, cache.head.count == m else { return nil }
        var pi = [Double](repeating: 0, count: m + 1)
        for k in 0..<m {
            let v = Int(cache.head[k])
            pi[k + 1] = v > m ? cache.objective[v - m - 1] : 0
        }
        glp_btran(p, &pi)
        func acceptable(_ d: Double, _ stat: Int32, scale: Double) -> Bool {
            guard d.isFinite else { return false }
            if !allowTies, stat != GLP_NS, abs(d) <= tieTolerance { return false }
            let tol = Self.dualTolerance * scale
            switch stat {
            case GLP_NL: return d >= -tol
            case GLP_NU: return d <= tol
            case GLP_NF: return abs(d) <= tol
            default: return true
            }
        }
        for i in 0..<m where cache.rowStat[i] != GLP_BS {
            if !acceptable(-pi[i + 1], cache.rowStat[i], scale: 1) { return nil }
        }
        var value = cache.constant
        for j in cache.objective.indices {
            let c = cache.objective[j]
            value += c * cache.primal[j]
            guard cache.columnStat[j] != GLP_BS else { continue }
            var d = c
            for k in cache.columnStart[j]..<cache.columnStart[j + 1] { d += cache.columnValue[k] * pi[cache.columnRow[k] + 1] }
            if !acceptable(d, cache.columnStat[j], scale: 1 + abs(c)) { return nil }
        }
        return value
    }

    /// Solves `slot` by the primal simplex (no presolve), from its previous optimal
    /// basis when there is one, else from GLPK's advanced initial basis. A warm solve
    /// that fails numerically is repeated once from the advanced basis.
    ///
    /// An optimum is polished (see ``LPBank``); its pivots count in ``LPBankSolve/pivots``.
    ///
    /// Before a warm solve the previous basis is checked for the new objective: when
    /// every non-basic reduced cost has the right sign within ``dualTolerance`` (and,
    /// unless `allowTies`, none is within `tieTolerance` of 0, so the optimum is
    /// unique), the simplex does not run and the result has `reused: true`, 0 pivots
    /// and the objective at the unchanged vertex.
    ///
    /// - Throws: ``LPError/invalidOption(name:reason:)`` for an empty or out-of-range
    ///   slot; ``LPError/solverFailure(code:message:)`` when GLPK refuses the problem.
    public mutating func solve(slot: Int, allowTies: Bool = true, tieTolerance: Double = 0) throws(LPError) -> LPBankSolve {
        let p = try problem(slot)
        let warm = hasBasis[slot]
        if warm, let value = reusableObjective(p, slot: slot, allowTies: allowTies, tieTolerance: tieTolerance) {
            return LPBankSolve(status: .optimal, objective: value, pivots: 0, warm: true, reused: true)
        }
        syncObjective(p, slot: slot)
        caches[slot].basisKnown = false
        let before = Int(glp_get_it_cnt(p))
        let limit = Self.solveIterations(rows: Int(glp_get_num_rows(p)), columns: Int(glp_get_num_cols(p)))
        var (code, status) = Self.simplex(p, cold: !warm, iterationLimit: limit)
        if warm, status != .optimal, status != .infeasible, status != .unbounded {
            (code, status) = Self.simplex(p, cold: true, iterationLimit: limit)
        }
        if status == .iterationLimit {
            // Cycling at `tol_dj = 1e-12`: GLPK's default `1e-7` ends it; the polishing below then
            // tries the tight tolerances again from that optimum (capped too).
            (code, status) = Self.simplex(p, cold: true, iterationLimit: limit, defaultSigns: true)
        }
        if status == .undefined, code != 0, ![GLP_EITLIM, GLP_ETMLIM, GLP_ENOPFS].contains(code) {
            hasBasis[slot] = false
            throw .solverFailure(code: Int(code), message: GLPK.describe(code))
        }
        if status == .optimal { status = polish(p) }
        hasBasis[slot] = status == .optimal
        if status == .optimal { refreshCache(p, slot: slot) }
        return LPBankSolve(status: status, objective: glp_get_obj_val(p),
                           pivots: Int(glp_get_it_cnt(p)) - before, warm: warm, reused: false)
    }

    /// Writes the primal value of every column of `slot` into `out` (which must
    /// hold ``columnCount(slot:)`` numbers).
    ///
    /// - Throws: ``LPError/invalidOption(name:reason:)`` for an empty or
    ///   out-of-range slot or a buffer of another size.
    public func primal(slot: Int, into out: UnsafeMutableBufferPointer<Double>) throws(LPError) {
        let p = try problem(slot)
        guard out.count == columnCounts[slot] else {
            throw .invalidOption(name: .out, reason: "has \(out.count) entries, expected \(columnCounts[slot])")
        }
        if caches[slot].basisKnown, caches[slot].primal.count == out.count {
            for j in out.indices { out[j] = caches[slot].primal[j] }
        } else {
            for j in out.indices { out[j] = glp_get_col_prim(p, Int32(j + 1)) }
        }
    }

    /// Among the optimal solutions of `slot`'s last solve, moves to one that also
    /// minimizes `secondary·x` (a lexicographic tie-break), and returns the pivots used.
    ///
    /// The optimal face is kept by fixing every non-basic column and row whose reduced
    /// cost exceeds `tolerance` in magnitude at its current value; the primal simplex
    /// then minimizes `secondary` over what is left, from the current basis (its optimum
    /// polished as a solve's is, see ``LPBank``), and the bounds and the objective are
    /// restored (the basis stays, so the next solve is warm). When no non-basic variable
    /// has a reduced cost within `tolerance` the optimum is unique and nothing is solved.
    ///
    /// - Throws: as ``setObjective(_:constant:slot:)`` and ``solve(slot:allowTies:tieTolerance:)``.
    public mutating func breakTies(slot: Int, secondary: UnsafeBufferPointer<Double>, tolerance: Double) throws(LPError) -> Int {
        let p = try problem(slot)
        guard hasBasis[slot], glp_get_status(p) == GLP_OPT else { return 0 }
        // After a reused basis GLPK's stored duals belong to an older objective.
        guard caches[slot].objectiveSynced else { return 0 }
        let n = Int(glp_get_num_cols(p)), m = Int(glp_get_num_rows(p))
        guard secondary.count == n else {
            throw .invalidOption(name: .secondary, reason: "has \(secondary.count) entries, expected \(n)")
        }
        for (j, c) in secondary.enumerated() where !c.isFinite {
            throw .invalidVariable(index: j, name: nil, reason: "secondary coefficient is \(c), expected a finite number")
        }
        guard tolerance.isFinite, tolerance >= 0 else { throw .invalidOption(name: .tolerance, reason: "is \(tolerance), expected a finite number >= 0") }
        let (free, fixed) = Self.faceScan(p, rows: m, columns: n, tolerance: tolerance)
        guard free else { return 0 }
        let original = (0...n).map { glp_get_obj_coef(p, Int32($0)) }
        Self.fixAtCurrentValues(p, fixed, rows: m)
        glp_set_obj_coef(p, 0, 0)
        for (j, c) in secondary.enumerated() { glp_set_obj_coef(p, Int32(j + 1), c) }
        let before = Int(glp_get_it_cnt(p))
        var (code, status) = Self.simplex(p, cold: false, iterationLimit: Self.solveIterations(rows: m, columns: n))
        if status == .optimal { status = polish(p) }
        Self.restoreBounds(p, fixed, rows: m)
        for j in 0...n { glp_set_obj_coef(p, Int32(j), original[j]) }
        guard status == .optimal else {
            hasBasis[slot] = false
            caches[slot].basisKnown = false
            throw .solverFailure(code: Int(code), message: "tie-break re-solve ended with status '\(status.rawValue)'")
        }
        refreshCache(p, slot: slot)
        return Int(glp_get_it_cnt(p)) - before
    }

    /// The dual feasibility tolerance (GLPK `tol_dj`) of every solve: `1e-12`, far below
    /// GLPK's default `1e-7`, so that values closer than `1e-7` are still told apart
    /// (callers scale objectives to magnitude about 1).
    public static let dualTolerance = 1e-12

    /// A non-basic variable fixed for the tie-break: index `k` (`k < m` rows, else
    /// column `k − m`) and its original bounds.
    typealias FixedVariable = (index: Int, type: Int32, lower: Double, upper: Double)

    /// The non-basic variables outside the optimal face (reduced cost beyond
    /// `tolerance`), and whether any non-fixed non-basic variable has a tie.
    private static func faceScan(_ p: OpaquePointer, rows m: Int, columns n: Int,
                                 tolerance: Double) -> (free: Bool, fixed: [FixedVariable]) {
        var free = false
        var fixed: [FixedVariable] = []
        for k in 0..<(m + n) {
            let i = Int32(k < m ? k + 1 : k - m + 1)
            let basic = (k < m ? glp_get_row_stat(p, i) : glp_get_col_stat(p, i)) == GLP_BS
            if basic { continue }
            let d = k < m ? glp_get_row_dual(p, i) : glp_get_col_dual(p, i)
            let type = k < m ? glp_get_row_type(p, i) : glp_get_col_type(p, i)
            if abs(d) <= tolerance {
                if type != GLP_FX { free = true }
                continue
            }
            if type == GLP_FX { continue }
            fixed.append(k < m ? (k, type, glp_get_row_lb(p, i), glp_get_row_ub(p, i))
                               : (k, type, glp_get_col_lb(p, i), glp_get_col_ub(p, i)))
        }
        return (free, fixed)
    }

    /// Fixes each of `fixed` at its current value.
    private static func fixAtCurrentValues(_ p: OpaquePointer, _ fixed: [FixedVariable], rows m: Int) {
        for f in fixed {
            if f.index < m {
                let i = Int32(f.index + 1)
                let x = glp_get_row_prim(p, i)
                glp_set_row_bnds(p, i, GLP_FX, x, x)
            } else {
                let j = Int32(f.index - m + 1)
                let x = glp_get_col_prim(p, j)
                glp_set_col_bnds(p, j, GLP_FX, x, x)
            }
        }
    }

    /// Gives `fixed` their original bounds back, non-basic at the bound they sat on.
    private static func restoreBounds(_ p: OpaquePointer, _ fixed: [FixedVariable], rows m: Int) {
        for f in fixed {
            // Back to the original bounds, non-basic at the bound the variable sat on.
            let atUpper = f.type == GLP_UP || (f.type == GLP_DB && f.upper - 0.5 * (f.upper - f.lower) < (f.index < m
                ? glp_get_row_prim(p, Int32(f.index + 1)) : glp_get_col_prim(p, Int32(f.index - m + 1))))
            let stat = f.type == GLP_FR ? GLP_NF : (atUpper ? GLP_NU : GLP_NL)
            if f.index < m {
                let i = Int32(f.index + 1)
                let basic = glp_get_row_stat(p, i) == GLP_BS
                glp_set_row_bnds(p, i, f.type, f.lower, f.upper)
                if !basic { glp_set_row_stat(p, i, stat) }
            } else {
                let j = Int32(f.index - m + 1)
                let basic = glp_get_col_stat(p, j) == GLP_BS
                glp_set_col_bnds(p, j, f.type, f.lower, f.upper)
                if !basic { glp_set_col_stat(p, j, stat) }
            }
        }
    }

    /// Polishes the optimal basic solution `p` holds by ``PolishRule``: when its residual
    /// exceeds `1e-12`, a warm re-solve at ``polishTolerance`` (at most
    /// ``polishIterations(rows:columns:)`` pivots), kept when it is optimal with a smaller
    /// residual; otherwise the first basis is restored and its solution recomputed
    /// (`glp_warm_up`). The common case costs GLPK's two KKT checks of bounds and signs.
    ///
    /// Returns the status of the solution `p` then holds: ``LPStatus/optimal`` but where the
    /// restored basis cannot be factorized afresh (`glp_warm_up` fails; the simplex's last
    /// factorization may have been an update of an older one). Then GLPK holds no
    /// factorization, and reading its basis would abort the process, so the slot is solved
    /// again from the restored statuses at the usual tolerances, and cold when that fails too;
    /// the status of that solve is returned.
    private mutating func polish(_ p: OpaquePointer) -> LPStatus {
        guard let polishTolerance else { return .optimal }
        let first = PolishRule.residual(p)
        guard PolishRule.needsResolve(residual: first) else { return .optimal }
        let m = glp_get_num_rows(p), n = glp_get_num_cols(p)
        let rowStat = (0..<m).map { glp_get_row_stat(p, $0 + 1) }
        let columnStat = (0..<n).map { glp_get_col_stat(p, $0 + 1) }
        let limit = Self.polishIterations(rows: Int(m), columns: Int(n))
        let (_, status) = Self.simplex(p, cold: false, tolerance: polishTolerance, iterationLimit: limit)
        guard !PolishRule.keepsResolve(status: status, residual: PolishRule.residual(p), over: first) else { return .optimal }
        for i in 0..<m { glp_set_row_stat(p, i + 1, rowStat[Int(i)]) }
        for j in 0..<n { glp_set_col_stat(p, j + 1, columnStat[Int(j)]) }
        var code = glp_warm_up(p)
        #if DEBUG || RMFG_TEST_HOOKS
        if failsWarmUp { code = GLP_ESING }
        #endif
        guard code != 0 else { return .optimal }
        #if DEBUG || RMFG_TEST_HOOKS
        warmUpFallbacks += 1
        #endif
        let cap = Self.solveIterations(rows: Int(m), columns: Int(n))
        let (_, again) = Self.simplex(p, cold: false, iterationLimit: cap)
        if again == .optimal { return .optimal }
        return Self.simplex(p, cold: true, iterationLimit: cap).1
    }

    /// The most pivots of a row's solve: `50·(m + n) + 1000` for `m` rows and `n` columns, far
    /// above what a row program takes (a few times `m`). GLPK's primal simplex has no
    /// other bound: at `tol_dj = 1e-12` it cycled without end on a 4-state row with a
    /// Wasserstein ball and linear constraints at `max|V| = 4.7e89`
    /// (`LPBankPolyhedralTests`, seed 751873090449760997), which hung the LP inner path.
    /// A solve that reaches the cap is repeated cold at GLPK's default `tol_dj` (`1e-7`).
    static func solveIterations(rows m: Int, columns n: Int) -> Int32 {
        Int32(clamping: 50 * (m + n) + 1000)
    }

    /// The most pivots of a polishing re-solve: `10·(m + n) + 100` for `m` rows and `n`
    /// columns. From an optimal basis at tighter tolerances a re-solve takes a few pivots
    /// (none scanned took more than the first solve's); the cap bounds a degenerate cycle's
    /// cost, and a capped re-solve is not optimal, so the first basis is restored.
    static func polishIterations(rows m: Int, columns n: Int) -> Int32 {
        Int32(clamping: 10 * (m + n) + 100)
    }

    /// The primal simplex on `p` (no presolve, `tol_dj` = ``dualTolerance``, or GLPK's default
    /// `1e-7` with `defaultSigns`), from GLPK's advanced basis when `cold`, else from the
    /// current one; with `tolerance`, `tol_bnd` and `tol_dj` at most that; at most
    /// `iterationLimit` pivots.
    private static func simplex(_ p: OpaquePointer, cold: Bool, tolerance: Double? = nil,
                                iterationLimit: Int32? = nil, defaultSigns: Bool = false) -> (Int32, LPStatus) {
        rmfg_glpk_silence()
        var parm = glp_smcp()
        glp_init_smcp(&parm)
        parm.msg_lev = GLP_MSG_OFF
        parm.meth = GLP_PRIMAL
        parm.presolve = GLP_OFF
        if !defaultSigns { parm.tol_dj = dualTolerance }
        if let tolerance {
            parm.tol_bnd = min(parm.tol_bnd, tolerance)
            parm.tol_dj = min(parm.tol_dj, tolerance)
        }
        if let iterationLimit { parm.it_lim = iterationLimit }
        if cold { glp_adv_basis(p, 0) }
        let code = glp_simplex(p, &parm)
        return (code, GLPK.status(returnCode: code, problem: p))
    }

    private func checkSlot(_ slot: Int) throws(LPError) {
        guard slot >= 0, slot < problems.count else {
            throw .invalidOption(name: .slot, reason: "is \(slot), expected 0..<\(problems.count)")
        }
    }

    private func problem(_ slot: Int) throws(LPError) -> OpaquePointer {
        try checkSlot(slot)
        guard let p = problems[slot] else {
            throw .invalidOption(name: .slot, reason: "\(slot) holds no problem (load one first)")
        }
        return p
    }
}

@available(*, unavailable, message: "a GLPK problem must stay on the thread that created it")
extension LPBank: Sendable {}
