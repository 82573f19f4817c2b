import Foundation

/// Anderson's least squares `min_γ ‖f − ΔF γ‖₂` on large games by an **updated** QR
/// factorization `ΔF = Q R` of the history (Docs/Solvers.md, "anderson"; Walker and Ni,
/// "Anderson acceleration for fixed-point iterations", SIAM J. Numer. Anal. 49, 2011, section 4).
///
/// ``SolverRun/leastSquares(_:_:_:execution:)`` factors the `k` history columns of `n` entries
/// from scratch at every iteration: `k(k − 1)/2` passes over `n`-vectors, memory-bound. With 60
/// columns at 10⁶ states that is 1,770 passes over 8 MB vectors per iteration. Here the factors
/// follow the history instead:
/// - a new column is orthogonalized against `Q` by classical Gram–Schmidt run twice ("twice is
///   enough": orthogonal to working precision unless the column is nearly dependent), in blocks
///   of entries that hold all of `Q`'s columns, so each pass streams `Q` once;
/// - dropping the oldest column leaves `R` upper Hessenberg; `k − 1` Givens rotations make it
///   triangular again, and the same rotations, applied to `Q`'s columns block by block, keep
///   `ΔF = Q R` (one streaming pass over `Q`);
/// - `γ = R⁻¹ Qᵀ f`: one pass for `Qᵀ f` and a `k × k` back substitution.
///
/// So an iteration costs a few passes over `Q` instead of `k²/2` passes over its columns. The
/// factors are those of the same columns as the scratch factorization up to rounding (tested
/// against it), so Anderson's steps agree with the scratch path to rounding, not bit for bit. A
/// new column whose remainder fails the scratch path's conditioning rule (its diagonal at most
/// `10⁻¹⁰` times the largest before it) is not appended: the caller factors the history from
/// scratch (``rebuild(_:_:execution:)``), which drops the oldest columns exactly as
/// ``SolverRun/leastSquares(_:_:_:execution:)`` does.
///
/// Every sum runs by ``VectorBlocks`` blocks added in block order, so serial and parallel runs
/// give the same numbers.
struct AndersonFactors {
    /// Entries per column (`n`).
    let length: Int
    /// The most columns held at once.
    let capacity: Int
    /// Column slots, slot `s` at `s · length`; pages of slots never used are never touched
    /// (the capacity is reserved, the slots appended when first needed).
    private var storage: [Double] = []
    /// Logical column `j` (oldest first) lives in slot `slots[j]`.
    private var slots: [Int] = []
    /// Slots released by dropped columns.
    private var free: [Int] = []
    /// `R` by columns: `r[j]` holds `R_0j, …, R_jj`.
    private(set) var r: [[Double]] = []
    /// Whether the factors describe the caller's history and `Q` is orthonormal to working
    /// precision, so that they can be updated: false after an append whose column was nearly
    /// dependent on `Q` (its remainder at most ``trustedRemainder`` of its norm, or failing the
    /// conditioning rule), and after a factorization from scratch whose `R` has a diagonal below
    /// ``trustedRemainder`` times the largest (modified Gram–Schmidt loses orthogonality in
    /// proportion to the condition number; a column that is a large multiple of an earlier one
    /// plus a part of ordinary size passes the diagonal test, so each column's remainder is also
    /// checked against its norm, as an append checks it). ``leastSquares(_:_:_:execution:)`` then factors the
    /// history from scratch, as ``SolverRun/leastSquares(_:_:_:execution:)`` does, until the
    /// ill-conditioned columns have left the history.
    private(set) var isCurrent = true

    /// The least remainder, relative to its column's norm, of a column appended by the update
    /// (classical Gram–Schmidt twice keeps `Q` orthonormal to about `10⁻¹⁶` over this ratio).
    static let trustedRemainder = 1e-6

    /// The factors of an empty history of `length`-entry columns, at most `capacity` of them.
    init(length: Int, capacity: Int) {
        self.length = length
        self.capacity = max(1, capacity)
    }

    /// The columns held.
    var count: Int { slots.count }

    /// Entries per block of the passes over `Q`: a block of 60 columns (about 480 KB) stays in
    /// the core's cache while every column's part of it is worked on.
    static var passBlock: Int { VectorBlocks.testBlock ?? 1024 }

    /// Games with at least this many states update the factors (``SolverRun/andersonPhase``); smaller
    /// ones factor from scratch, whose passes are cheap there, and keep their iterates bit for bit.
    static var minimumStates: Int { testMinimumStates ?? 1 << 16 }
    /// A smaller ``minimumStates`` for tests, so that small games take the updated factors (read on
    /// the calling thread when Anderson's phase starts).
    @TaskLocal static var testMinimumStates: Int? = nil

    /// Drops every column.
    mutating func removeAll() {
        free.append(contentsOf: slots)
        slots.removeAll()
        r.removeAll()
        isCurrent = true
    }

    /// Whether every diagonal entry of `R` is above `10⁻¹⁰` times the largest one at or before
    /// it and above `10⁻³⁰⁰`: the rule by which the scratch factorization drops the oldest
    /// columns.
    var isWellConditioned: Bool {
        var maxDiag = 0.0
        for column in r {
            let d = abs(column[column.count - 1])
            maxDiag = max(maxDiag, d)
            if !(d > 1e-10 * maxDiag) || !(d > 1e-300) { return false }
        }
        return true
    }

    /// `Q`'s columns, oldest first (for tests).
    var columns: [[Double]] {
        slots.map { s in Array(storage[(s * length)..<((s + 1) * length)]) }
    }

    /// A slot for a new column (a released one, else a new one at the end of the storage).
    private mutating func takeSlot() -> Int {
        if let s = free.popLast() { return s }
        if storage.isEmpty { storage.reserveCapacity((capacity + 1) * length) }
        let s = storage.count / length
        storage.append(contentsOf: repeatElement(0, count: length))
        return s
    }

    /// Appends the newest history column `a` (`length` entries). Leaves the factors unchanged and
    /// marks them stale (``isCurrent`` false) when the remainder of `a` after the projections is
    /// not finite, at most `10⁻³⁰⁰`, at most `10⁻¹⁰` times the largest diagonal of `R` (the
    /// conditioning rule) or at most ``trustedRemainder`` times `‖a‖₂`: the caller then factors
    /// from scratch.
    mutating func append(_ a: [Double], execution: ExecutionMode) {
        precondition(a.count == length, "a history column of the wrong length")
        guard isCurrent else { return }
        let k = count, n = length
        let slot = takeSlot()
        let mode = VectorBlocks.mode(count: n, execution: execution)
        var coefficients = [Double](repeating: 0, count: k)
        var maxDiag = 0.0
        for column in r { maxDiag = max(maxDiag, abs(column[column.count - 1])) }
        let size = VectorBlocks.sum(count: n, block: Self.passBlock, mode: mode) { range in
            var s = 0.0
            for i in range { s += a[i] * a[i] }
            return s
        }.squareRoot()
        let least = max(1e-300, 1e-10 * maxDiag, Self.trustedRemainder * size)
        let held = slots
        let norm: Double = storage.withUnsafeMutableBufferPointer { sb in
            guard let base = sb.baseAddress else { return 0 }
            let v = base + slot * n
            a.withUnsafeBufferPointer { ab in
                if let src = ab.baseAddress { v.update(from: src, count: n) }
            }
            let columns = held.map { UnsafePointer(base + $0 * n) }
            for _ in 0..<2 where k > 0 {
                let c = Self.products(columns, UnsafePointer(v), length: n, mode: mode)
                Self.subtract(columns, c, from: v, length: n, mode: mode)
                for j in 0..<k { coefficients[j] += c[j] }
            }
            let squared = VectorBlocks.sum(count: n, block: Self.passBlock, mode: mode) { range in
                var s = 0.0
                for i in range { s += v[i] * v[i] }
                return s
            }
            let norm = squared.squareRoot()
            guard norm.isFinite, norm > least else { return norm }
            VectorBlocks.forEach(count: n, block: Self.passBlock, mode: mode) { range in
                for i in range { v[i] /= norm }
            }
            return norm
        }
        guard norm.isFinite, norm > least, size.isFinite, coefficients.allSatisfy({ $0.isFinite }) else {
            free.append(slot)
            isCurrent = false
            return
        }
        slots.append(slot)
        r.append(coefficients + [norm])
    }

    /// Drops the oldest column: Givens rotations of rows `j, j + 1` (`j = 0, 1, …`) turn the
    /// remaining upper Hessenberg `R` triangular (each new diagonal `≥ 0`), and the same rotations
    /// of `Q`'s columns `j, j + 1`, block by block, keep `ΔF = Q R`; `Q`'s last column and `R`'s
    /// last row, now zero, are dropped.
    mutating func removeFirst(execution: ExecutionMode) {
        guard isCurrent, !slots.isEmpty else { return }
        let k = count, n = length
        r.removeFirst()
        var rotations: [(c: Double, s: Double)] = []
        rotations.reserveCapacity(max(0, k - 1))
        for j in 0..<(k - 1) {
            // Column j (old column j + 1) has entries 0...j + 1; rows j and j + 1 meet the rotation.
            let a = r[j][j], b = r[j][j + 1]
            let rho = hypot(a, b)
            let (c, s) = rho > 0 ? (a / rho, b / rho) : (1.0, 0.0)
            rotations.append((c, s))
            for col in j..<(k - 1) {
                let x = r[col][j], y = r[col][j + 1]
                r[col][j] = c * x + s * y
                r[col][j + 1] = -s * x + c * y
            }
            r[j][j] = rho > 0 ? rho : r[j][j]
            r[j].removeLast()
        }
        if k > 1 {
            let mode = VectorBlocks.mode(count: n, execution: execution)
            let held = slots
            storage.withUnsafeMutableBufferPointer { sb in
                guard let base = sb.baseAddress else { return }
                let columns = held.map { base + $0 * n }
                VectorBlocks.forEach(count: n, block: Self.passBlock, mode: mode) { range in
                    for (j, g) in rotations.enumerated() {
                        let p = columns[j], q = columns[j + 1]
                        for i in range {
                            let x = p[i], y = q[i]
                            p[i] = g.c * x + g.s * y
                            q[i] = -g.s * x + g.c * y
                        }
                    }
                }
            }
        }
        if let last = slots.popLast() { free.append(last) }
    }

    /// Follows the history: its oldest column dropped (when `droppedOldest`), then `column`
    /// appended.
    mutating func follow(appended column: [Double], droppedOldest: Bool, execution: ExecutionMode) {
        if droppedOldest { removeFirst(execution: execution) }
        append(column, execution: execution)
    }

    /// Anderson's coefficients `argmin_γ ‖f − ΔF γ‖₂` for the history `dF` (whose factors these
    /// are, else they are factored from scratch), dropping the oldest columns of `dF` and `dX`
    /// while `R` fails the conditioning rule or the coefficients are not finite, as
    /// ``SolverRun/leastSquares(_:_:_:execution:)`` drops them.
    mutating func leastSquares(_ dF: inout [[Double]], _ dX: inout [[Double]], _ f: [Double],
                               execution: ExecutionMode) -> [Double] {
        precondition(f.count == length, "a residual of the wrong length")
        // Whether the factors were computed from scratch for the history as it is now.
        var fresh = false
        while !dF.isEmpty {
            if !fresh, !isCurrent || count != dF.count {
                rebuild(&dF, &dX, execution: execution)
                fresh = true
                continue
            }
            if isWellConditioned, let g = coefficients(f, execution: execution) { return g }
            dF.removeFirst()
            dX.removeFirst()
            if isCurrent { removeFirst(execution: execution) } else { fresh = false }
        }
        removeAll()
        return []
    }

    /// `γ = R⁻¹ Qᵀ f`, or `nil` when not finite.
    func coefficients(_ f: [Double], execution: ExecutionMode) -> [Double]? {
        let k = count, n = length
        guard k > 0 else { return [] }
        let mode = VectorBlocks.mode(count: n, execution: execution)
        var rhs: [Double] = []
        storage.withUnsafeBufferPointer { sb in
            f.withUnsafeBufferPointer { fb in
                guard let base = sb.baseAddress, let fBase = fb.baseAddress else { return }
                rhs = Self.products(slots.map { base + $0 * n }, fBase, length: n, mode: mode)
            }
        }
        guard rhs.count == k else { return nil }
        var g = [Double](repeating: 0, count: k)
        var j = k - 1
        while j >= 0 {
            var s = rhs[j]
            for i in (j + 1)..<max(j + 1, k) { s -= r[i][j] * g[i] }
            g[j] = s / r[j][j]
            j -= 1
        }
        return g.allSatisfy({ $0.isFinite }) ? g : nil
    }

    /// Factors the history `dF` from scratch by ``SolverRun``'s modified Gram–Schmidt, dropping
    /// the oldest columns of `dF` and `dX` while it fails its conditioning rule (exactly as
    /// ``SolverRun/leastSquares(_:_:_:execution:)`` does).
    mutating func rebuild(_ dF: inout [[Double]], _ dX: inout [[Double]], execution: ExecutionMode) {
        removeAll()
        free.removeAll()
        let n = length
        while !dF.isEmpty {
            let k = dF.count
            storage.removeAll(keepingCapacity: true)
            if storage.capacity < (capacity + 1) * n { storage.reserveCapacity((capacity + 1) * n) }
            for column in dF { storage.append(contentsOf: column.prefix(n)) }
            var rowMajor = [Double](repeating: 0, count: k * k)
            let ok = storage.withUnsafeMutableBufferPointer { sb in
                rowMajor.withUnsafeMutableBufferPointer { rb in
                    SolverRun.orthonormalize(UnsafeMutableBufferPointer(rebasing: sb[0..<(k * n)]), columns: k, length: n,
                                             r: rb, execution: execution)
                }
            }
            if ok {
                slots = Array(0..<k)
                r = (0..<k).map { j in (0...j).map { i in rowMajor[i * k + j] } }
                // Trusted as an append is: every column's remainder at least `trustedRemainder` of
                // its norm (`‖ΔF_j‖₂ = ‖r_j‖₂`), and the diagonals within that ratio of each other.
                var (least, most) = (Double.infinity, 0.0)
                var remainders = true
                for column in r {
                    let d = column[column.count - 1]
                    least = min(least, d)
                    most = max(most, d)
                    var size = 0.0
                    for x in column { size += x * x }
                    if !(d >= Self.trustedRemainder * size.squareRoot()) { remainders = false }
                }
                isCurrent = remainders && least >= Self.trustedRemainder * most
                return
            }
            dF.removeFirst()
            dX.removeFirst()
        }
        storage.removeAll(keepingCapacity: true)
        isCurrent = true
    }

    /// `Qᵀ v` (`k` inner products), by blocks of entries: each block's `k` partial sums in
    /// index order, then the blocks' sums in block order.
    private static func products(_ columns: [UnsafePointer<Double>], _ v: UnsafePointer<Double>, length n: Int,
                                 mode: ExecutionMode) -> [Double] {
        let k = columns.count
        guard k > 0 else { return [] }
        let block = passBlock
        let blocks = max(1, (n + block - 1) / block)
        var partial = [Double](repeating: 0, count: blocks * k)
        partial.withUnsafeMutableBufferPointer { pb in
            guard let pBase = pb.baseAddress else { return }
            let out = DisjointSlices(base: pBase)
            VectorBlocks.forEach(count: n, block: block, mode: mode) { range in
                let b = range.lowerBound / block
                for j in 0..<k {
                    let q = columns[j]
                    var s = 0.0
                    for i in range { s += q[i] * v[i] }
                    out.base[b * k + j] = s
                }
            }
        }
        var total = [Double](repeating: 0, count: k)
        for b in 0..<blocks {
            for j in 0..<k { total[j] += partial[b * k + j] }
        }
        return total
    }

    /// `v ← v − Σ_j c_j q_j`, the columns in order, by blocks of entries.
    private static func subtract(_ columns: [UnsafePointer<Double>], _ c: [Double], from v: UnsafeMutablePointer<Double>,
                                 length n: Int, mode: ExecutionMode) {
        let out = DisjointSlices(base: v)
        VectorBlocks.forEach(count: n, block: passBlock, mode: mode) { range in
            for (j, q) in columns.enumerated() {
                let cj = c[j]
                for i in range { out.base[i] -= cj * q[i] }
            }
        }
    }
}
