import Foundation
import Synchronization

/// Per-state work of a Newton step split between the calling thread and one helper
/// thread (an idle LP worker, ``LPRowEngine/withStateSplit(stateCount:entries:execution:_:)``).
///
/// Only work whose result at each state `s` depends on inputs alone (not on other
/// states' results) is split: the products `y = (I − γP)x`, the best response and the
/// policy's rewards. So splitting the states gives the same numbers, bit for bit, as
/// one thread; everything else of BiCGSTAB (inner products, norms, vector updates) stays
/// on the calling thread, in its order. Serial and parallel solves are bit-identical.
protocol StateSplitting: AnyObject, Sendable {
    /// Runs `body` over `0..<stateCount` in two parts, the calling thread the lower one
    /// and the helper the upper one, and returns when both are done. `body` must write
    /// only at its own states.
    func run(_ body: @escaping @Sendable (Range<Int>) -> Void)
    /// The helper's side: serves ``run(_:)`` calls until the caller is done (called on
    /// the helper thread).
    func serve()
}

/// The mailbox between the calling thread (the leader) and one helper thread, on three
/// atomic counters: a hand-off costs a cache line's trip between the cores (about 1 µs
/// here) instead of a semaphore wake-up (some 45 µs on this machine's virtual cores, more
/// than half a product at 200 states).
///
/// The upper part of each task goes to whichever thread claims it first (a
/// compare-and-swap on `claimed`): the helper as soon as it sees the task, or the leader
/// once its own part is done and the helper has not claimed it yet (the helper is still
/// waking up, or has lost its core). So a late or descheduled helper never makes the
/// leader wait: the work is then done as on one thread. Either way each state is
/// computed once, by the same code, so the results do not depend on who claims.
///
/// Waits spin and call `sched_yield()` now and then, so a waiting thread gives its core
/// to another runnable thread when it must (and under valgrind, which runs one thread at
/// a time, hands over).
@available(macOS 15, *)
final class StateSplit: StateSplitting, @unchecked Sendable {
    /// The leader's last posted task (1, 2, …), or −1: stop serving.
    private let posted = Atomic<Int>(0)
    /// The last task whose upper part a thread has claimed (tasks are claimed in order).
    private let claimed = Atomic<Int>(0)
    /// The helper's last finished task.
    private let finished = Atomic<Int>(0)
    /// 1 while the helper sleeps on ``parking`` (it spun too long without a task).
    private let parked = Atomic<Int>(0)
    private let parking = DispatchSemaphore(value: 0)
    /// The current task, written by the leader before it posts (release) and read by the
    /// helper after it has claimed the task (acquire).
    private var body: (@Sendable (Range<Int>) -> Void)?
    private var task = 0
    let stateCount: Int
    /// The leader takes states `0..<cut`, the claimer of the upper part `cut..<stateCount`.
    let cut: Int

    init(stateCount: Int) {
        self.stateCount = stateCount
        cut = stateCount / 2
    }

    func run(_ body: @escaping @Sendable (Range<Int>) -> Void) {
        self.body = body
        task += 1
        let mine = task
        posted.store(mine, ordering: .sequentiallyConsistent)
        unpark()
        body(0..<cut)
        // The helper, when running, claimed the upper part long ago (about 1 µs after
        // the post); give it one more chance (a yield) before taking the part back.
        if claimed.load(ordering: .acquiring) != mine {
            Self.wait(limit: 64) { claimed.load(ordering: .acquiring) == mine }
            if claimed.compareExchange(expected: mine - 1, desired: mine, ordering: .acquiringAndReleasing).exchanged {
                body(cut..<stateCount)
                return
            }
        }
        Self.wait { finished.load(ordering: .acquiring) == mine }
    }

    /// Ends ``serve()`` (called by the leader after its last ``run(_:)``).
    func stop() {
        body = nil
        posted.store(-1, ordering: .sequentiallyConsistent)
        unpark()
    }

    /// Wakes the helper if it sleeps (it then finds the latest post).
    private func unpark() {
        if parked.exchange(0, ordering: .sequentiallyConsistent) == 1 { parking.signal() }
    }

    func serve() {
        var seen = 0
        while true {
            var next = 0
            let ready = {
                next = self.posted.load(ordering: .acquiring)
                return next != seen
            }
            // Spin some 40 µs, then sleep until the leader posts: a helper that spins on
            // the leader's own core (where the scheduler may have woken it) would take
            // that core's time from the leader.
            if !Self.wait(limit: 16_384, ready) {
                // Sequentially consistent, as the leader's post and `unpark()`: one of the
                // two sides sees the other's store, so no post is slept through.
                parked.store(1, ordering: .sequentiallyConsistent)
                if posted.load(ordering: .sequentiallyConsistent) != seen {
                    // Posted meanwhile: if the leader took the flag, its signal is on the way.
                    if parked.exchange(0, ordering: .sequentiallyConsistent) == 0 { parking.wait() }
                } else {
                    parking.wait()
                }
                continue
            }
            if next < 0 { return }
            seen = next
            if claimed.compareExchange(expected: next - 1, desired: next, ordering: .acquiringAndReleasing).exchanged {
                body?(cut..<stateCount)
                finished.store(next, ordering: .releasing)
            }
        }
    }

    /// Spins until `ready()`, yielding the core after every 4,096 checks (some 10 µs):
    /// yielding sooner hands the core to other processes for a whole time slice whenever
    /// the machine has any (measured: three times the context switches and 10 % more wall
    /// time with a yield every 64 checks).
    @inline(never)
    private static func wait(_ ready: () -> Bool) {
        var spins = 0
        while !ready() {
            spins &+= 1
            if spins & 4095 == 0 { sched_yield() }
        }
    }

    /// Spins up to `limit` checks for `ready()` (yielding after every 4,096, and once at
    /// the end), and tells whether it became ready.
    @inline(never)
    @discardableResult
    private static func wait(limit: Int, _ ready: () -> Bool) -> Bool {
        for spin in 1...max(1, limit) {
            if ready() { return true }
            if spin & 4095 == 0 { sched_yield() }
        }
        sched_yield()
        return ready()
    }
}
