import Ambiguity
import Foundation
import LinearProgramming
@testable import MeanField
import Testing
import TestSupport

/// The LP row engines' worker threads are pooled (``LPWorkerPool``): an engine takes its
/// workers from the pool and gives them back when released, each worker having deleted
/// the engine's GLPK problems on its own thread.
@Suite(.serialized) struct LPWorkerPoolTests {
    /// Engines of different games, sizes and share counts, one after another on one pool:
    /// every sweep is bit for bit the one-share engine's (a worker starts each engine's
    /// share from an empty solver, whatever the engine before it left, even for a game of
    /// the same shape with other kernels), the pool starts only the threads that the widest
    /// engine needs, and every bank is deleted on the thread that created it.
    @Test func reusedWorkersGiveTheOneShareResults() throws {
        let pool = LPWorkerPool(capacity: 4)
        let before = LPBank.foreignReleases.load(ordering: .relaxed)
        var rng = SplitMix64(seed: 7701)
        let cases: [(n: Int, m: Int, seed: UInt64, shares: Int)] = [
            (9, 2, 7702, 2), (9, 2, 7703, 2), (12, 3, 7704, 3), (5, 2, 7705, 2), (9, 2, 7702, 2), (12, 3, 7706, 2),
        ]
        for c in cases {
            let game = try TestGames.garnet(n: c.n, m: c.m, k: 3, set: .totalVariation(), radius: 0.15, seed: c.seed)
            let snap = try game.snapshot(at: [Double](repeating: 1.0 / Double(c.n), count: c.n))
            let serial = LPRowEngine(rows: c.n * c.m, actionCount: c.m, workerCount: 1, pool: pool)
            let engine = LPRowEngine(rows: c.n * c.m, actionCount: c.m, workerCount: c.shares, pool: pool)
            #expect(engine.shareCount == c.shares)
            for sweep in 0..<40 {
                let v = LPRowEngineTests.values(c.n, trial: sweep, rng: &rng)
                let kernels = sweep % 2 == 0
                let reference = try serial.sweep(snapshot: snap, values: v, wantKernels: kernels, reduction: .softMax(temperature: 0.3))
                let other = try engine.sweep(snapshot: snap, values: v, wantKernels: kernels, reduction: .softMax(temperature: 0.3))
                #expect(other.sigma.map(\.bitPattern) == reference.sigma.map(\.bitPattern), "\(c) sweep \(sweep)")
                #expect(other.q.map(\.bitPattern) == reference.q.map(\.bitPattern), "\(c) sweep \(sweep)")
                #expect(other.stateValues?.map(\.bitPattern) == reference.stateValues?.map(\.bitPattern), "\(c) sweep \(sweep)")
                #expect(other.kernels?.rows == reference.kernels?.rows, "\(c) sweep \(sweep)")
            }
            #expect(engine.statistics == serial.statistics, "\(c)")
            #expect(engine.statistics.builds == c.n * c.m, "\(c): every row built once, by this engine")
        }
        #expect(pool.threadsStarted == 2)
        #expect(pool.idleCount == 2)
        #expect(pool.threadsStopped == 0)
        #expect(LPBank.foreignReleases.load(ordering: .relaxed) == before)
    }

    /// Engines alive at the same time take workers of their own (new threads when none is
    /// idle); released, at most `capacity` workers stay idle and the surplus threads end;
    /// a later engine reuses an idle worker instead of starting a thread.
    @Test func poolKeepsAtMostItsCapacity() throws {
        let pool = LPWorkerPool(capacity: 1)
        let n = 6, m = 2
        let game = try TestGames.garnet(n: n, m: m, k: 3, set: .totalVariation(), radius: 0.1, seed: 7707)
        let snap = try game.snapshot(at: [Double](repeating: 1.0 / Double(n), count: n))
        let v = (0..<n).map { Double($0 % 4) / 3 }
        let expected = try LPRowEngine(rows: n * m, actionCount: m, workerCount: 1, pool: pool)
            .sweep(snapshot: snap, values: v, wantKernels: true).sigma
        do {
            let first = LPRowEngine(rows: n * m, actionCount: m, workerCount: 3, pool: pool)
            let second = LPRowEngine(rows: n * m, actionCount: m, workerCount: 2, pool: pool)
            for engine in [first, second] {
                let sigma = try engine.sweep(snapshot: snap, values: v, wantKernels: true).sigma
                #expect(sigma.map(\.bitPattern) == expected.map(\.bitPattern))
            }
            withExtendedLifetime((first, second)) {
                #expect(pool.threadsStarted == 3)
                #expect(pool.idleCount == 0)
            }
        }
        #expect(pool.idleCount == 1)
        #expect(pool.threadsStopped == 2)
        let third = LPRowEngine(rows: n * m, actionCount: m, workerCount: 2, pool: pool)
        let sigma = try third.sweep(snapshot: snap, values: v, wantKernels: true).sigma
        #expect(sigma.map(\.bitPattern) == expected.map(\.bitPattern))
        #expect(pool.threadsStarted == 3)
    }

    /// What a forked child does with the pool (``LPWorkerPool/abandonIdleWorkers()``, run
    /// by the shared pool's `pthread_atfork` child handler): the idle workers are forgotten,
    /// and the next engine starts a thread of its own and gets the one-share results.
    @Test func abandonedWorkersAreReplacedByNewThreads() throws {
        let pool = LPWorkerPool(capacity: 2)
        let n = 6, m = 2
        let game = try TestGames.garnet(n: n, m: m, k: 3, set: .totalVariation(), radius: 0.1, seed: 7708)
        let snap = try game.snapshot(at: [Double](repeating: 1.0 / Double(n), count: n))
        let v = (0..<n).map { Double($0 % 3) / 2 }
        let expected = try LPRowEngine(rows: n * m, actionCount: m, workerCount: 1, pool: pool)
            .sweep(snapshot: snap, values: v, wantKernels: true).sigma
        _ = try LPRowEngine(rows: n * m, actionCount: m, workerCount: 2, pool: pool).sweep(snapshot: snap, values: v, wantKernels: true)
        #expect(pool.idleCount == 1 && pool.threadsStarted == 1)
        let abandoned = pool.abandonIdleWorkers()
        #expect(abandoned.count == 1 && pool.idleCount == 0)
        defer {
            for worker in abandoned {  // this process's thread, unlike a forked child's: end it
                worker.stop()
                worker.exited.wait()
            }
        }
        let engine = LPRowEngine(rows: n * m, actionCount: m, workerCount: 2, pool: pool)
        let sigma = try engine.sweep(snapshot: snap, values: v, wantKernels: true).sigma
        #expect(sigma.map(\.bitPattern) == expected.map(\.bitPattern))
        #expect(pool.threadsStarted == 2)
    }

    /// The ownership rule of ``LPRowWorker`` (regression of 2026-12-03, Docs/Development.md,
    /// "Threads"): a worker that has run a posted task leaves the message, and the task's
    /// closure with what it captures, to the poster, which lets go of them only in
    /// `collect()`. The first design let the worker clear the message (a release on its
    /// thread of the poster's retain), which the optimizer made a use-after-free; with it the
    /// first expectation below fails, on every run, not only under a lost race.
    @Test func theWorkerLeavesThePostedMessageToThePoster() {
        final class Token {}
        let pool = LPWorkerPool(capacity: 1)
        let worker = pool.acquire()
        var token: Token? = Token()
        weak let watched = token
        let ran = UnsafeMutablePointer<Int>.allocate(capacity: 1)
        ran.initialize(to: 0)
        defer { ran.deallocate() }
        do {
            let held = token
            let body: (Range<Int>) -> Void = { range in
                withExtendedLifetime(held) { ran.pointee = range.count }
            }
            token = nil
            worker.post(task: UncheckedBox(body), range: 0..<3)
        }
        worker.awaitEnd()
        #expect(ran.pointee == 3)
        #expect(worker.holdsMessage, "the worker must not release the poster's message")
        #expect(watched != nil, "the task's captures live until collect()")
        _ = worker.collect()
        #expect(!worker.holdsMessage)
        #expect(watched == nil, "collect() lets go of the task and its captures")
        worker.close()
        _ = worker.collect()
        pool.release(worker)
    }
}
