import Ambiguity
import Foundation
@testable import MeanField
import Synchronization
import Testing
import TestSupport

/// The LP row engine lends its workers to the calling thread's loops between sweeps
/// (``LPRowEngine/split(count:_:)``), which the Newton step's products use
/// (``FrozenSystem/helpers``).
@Suite(.serialized) struct LPSplitTests {
    /// Records which thread ran each index: each index is written by one call, in
    /// storage allocated up front (no array property is touched from two threads).
    final class Marks: @unchecked Sendable {
        let count: Int
        private let callStore: UnsafeMutablePointer<Int>
        private let threadStore: UnsafeMutablePointer<ObjectIdentifier?>
        init(_ n: Int) {
            count = n
            callStore = .allocate(capacity: max(1, n))
            callStore.initialize(repeating: 0, count: max(1, n))
            threadStore = .allocate(capacity: max(1, n))
            threadStore.initialize(repeating: nil, count: max(1, n))
        }
        deinit {
            callStore.deallocate()
            threadStore.deallocate()
        }
        /// Index `i` was run by the current thread.
        func mark(_ i: Int) {
            callStore[i] += 1
            threadStore[i] = LPSplitTests.threadID()
        }
        var calls: [Int] { Array(UnsafeBufferPointer(start: callStore, count: count)) }
        var threads: [ObjectIdentifier?] { Array(UnsafeBufferPointer(start: threadStore, count: count)) }
    }

    /// The running thread (Foundation's object for it lives as long as the thread).
    static func threadID() -> ObjectIdentifier { ObjectIdentifier(Thread.current) }

    /// Every index of `0..<count` is run by exactly one call, in contiguous parts of
    /// nearly equal size, one per share; with more than one share and enough indices the
    /// workers run their parts on their own threads; with fewer indices than shares, or
    /// one share, everything runs on the calling thread. Splits between sweeps, and
    /// after pauses long enough for the workers to sleep, leave the sweeps bit-identical
    /// to a one-share engine's.
    @Test func splitRunsEveryIndexOnceAndLeavesSweepsAlone() throws {
        let n = 10, m = 2
        let game = try TestGames.garnet(n: n, m: m, k: 3, set: .totalVariation(), radius: 0.15, seed: 5501)
        let snap = try game.snapshot(at: [Double](repeating: 1.0 / Double(n), count: n))
        let reference = LPRowEngine(rows: n * m, actionCount: m, workerCount: 1)
        var rng = SplitMix64(seed: 5502)
        for shares in 1...4 {
            let engine = LPRowEngine(rows: n * m, actionCount: m, workerCount: shares)
            let caller = Self.threadID()
            for round in 0..<48 {
                let count = [0, 1, 2, 3, 5, 17, 200, 1_001][round % 8]
                let marks = Marks(count)
                var parts: [Range<Int>] = []
                let lock = NSLock()
                engine.split(count: count) { range in
                    lock.lock()
                    parts.append(range)
                    lock.unlock()
                    for i in range { marks.mark(i) }
                }
                let label = "shares \(shares), count \(count), round \(round)"
                #expect(marks.calls.allSatisfy { $0 == 1 }, "\(label)")
                let split = shares > 1 && count >= shares
                #expect(parts.count == (split ? shares : 1), "\(label)")
                if split {
                    let sizes = parts.map(\.count)
                    #expect((sizes.max() ?? 0) - (sizes.min() ?? 0) <= 1, "\(label)")
                    #expect(marks.threads[0] == caller, "\(label): the first part is the calling thread's")
                    #expect(Set(marks.threads).count == shares, "\(label): one thread per share")
                } else {
                    #expect(marks.threads.allSatisfy { $0 == caller }, "\(label)")
                }
                if round % 3 == 0 {
                    let v = LPRowEngineTests.values(n, trial: round, rng: &rng)
                    let a = try engine.sweep(snapshot: snap, values: v, wantKernels: true, reduction: .softMax(temperature: 0.2))
                    let b = try reference.sweep(snapshot: snap, values: v, wantKernels: true, reduction: .softMax(temperature: 0.2))
                    #expect(a.sigma.map(\.bitPattern) == b.sigma.map(\.bitPattern), "\(label)")
                    #expect(a.stateValues?.map(\.bitPattern) == b.stateValues?.map(\.bitPattern), "\(label)")
                    #expect(a.kernels?.rows == b.kernels?.rows, "\(label)")
                }
                if round % 24 == 23 { usleep(UInt32(LPRowEngine.workerSpinNanoseconds / 1_000 + 1_000)) }
            }
        }
    }

    /// On another thread than the engine's creator a split runs everything on that
    /// thread (only the creator hands work to the workers), and the engine still works
    /// on its own thread afterwards.
    @Test func splitOffTheOwnerThreadRunsThere() {
        final class Box: @unchecked Sendable {
            let engine = LPRowEngine(rows: 12, actionCount: 2, workerCount: 2)
            var marks = Marks(0)
            var own: ObjectIdentifier?
        }
        let box = Box()
        LPHandOffTests.onNewThread {
            box.own = LPSplitTests.threadID()
            box.marks = Marks(40)
            box.engine.split(count: 40) { range in
                for i in range { box.marks.mark(i) }
            }
        }
        #expect(box.marks.calls == [Int](repeating: 1, count: 40))
        #expect(box.own != nil && box.marks.threads.allSatisfy { $0 == box.own })
        let marks = Marks(40)
        box.engine.split(count: 40) { range in
            for i in range { marks.mark(i) }
        }
        #expect(marks.calls == [Int](repeating: 1, count: 40))
        #expect(Set(marks.threads).count == 2)
    }

    /// The Newton step's frozen system with the engine's workers as helpers: products and
    /// BiCGSTAB solves bit-identical to the one-thread system, for 2 to 4 shares, soft and
    /// greedy policies (skipped actions); the solve also within `2e-11` of a dense LU
    /// solve of `(I − γP)W = c`. A serial engine (one share), or a system whose own mode
    /// is parallel, takes no helpers.
    @Test(arguments: 0..<4)
    func frozenSystemWithHelpersIsBitIdentical(variant: Int) throws {
        let n = 30 + 9 * variant, m = 3
        let game = try TestGames.garnet(n: n, m: m, k: 4 + variant, set: .totalVariation(), radius: 0.1 + 0.1 * Double(variant),
                                        seed: UInt64(5510 + variant))
        let snap = try game.snapshot(at: [Double](repeating: 1 / Double(n), count: n))
        var rng = SplitMix64(seed: UInt64(5520 + variant))
        let v = (0..<n).map { _ in Double(Int.random(in: 0...8, using: &rng)) / 2 }
        let sweep = try snap.sweep(values: v, wantKernels: true, execution: .serial)
        let kernels = try #require(sweep.kernels)
        let policy = BestResponse.unchecked(qValues: sweep.q, stateCount: n, actionCount: m,
                                            temperature: variant % 2 == 0 ? 0.3 : 0).probabilities
        let c = (0..<n).map { _ in rng.unit() }
        let chain = TransitionMatrix(unchecked: policy, kernelRows: kernels, stateCount: n, actionCount: m)
        let dense = denseDiscountedSolve(chain, discount: snap.discount, rewards: c)
        let zero = [Double](repeating: 0, count: n)
        let plain = FrozenSystem(policy: policy, kernels: kernels, stateCount: n, actionCount: m, gamma: snap.discount, rewards: c)
        #expect(plain.helpers == nil)
        let want = plain.solve(from: zero, errorTarget: 1e-11)
        #expect(maxAbsDifference(want, dense) <= 2e-11)
        let wantProduct = Self.product(plain, v)
        for shares in 2...4 {
            let engine = LPRowEngine(rows: n * m, actionCount: m, workerCount: shares)
            let system = FrozenSystem(policy: policy, kernels: kernels, stateCount: n, actionCount: m, gamma: snap.discount,
                                      rewards: c, execution: .automatic, helpers: engine)
            #expect(system.helpers === engine)
            #expect(Self.product(system, v).map(\.bitPattern) == wantProduct.map(\.bitPattern), "shares \(shares)")
            let got = system.solve(from: zero, errorTarget: 1e-11)
            #expect(got.map(\.bitPattern) == want.map(\.bitPattern), "shares \(shares)")
            // The on-the-fly products of large systems, split the same way.
            let onTheFly = FrozenSystem(policy: policy, kernels: kernels, stateCount: n, actionCount: m, gamma: snap.discount,
                                        rewards: c, execution: .automatic, helpers: engine, weightedLimit: 0)
            #expect(onTheFly.weighted == nil && onTheFly.helpers === engine)
            #expect(Self.product(onTheFly, v).map(\.bitPattern) == wantProduct.map(\.bitPattern), "shares \(shares)")
            let parallel = FrozenSystem(policy: policy, kernels: kernels, stateCount: n, actionCount: m, gamma: snap.discount,
                                        rewards: c, execution: .parallel, helpers: engine)
            #expect(parallel.helpers == nil)
        }
        let serialEngine = LPRowEngine(rows: n * m, actionCount: m, workerCount: 1)
        #expect(FrozenSystem(policy: policy, kernels: kernels, stateCount: n, actionCount: m, gamma: snap.discount, rewards: c,
                             helpers: serialEngine).helpers == nil)
    }

    /// The Newton step's per-state work split with the engine's workers (best response,
    /// the policy's rewards `c(s) = Σ_a π(a|s)[r − τ log π(a|s)]` and the products' weights
    /// `π(a|s)·K(t|s, a)`) is bit-identical to the one-thread computation, for 1 to 4 shares,
    /// soft and greedy policies (greedy ones skip actions) and state counts below, at and
    /// above the number of shares; the one-thread results also equal plain loops written
    /// here (softmax by its definition within `1e-15` absolute plus `1e-13` relative; the
    /// weights exactly, the same products).
    @Test(arguments: 0..<4)
    func newtonSetupWithHelpersIsBitIdentical(variant: Int) throws {
        let m = 3, tau = variant % 2 == 0 ? 0.25 : 0
        for n in [1, 2, 3, 29 + 7 * variant] {
            let game = try TestGames.garnet(n: n, m: m, k: min(n, 3 + variant), set: .totalVariation(), radius: 0.15,
                                            seed: UInt64(5540 + variant))
            let snap = try game.snapshot(at: [Double](repeating: 1 / Double(n), count: n))
            var rng = SplitMix64(seed: UInt64(5550 + variant + n))
            let v = (0..<n).map { _ in Double(Int.random(in: 0...6, using: &rng)) / 3 }
            let sweep = try snap.sweep(values: v, wantKernels: true, execution: .serial)
            let kernels = try #require(sweep.kernels)
            let policy = BestResponse.unchecked(qValues: sweep.q, stateCount: n, actionCount: m, temperature: tau).probabilities
            let rewards = GameSnapshot.policyRewards(rewards: snap.rewards, policy: policy, stateCount: n, actionCount: m,
                                                     temperature: tau)
            let weighted = WeightedRows(policy: policy, kernels: kernels, stateCount: n, actionCount: m)
            Self.expectPlain(policy: policy, rewards: rewards, weighted: weighted, q: sweep.q, snapshot: snap, kernels: kernels,
                             temperature: tau)
            for shares in 1...4 {
                let engine = LPRowEngine(rows: n * m, actionCount: m, workerCount: shares)
                let label = "n \(n), shares \(engine.shareCount)"
                let split = BestResponse.unchecked(qValues: sweep.q, stateCount: n, actionCount: m, temperature: tau,
                                                   execution: .automatic, helpers: engine).probabilities
                #expect(split.map(\.bitPattern) == policy.map(\.bitPattern), "\(label)")
                let splitRewards = GameSnapshot.policyRewards(rewards: snap.rewards, policy: policy, stateCount: n, actionCount: m,
                                                              temperature: tau, execution: .automatic, helpers: engine)
                #expect(splitRewards.map(\.bitPattern) == rewards.map(\.bitPattern), "\(label)")
                let splitRows = WeightedRows(policy: policy, kernels: kernels, stateCount: n, actionCount: m, helpers: engine)
                #expect(splitRows.stateStart == weighted.stateStart && splitRows.columns == weighted.columns, "\(label)")
                #expect(splitRows.weights.map(\.bitPattern) == weighted.weights.map(\.bitPattern), "\(label)")
                // The frozen system takes its weights from the split too.
                let system = FrozenSystem(policy: policy, kernels: kernels, stateCount: n, actionCount: m, gamma: snap.discount,
                                          rewards: rewards, execution: .automatic, helpers: engine)
                #expect(system.weighted?.weights.map(\.bitPattern) == weighted.weights.map(\.bitPattern), "\(label)")
            }
        }
    }

    /// The one-thread best response, policy rewards and weights against plain loops: softmax by
    /// its definition (greedy: the first action within the tie tolerance) and `c(s)` within
    /// `1e-15` absolute plus `1e-13` relative, the weights exactly (the same products).
    static func expectPlain(policy: [Double], rewards: [Double], weighted: WeightedRows, q qValues: [Double], snapshot snap: GameSnapshot,
                            kernels: KernelRows, temperature tau: Double) {
        let n = snap.stateCount, m = snap.actionCount
        for s in 0..<n {
            let q = (0..<m).map { qValues[s * m + $0] }
            let best = q.max() ?? 0
            for a in 0..<m {
                let want: Double
                if tau > 0 {
                    let z = q.reduce(0.0) { $0 + exp(($1 - best) / tau) }
                    want = exp((q[a] - best) / tau) / z
                } else {
                    let first = q.firstIndex { $0 >= best - BestResponse.tieTolerance * (1 + abs(best)) }
                    want = a == first ? 1 : 0
                }
                #expect(abs(policy[s * m + a] - want) <= 1e-15 + 1e-13 * abs(want), "(\(s), \(a))")
            }
            var c = 0.0
            for a in 0..<m where policy[s * m + a] > 0 {
                let p = policy[s * m + a]
                c += p * (snap.rewards[s * m + a] - (tau > 0 ? tau * log(p) : 0))
            }
            #expect(abs(rewards[s] - c) <= 1e-15 + 1e-13 * abs(c), "c(\(s))")
        }
        var starts = [0], columns: [Int32] = [], weights: [Double] = []
        for s in 0..<n {
            for a in 0..<m where policy[s * m + a] > 0 {
                for e in kernels.rowStart[s * m + a]..<kernels.rowEnd[s * m + a] {
                    columns.append(Int32(kernels.indices[e]))
                    weights.append(policy[s * m + a] * kernels.probabilities[e])
                }
            }
            starts.append(columns.count)
        }
        #expect(weighted.stateStart == starts && weighted.columns == columns, "n \(n)")
        #expect(weighted.weights.map(\.bitPattern) == weights.map(\.bitPattern), "n \(n)")
    }

    /// Regression (2026-12-03): `GarnetSolve --inner lp` crashed in 1–4 % of runs in
    /// ``LPRowEngine/split(count:_:)``, retaining a freed closure context. The optimizer
    /// had moved the retain for the message's copy of the task after the atomic store that
    /// publishes it, so a worker could run the task and release that copy first: the
    /// count reached zero with the retain still to come. Many back-to-back products on a
    /// two-share engine, while a third thread competes for the cores (so the calling thread
    /// is preempted at random points, as under load), must give the one-thread product
    /// every time, and not crash. A race test: it catches the defect with some probability
    /// per run (the crash needed a preemption in a window of a few instructions), while
    /// the deterministic evidence is the GarnetSolve loop in Docs/Development.md, "Threads".
    @Test func manySplitsUnderCompetitionNeverLoseATask() throws {
        let n = 24, m = 2
        let game = try TestGames.garnet(n: n, m: m, k: 3, set: .totalVariation(), radius: 0.1, seed: 5531)
        let snap = try game.snapshot(at: [Double](repeating: 1 / Double(n), count: n))
        let v = (0..<n).map { Double($0 % 7) / 3 }
        let sweep = try snap.sweep(values: v, wantKernels: true, execution: .serial)
        let kernels = try #require(sweep.kernels)
        let policy = BestResponse.unchecked(qValues: sweep.q, stateCount: n, actionCount: m, temperature: 0.3).probabilities
        let c = [Double](repeating: 1, count: n)
        let plain = FrozenSystem(policy: policy, kernels: kernels, stateCount: n, actionCount: m, gamma: snap.discount, rewards: c)
        let want = Self.product(plain, v).map(\.bitPattern)
        let engine = LPRowEngine(rows: n * m, actionCount: m, workerCount: 2)
        let system = FrozenSystem(policy: policy, kernels: kernels, stateCount: n, actionCount: m, gamma: snap.discount,
                                  rewards: c, execution: .automatic, helpers: engine)
        #expect(system.helpers === engine)
        final class Flag: Sendable { let raised = Atomic<Bool>(false) }
        let stop = Flag()
        let competitor = Thread {
            var x = 0.5
            while !stop.raised.load(ordering: .relaxed) { x = x * 3.9 * (1 - x) }
            if x > 2 { print(x) }
        }
        competitor.start()
        defer { stop.raised.store(true, ordering: .relaxed) }
        var mismatches = 0
        for _ in 0..<50_000 where Self.product(system, v).map(\.bitPattern) != want { mismatches += 1 }
        #expect(mismatches == 0)
    }

    /// `(I − γP)x` of `system`.
    static func product(_ system: FrozenSystem, _ x: [Double]) -> [Double] {
        var y = [Double](repeating: 0, count: x.count)
        y.withUnsafeMutableBufferPointer { yb in
            guard let out = yb.baseAddress else { return }
            x.withUnsafeBufferPointer { xb in
                guard let input = xb.baseAddress else { return }
                system.apply(input, into: out)
            }
        }
        return y
    }
}
