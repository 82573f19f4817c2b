@testable import MeanField
import TestSupport
import Testing

/// Anderson's least squares and mixing on threads: the column passes taken two columns at a
/// time and the pairs on threads, and the mixing by blocks of entries, give the numbers of
/// the plain serial loops bit for bit.
@Suite struct AndersonColumnPassTests {
    /// The least squares, serial, automatic and on threads, against the nested-array textbook
    /// loop (``LPSerialParallelTests/referenceLeastSquares(_:_:_:)``): the same coefficients and
    /// the same dropped columns, bit for bit. Column counts 0–11 (one pair, whole pairs, a last
    /// column without a partner), vectors of 1 to 3,000 entries, dependent, zero and tiny columns.
    @Test func columnPairsOnThreadsEqualTheTextbookLoop() {
        var rng = SplitMix64(seed: 4711)
        for trial in 0..<120 {
            let n = [1, 2, 7, 64, 333, 3000][trial % 6], k = trial % 12
            var dF = (0..<k).map { _ in TestGames.randomVector(n, scale: trial % 5 == 0 ? 1e-6 : 1, rng: &rng) }
            if k >= 3, trial % 4 == 1 { dF[2] = zip(dF[0], dF[1]).map { 2 * $0 - $1 } }  // dependent: dropped
            if k >= 1, trial % 9 == 0 { dF[k - 1] = [Double](repeating: 0, count: n) }
            let dX = (0..<k).map { _ in TestGames.randomVector(n, scale: 1, rng: &rng) }
            let f = TestGames.randomVector(n, scale: 1, rng: &rng)
            var refF = dF, refX = dX
            let reference = LPSerialParallelTests.referenceLeastSquares(&refF, &refX, f)
            for execution in [ExecutionMode.serial, .automatic, .parallel] {
                var dF2 = dF, dX2 = dX
                let gammas = SolverRun.leastSquares(&dF2, &dX2, f, execution: execution)
                #expect(gammas.map(\.bitPattern) == reference.map(\.bitPattern), "trial \(trial) \(execution)")
                #expect(dF2 == refF && dX2 == refX, "trial \(trial) \(execution)")
            }
        }
    }

    /// The mixing `x + βf − Σ γ_j (ΔX_j + β ΔF_j)` by blocks (one block, blocks of 7 with a short
    /// last block, 2 and 5 blocks, serial and on threads) against one plain loop per column.
    @Test func mixingByBlocksEqualsThePlainLoop() {
        var rng = SplitMix64(seed: 99)
        for trial in 0..<40 {
            let n = [1, 13, 14, 35, 1000][trial % 5], k = trial % 6
            let x = TestGames.randomVector(n, scale: 1, rng: &rng), f = TestGames.randomVector(n, scale: 1e-3, rng: &rng)
            let dX = (0..<k).map { _ in TestGames.randomVector(n, scale: 1, rng: &rng) }
            let dF = (0..<k).map { _ in TestGames.randomVector(n, scale: 1, rng: &rng) }
            let gammas = TestGames.randomVector(trial % 3 == 0 ? max(0, k - 1) : k, scale: 2, rng: &rng)
            let beta = trial % 2 == 0 ? 1 : 0.375
            var plain = x
            for i in plain.indices { plain[i] = x[i] + beta * f[i] }
            for (j, g) in gammas.enumerated() {
                for i in plain.indices { plain[i] -= g * (dX[j][i] + beta * dF[j][i]) }
            }
            for block in [nil, 7] as [Int?] {
                for execution in [ExecutionMode.serial, .parallel] {
                    let mixed = VectorBlocks.$testBlock.withValue(block) {
                        SolverRun.mixed(x: x, f: f, beta: beta, gammas: gammas, dX: dX, dF: dF, execution: execution)
                    }
                    #expect(mixed.map(\.bitPattern) == plain.map(\.bitPattern), "trial \(trial) block \(String(describing: block))")
                }
            }
        }
    }
}
