import Foundation
@testable import MeanField
import Testing
import TestSupport

/// The pieces of `auto`'s continuation in τ (``Continuation``, Docs/Solvers.md, "auto",
/// step 0): the stage schedule with its retries, and the Richardson extrapolation to τ = 0,
/// checked against polynomials whose value at 0 is known in closed form.
@Suite struct ContinuationTests {
    /// Runs the schedule with the given stage outcomes (missing outcomes: converged).
    static func temperatures(target: Double, failing: Set<Int>, limit: Int = 40) -> [Double] {
        var schedule = Continuation.Schedule(target: target)
        var visited: [Double] = []
        while let t = schedule.next, visited.count < limit {
            schedule.finished(converged: !failing.contains(visited.count))
            visited.append(t)
        }
        return visited
    }

    @Test func stagesGoDownByTenAboveTheTarget() {
        let stages = Self.temperatures(target: 0.001, failing: [])
        #expect(isApproximatelyEqual(stages, [1, 0.1, 0.01], absolute: 0, relative: 1e-12))
        #expect(Continuation.temperatures(target: 0.1).isEmpty)  // τ ≥ 0.1: no continuation
        let zero = Self.temperatures(target: 0, failing: [])
        #expect(zero.count == 13 && isApproximatelyEqual(zero.last ?? 0, 1e-12, absolute: 0, relative: 1e-9))
    }

    /// A failed stage is retried from the last converged temperature with the square root of
    /// the ratio: 1 → 0.1 (fails) → 10^-0.5 → 10^-1 (converged with ratio √10) → 10^-1.5 …
    @Test func failedStageIsRetriedWithASmallerRatio() {
        let stages = Self.temperatures(target: 0.01, failing: [1])
        let expected = [1, 0.1, pow(10, -0.5), 0.1, pow(10, -1.5)]
        #expect(isApproximatelyEqual(stages, expected, absolute: 0, relative: 1e-12), "\(stages)")
        // Failing at every ratio ends the continuation once the ratio is below 1.5.
        let ending = Self.temperatures(target: 0, failing: Set(1..<40))
        #expect(isApproximatelyEqual(ending, [1, 0.1, pow(10, -0.5), pow(10, -0.25)], absolute: 0, relative: 1e-12),
                "\(ending)")
        // The first stage (τ = 1) must converge.
        #expect(Self.temperatures(target: 0, failing: [0]) == [1])
    }

    /// A bridge stage that converged between the last converged stage and a failed one moves
    /// the retry: the failed stage at 1e-3 (from 1e-2, ratio 10) whose bridge reached 10^-2.5
    /// is retried from 10^-2.5 with the square root of the ratio left, 10^0.25, at 10^-2.75;
    /// a converged retry keeps that ratio. A reported temperature outside (last, pending) is
    /// ignored.
    @Test func bridgeStageMovesTheRetry() {
        var schedule = Continuation.Schedule(target: 0)
        for _ in 0..<3 { schedule.finished(converged: true) }  // 1, 0.1, 0.01
        #expect(isApproximatelyEqual(schedule.next ?? 0, 1e-3, absolute: 0, relative: 1e-12))
        schedule.reached(0.5)  // above the last converged stage: ignored
        schedule.reached(1e-4)  // below the failed one: ignored
        schedule.reached(pow(10, -2.5))
        schedule.finished(converged: false)
        #expect(isApproximatelyEqual(schedule.next ?? 0, pow(10, -2.75), absolute: 0, relative: 1e-12))
        schedule.finished(converged: true)
        #expect(isApproximatelyEqual(schedule.next ?? 0, 1e-3, absolute: 0, relative: 1e-12))
        // Without a bridge stage the retry is the square root of the stage ratio, as before.
        var plain = Continuation.Schedule(target: 0)
        plain.finished(converged: true)
        plain.finished(converged: false)
        #expect(isApproximatelyEqual(plain.next ?? 0, pow(10, -0.5), absolute: 0, relative: 1e-12))
    }

    /// Neville's scheme at 0 reproduces a polynomial of degree ≤ order exactly: the value at 0
    /// of `x(τ) = a + bτ + cτ²` from three stages is `a`, entry by entry.
    @Test func richardsonIsExactOnPolynomials() {
        let ts = [1e-2, 1e-3, 3e-4]
        let a = [0.3, 0.7], b = [2.0, -2.0], c = [-50.0, 50.0]
        let xs = ts.map { t in (0..<2).map { a[$0] + b[$0] * t + c[$0] * t * t } }
        let at0 = Continuation.Path.neville(xs, at: ts)
        #expect(isApproximatelyEqual(at0, a, absolute: 1e-13, relative: 0))
        // Order 1 from the last two stages leaves the quadratic term: c · t₁ t₂.
        let linear = Continuation.Path.neville(Array(xs.suffix(2)), at: Array(ts.suffix(2)))
        #expect(isApproximatelyEqual(linear, (0..<2).map { a[$0] - c[$0] * 1e-3 * 3e-4 }, absolute: 1e-13, relative: 0))
    }

    /// The extrapolated pair is a probability vector and a policy: negative entries are
    /// clipped and each row is rescaled.
    @Test func extrapolationStaysOnTheSimplex() throws {
        var path = Continuation.Path()
        path.append(temperature: 0.1, meanField: [0.5, 0.5], policy: try Policy(stateCount: 2, actionCount: 2, probabilities: [0.5, 0.5, 0.9, 0.1]))
        path.append(temperature: 0.01, meanField: [0.9, 0.1], policy: try Policy(stateCount: 2, actionCount: 2, probabilities: [0.95, 0.05, 0.99, 0.01]))
        #expect(path.extrapolated(order: 2) == nil)
        let (mu, pi) = try #require(path.extrapolated(order: 1))
        // Linear extrapolation to 0: μ = (0.9444…, 0.0556…); π row 0 = (1, 0) after clipping −0.005.
        #expect(isApproximatelyEqual(mu, [0.9 + 0.4 / 9, 0.1 - 0.4 / 9], absolute: 1e-14, relative: 0))
        #expect(isApproximatelyEqual(pi.probabilities, [1, 0, 1, 0], absolute: 1e-14, relative: 0))
    }
}
