import Foundation

/// The worker threads of the LP row engines, kept between engines.
///
/// An engine takes `shares − 1` workers when it is created (``acquire()``) and gives them
/// back when it is released (``release(_:)``), after each has deleted the engine's GLPK
/// problems on its own thread. A worker serves one engine at a time; an engine that finds
/// no idle worker starts a new thread. At most ``capacity`` idle workers are kept (the
/// others are stopped), each sleeping on its mailbox after a short spin, so an idle pool
/// costs no CPU time.
///
/// Why: a solve that started its own worker threads paid for them in every solve — the
/// thread's start, and above all the memory of its GLPK problems, which a new thread
/// allocates from an allocator arena whose pages are faulted in again (about 1,900 page
/// faults and 500 `mprotect` calls per 200-state solve on the worker, all in its first
/// sweep, against none on the calling thread, whose allocator keeps its pages between
/// solves; Docs/Performance.md, section 6). A pooled thread keeps its arena.
final class LPWorkerPool: @unchecked Sendable {
    /// The process's pool, used by every engine unless a test passes its own.
    ///
    /// A child process made by `fork()` (Python's `multiprocessing` does that) has none
    /// of the parent's threads, so the pool's fork handlers hold its lock across the fork
    /// and the child forgets (and leaks) the idle workers, as ``abandonIdleWorkers()``
    /// does: its engines start threads of their own instead of posting to threads that do
    /// not exist.
    static let shared: LPWorkerPool = {
        let pool = LPWorkerPool()
        pthread_atfork({ LPWorkerPool.shared.lock.lock() }, { LPWorkerPool.shared.lock.unlock() }, {
            // Leaked, not released: a copied worker may hold a semaphore its (absent)
            // thread was waiting on, which Dispatch refuses to deallocate.
            for worker in LPWorkerPool.shared.idle { _ = Unmanaged.passRetained(worker) }
            LPWorkerPool.shared.idle = []
            LPWorkerPool.shared.lock.unlock()
        })
        return pool
    }()

    /// The most idle workers kept.
    let capacity: Int
    private let lock = NSLock()
    private var idle: [LPRowWorker] = []
    private var started = 0
    private var stopped = 0

    /// A pool keeping at most `capacity` idle workers (at least 1; by default two per
    /// active core, so that engines running side by side, as in tests, find theirs).
    init(capacity: Int = 2 * ProcessInfo.processInfo.activeProcessorCount) {
        self.capacity = max(1, capacity)
    }

    /// Worker threads this pool has started so far.
    var threadsStarted: Int {
        lock.lock()
        defer { lock.unlock() }
        return started
    }

    /// Worker threads this pool has stopped so far (released beyond ``capacity``).
    var threadsStopped: Int {
        lock.lock()
        defer { lock.unlock() }
        return stopped
    }

    /// Idle workers now.
    var idleCount: Int {
        lock.lock()
        defer { lock.unlock() }
        return idle.count
    }

    /// Forgets the idle workers without stopping them (what a forked child does: their
    /// threads are the parent's) and returns them; the next engines start new threads.
    @discardableResult
    func abandonIdleWorkers() -> [LPRowWorker] {
        lock.lock()
        defer { lock.unlock() }
        let abandoned = idle
        idle = []
        return abandoned
    }

    /// An idle worker (the one released last, whose caches and memory are warmest), or
    /// a new thread when none is idle.
    func acquire() -> LPRowWorker {
        lock.lock()
        if let worker = idle.popLast() {
            lock.unlock()
            return worker
        }
        started += 1
        let number = started
        lock.unlock()
        let worker = LPRowWorker()
        worker.start(name: "rmfg-lp-\(number)")
        return worker
    }

    /// Takes back a worker whose session is closed (its problems deleted); when
    /// ``capacity`` workers are idle already, stops its thread and waits for its end.
    func release(_ worker: LPRowWorker) {
        lock.lock()
        let keep = idle.count < capacity
        if keep { idle.append(worker) }
        lock.unlock()
        guard !keep else { return }
        worker.stop()
        worker.exited.wait()
        lock.lock()
        stopped += 1
        lock.unlock()
    }
}

/// A worker thread and its mailbox. The poster (the thread of the engine that holds the
/// worker) writes ``message`` and publishes the message's number on `inbox`; the worker
/// handles it, writes `output` for a sweep, and publishes the same number on `outbox`.
/// The hand-offs' sequentially consistent stores and acquiring loads order every access
/// to `message` and `output` (``HandOff``); an engine hands the worker back to the pool
/// only after the worker has published the end of its last message, and the pool's lock
/// orders that with the next engine's first post.
///
/// One engine's use is a **session**: its first sweep makes the thread create the
/// share's ``LPRowSolver`` (a sweep names the share's rows, and a closed session's solver
/// has none), later sweeps reuse it, and `close` deletes it — all on the worker's thread,
/// GLPK's rule.
///
/// The poster sends one message at a time and waits for its end (``collect()``) before
/// the next: a message overwritten before the worker took it would be lost.
///
/// **The worker only borrows a message; the poster owns it.** The poster stores the message
/// (retaining its job or closure), and clears it in ``collect()`` once the worker has
/// published the message's end; the worker copies it (its own retain and release, both
/// inside ``handle(_:)``, which is never inlined, so both happen before its publication).
/// Every reference therefore has its retains and releases on one thread, or balanced ones
/// on both while the poster's reference lives. The first design let the worker clear the
/// message (a release of the poster's retain on the worker's thread), and the optimizer
/// moved that retain *after* the atomic store that publishes the message (legal in a
/// single thread: an atomic store cannot release anything). A worker that ran the task and
/// released it in that window brought the count to zero with the retain still to come:
/// `GarnetSolve --inner lp` crashed in 1–4 % of runs under load (2026-12-03,
/// `LPSplitTests/manySplitsUnderCompetitionNeverLoseATask`).
final class LPRowWorker: @unchecked Sendable {
    enum Message {
        /// Solve these rows (the share's) of one sweep.
        case sweep(LPRowJob, Range<Int>)
        /// A part of a calling thread's loop (``LPRowEngine/split(count:_:)``).
        case task(UncheckedBox<(Range<Int>) -> Void>, Range<Int>)
        /// End the session: delete the share's problems.
        case close
        /// End the thread.
        case stop
    }

    private let inbox = HandOff()
    private let outbox = HandOff()
    /// Signalled when the thread has ended (after ``stop()``).
    let exited = DispatchSemaphore(value: 0)
    private var message: Message?
    private var output = LPRowOutput()
    /// The number of the last message posted (poster's side).
    private var posted = 0

    init() {}

    func start(name: String) {
        let thread = Thread { [self] in run() }
        thread.stackSize = 8 << 20
        thread.name = name
        thread.start()
    }

    private func send(_ next: Message) {
        message = next
        posted += 1
        inbox.publish(posted)
    }

    /// Hands one sweep of the share `rows` to the worker; ``collect()`` waits for its
    /// output. The first sweep of a session creates the share's solver.
    func post(_ job: LPRowJob, rows: Range<Int>) { send(.sweep(job, rows)) }

    /// Hands `body` over `range` to the worker instead of a sweep (its output stays empty).
    func post(task body: UncheckedBox<(Range<Int>) -> Void>, range: Range<Int>) { send(.task(body, range)) }

    /// Ends the session: the worker deletes the share's problems; ``collect()`` waits for that.
    func close() { send(.close) }

    /// Ends the thread (``exited`` is signalled when it has).
    func stop() { send(.stop) }

    /// Waits until the worker has finished every message posted and takes the output
    /// of the last sweep (empty after anything else).
    func collect() -> LPRowOutput {
        awaitEnd()
        // The poster's own reference to the message (and its job or closure) ends here, on
        // the poster's thread, after the worker's end (see the type's notes).
        message = nil
        defer { output = LPRowOutput() }
        return output
    }

    /// Waits until the worker has published the end of every message posted (``collect()``
    /// without taking anything).
    func awaitEnd() {
        var seen = outbox.current
        while seen != posted {
            seen = outbox.wait(whileEqualTo: seen, spinNanoseconds: LPRowEngine.callerSpinNanoseconds)
        }
    }

    /// `true` while the last posted message is still stored: from ``send`` until ``collect()``,
    /// whatever the worker did with it (the ownership rule above; `LPWorkerPoolTests`).
    var holdsMessage: Bool {
        if case .none = message { return false }
        return true
    }

    /// Handles the posted message, if any, through a copy of it (the poster keeps and
    /// clears the message itself), and drops that copy's references (a task's closure
    /// above all: the poster's `withoutActuallyEscaping` checks that none is left once the
    /// worker has published its end) before returning — never inlined, so the copy's
    /// release cannot move past the publication that follows; `false` for ``Message/stop``.
    @inline(never)
    private func handle(_ solver: inout LPRowSolver) -> Bool {
        guard let next = message else { return true }
        switch next {
        case .sweep(let job, let rows):
            if solver.rows != rows { solver = LPRowSolver(rows: rows) }
            output = solver.solve(job)
        case .task(let body, let range): body.value(range)
        case .close: solver = LPRowSolver(rows: 0..<0)
        case .stop: return false
        }
        return true
    }

    /// The thread's whole life: every session's solver is created, used and deleted here.
    private func run() {
        var solver = LPRowSolver(rows: 0..<0)
        var seen = 0
        while true {
            seen = inbox.wait(whileEqualTo: seen, spinNanoseconds: LPRowEngine.workerSpinNanoseconds)
            let goOn = handle(&solver)
            outbox.publish(seen)
            if !goOn { break }
        }
        _ = consume solver
        exited.signal()
    }
}
