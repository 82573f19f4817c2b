import Ambiguity
@testable import MeanField
import Testing
import TestSupport

/// The fast LP inner path: live GLPK problems per row, warm-started across sweeps.
@Suite struct LPRowEngineTests {
    /// Values with ties, zeros and extreme magnitudes, or plain random ones.
    static func values(_ n: Int, trial: Int, rng: inout SplitMix64) -> [Double] {
        var v = TestGames.randomVector(n, scale: 10, rng: &rng)
        switch trial % 5 {
        case 1: for t in v.indices { v[t] = (v[t] / 3).rounded() }  // many ties
        case 2: for t in v.indices where t % 2 == 0 { v[t] = 0 }
        case 3: v = v.map { $0 * 1e200 }
        case 4: v = v.map { $0 * 1e-200 }
        default: break
        }
        return v
    }

    /// Warm-started re-solves give the σ of a cold solve (a fresh engine per sweep) and of
    /// the closed form, to 1e-12 (absolute and relative parts), for every polyhedral set, on
    /// many random games and value vectors; serial and two workers agree bit for bit.
    @Test func warmResolvesEqualColdSolves() throws {
        var rng = SplitMix64(seed: 2207)
        let n = 9
        let sets = try BellmanTests.sets(n).filter { $0.0.kind.isPolyhedral } + [(.totalVariation(), 0), (.totalVariation(), 50)]
        for (k, (set, radius)) in sets.enumerated() {
            let game = try TestGames.garnet(n: n, m: 2, k: 4, set: set, radius: radius, seed: UInt64(300 + k))
            let snap = try game.snapshot(at: [Double](repeating: 1.0 / Double(n), count: n))
            let serial = LPRowEngine(rows: n * 2, workerCount: 1)
            let parallel = LPRowEngine(rows: n * 2, workerCount: 2)
            for trial in 0..<12 {
                let v = Self.values(n, trial: trial, rng: &rng)
                let warm = try serial.sweep(snapshot: snap, values: v, wantKernels: true)
                let warm2 = try parallel.sweep(snapshot: snap, values: v, wantKernels: true)
                let cold = try LPRowEngine(rows: n * 2, workerCount: 1).sweep(snapshot: snap, values: v, wantKernels: false)
                let closed = try snap.robustQ(values: v, execution: .serial)
                let scale = v.map(abs).max() ?? 0
                for i in 0..<(n * 2) {
                    let tol = 1e-12 * (1 + scale)
                    #expect(abs(warm.sigma[i] - cold.sigma[i]) <= tol, "\(set.kind) ρ=\(radius) trial \(trial) row \(i)")
                    let sigmaClosed = (closed[i] - snap.rewards[i]) / snap.discount
                    #expect(abs(warm.sigma[i] - sigmaClosed) <= 1e-9 * (1 + scale) + 1e-12 * abs(snap.rewards[i]),
                            "\(set.kind) ρ=\(radius) trial \(trial) row \(i): \(warm.sigma[i]) vs \(sigmaClosed)")
                    #expect(warm.sigma[i].bitPattern == warm2.sigma[i].bitPattern)
                }
                #expect(warm.kernels == warm2.kernels)
                if set.kind != .wasserstein, set.weights == nil {
                    // The reported q is the closed form's, ties in V included (wasserstein
                    // and non-uniform l1 weights also tie between moves, not only states).
                    let rows = try #require(try snap.sweep(values: v, wantKernels: true, execution: .serial).kernels).rows
                    let lpRows = try #require(warm.kernels)
                    for i in 0..<(n * 2) {
                        let a = rows[i].dense(count: n), b = lpRows[i].dense(count: n)
                        #expect(zip(a, b).allSatisfy { abs($0 - $1) <= 1e-9 }, "\(set.kind) ρ=\(radius) trial \(trial) row \(i): \(a) vs \(b) V=\(v) p=\(snap.kernels[i])")
                    }
                }
            }
            let fixed = radius == 0 || set.kind == .none
            #expect(serial.statistics.builds == n * 2)
            #expect(serial.statistics.warmSolves == (fixed ? 0 : 11 * n * 2))
        }
    }

    /// Problems are rebuilt only when `p` or `ρ` changes with `μ`: a game whose kernel
    /// and radius do not depend on `μ` builds each row once over a whole equilibrium solve.
    @Test func problemsAreBuiltOncePerRowWhenNothingChangesWithMu() throws {
        let game = try TestGames.garnet(n: 10, m: 3, k: 4, set: .totalVariation(), radius: 0.2, seed: 5)
        let result = try game.solveEquilibrium(options: .init(temperature: 0.3, inner: .lp))
        let stats = try #require(result.lpStatistics)
        #expect(stats.builds == 30)
        #expect(stats.solves > 30 && stats.warmSolves == stats.solves - 30)
        let closed = try game.solveEquilibrium(options: .init(temperature: 0.3))
        #expect(closed.lpStatistics == nil)
        #expect(isClose(result.meanField, closed.meanField, rel: 1e-9))
    }

    /// A radius that depends on `μ` rebuilds the rows whose radius changed.
    @Test func radiusDependingOnMuRebuilds() throws {
        let n = 6
        let (rewards, kernels) = TestGames.randomTables(n: n, m: 2, k: 3, seed: 9)
        let game = try MeanFieldGame(
            stateCount: n, actionCount: 2, discount: 0.9, ambiguity: .totalVariation(),
            reward: { s, a, mu in rewards[s][a] - 0.5 * mu[s] },
            kernel: { s, a, _ in kernels[s][a] }, kernelDependsOnMeanField: false,
            radius: { s, _, mu in 0.05 + 0.2 * mu[s] }, radiusDependsOnMeanField: true)
        let result = try game.solveEquilibrium(options: .init(temperature: 0.4, inner: .lp))
        let closed = try game.solveEquilibrium(options: .init(temperature: 0.4))
        #expect(result.converged && closed.converged)
        #expect(isClose(result.meanField, closed.meanField, rel: 1e-8))
        #expect(try #require(result.lpStatistics).builds > n * 2)
    }
}
