import Ambiguity
import Foundation
import LinearProgramming
@testable import MeanField
import Testing
import TestSupport

/// The LP row engine's synchronization: the spinning-then-sleeping hand-offs, many short
/// sweeps on the calling thread plus worker threads, teardown, and the rule that every
/// GLPK problem is deleted on the thread that created it.
@Suite(.serialized) struct LPHandOffTests {
    /// A payload written before each publication and read after each wait, and the
    /// counter itself, on two threads: every value arrives, in order, with its payload,
    /// whether the waiter always sleeps (no spin), sometimes sleeps (a spin shorter than
    /// the publisher's pauses) or always spins.
    @Test(arguments: [UInt64(0), 2_000, 50_000_000])
    func pingPongDeliversEveryValueInOrder(spin: UInt64) {
        final class Shared: @unchecked Sendable {
            let ping = HandOff()
            let pong = HandOff()
            var payload = 0
            var echoed: [Int] = []
        }
        let shared = Shared()
        let rounds = 3_000
        let done = DispatchSemaphore(value: 0)
        let thread = Thread {
            var seen = 0
            while seen < rounds {
                let next = shared.ping.wait(whileEqualTo: seen, spinNanoseconds: spin)
                shared.echoed.append(shared.payload * 2 + (next == seen + 1 ? 0 : 1))
                seen = next
                shared.pong.publish(next)
            }
            done.signal()
        }
        thread.start()
        for i in 1...rounds {
            shared.payload = i
            shared.ping.publish(i)
            if i % 97 == 0 { usleep(50) }  // the waiter may fall asleep in between
            let back = shared.pong.wait(whileEqualTo: i - 1, spinNanoseconds: spin)
            #expect(back == i)
        }
        done.wait()
        #expect(shared.echoed == (1...rounds).map { 2 * $0 })
        #expect(shared.ping.current == rounds && shared.pong.current == rounds)
    }

    /// Hundreds of short sweeps (a 6-state game, rows of a few microseconds each)
    /// with the calling thread and two or three worker threads agree bit for bit with one
    /// share, sweep by sweep, including sweeps after pauses long enough for the workers to
    /// sleep (longer than ``LPRowEngine/workerSpinNanoseconds``).
    @Test func manyShortSweepsAgreeWithOneShare() throws {
        let n = 6, m = 2
        let game = try TestGames.garnet(n: n, m: m, k: 3, set: .totalVariation(), radius: 0.2, seed: 4411)
        let snap = try game.snapshot(at: [Double](repeating: 1.0 / Double(n), count: n))
        let serial = LPRowEngine(rows: n * m, actionCount: m, workerCount: 1)
        let engines = [3, 4].map { LPRowEngine(rows: n * m, actionCount: m, workerCount: $0) }
        #expect(serial.shareCount == 1 && engines.map(\.shareCount) == [3, 4])
        var rng = SplitMix64(seed: 4412)
        for sweep in 0..<500 {
            let v = LPRowEngineTests.values(n, trial: sweep, rng: &rng)
            let kernels = sweep % 3 == 0
            let reference = try serial.sweep(snapshot: snap, values: v, wantKernels: kernels, reduction: .softMax(temperature: 0.2))
            if sweep % 100 == 1 { usleep(UInt32(LPRowEngine.workerSpinNanoseconds / 1_000 + 1_000)) }
            for engine in engines {
                let other = try engine.sweep(snapshot: snap, values: v, wantKernels: kernels, reduction: .softMax(temperature: 0.2))
                #expect(other.sigma.map(\.bitPattern) == reference.sigma.map(\.bitPattern), "sweep \(sweep)")
                #expect(other.q.map(\.bitPattern) == reference.q.map(\.bitPattern), "sweep \(sweep)")
                #expect(other.stateValues?.map(\.bitPattern) == reference.stateValues?.map(\.bitPattern), "sweep \(sweep)")
                #expect(other.kernels?.rows == reference.kernels?.rows, "sweep \(sweep)")
            }
        }
        #expect(engines.allSatisfy { $0.statistics == serial.statistics }, "\(serial.statistics)")
    }

    /// Engines released right after creation, after one sweep, and after a pause in which
    /// their workers went to sleep: every worker thread ends (`deinit` waits for each),
    /// and every bank is deleted on its own thread.
    @Test func teardownEndsEveryWorker() throws {
        let before = LPBank.foreignReleases.load(ordering: .relaxed)
        let n = 8, m = 2
        let game = try TestGames.garnet(n: n, m: m, k: 3, set: .totalVariation(), radius: 0.1, seed: 4413)
        let snap = try game.snapshot(at: [Double](repeating: 1.0 / Double(n), count: n))
        let v = (0..<n).map { Double($0 % 3) }
        for round in 0..<60 {
            let engine = LPRowEngine(rows: n * m, actionCount: m, workerCount: 2 + round % 3)
            if round % 3 != 0 { _ = try engine.sweep(snapshot: snap, values: v, wantKernels: true) }
            if round % 10 == 9 { usleep(UInt32(LPRowEngine.workerSpinNanoseconds / 1_000 + 1_000)) }
        }
        #expect(LPBank.foreignReleases.load(ordering: .relaxed) == before)
    }

    /// The calling thread's share belongs to the thread that created the engine: an engine
    /// created, swept and released inside one synchronous scope of a dedicated thread
    /// deletes its problems there; swept from another thread it throws (and builds
    /// nothing); released on another thread it leaks its problems instead of deleting
    /// them in the wrong thread's GLPK environment, and counts that.
    @Test func callerShareStaysOnItsThread() throws {
        final class Box: @unchecked Sendable {
            var engine: LPRowEngine?
            var sigma: [Double] = []
        }
        let n = 8, m = 2
        let game = try TestGames.garnet(n: n, m: m, k: 3, set: .totalVariation(), radius: 0.1, seed: 4414)
        let snap = try game.snapshot(at: [Double](repeating: 1.0 / Double(n), count: n))
        let v = (0..<n).map { Double($0) / 3 }
        let expected = try LPRowEngine(rows: n * m, actionCount: m, workerCount: 1).sweep(snapshot: snap, values: v, wantKernels: false).sigma
        let box = Box()
        let start = LPBank.foreignReleases.load(ordering: .relaxed)

        // Created, used and released on one thread.
        Self.onNewThread {
            let engine = LPRowEngine(rows: n * m, actionCount: m, workerCount: 2)
            box.sigma = (try? engine.sweep(snapshot: snap, values: v, wantKernels: false).sigma) ?? []
        }
        #expect(box.sigma.map(\.bitPattern) == expected.map(\.bitPattern))
        #expect(LPBank.foreignReleases.load(ordering: .relaxed) == start)

        // Created and swept on one thread, swept and released on another.
        Self.onNewThread {
            let engine = LPRowEngine(rows: n * m, actionCount: m, workerCount: 2)
            _ = try? engine.sweep(snapshot: snap, values: v, wantKernels: false)
            #expect(engine.isOnOwnerThread)
            box.engine = engine
        }
        let engine = try #require(box.engine)
        box.engine = nil
        #expect(!engine.isOnOwnerThread)
        #expect(throws: MeanFieldError.self) { _ = try engine.sweep(snapshot: snap, values: v, wantKernels: false) }
        #expect(engine.statistics.solves == n * m)
        _ = consume engine  // the last reference: released here, off its thread
        #expect(LPBank.foreignReleases.load(ordering: .relaxed) == start + 1)
    }

    /// Runs `body` on a new thread and returns when it has ended (its locals released).
    static func onNewThread(_ body: @escaping @Sendable () -> Void) {
        let finished = DispatchSemaphore(value: 0)
        let thread = Thread {
            body()
            finished.signal()
        }
        thread.start()
        finished.wait()
    }
}
