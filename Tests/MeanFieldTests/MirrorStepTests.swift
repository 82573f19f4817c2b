@testable import MeanField
import Testing

/// The adaptive learning rate of `auto`'s mirror descent (``MirrorStep``, Docs/Solvers.md,
/// "auto", step 2), driven directly with chosen merits: the scale-free first step, growth
/// by 1.5 per window of fast progress (capped at `1000 η₀`), halving per window without
/// progress (floored at `η₀/8`), and the stall detection that hands over to fictitious play.
@Suite struct MirrorStepTests {
    /// Q-values of 2 states × 3 actions; the widest state spans 4, so `η₀ = 1/4`.
    static let q = [1.0, 2.0, 5.0, -1.0, 0.0, 0.5]

    @Test func firstStepIsScaleFree() {
        var step = MirrorStep()
        let first = step.next(merit: 1, qValues: Self.q, actionCount: 3)
        #expect(first == 0.25)
        var flat = MirrorStep()
        let flatFirst = flat.next(merit: 1, qValues: [3, 3, 3, 3], actionCount: 2)
        #expect(flatFirst == 1, "no spread: η₀ = 1")
    }

    @Test func fastProgressGrowsTheStepUpToItsCap() {
        var step = MirrorStep()
        var merit = 1.0
        var etas: [Double] = []
        for _ in 0..<(20 * 40) {
            etas.append(step.next(merit: merit, qValues: Self.q, actionCount: 3))
            merit *= 0.9  // halves in about 7 iterations: every window more than halves it
        }
        // Constant inside a window; ×1.5 at the end of each window.
        #expect(etas[0..<19].allSatisfy { $0 == 0.25 })
        #expect(etas[19] == 0.25 * 1.5)
        #expect(etas[39] == 0.25 * 1.5 * 1.5)
        #expect(etas.max() == 1000 * 0.25, "capped at 1000 η₀")
        #expect(zip(etas, etas.dropFirst()).allSatisfy { $0 <= $1 }, "never shrinks while progress is fast")
    }

    @Test func noProgressHalvesTheStepDownToItsFloor() {
        var step = MirrorStep()
        var etas: [Double] = []
        for _ in 0..<(20 * 10) { etas.append(step.next(merit: 0.5, qValues: Self.q, actionCount: 3)) }
        // The first window sets the reference (its best merit fell from ∞); then no change.
        #expect(etas[19] == 0.25 * 1.5)
        #expect(etas[39] == 0.25 * 1.5 / 2)
        #expect(etas.last == 0.25 / 8, "floored at η₀/8")
        #expect(etas.min() == 0.25 / 8)
    }

    @Test func slowProgressKeepsTheStep() {
        var step = MirrorStep()
        var merit = 1.0
        var etas: [Double] = []
        for _ in 0..<(20 * 6) {
            etas.append(step.next(merit: merit, qValues: Self.q, actionCount: 3))
            merit *= 0.99  // falls, but by less than half per window
        }
        #expect(etas[19] == 0.25 * 1.5, "first window: from ∞")
        #expect(etas.dropFirst(20).allSatisfy { $0 == 0.25 * 1.5 })
    }

    @Test func stallIsDetectedAfterTheLimitAndKeepsTheBestMeanField() {
        var step = MirrorStep()
        let s1 = step.stalled(merit: 1.0, meanField: [1, 0])
        let s2 = step.stalled(merit: 0.5, meanField: [0.5, 0.5])  // best so far
        #expect(!s1 && !s2)
        var stalledAt: Int? = nil
        for k in 1...MirrorStep.stallLimit {
            // Small improvements (less than 10 %) do not count as progress, but are the best.
            let merit = 0.5 - 0.01 * Double(k) / Double(MirrorStep.stallLimit)
            if step.stalled(merit: k == 7 ? merit : 0.6, meanField: k == 7 ? [0.25, 0.75] : [0, 1]) {
                stalledAt = k
                break
            }
        }
        #expect(stalledAt == MirrorStep.stallLimit)
        #expect(step.bestMeanField == [0.25, 0.75])
        // A 10 % fall resets the count.
        var again = MirrorStep()
        _ = again.stalled(merit: 1, meanField: [1, 0])
        for _ in 1..<MirrorStep.stallLimit { _ = again.stalled(merit: 1, meanField: [1, 0]) }
        let a1 = again.stalled(merit: 0.85, meanField: [0, 1])
        let a2 = again.stalled(merit: 0.85, meanField: [0, 1])
        #expect(!a1 && !a2)
    }
}
