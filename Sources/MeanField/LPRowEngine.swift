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
/// Worker `w` owns the rows of one contiguous range for its whole life: its thread
/// creates an ``LPBank`` on entry, solves every job on it and deletes it on exit, so
/// each `glp_prob` is created, used and deleted on one OS thread inside one synchronous
/// scope (GLPK's rule). A row's problem is rebuilt only when its `p` or `ρ` changes;
/// otherwise only the objective (`V`) changes and the primal simplex restarts from the
/// row's previous optimal basis. Rows are solved in the same order against the same
/// objectives whatever the number of workers, so results do not depend on it.
final class LPRowEngine: @unchecked Sendable {
    private let workers: [LPRowWorker]
    private let done = DispatchSemaphore(value: 0)
    /// Counters accumulated over every sweep so far.
    private(set) var statistics = LPPathStatistics()

    /// - Parameters:
    ///   - rows: `n·m`.
    ///   - workerCount: threads (at least 1, at most `rows`).
    init(rows: Int, workerCount: Int) {
        let count = max(1, min(workerCount, rows))
        var ws: [LPRowWorker] = []
        for w in 0..<count {
            let lo = rows * w / count, hi = rows * (w + 1) / count
            ws.append(LPRowWorker(rows: lo..<hi))
        }
        workers = ws
        for worker in workers { worker.start(done: done) }
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
    /// and each row's worst case when `wantKernels`. The workers write the worst cases
    /// in flat form; this thread only joins their fragments (no per-row objects).
    func sweep(snapshot: GameSnapshot, values: [Double], wantKernels: Bool) throws(MeanFieldError) -> (sigma: [Double], kernels: KernelRows?) {
        let exponent = SortedValues.unitExponent(values)
        let scaled = values.map { Double(sign: .plus, exponent: -exponent, significand: $0) }
        var ranks: [Double] = []
        if wantKernels {
            let sorted = SortedValues(values)
            let n = Double(values.count)
            ranks = sorted.rank.map { Double($0) / n }
        }
        let lowest = values.withUnsafeBufferPointer { InnerRowProgram.lowestState(values: $0) }
        let job = LPRowJob(snapshot: snapshot, values: values, scaled: scaled, ranks: ranks, exponent: exponent,
                           lowest: lowest, wantKernels: wantKernels)
        for worker in workers { worker.submit(job) }
        for _ in workers { done.wait() }
        var outputs: [LPRowOutput] = []
        for worker in workers { outputs.append(worker.takeOutput()) }
        for out in outputs { statistics.add(out.statistics) }
        if let error = outputs.lazy.compactMap(\.error).first { throw error }
        if outputs.count == 1, let only = outputs.first {
            return (only.sigma, wantKernels ? KernelRows(rowStart: only.starts, rowEnd: only.ends, indices: only.indices,
                                                          probabilities: only.probabilities) : nil)
        }
        return (outputs.flatMap(\.sigma), wantKernels ? Self.join(outputs) : nil)
    }

    /// The workers' kernel fragments as one ``KernelRows``, in row order.
    static func join(_ outputs: [LPRowOutput]) -> KernelRows {
        var starts: [Int] = [], ends: [Int] = [], indices: [Int] = [], probabilities: [Double] = []
        let rows = outputs.reduce(0) { $0 + $1.starts.count }, entries = outputs.reduce(0) { $0 + $1.indices.count }
        starts.reserveCapacity(rows)
        ends.reserveCapacity(rows)
        indices.reserveCapacity(entries)
        probabilities.reserveCapacity(entries)
        for out in outputs {
            let offset = indices.count
            starts.append(contentsOf: out.starts.lazy.map { $0 + offset })
            ends.append(contentsOf: out.ends.lazy.map { $0 + offset })
            indices.append(contentsOf: out.indices)
            probabilities.append(contentsOf: out.probabilities)
        }
        return KernelRows(rowStart: starts, rowEnd: ends, indices: indices, probabilities: probabilities)
    }
}

/// One sweep's input, shared read-only by every worker.
struct LPRowJob: Sendable {
    let snapshot: GameSnapshot
    /// `V`.
    let values: [Double]
    /// `V·2^−exponent`.
    let scaled: [Double]
    /// The rank of each state in the order `(V_t, t)` ascending, divided by `n`.
    let ranks: [Double]
    let exponent: Int
    /// The state with the lowest `(V_t, t)`, where merged `tv`/`l1` columns add mass.
    let lowest: Int
    let wantKernels: Bool
}

/// One worker's results for its rows; the worst cases flat, as ``KernelRows`` stores them.
struct LPRowOutput {
    var sigma: [Double] = []
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
        out.sigma.reserveCapacity(rows.count)
        if job.wantKernels {
            out.starts.reserveCapacity(rows.count)
            out.ends.reserveCapacity(rows.count)
        }
        let snap = job.snapshot
        var scratch: [Double] = []
        for i in rows {
            do throws(MeanFieldError) {
                let (sigma, q) = try solveRow(i, job: job, scratch: &scratch, statistics: &out.statistics)
                out.sigma.append(sigma)
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
        return out
    }

    /// `σ` of row `i` in units of `V`, and its worst case when the job wants it.
    private mutating func solveRow(_ i: Int, job: LPRowJob, scratch: inout [Double],
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
        let q: SparseDistribution
        do throws(LPError) {
            // Ties: among the optimal q, the one the closed form reports (states by (V_t, t)).
            let extra = try scratch.withUnsafeMutableBufferPointer { cb throws(LPError) -> Int in
                for j in 0..<columns {
                    let t = program.state(ofColumn: j, lowest: job.lowest)
                    cb[j] = t >= 0 ? program.columnSigns[j] * job.ranks[t] : 0
                }
                return try bank.breakTies(slot: slot, secondary: UnsafeBufferPointer(rebasing: cb[0..<columns]),
                                          tolerance: Self.tieTolerance)
            }
            statistics.pivots += extra
            statistics.tiePivots += extra
            q = try scratch.withUnsafeMutableBufferPointer { cb throws(LPError) -> SparseDistribution in
                let x = UnsafeMutableBufferPointer(rebasing: cb[0..<columns])
                try bank.primal(slot: slot, into: x)
                return program.sparseDistribution(primal: UnsafeBufferPointer(x), lowest: job.lowest, scratch: &dense,
                                                  marks: &marks)
            }
        } catch {
            throw .ambiguity(.linearProgram(error.description))
        }
        return (back(result.objective), q)
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
