import Ambiguity
@testable import MeanField
import Testing
import TestSupport

/// Issue 14, item 16: the in-place sweep created its kernel buffers with
/// `unsafeUninitializedCapacity` and a count of `room` without writing the slot gaps, so
/// those entries held whatever the allocator returned. Every counted element must be
/// written: the gaps are zeros now.
@Suite struct InitializationTests {
    @Test(arguments: [ExecutionMode.serial, .parallel])
    func kernelSlotGapsAreWritten(execution: ExecutionMode) throws {
        let n = 200, m = 3
        let game = try TestGames.garnet(n: n, m: m, k: 4, set: .totalVariation(), radius: 0.3, seed: 9)
        let snapshot = try game.snapshot(at: [Double](repeating: 1.0 / Double(n), count: n))
        var rng = SplitMix64(seed: 2)
        let v = TestGames.randomVector(n, scale: 1, rng: &rng)
        for _ in 0..<5 {
            // Leave freed blocks of the buffers' size full of a pattern, for the
            // allocator to hand out again (small blocks are reused, unlike mmap'd ones).
            let room = snapshot.layout.slotRoom
            var junk: [[Double]] = []
            for _ in 0..<8 { junk.append([Double](repeating: -7.5, count: room)) }
            junk.removeAll()
            var junkInts: [[Int]] = []
            for _ in 0..<8 { junkInts.append([Int](repeating: -75, count: room)) }
            junkInts.removeAll()
            let sweep = try snapshot.sweep(values: v, wantKernels: true, execution: execution)
            let kernels = try #require(sweep.kernels)
            #expect(kernels.indices.count == room)
            for i in 0..<kernels.count {
                let slotEnd = i + 1 < kernels.count ? kernels.rowStart[i + 1] : room
                for j in kernels.rowEnd[i]..<slotEnd {
                    #expect(kernels.indices[j] == 0 && kernels.probabilities[j] == 0, "row \(i) gap \(j)")
                }
            }
        }
    }
}
