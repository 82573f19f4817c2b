@testable import MeanField
import Testing
import TestSupport

/// The updated QR factors of Anderson's history (``AndersonFactors``) against the factorization
/// from scratch (``SolverRun/leastSquares(_:_:_:execution:)``): the same kept columns, the same
/// least-squares fit to rounding, orthonormal factors that reproduce the history, and the same
/// numbers serial and parallel.
@Suite struct AndersonFactorsTests {
    /// One random history column: mostly random, sometimes scaled far up or down, nearly
    /// dependent on the one before (the drop path), zero, a multiple of an older column, or a
    /// large multiple of the one before plus an ordinary part.
    static func column(_ step: Int, previous: [[Double]], length n: Int, rng: inout SplitMix64) -> [Double] {
        let kind = Int.random(in: 0..<20, using: &rng)
        if kind == 0, let last = previous.last {
            return last.enumerated().map { t, x in 2 * x + (t % 2 == 0 ? 0 : 1e-14 * x) }
        }
        if kind == 1 { return [Double](repeating: 0, count: n) }
        if kind == 3, let last = previous.last {
            // A large multiple of an earlier column plus a part of ordinary size: independent by
            // the diagonals, but only 1e-9 of its norm is new (updated factors must not trust it).
            let part = TestGames.randomVector(n, scale: 1, rng: &rng)
            var lastSize = 0.0
            for x in last { lastSize = max(lastSize, abs(x)) }
            guard lastSize > 0 else { return part }
            return zip(last, part).map { x, w in 1e9 * x / lastSize + w }
        }
        if kind == 2, previous.count >= 3 { return previous[previous.count - 3].map { -0.5 * $0 } }
        let scale = [1.0, 1e-6, 1e3, 1e-150, 1e150][kind % 5 == 3 ? Int.random(in: 0..<5, using: &rng) : 0]
        return TestGames.randomVector(n, scale: scale, rng: &rng)
    }

    @Test func updatedFactorsFitAsTheScratchFactorization() {
        var rng = SplitMix64(seed: 4711)
        var steps = 0, drops = 0, rebuildsSeen = 0
        for trial in 0..<120 {
            let n = [1, 3, 17, 64, 250, 1031][trial % 6]
            let memory = 1 + trial % 12
            var factors = AndersonFactors(length: n, capacity: memory)
            var (dF, dX) = ([[Double]](), [[Double]]())
            var (dF2, dX2) = ([[Double]](), [[Double]]())
            for step in 0..<40 {
                let a = Self.column(step, previous: dF, length: n, rng: &rng)
                let x = TestGames.randomVector(n, scale: 1, rng: &rng)
                dF.append(a); dX.append(x); dF2.append(a); dX2.append(x)
                let dropped = dF.count > memory
                if dropped { dF.removeFirst(); dX.removeFirst(); dF2.removeFirst(); dX2.removeFirst() }
                factors.follow(appended: a, droppedOldest: dropped, execution: .serial)
                if !factors.isCurrent { rebuildsSeen += 1 }
                let f = TestGames.randomVector(n, scale: step % 7 == 3 ? 1e-9 : 1, rng: &rng)
                let before = dF.count
                let g = factors.leastSquares(&dF, &dX, f, execution: .serial)
                let g2 = SolverRun.leastSquares(&dF2, &dX2, f)
                steps += 1
                if dF.count < before { drops += 1 }
                #expect(dF == dF2 && dX == dX2, "trial \(trial), step \(step): different columns kept")
                #expect(g.count == dF.count && g2.count == dF2.count)
                guard dF == dF2, g.count == g2.count else { continue }
                // The fits ΔF γ agree to rounding relative to ‖f‖ and the columns' sizes.
                var scale = 0.0
                for v in f { scale = max(scale, abs(v)) }
                for i in 0..<n {
                    var fit = 0.0, fit2 = 0.0, size = 0.0
                    for (j, c) in dF.enumerated() {
                        fit += c[i] * g[j]
                        fit2 += c[i] * g2[j]
                        size += abs(c[i] * g2[j])
                    }
                    #expect(abs(fit - fit2) <= 1e-9 * max(scale, size) + 1e-300, "trial \(trial), step \(step), entry \(i)")
                }
                if factors.isCurrent { Self.expectFactorsReproduce(factors, dF, "trial \(trial), step \(step)") }
            }
        }
        #expect(steps == 4800)
        #expect(drops >= 50, "the drop path ran \(drops) times")
        #expect(rebuildsSeen >= 50, "the scratch path ran \(rebuildsSeen) times")
    }

    /// `Q R = ΔF` and `QᵀQ = I` to rounding.
    static func expectFactorsReproduce(_ factors: AndersonFactors, _ dF: [[Double]], _ label: String) {
        let q = factors.columns
        #expect(q.count == dF.count, "\(label)")
        guard q.count == dF.count else { return }
        for (j, a) in dF.enumerated() {
            var norm = 0.0
            for v in a { norm = max(norm, abs(v)) }
            for i in a.indices {
                var s = 0.0
                for l in 0...j { s += q[l][i] * factors.r[j][l] }
                #expect(abs(s - a[i]) <= 1e-10 * norm, "\(label): (QR)[\(i), \(j)]")
            }
            for l in 0...j {
                var dot = 0.0
                for i in a.indices { dot += q[l][i] * q[j][i] }
                #expect(abs(dot - (l == j ? 1 : 0)) <= 1e-10, "\(label): (QᵀQ)[\(l), \(j)] = \(dot)")
            }
        }
    }

    /// Serial and parallel runs (blocks of 3 entries) give the same coefficients and factors, bit for bit.
    @Test func serialAndParallelAgreeBitForBit() {
        for trial in 0..<30 {
            let n = 20 + 37 * trial, memory = 2 + trial % 9
            var runs: [[UInt64]] = []
            for execution in [ExecutionMode.serial, .parallel] {
                var local = SplitMix64(seed: UInt64(trial) &* 7919 &+ 1)
                var bits: [UInt64] = []
                VectorBlocks.$testBlock.withValue(3) {
                    var factors = AndersonFactors(length: n, capacity: memory)
                    var (dF, dX) = ([[Double]](), [[Double]]())
                    for step in 0..<25 {
                        let a = Self.column(step, previous: dF, length: n, rng: &local)
                        dF.append(a)
                        dX.append(a)
                        let dropped = dF.count > memory
                        if dropped { dF.removeFirst(); dX.removeFirst() }
                        factors.follow(appended: a, droppedOldest: dropped, execution: execution)
                        let f = TestGames.randomVector(n, scale: 1, rng: &local)
                        bits += factors.leastSquares(&dF, &dX, f, execution: execution).map(\.bitPattern)
                        bits += factors.r.flatMap { $0 }.map(\.bitPattern)
                    }
                }
                runs.append(bits)
            }
            #expect(runs[0] == runs[1], "trial \(trial)")
        }
    }
}
