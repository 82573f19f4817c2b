import Ambiguity
@testable import MeanField
import Testing
import TestSupport

/// The LP path's equilibria do not depend on the number of LP workers, and the flat
/// Anderson least squares gives the numbers of the nested-array code, bit for bit.
@Suite struct LPSerialParallelTests {
    /// Whole LP-path equilibria: serial (one LP worker) and parallel (one worker per core)
    /// agree bit for bit, with the soft best response and the greedy one.
    @Test func lpEquilibriaAreIdenticalSerialAndParallel() throws {
        let sets: [AmbiguitySet] = [.totalVariation(), try AmbiguitySet(kind: .linf)]
        for (k, set) in sets.enumerated() {
            for tau in [0.2, 0.0] {
                let game = try TestGames.garnet(n: 40, m: 3, k: 5, set: set, radius: 0.1, seed: UInt64(90 + k))
                var results: [EquilibriumResult] = []
                for execution in [ExecutionMode.serial, .parallel] {
                    var options = EquilibriumOptions(temperature: tau, maxIterations: 200, inner: .lp)
                    options.execution = execution
                    results.append(try game.solveEquilibrium(options: options))
                }
                let (a, b) = (results[0], results[1])
                let label = "\(set.kind) τ=\(tau)"
                #expect(a.iterations == b.iterations, "\(label)")
                #expect(a.meanField.map(\.bitPattern) == b.meanField.map(\.bitPattern), "\(label)")
                #expect(a.values.map(\.bitPattern) == b.values.map(\.bitPattern), "\(label)")
                #expect(a.optimalValues.map(\.bitPattern) == b.optimalValues.map(\.bitPattern), "\(label)")
                #expect(a.policy.probabilities.map(\.bitPattern) == b.policy.probabilities.map(\.bitPattern), "\(label)")
                #expect(a.exploitability.bitPattern == b.exploitability.bitPattern, "\(label)")
            }
        }
    }

    /// The flat least squares of Anderson's extrapolation against the nested-array code it
    /// replaced (``referenceLeastSquares``): the same coefficients and the same dropped
    /// columns, bit for bit, on random histories with dependent and tiny columns.
    @Test func flatLeastSquaresEqualsNestedArrays() {
        var rng = SplitMix64(seed: 2213)
        for trial in 0..<200 {
            let n = 1 + trial % 37, k = trial % 7
            var dF = (0..<k).map { _ in TestGames.randomVector(n, scale: trial % 5 == 0 ? 1e-6 : 1, rng: &rng) }
            if k >= 2, trial % 3 == 0 { dF[1] = dF[0].map { 2 * $0 } }  // dependent: dropped
            if k >= 1, trial % 11 == 0 { dF[k - 1] = [Double](repeating: 0, count: n) }
            var dX = (0..<k).map { _ in TestGames.randomVector(n, scale: 1, rng: &rng) }
            let f = TestGames.randomVector(n, scale: 1, rng: &rng)
            var dF2 = dF, dX2 = dX
            let flat = SolverRun.leastSquares(&dF, &dX, f)
            let nested = Self.referenceLeastSquares(&dF2, &dX2, f)
            #expect(flat.map(\.bitPattern) == nested.map(\.bitPattern), "trial \(trial)")
            #expect(dF == dF2 && dX == dX2, "trial \(trial)")
        }
    }

    /// The nested-array modified Gram–Schmidt least squares that `SolverRun.leastSquares`
    /// computed before it worked on one flat buffer (verbatim).
    static func referenceLeastSquares(_ dF: inout [[Double]], _ dX: inout [[Double]], _ f: [Double]) -> [Double] {
        while !dF.isEmpty {
            let k = dF.count
            var q = dF
            var r = [Double](repeating: 0, count: k * k)
            var ok = true
            var maxDiag = 0.0
            for j in 0..<k {
                for i in 0..<j {
                    var dot = 0.0
                    for t in q[j].indices { dot += q[i][t] * q[j][t] }
                    r[i * k + j] = dot
                    for t in q[j].indices { q[j][t] -= dot * q[i][t] }
                }
                var nrm = 0.0
                for t in q[j].indices { nrm += q[j][t] * q[j][t] }
                nrm = nrm.squareRoot()
                r[j * k + j] = nrm
                maxDiag = max(maxDiag, nrm)
                if !(nrm > 1e-10 * maxDiag) || !(nrm > 1e-300) {
                    ok = false
                    break
                }
                for t in q[j].indices { q[j][t] /= nrm }
            }
            if ok {
                var rhs = [Double](repeating: 0, count: k)
                for j in 0..<k {
                    var dot = 0.0
                    for t in f.indices { dot += q[j][t] * f[t] }
                    rhs[j] = dot
                }
                var g = [Double](repeating: 0, count: k)
                var j = k - 1
                while j >= 0 {
                    var s = rhs[j]
                    for i in (j + 1)..<max(j + 1, k) { s -= r[j * k + i] * g[i] }
                    g[j] = s / r[j * k + j]
                    j -= 1
                }
                if g.allSatisfy({ $0.isFinite }) { return g }
            }
            dF.removeFirst()
            dX.removeFirst()
        }
        return []
    }
}
