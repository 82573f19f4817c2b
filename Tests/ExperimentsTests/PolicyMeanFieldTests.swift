import Ambiguity
import Foundation
import Experiments
import MeanField
import Testing
import TestSupport

/// `Evaluation.nominalPerformance` on a μ-dependent crowd grid whose policy sends two
/// crowds to opposite corners: the chain is nearly reducible (the crowds are joined with
/// probability ~1e-20), the case where the damped iteration of exact stationary laws
/// oscillated for 500 steps (Docs/Experiments.md). Checked against the plain population
/// iteration `ν ← ν P_π(ν)` run for 20 000 steps from the same start (the kernel written
/// out again, without the game or `TransitionMatrix`).
@Suite struct PolicyMeanFieldTests {
    static let width = 8, height = 5  // w + h odd: no cell is equally far from both exits

    /// Moves up, down, left, right, stay; a move to cell `t` succeeds with probability
    /// `0.9 exp(−0.5 n μ(t))`, else the agent stays.
    static func crowdGrid() throws -> MeanFieldGame {
        let w = width, h = height, n = w * h
        let moves = [(0, -1), (0, 1), (-1, 0), (1, 0), (0, 0)]
        return try MeanFieldGame(
            stateCount: n, actionCount: 5, discount: 0.9,
            reward: { s, a, mu in -0.1 * Double(min(s % w + s / w, (w - 1 - s % w) + (h - 1 - s / w))) - 0.01 * Double(n) * mu[s] },
            kernel: { s, a, mu in
                let (x, y) = (s % w + moves[a].0, s / w + moves[a].1)
                let t = x >= 0 && x < w && y >= 0 && y < h ? x + w * y : s
                let go = 0.9 * exp(-0.5 * Double(n) * mu[t])
                guard t != s else { return SparseDistribution(indices: [s], probabilities: [1]) }
                return SparseDistribution(indices: [min(s, t), max(s, t)], probabilities: t < s ? [go, 1 - go] : [1 - go, go])
            }, kernelDependsOnMeanField: true)
    }

    /// 0.6 on the moves towards the nearer corner exit (split between them), 0.1 on each other action.
    static func towardsExits() throws -> Policy {
        let w = width, h = height
        var p: [Double] = []
        for s in 0..<(w * h) {
            let (x, y) = (s % w, s / w)
            let first = x + y <= (w - 1 - x) + (h - 1 - y)
            let good = first ? [x > 0 ? 2 : -1, y > 0 ? 0 : -1] : [x < w - 1 ? 3 : -1, y < h - 1 ? 1 : -1]
            let towards = good.filter { $0 >= 0 }
            var row = [Double](repeating: 0.1, count: 5)
            if towards.isEmpty { row[4] += 0.6 }
            for a in towards { row[a] += 0.6 / Double(towards.count) }
            p += row.map { $0 / row.reduce(0, +) }
        }
        return try Policy(stateCount: w * h, actionCount: 5, probabilities: p)
    }

    @Test func nearlyReducibleCrowdGridMatchesThePlainPopulationIteration() throws {
        let game = try Self.crowdGrid(), policy = try Self.towardsExits()
        let n = game.stateCount
        let start = [Double](repeating: 1 / Double(n), count: n)
        let perf = try Evaluation.nominalPerformance(of: policy, in: game, from: start, temperature: 0.2)
        #expect(perf.residual <= 1e-13)
        var nu = start
        let w = Self.width, h = Self.height
        let moves = [(0, -1), (0, 1), (-1, 0), (1, 0), (0, 0)]
        for _ in 0..<20_000 {
            // ν'(t) = Σ_s ν(s) Σ_a π(a|s) K(t|s, a, ν), the kernel written out again.
            var next = [Double](repeating: 0, count: n)
            for s in 0..<n {
                for (a, move) in moves.enumerated() {
                    let (x, y) = (s % w + move.0, s / w + move.1)
                    let t = x >= 0 && x < w && y >= 0 && y < h ? x + w * y : s
                    let go = t == s ? 0 : 0.9 * exp(-0.5 * Double(n) * nu[t])
                    let mass = nu[s] * policy.probabilities[s * 5 + a]
                    next[t] += mass * go
                    next[s] += mass * (1 - go)
                }
            }
            nu = next
        }
        #expect(isApproximatelyEqual(perf.meanField, nu, absolute: 1e-10, relative: 1e-8),
                "differs from the plain iteration by \(maxAbsDifference(perf.meanField, nu))")
    }
}
