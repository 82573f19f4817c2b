import Foundation
import Synchronization

/// A counter one thread publishes and one other thread waits on: the LP row engine's
/// hand-offs between the calling thread and its worker threads (``LPRowEngine``).
///
/// The waiter first **spins** on the counter for a bounded time (``wait(whileEqualTo:spinNanoseconds:)``),
/// which sees a new value about a cache line's trip after it is published (some 1 µs on
/// this machine), then **sleeps** on a semaphore until the next ``publish(_:)``. A wake-up
/// of a sleeping thread costs some 45 µs here (a semaphore round trip between two threads
/// is 90–98 µs, Docs/Performance.md section 6), and a sweep of the 200-state garnet
/// lasts about 1.5 ms, so two sleeping hand-offs per sweep cost some 6 % of the solve.
///
/// The spin calls `sched_yield()` after every 4,096 checks (some 10 µs), so a spinning
/// thread gives its core to any other runnable thread (under valgrind, which runs one
/// thread at a time, this is how the other thread gets its turn). No `pause` instruction:
/// Swift has no portable spelling of it, and the loop is a single acquiring load.
///
/// Publisher and waiter agree through sequentially consistent operations on the value
/// and on the ``sleeping`` flag (the waiter stores the flag, then reads the value; the
/// publisher stores the value, then takes the flag): at least one of the two sees the
/// other's store, so a publication is never slept through, and a signal is never lost
/// or left over.
final class HandOff: @unchecked Sendable {
    private let value = Atomic<Int>(0)
    /// 1 while the waiter sleeps (or is about to) on ``semaphore``.
    private let sleeping = Atomic<Int>(0)
    private let semaphore = DispatchSemaphore(value: 0)

    init() {}

    /// The value last published (0 before the first).
    var current: Int { value.load(ordering: .acquiring) }

    /// Publishes `newValue` (everything written before it becomes visible to the waiter
    /// that reads it) and wakes the waiter if it sleeps. One publisher at a time.
    func publish(_ newValue: Int) {
        value.store(newValue, ordering: .sequentiallyConsistent)
        if sleeping.exchange(0, ordering: .sequentiallyConsistent) == 1 { semaphore.signal() }
    }

    /// Waits until the value is not `old` and returns it (everything its publisher wrote
    /// before publishing is then visible): spins for up to `spinNanoseconds`, then
    /// sleeps. One waiter at a time.
    func wait(whileEqualTo old: Int, spinNanoseconds: UInt64) -> Int {
        if let seen = spin(whileEqualTo: old, nanoseconds: spinNanoseconds) { return seen }
        while true {
            sleeping.store(1, ordering: .sequentiallyConsistent)
            let seen = value.load(ordering: .sequentiallyConsistent)
            if seen != old {
                // Published meanwhile. If the publisher took the flag, its signal is on
                // the way: consume it, so that it does not end a later sleep early.
                if sleeping.exchange(0, ordering: .sequentiallyConsistent) == 0 { semaphore.wait() }
                return seen
            }
            semaphore.wait()
            let woken = value.load(ordering: .acquiring)
            if woken != old { return woken }
        }
    }

    /// Spins until the value is not `old` (then returns it) or `nanoseconds` have passed
    /// (then `nil`), yielding the core after every 4,096 checks.
    @inline(never)
    private func spin(whileEqualTo old: Int, nanoseconds: UInt64) -> Int? {
        guard nanoseconds > 0 else { return nil }
        let start = DispatchTime.now().uptimeNanoseconds
        var checks = 0
        while true {
            let seen = value.load(ordering: .acquiring)
            if seen != old { return seen }
            checks &+= 1
            if checks & 255 == 0 {
                if DispatchTime.now().uptimeNanoseconds &- start >= nanoseconds { return nil }
                if checks & 4095 == 0 { sched_yield() }
            }
        }
    }
}
