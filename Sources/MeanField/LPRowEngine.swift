import Ambiguity
import Foundation
import LinearProgramming

/// Counters of the LP inner path (``InnerMethod/lp``) over one solve.
public struct LPPathStatistics: Sendable, Hashable, Codable {
    /// GLPK solves of row problems (every row of every sweep, except rows with a fixed `q`).
    public var solves: Int = 0
    /// Solves that started from the row's previous optimal basis.
    public var warmSolves: Int = 0
    /// Simplex pivots over all solves (`glp_get_it_cnt`).
    public var pivots: Int = 0
    /// Pivots of the warm solves alone.
    public var warmPivots: Int = 0
    /// The most pivots of one warm solve.
    public var maxWarmPivots: Int = 0
    /// Row problems built (the first sweep, then rows whose `p` or `ρ` changed with `μ`).
    public var builds: Int = 0
    /// Pivots of the tie-break re-solves (included in ``pivots``): when several `q`
    /// attain `σ`, the reported one is moved to the closed form's choice.
    public var tiePivots: Int = 0
    /// Warm solves whose previous basis was proven still optimal by its reduced costs,
    /// so the simplex did not run (0 pivots).
    public var reusedBases: Int = 0

    /// Zero counters.
    public init() {}

    /// Mean pivots per warm re-solve (0 when there was none).
    public var pivotsPerWarmSolve: Double { warmSolves == 0 ? 0 : Double(warmPivots) / Double(warmSolves) }

    mutating func add(_ other: LPPathStatistics) {
        solves += other.solves
        warmSolves += other.warmSolves
        pivots += other.pivots
        warmPivots += other.warmPivots
        maxWarmPivots = max(maxWarmPivots, other.maxWarmPivots)
        builds += other.builds
        tiePivots += other.tiePivots
        reusedBases += other.reusedBases
    }
}

/// One GLPK problem per `(s, a)` row kept alive across sweeps (the fast LP inner path),
/// on the calling thread and on dedicated worker threads.
///
/// The rows are split into shares of whole states, one per core (``workerCount(rows:execution:)``).
/// The **calling thread** (the one that creates the engine) owns the first share: its
/// ``LPBank`` is created in `init`, used in ``sweep(snapshot:values:wantKernels:reduction:)``
/// and deleted when the engine is released, all on that thread, inside the synchronous
/// solve that holds the engine (GLPK's rule; a sweep on another thread throws). Each
/// further share belongs to a **worker thread** lent by ``LPWorkerPool`` for the engine's
/// life: the worker creates the share's bank at the engine's first sweep, solves every
/// job on it and deletes it when the engine is released (while the calling thread
/// deletes its own), then goes back to the pool. Pooled threads outlive engines, so a
/// solve after the process's first starts no thread, and the memory its GLPK problems
/// used stays mapped in that thread's allocator for the next solve instead of being
/// faulted in again. With one
/// share (serial) no worker is taken and no sweep hands anything over.
///
/// A row's problem is rebuilt only when its `p` or `ρ` changes; otherwise only the
/// objective (`V`) changes and the primal simplex restarts from the row's previous
/// optimal basis. Each row's problem sees the same objectives in the same order whatever
/// the number of shares, so results do not depend on it.
///
/// A sweep posts the job to the workers (``HandOff``: a worker spins some time after its
/// last job before it sleeps, so a sweep that follows soon finds it awake), solves the
/// calling thread's share, then waits (spinning first) for the workers. Besides `σ`,
/// every share writes `Q = r + γσ` of its rows and, when the sweep asks for it, `V(s)`
/// reduced over the actions of its states, straight into the engine's buffers (disjoint
/// ranges), so the calling thread does no `O(n·m)` work per sweep but copying results out.
final class LPRowEngine: @unchecked Sendable {
    private let workers: [LPRowWorker]
    /// The rows of each worker's share.
    private let workerRows: [Range<Int>]
    /// Where ``workers`` go back when the engine is released.
    private let pool: LPWorkerPool
    /// The calling thread's share (rows from 0): created, used and deleted on that thread.
    private var local: LPRowSolver
    /// `n·m`.
    let rowCount: Int
    /// `m`: every share is whole states (rows `s·m ..< s·m + m`).
    let actionCount: Int
    /// Where every share writes `σ`, `Q` and `V`; read by this thread between sweeps.
    private let sink: LPSweepSink
    /// Counters accumulated over every sweep so far.
    private(set) var statistics = LPPathStatistics()
    /// The kernel entries of the last joined sweep: the first share reserves room for
    /// this many (plus a margin), so the others' fragments are appended without a copy.
    private var entryHint = 0

    /// How long a worker spins for the next job before it sleeps: longer than the
    /// calling thread's usual work between two sweeps (a Newton step of the 200-state
    /// garnet takes some 0.4 ms), short enough not to keep a core busy between solves.
    static let workerSpinNanoseconds: UInt64 = 2_000_000
    /// How long the calling thread spins for a worker's end of a sweep before it sleeps.
    static let callerSpinNanoseconds: UInt64 = 2_000_000

    /// - Parameters:
    ///   - rows: `n·m`.
    ///   - actionCount: `m` (rows are split at state boundaries; 1 when `rows` is not a multiple).
    ///   - workerCount: shares, the calling thread's included (at least 1, at most the
    ///     number of states); `workerCount − 1` workers are taken from `pool`.
    ///   - pool: where the worker threads come from and go back to.
    init(rows: Int, actionCount: Int = 1, workerCount: Int, pool: LPWorkerPool = .shared) {
        let m = actionCount > 0 && rows % actionCount == 0 ? actionCount : 1
        let states = rows / m
        let count = max(1, min(workerCount, states))
        let share = { (w: Int) in (states * w / count * m)..<(states * (w + 1) / count * m) }
        local = LPRowSolver(rows: share(0))
        workers = (1..<count).map { _ in pool.acquire() }
        workerRows = (1..<count).map(share)
        self.pool = pool
        rowCount = rows
        self.actionCount = m
        sink = LPSweepSink(rows: rows, states: states)
    }

    /// The engine of a game of `stateCount × actionCount` rows, with the shares
    /// ``workerCount(rows:execution:)`` asks for.
    convenience init(stateCount: Int, actionCount: Int, execution: ExecutionMode) {
        let rows = stateCount * actionCount
        self.init(rows: rows, actionCount: actionCount, workerCount: Self.workerCount(rows: rows, execution: execution))
    }

    /// The shares `execution` asks for: 1 when serial, else the active cores
    /// (for ``ExecutionMode/automatic`` only from 64 rows on).
    static func workerCount(rows: Int, execution: ExecutionMode) -> Int {
        switch execution {
        case .serial: 1
        case .parallel: ProcessInfo.processInfo.activeProcessorCount
        case .automatic: rows >= 64 ? ProcessInfo.processInfo.activeProcessorCount : 1
        }
    }

    /// Shares, the calling thread's included.
    var shareCount: Int { workers.count + 1 }

    /// `true` on the thread that created the engine (the only one that may sweep).
    var isOnOwnerThread: Bool { local.isOnOwnerThread }

    /// Runs `body` over `0..<count` cut into one contiguous part per share, the calling
    /// thread's first and one further part on each worker thread, and returns when every
    /// part is done (serially on this thread with one share, when `count` is smaller
    /// than the number of shares, or on another thread than the engine's creator, which
    /// alone hands work to the workers).
    ///
    /// This lends the workers to the calling thread's own loops between sweeps (the Newton
    /// step's products, ``FrozenSystem``): a worker spins for a while after each job
    /// (``workerSpinNanoseconds``), so a part handed to it starts about a cache line's
    /// trip later instead of after a wake-up. `body` must write only its own part's
    /// outputs and call no GLPK function; each part is run by exactly one call, so results
    /// written per index do not depend on the split.
    func split(count: Int, _ body: (Range<Int>) -> Void) {
        let shares = shareCount
        guard shares > 1, count >= shares, isOnOwnerThread else {
            body(0..<count)
            return
        }
        let part = { (k: Int) in (count * k / shares)..<(count * (k + 1) / shares) }
        withoutActuallyEscaping(body) { body in
            let task = UncheckedBox(body)
            for (k, worker) in workers.enumerated() { worker.post(task: task, range: part(k + 1)) }
            body(part(0))
            for worker in workers { _ = worker.collect() }
        }
    }

    /// Every worker deletes its share's problems on its own thread while this thread
    /// deletes the first share's (an empty solver replaces it), then goes back to the pool.
    deinit {
        for worker in workers { worker.close() }
        local = LPRowSolver(rows: 0..<0)
        for worker in workers {
            _ = worker.collect()
            pool.release(worker)
        }
    }

    /// One sweep: `σ` of every row against `values` (finite, checked by the caller),
    /// and each row's worst case when `wantKernels`.
    func sweep(snapshot: GameSnapshot, values: [Double], wantKernels: Bool) throws(MeanFieldError) -> (sigma: [Double], kernels: KernelRows?) {
        let result = try sweep(snapshot: snapshot, values: values, wantKernels: wantKernels, reduction: nil)
        return (result.sigma, result.kernels)
    }

    /// One sweep: `σ` and `Q = r + γσ` of every row against `values` (finite, checked by
    /// the caller), each row's worst case when `wantKernels`, and `V(s)` by `reduction`
    /// (then ``LPSweep/stateValues`` is not `nil`). Every share writes its worst cases in
    /// flat form; this thread only joins the fragments (no per-row objects).
    ///
    /// - Throws: ``MeanFieldError/numerical(_:)`` on another thread than the engine's
    ///   creator (whose GLPK problems may not be used elsewhere) or for a wrong size;
    ///   the LP errors of a row.
    func sweep(snapshot: GameSnapshot, values: [Double], wantKernels: Bool,
               reduction: Reduction?) throws(MeanFieldError) -> LPSweep {
        let n = snapshot.stateCount, rows = n * snapshot.actionCount
        guard rows == rowCount, values.count == n else {
            throw .numerical("LP row engine of \(rowCount) rows given \(rows) rows and \(values.count) values")
        }
        guard isOnOwnerThread else {
            throw .numerical("LP row engine swept on another thread than the one that created it (GLPK's rule)")
        }
        let exponent = SortedValues.unitExponent(values)
        let scaled = values.map { Double(sign: .plus, exponent: -exponent, significand: $0) }
        let lowest = values.withUnsafeBufferPointer { InnerRowProgram.lowestState(values: $0) }
        let reduce = snapshot.actionCount == actionCount ? reduction : nil
        let job = LPRowJob(snapshot: snapshot, values: values, scaled: scaled, ranks: LPRanks(values: values),
                           exponent: exponent, lowest: lowest, wantKernels: wantKernels, reduction: reduce, sink: sink,
                           entryHint: entryHint + entryHint / 8)
        for (worker, rows) in zip(workers, workerRows) { worker.post(job, rows: rows) }
        var outputs = [local.solve(job)]
        for worker in workers { outputs.append(worker.collect()) }
        for out in outputs { statistics.add(out.statistics) }
        if let error = outputs.lazy.compactMap(\.error).first { throw error }
        var result = LPSweep(sigma: sink.copy(\.sigma, count: rows), q: sink.copy(\.q, count: rows))
        if reduce != nil { result.stateValues = sink.copy(\.values, count: n) }
        if wantKernels {
            if outputs.count == 1, let only = outputs.first {
                result.kernels = KernelRows(rowStart: only.starts, rowEnd: only.ends, indices: only.indices,
                                            probabilities: only.probabilities)
            } else {
                result.kernels = Self.join(&outputs)
                entryHint = result.kernels?.indices.count ?? 0
            }
        }
        return result
    }

    /// The shares' kernel fragments as one ``KernelRows``, in row order: the later
    /// fragments are appended to the first one's arrays (which the calling thread reserved
    /// for the whole sweep, ``LPRowJob/entryHint``), so only they are copied.
    /// The fragments are taken out of `outputs` (so the first one's arrays are unique).
    static func join(_ outputs: inout [LPRowOutput]) -> KernelRows {
        guard !outputs.isEmpty else { return KernelRows(rows: []) }
        var head = LPRowOutput()
        swap(&head, &outputs[0])
        for part in outputs.dropFirst() {
            let shift = head.indices.count
            appendShifted(part.starts, by: shift, to: &head.starts)
            appendShifted(part.ends, by: shift, to: &head.ends)
            head.indices.append(contentsOf: part.indices)
            head.probabilities.append(contentsOf: part.probabilities)
        }
        return KernelRows(rowStart: head.starts, rowEnd: head.ends, indices: head.indices, probabilities: head.probabilities)
    }

    /// Appends `source`'s entries plus `shift` to `target`.
    private static func appendShifted(_ source: [Int], by shift: Int, to target: inout [Int]) {
        let old = target.count
        target.append(contentsOf: source)
        target.withUnsafeMutableBufferPointer { b in
            for k in old..<b.count { b[k] &+= shift }
        }
    }
}

/// One sweep's results, in row order.
struct LPSweep {
    /// `σ` of every row, in units of `V`.
    var sigma: [Double]
    /// `Q = r + γσ` of every row.
    var q: [Double]
    /// `V(s)` reduced from ``q`` (only when the sweep was given a ``Reduction``).
    var stateValues: [Double]? = nil
    /// The reported worst cases (only when wanted).
    var kernels: KernelRows? = nil
}

/// The engine's result buffers: `σ` and `Q` of every row and `V` of every state.
/// Each share writes only its own rows and states during a sweep, and the engine's
/// thread reads them only after every worker has published its end of the sweep (the
/// hand-offs order every access).
final class LPSweepSink: @unchecked Sendable {
    let sigma: UnsafeMutablePointer<Double>
    let q: UnsafeMutablePointer<Double>
    let values: UnsafeMutablePointer<Double>

    init(rows: Int, states: Int) {
        sigma = .allocate(capacity: max(1, rows))
        sigma.initialize(repeating: 0, count: max(1, rows))
        q = .allocate(capacity: max(1, rows))
        q.initialize(repeating: 0, count: max(1, rows))
        values = .allocate(capacity: max(1, states))
        values.initialize(repeating: 0, count: max(1, states))
    }

    deinit {
        sigma.deallocate()
        q.deallocate()
        values.deallocate()
    }

    /// The first `count` numbers of one buffer as an array.
    func copy(_ buffer: KeyPath<LPSweepSink, UnsafeMutablePointer<Double>>, count: Int) -> [Double] {
        Array(UnsafeBufferPointer(start: self[keyPath: buffer], count: count))
    }
}

/// The ranks of the states in the order `(V_t, t)` ascending, divided by `n`: the
/// secondary objective of the tie-break re-solves. Sorted at most once per sweep, by the
/// first share that needs them: only rows whose basis was not reused can have ties to
/// break, and many sweeps have few such rows.
final class LPRanks: @unchecked Sendable {
    private let values: [Double]
    private let lock = NSLock()
    private var ranks: [Double]?

    init(values: [Double]) { self.values = values }

    /// The ranks (computed on the first call; the lock orders every access).
    func get() -> [Double] {
        lock.lock()
        defer { lock.unlock() }
        if let ranks { return ranks }
        let n = Double(values.count)
        let computed = SortedValues(values).rank.map { Double($0) / n }
        ranks = computed
        return computed
    }
}

/// One sweep's input, shared read-only by every share.
struct LPRowJob: Sendable {
    let snapshot: GameSnapshot
    /// `V`.
    let values: [Double]
    /// `V·2^−exponent`.
    let scaled: [Double]
    /// The rank of each state in the order `(V_t, t)` ascending, divided by `n` (lazy).
    let ranks: LPRanks
    let exponent: Int
    /// The state with the lowest `(V_t, t)`, where merged `tv`/`l1` columns add mass.
    let lowest: Int
    let wantKernels: Bool
    /// How `V(s)` is reduced from `Q` (shares are whole states); `nil`: not wanted.
    let reduction: Reduction?
    /// Where the shares write `σ`, `Q` and `V`.
    let sink: LPSweepSink
    /// The kernel entries the share of row 0 (the calling thread's) reserves room for (the whole sweep's, as
    /// far as the last sweep tells), so that ``LPRowEngine/join(_:)`` appends the other
    /// fragments to its arrays without moving them.
    let entryHint: Int
}

/// One share's results for its rows; the worst cases flat, as ``KernelRows`` stores them.
struct LPRowOutput {
    var starts: [Int] = []
    var ends: [Int] = []
    var indices: [Int] = []
    var probabilities: [Double] = []
    var statistics = LPPathStatistics()
    var error: MeanFieldError?
}

/// The problems of one share's rows and what each was built from (used on the thread
/// that created it only: ``LPBank``).
struct LPRowSolver: ~Copyable {
    let rows: Range<Int>
    private var bank: LPBank
    private var programs: [InnerRowProgram?]
    private var builtFrom: [(nominal: SparseDistribution, radius: Double, set: PolyhedralSet?)?]
    /// Work space of ``InnerRowProgram/sparseDistribution(primal:scratch:marks:)``.
    private var dense: [Double] = []
    private var marks: [Bool] = []

    init(rows: Range<Int>) {
        self.rows = rows
        bank = LPBank(slots: rows.count)
        programs = [InnerRowProgram?](repeating: nil, count: rows.count)
        builtFrom = Array(repeating: nil, count: rows.count)
    }

    /// `true` on the thread that created the solver's bank.
    var isOnOwnerThread: Bool { bank.isOnOwnerThread }

    mutating func solve(_ job: LPRowJob) -> LPRowOutput {
        var out = LPRowOutput()
        if job.wantKernels {
            // The first share's arrays become the joined kernel: room for every row.
            let first = rows.lowerBound == 0
            out.starts.reserveCapacity(first ? job.snapshot.rewards.count : rows.count)
            out.ends.reserveCapacity(first ? job.snapshot.rewards.count : rows.count)
            if first {
                out.indices.reserveCapacity(job.entryHint)
                out.probabilities.reserveCapacity(job.entryHint)
            }
        }
        let snap = job.snapshot, gamma = snap.discount, sink = job.sink
        var scratch: [Double] = []
        var ranks: [Double] = []
        for i in rows {
            do throws(MeanFieldError) {
                let (sigma, q) = try solveRow(i, job: job, scratch: &scratch, ranks: &ranks, statistics: &out.statistics)
                sink.sigma[i] = sigma
                sink.q[i] = snap.rewards[i] + gamma * sigma
                if job.wantKernels, let q {
                    out.starts.append(out.indices.count)
                    out.indices.append(contentsOf: q.indices)
                    out.probabilities.append(contentsOf: q.probabilities)
                    out.ends.append(out.indices.count)
                }
            } catch {
                out.error = .ambiguity(.linearProgram("row (\(i / snap.actionCount), \(i % snap.actionCount)): \(error)"))
                return out
            }
        }
        if let reduction = job.reduction { reduce(reduction, actionCount: snap.actionCount, sink: sink) }
        return out
    }

    /// `V(s)` of this share's states (whole states: rows `s·m ..< s·m + m`), by the
    /// functions ``GameSnapshot/solveValues(policy:temperature:warmStart:options:engine:spare:reuse:keepFirst:)``
    /// reduces with, so the values are the same as reduced afterwards.
    private func reduce(_ reduction: Reduction, actionCount m: Int, sink: LPSweepSink) {
        let states = (rows.lowerBound / m)..<(rows.upperBound / m)
        switch reduction {
        case .softMax(let tau):
            for s in states {
                sink.values[s] = GameSnapshot.softMax(UnsafeBufferPointer(start: sink.q + s * m, count: m), temperature: tau)
            }
        case .policy(let policy, let tau):
            policy.withUnsafeBufferPointer { pb in
                for s in states {
                    sink.values[s] = GameSnapshot.policyValue(q: UnsafeBufferPointer(start: sink.q + s * m, count: m),
                                                              policy: UnsafeBufferPointer(rebasing: pb[(s * m)..<(s * m + m)]),
                                                              temperature: tau)
                }
            }
        }
    }

    /// `σ` of row `i` in units of `V`, and its worst case when the job wants it.
    private mutating func solveRow(_ i: Int, job: LPRowJob, scratch: inout [Double], ranks: inout [Double],
                                   statistics: inout LPPathStatistics) throws(MeanFieldError) -> (Double, SparseDistribution?) {
        let snap = job.snapshot
        let slot = i - rows.lowerBound
        let set = snap.ambiguity
        guard set.kind.isPolyhedral || snap.rowSets != nil else {
            let (v, d) = try LPInner.solveRow(set: set, nominal: snap.kernel(i), values: job.values, radius: snap.radii[i])
            return (v, d)
        }
        let program = try program(row: i, slot: slot, snapshot: snap, statistics: &statistics)
        let back = { (x: Double) in Double(sign: .plus, exponent: job.exponent, significand: x) }
        let columns = program.columnStates.count
        if scratch.count < columns { scratch = [Double](repeating: 0, count: columns) }
        let constant = job.scaled.withUnsafeBufferPointer { vb in
            scratch.withUnsafeMutableBufferPointer { cb in
                program.objective(values: vb, lowest: job.lowest, into: UnsafeMutableBufferPointer(rebasing: cb[0..<columns]))
            }
        }
        if program.isFixed {
            return (back(constant), job.wantKernels ? program.base : nil)
        }
        let result: LPBankSolve
        do throws(LPError) {
            try scratch.withUnsafeBufferPointer { cb throws(LPError) in
                try bank.setObjective(UnsafeBufferPointer(rebasing: cb[0..<columns]), constant: constant, slot: slot)
            }
            result = try bank.solve(slot: slot, allowTies: !job.wantKernels, tieTolerance: Self.tieTolerance)
        } catch {
            throw .ambiguity(.linearProgram(error.description))
        }
        record(result, into: &statistics)
        guard result.status == .optimal else {
            throw .ambiguity(.linearProgram("GLPK stopped with status '\(result.status.rawValue)', expected 'optimal'"))
        }
        guard job.wantKernels else { return (back(result.objective), nil) }
        let q = try worstCase(slot: slot, program: program, result: result, job: job, scratch: &scratch, ranks: &ranks,
                              statistics: &statistics)
        return (back(result.objective), q)
    }

    /// The worst case `q` of the row in `slot` after its solve: among the optimal `q`, the
    /// one the closed form reports (states by `(V_t, t)`).
    private mutating func worstCase(slot: Int, program: InnerRowProgram, result: LPBankSolve, job: LPRowJob,
                                    scratch: inout [Double], ranks: inout [Double],
                                    statistics: inout LPPathStatistics) throws(MeanFieldError) -> SparseDistribution {
        let columns = program.columnStates.count
        do throws(LPError) {
            // A reused basis was checked with no reduced cost within the tie tolerance
            // (`allowTies: false`), so its optimum is unique: only simplex results can tie.
            if !result.reused {
                if ranks.isEmpty { ranks = job.ranks.get() }
                let extra = try scratch.withUnsafeMutableBufferPointer { cb throws(LPError) -> Int in
                    for j in 0..<columns {
                        let t = program.state(ofColumn: j, lowest: job.lowest)
                        cb[j] = t >= 0 ? program.columnSigns[j] * ranks[t] : 0
                    }
                    return try bank.breakTies(slot: slot, secondary: UnsafeBufferPointer(rebasing: cb[0..<columns]),
                                              tolerance: Self.tieTolerance)
                }
                statistics.pivots += extra
                statistics.tiePivots += extra
            }
            return try scratch.withUnsafeMutableBufferPointer { cb throws(LPError) -> SparseDistribution in
                let x = UnsafeMutableBufferPointer(rebasing: cb[0..<columns])
                try bank.primal(slot: slot, into: x)
                return program.sparseDistribution(primal: UnsafeBufferPointer(x), lowest: job.lowest, scratch: &dense,
                                                  marks: &marks)
            }
        } catch {
            throw .ambiguity(.linearProgram(error.description))
        }
    }

    /// Row `i`'s program, rebuilt (and loaded into the bank) when `p` or `ρ` changed.
    private mutating func program(row i: Int, slot: Int, snapshot snap: GameSnapshot,
                                  statistics: inout LPPathStatistics) throws(MeanFieldError) -> InnerRowProgram {
        let rowSet = snap.rowSets?[i]
        if let program = programs[slot], let built = builtFrom[slot],
           built.radius == snap.radii[i], built.nominal == snap.kernel(i), built.set == rowSet {
            return program
        }
        do throws(AmbiguityError) {
            let program: InnerRowProgram
            if let rowSet {
                program = try rowSet.innerRowProgram(nominal: snap.kernel(i), stateCount: snap.stateCount)
            } else {
                program = try snap.ambiguity.innerRowProgram(nominal: snap.kernel(i), stateCount: snap.stateCount,
                                                             radius: snap.radii[i], mergingAdditions: true)
            }
            if !program.isFixed {
                do throws(LPError) { try bank.load(program.program, slot: slot) } catch {
                    throw AmbiguityError.linearProgram(error.description)
                }
            }
            programs[slot] = program
            builtFrom[slot] = (snap.kernel(i), snap.radii[i], rowSet)
            statistics.builds += 1
            return program
        } catch {
            throw .ambiguity(error)
        }
    }

    /// Reduced costs (of the problem on `V·2^−e`, `max|V·2^−e| ∈ [½, 1)`) at most this
    /// large count as ties.
    static let tieTolerance = 1e-13

    private func record(_ result: LPBankSolve, into statistics: inout LPPathStatistics) {
        statistics.solves += 1
        statistics.pivots += result.pivots
        if result.reused { statistics.reusedBases += 1 }
        if result.warm {
            statistics.warmSolves += 1
            statistics.warmPivots += result.pivots
            statistics.maxWarmPivots = max(statistics.maxWarmPivots, result.pivots)
        }
    }
}
