import Ambiguity
@testable import MeanField
import Testing
import TestSupport

/// The frozen system's BiCGSTAB computes its norms and inner products inside the vector
/// updates they follow (``FrozenSystem/solve(from:residualTarget:)``). It must return what the
/// textbook loop with one pass per operation returns, bit for bit: every inner product summed by
/// blocks of the system's block length (each block in index order, the blocks' sums added in
/// order from `+0`, a single block taken as is), every norm a running maximum from `0`.
@Suite struct BiCGSTABReferenceTests {
    /// `Σ a_i b_i` by blocks, as ``VectorBlocks/sum(count:block:mode:_:)`` defines it.
    static func dot(_ a: [Double], _ b: [Double], block: Int) -> Double {
        func term(_ range: Range<Int>) -> Double {
            var s = 0.0
            for i in range { s += a[i] * b[i] }
            return s
        }
        let n = a.count
        guard n > block else { return term(0..<n) }
        var total = 0.0
        for lo in stride(from: 0, to: n, by: block) { total += term(lo..<min(n, lo + block)) }
        return total
    }

    /// `max_i |a_i|` (the order does not matter for a maximum of finite numbers).
    static func supNorm(_ a: [Double]) -> Double { a.reduce(0.0) { max($0, abs($1)) } }

    /// `c − (I − γP)x` with the system's own product.
    static func residual(_ system: FrozenSystem, _ x: [Double]) -> [Double] {
        zip(system.rewards, LPSplitTests.product(system, x)).map { $0 - $1 }
    }

    /// BiCGSTAB with one pass per vector operation, then Gauss–Seidel from the best iterate.
    static func reference(_ system: FrozenSystem, from start: [Double], residualTarget: Double, errorTarget: Double) -> [Double] {
        let n = start.count, block = system.block
        var x = start, r = residual(system, start)
        var bestNorm = supNorm(r)
        if bestNorm <= residualTarget { return start }
        var best = x
        let rHat = r
        var p = [Double](repeating: 0, count: n), v = p
        var (rho, alpha, omega) = (1.0, 1.0, 1.0)
        for _ in 0..<200 {
            let rhoNew = dot(rHat, r, block: block)
            guard rhoNew.isFinite, abs(rhoNew) > 1e-300 else { break }
            let beta = (rhoNew / rho) * (alpha / omega)
            for i in 0..<n { p[i] = r[i] + beta * (p[i] - omega * v[i]) }
            v = LPSplitTests.product(system, p)
            let denominator = dot(rHat, v, block: block)
            guard denominator.isFinite, abs(denominator) > 1e-300 else { break }
            alpha = rhoNew / denominator
            let s = (0..<n).map { r[$0] - alpha * v[$0] }
            if supNorm(s) <= residualTarget { return (0..<n).map { x[$0] + alpha * p[$0] } }
            let t = LPSplitTests.product(system, s)
            let tt = dot(t, t, block: block)
            guard tt.isFinite, tt > 0 else { break }
            omega = dot(t, s, block: block) / tt
            guard omega.isFinite, omega != 0 else { break }
            for i in 0..<n {
                x[i] += alpha * p[i] + omega * s[i]
                r[i] = s[i] - omega * t[i]
            }
            rho = rhoNew
            let norm = supNorm(r)
            if norm < bestNorm { (bestNorm, best) = (norm, x) }
            if norm <= residualTarget, supNorm(residual(system, x)) <= residualTarget { return x }
        }
        return system.gaussSeidel(from: best, errorTarget: errorTarget)
    }

    /// ``VectorBlocks/reducePair(count:block:mode:_:pair:combine:_:)`` on one thread (two blocks
    /// side by side) gives each block's sum and maximum as the block-by-block pass does, bit for
    /// bit: sizes with one block, whole pairs, an odd block and a short last block; sums of terms
    /// of mixed signs and magnitudes, maxima with NaN terms skipped.
    @Test func pairedBlocksEqualOneBlockAtATime() {
        var rng = SplitMix64(seed: 1_818)
        let scales = [1e-4, 1e-3, 1e-2, 0.1, 1, 10, 100, 1e3, 1e4]
        for (count, block) in [(5, 7), (7, 7), (14, 7), (20, 7), (21, 7), (35, 7), (1_000, 64), (1_024, 64), (3_000, 1_024)] {
            let a = (0..<count).map { i in i % 97 == 5 ? Double.nan : (rng.unit() - 0.3) * scales[i % scales.count] }
            let b = (0..<count).map { _ in rng.unit() * 2 - 1 }
            func term(_ range: Range<Int>) -> (Double, Double) {
                var (m, d) = (0.0, 0.0)
                for i in range {
                    m = max(m, abs(a[i]))
                    if !a[i].isNaN { d += a[i] * b[i] }
                }
                return (m, d)
            }
            var pairs = 0
            let paired = VectorBlocks.reducePair(count: count, block: block, mode: .serial, term, pair: { x, y in
                pairs += 1
                #expect(x.count == block && y.count == block && y.lowerBound == x.upperBound)
                return (term(x), term(y))
            }, combine: .max, .sum)
            let plain = VectorBlocks.reducePair(count: count, block: block, mode: .serial, term, combine: .max, .sum)
            #expect(paired.0.bitPattern == plain.0.bitPattern && paired.1.bitPattern == plain.1.bitPattern, "\(count)/\(block)")
            #expect(pairs == (count >= block ? count / block / 2 : 0), "\(count)/\(block)")
            // The plain pass against a hand-written one: the blocks' maxima and sums in order.
            var (m, d) = (0.0, 0.0)
            for lo in stride(from: 0, to: count, by: block) {
                let (bm, bd) = term(lo..<min(count, lo + block))
                (m, d) = (max(m, bm), count <= block ? bd : d + bd)
            }
            #expect(plain.0 == m && plain.1.bitPattern == d.bitPattern, "\(count)/\(block)")
        }
    }

    /// The products' weights built by blocks of 16 states in parallel (a frozen system's mode) are
    /// the one-thread weights bit for bit.
    @Test func weightsInParallelEqualSerial() throws {
        let n = 200, m = 4
        let game = try TestGames.garnet(n: n, m: m, k: 5, set: .totalVariation(), radius: 0.15, seed: 1_650)
        let snap = try game.snapshot(at: [Double](repeating: 1 / Double(n), count: n))
        let sweep = try snap.sweep(values: (0..<n).map { Double($0 % 7) / 3 }, wantKernels: true, execution: .serial)
        let kernels = try #require(sweep.kernels)
        let policy = BestResponse.unchecked(qValues: sweep.q, stateCount: n, actionCount: m, temperature: 0.3).probabilities
        let serial = WeightedRows(policy: policy, kernels: kernels, stateCount: n, actionCount: m)
        let parallel = VectorBlocks.$testBlock.withValue(16) {
            WeightedRows(policy: policy, kernels: kernels, stateCount: n, actionCount: m, mode: .parallel)
        }
        #expect(parallel.stateStart == serial.stateStart && parallel.columns == serial.columns)
        #expect(parallel.weights.map(\.bitPattern) == serial.weights.map(\.bitPattern))
        #expect(serial.weights.count > 3 * n)
    }

    /// Garnet systems (softmax and pure policies) from zero and from a random start, to an error
    /// target and to a residual target, one block and blocks of 7 and 64 (serial and parallel).
    @Test(arguments: 0..<3)
    func fusedLoopEqualsOnePassPerOperation(variant: Int) throws {
        let n = 150 + 40 * variant, m = 4
        let game = try TestGames.garnet(n: n, m: m, k: 3 + variant, set: .totalVariation(), radius: 0.15,
                                        discount: 0.9 + 0.03 * Double(variant), seed: UInt64(1_600 + variant))
        let snap = try game.snapshot(at: [Double](repeating: 1 / Double(n), count: n))
        var rng = SplitMix64(seed: UInt64(1_700 + variant))
        let v = (0..<n).map { _ in rng.unit() * 3 }
        let sweep = try snap.sweep(values: v, wantKernels: true, execution: .serial)
        let kernels = try #require(sweep.kernels)
        let policy = BestResponse.unchecked(qValues: sweep.q, stateCount: n, actionCount: m, temperature: variant == 1 ? 0 : 0.3)
            .probabilities
        let c = (0..<n).map { _ in rng.unit() - 0.5 }
        let starts = [[Double](repeating: 0, count: n), (0..<n).map { _ in rng.unit() * 4 - 2 }]
        // Vector operations on one thread (blocks of 7: pairs of blocks side by side and a short
        // last block; blocks of 64 beside parallel products) and in parallel (blocks of 64).
        let configurations: [(ExecutionMode, Int, Int)] = [
            (.serial, VectorBlocks.block, FrozenSystem.vectorParallelStates), (.serial, 7, FrozenSystem.vectorParallelStates),
            (.parallel, 64, Int.max), (.parallel, 64, 0),
        ]
        for (mode, block, vectorStates) in configurations {
            let system = FrozenSystem(policy: policy, kernels: kernels, stateCount: n, actionCount: m, gamma: snap.discount,
                                      rewards: c, execution: mode, block: block, vectorParallelStates: vectorStates)
            #expect(system.vectorMode == (mode == .parallel && vectorStates == 0 ? .parallel : .serial))
            for (k, start) in starts.enumerated() {
                let label = "variant \(variant), block \(block), vector states \(vectorStates), start \(k)"
                let gamma = snap.discount
                let byError = system.solve(from: start, errorTarget: 1e-12)
                let expectedByError = Self.reference(system, from: start, residualTarget: 1e-12 * (1 - gamma), errorTarget: 1e-12)
                #expect(byError.map(\.bitPattern) == expectedByError.map(\.bitPattern), "\(label)")
                let byResidual = system.solve(from: start, residualTarget: 1e-7)
                let expectedByResidual = Self.reference(system, from: start, residualTarget: 1e-7, errorTarget: 1e-7 / (1 - gamma))
                #expect(byResidual.map(\.bitPattern) == expectedByResidual.map(\.bitPattern), "\(label)")
                // And the answer solves the system: its true residual meets the target (up to the
                // recurrence's drift when BiCGSTAB stops on `s`).
                #expect(Self.supNorm(Self.residual(system, byResidual)) <= 1e-7 * (1 + 1e-3) + 1e-12, "\(label)")
            }
        }
    }
}
