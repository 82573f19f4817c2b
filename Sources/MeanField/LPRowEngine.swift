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

/// Dedicated worker threads that keep one GLPK problem per `(s, a)` row alive across
/// sweeps (the fast LP inner path).
///
/// Worker `w` owns the rows of one contiguous range of whole states for its whole life:
/// its thread creates an ``LPBank`` on entry, solves every job on it and deletes it on
/// exit, so each `glp_prob` is created, used and deleted on one OS thread inside one
/// synchronous scope (GLPK's rule). A row's problem is rebuilt only when its `p` or `ρ`
/// changes; otherwise only the objective (`V`) changes and the primal simplex restarts
/// from the row's previous optimal basis. Each row's problem sees the same objectives in
/// the same order whatever the number of workers, so results do not depend on it.
///
/// Besides `σ`, the workers write `Q = r + γσ` of their rows and, when the sweep asks
/// for it, `V(s)` reduced over the actions of their states, straight into the engine's
/// buffers (disjoint ranges), so that the calling thread, which waits meanwhile, does
/// no `O(n·m)` work per sweep but copying the results out.
final class LPRowEngine: @unchecked Sendable {
    private let workers: [LPRowWorker]
    private let done = DispatchSemaphore(value: 0)
    /// `n·m`.
    let rowCount: Int
    /// `m`: every worker owns whole states (rows `s·m ..< s·m + m`).
    let actionCount: Int
    /// Where the workers write `σ`, `Q` and `V`; read by this thread between sweeps.
    private let sink: LPSweepSink
    /// Counters accumulated over every sweep so far.
    private(set) var statistics = LPPathStatistics()
    /// The kernel entries of the last joined sweep: the first worker reserves room for
    /// this many (plus a margin), so the others' fragments are appended without a copy.
    private var entryHint = 0

    /// - Parameters:
    ///   - rows: `n·m`.
    ///   - actionCount: `m` (rows are split at state boundaries; 1 when `rows` is not a multiple).
    ///   - workerCount: threads (at least 1, at most the number of states).
    init(rows: Int, actionCount: Int = 1, workerCount: Int) {
        let m = actionCount > 0 && rows % actionCount == 0 ? actionCount : 1
        let states = rows / m
        let count = max(1, min(workerCount, states))
        var ws: [LPRowWorker] = []
        for w in 0..<count {
            let lo = states * w / count * m, hi = states * (w + 1) / count * m
            ws.append(LPRowWorker(rows: lo..<hi))
        }
        rowCount = rows
        self.actionCount = m
        sink = LPSweepSink(rows: rows, states: states)
        workers = ws
        for worker in workers { worker.start(done: done) }
    }

    /// The engine of a game of `stateCount × actionCount` rows, with the workers
    /// ``workerCount(rows:execution:)`` asks for.
    convenience init(stateCount: Int, actionCount: Int, execution: ExecutionMode) {
        let rows = stateCount * actionCount
        self.init(rows: rows, actionCount: actionCount, workerCount: Self.workerCount(rows: rows, execution: execution))
    }

    /// The worker count `execution` asks for: 1 when serial, else the active cores
    /// (for ``ExecutionMode/automatic`` only from 64 rows on).
    static func workerCount(rows: Int, execution: ExecutionMode) -> Int {
        switch execution {
        case .serial: 1
        case .parallel: ProcessInfo.processInfo.activeProcessorCount
        case .automatic: rows >= 64 ? ProcessInfo.processInfo.activeProcessorCount : 1
        }
    }

    deinit {
        for worker in workers { worker.stop() }
        for worker in workers { worker.exited.wait() }
    }

    /// One sweep: `σ` of every row against `values` (finite, checked by the caller),
    /// and each row's worst case when `wantKernels`.
    func sweep(snapshot: GameSnapshot, values: [Double], wantKernels: Bool) throws(MeanFieldError) -> (sigma: [Double], kernels: KernelRows?) {
        let result = try sweep(snapshot: snapshot, values: values, wantKernels: wantKernels, reduction: nil)
        return (result.sigma, result.kernels)
    }

    /// One sweep: `σ` and `Q = r + γσ` of every row against `values` (finite, checked by
    /// the caller), each row's worst case when `wantKernels`, and `V(s)` by `reduction`
    /// (then ``LPSweep/stateValues`` is not `nil`). The workers write the worst cases in
    /// flat form; this thread only joins their fragments (no per-row objects).
    func sweep(snapshot: GameSnapshot, values: [Double], wantKernels: Bool,
               reduction: Reduction?) throws(MeanFieldError) -> LPSweep {
        let n = snapshot.stateCount, rows = n * snapshot.actionCount
        guard rows == rowCount, values.count == n else {
            throw .numerical("LP row engine of \(rowCount) rows given \(rows) rows and \(values.count) values")
        }
        let exponent = SortedValues.unitExponent(values)
        let scaled = values.map { Double(sign: .plus, exponent: -exponent, significand: $0) }
        let lowest = values.withUnsafeBufferPointer { InnerRowProgram.lowestState(values: $0) }
        let reduce = snapshot.actionCount == actionCount ? reduction : nil
        let job = LPRowJob(snapshot: snapshot, values: values, scaled: scaled, ranks: LPRanks(values: values),
                           exponent: exponent, lowest: lowest, wantKernels: wantKernels, reduction: reduce, sink: sink,
                           entryHint: entryHint + entryHint / 8)
        for worker in workers { worker.submit(job) }
        for _ in workers { done.wait() }
        var outputs: [LPRowOutput] = []
        for worker in workers { outputs.append(worker.takeOutput()) }
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

    /// The workers' kernel fragments as one ``KernelRows``, in row order: the later
    /// fragments are appended to the first one's arrays (which its worker reserved for
    /// the whole sweep, ``LPRowJob/entryHint``), so only they are copied.
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
/// Each worker writes only its own rows and states while the engine's thread waits, and
/// the engine's thread reads them only after every worker has signalled (the semaphores
/// order every access).
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
/// first worker that needs them: only rows whose basis was not reused can have ties to
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

/// One sweep's input, shared read-only by every worker.
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
    /// How `V(s)` is reduced from `Q` (workers own whole states); `nil`: not wanted.
    let reduction: Reduction?
    /// Where the workers write `σ`, `Q` and `V`.
    let sink: LPSweepSink
    /// The kernel entries the worker of row 0 reserves room for (the whole sweep's, as
    /// far as the last sweep tells), so that ``LPRowEngine/join(_:)`` appends the other
    /// fragments to its arrays without moving them.
    let entryHint: Int
}

/// One worker's results for its rows; the worst cases flat, as ``KernelRows`` stores them.
struct LPRowOutput {
    var starts: [Int] = []
    var ends: [Int] = []
    var indices: [Int] = []
    var probabilities: [Double] = []
    var statistics = LPPathStatistics()
    var error: MeanFieldError?
}

/// A worker thread and its mailbox. The coordinator writes `job` and signals `wake`;
/// the thread writes `output` and signals `done`; the semaphores order every access.
final class LPRowWorker: @unchecked Sendable {
    let rows: Range<Int>
    private let wake = DispatchSemaphore(value: 0)
    let exited = DispatchSemaphore(value: 0)
    private var job: LPRowJob?
    private var quit = false
    private var output = LPRowOutput()

    init(rows: Range<Int>) { self.rows = rows }

    func start(done: DispatchSemaphore) {
        let thread = Thread { [self] in run(done: done) }
        thread.stackSize = 8 << 20
        thread.name = "rmfg-lp-\(rows.lowerBound)"
        thread.start()
    }

    func submit(_ job: LPRowJob) {
        self.job = job
        wake.signal()
    }

    func stop() {
        quit = true
        wake.signal()
    }

    func takeOutput() -> LPRowOutput {
        defer { output = LPRowOutput() }
        return output
    }

    /// The thread's whole life: the bank is created, used and deleted here.
    private func run(done: DispatchSemaphore) {
        var rowSolver = LPRowSolver(rows: rows)
        while true {
            wake.wait()
            if quit { break }
            guard let job else { continue }
            self.job = nil
            output = rowSolver.solve(job)
            done.signal()
        }
        _ = consume rowSolver
        exited.signal()
    }
}

/// The problems of one worker's rows and what each was built from.
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

    mutating func solve(_ job: LPRowJob) -> LPRowOutput {
        var out = LPRowOutput()
        if job.wantKernels {
            // The first worker's arrays become the joined kernel: room for every row.
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

    /// `V(s)` of this worker's states (whole states: rows `s·m ..< s·m + m`), by the
    /// functions ``GameSnapshot/solveValues(policy:temperature:warmStart:options:engine:spare:)``
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
            let (v, d) = try LPInner.solveRow(set: set, nominal: snap.kernels[i], values: job.values, radius: snap.radii[i])
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
           built.radius == snap.radii[i], built.nominal == snap.kernels[i], built.set == rowSet {
            return program
        }
        do throws(AmbiguityError) {
            let program: InnerRowProgram
            if let rowSet {
                program = try rowSet.innerRowProgram(nominal: snap.kernels[i], stateCount: snap.stateCount)
            } else {
                program = try snap.ambiguity.innerRowProgram(nominal: snap.kernels[i], stateCount: snap.stateCount,
                                                             radius: snap.radii[i], mergingAdditions: true)
            }
            if !program.isFixed {
                do throws(LPError) { try bank.load(program.program, slot: slot) } catch {
                    throw AmbiguityError.linearProgram(error.description)
                }
            }
            programs[slot] = program
            builtFrom[slot] = (snap.kernels[i], snap.radii[i], rowSet)
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
