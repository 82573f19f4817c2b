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
                // Again without kernels: the basis of the sweep above is reused where it stays optimal.
                let again = try serial.sweep(snapshot: snap, values: v, wantKernels: false)
                let closed = try snap.robustQ(values: v, execution: .serial)
                let scale = v.map(abs).max() ?? 0
                for i in 0..<(n * 2) {
                    let tol = 1e-12 * (1 + scale)
                    #expect(abs(warm.sigma[i] - cold.sigma[i]) <= tol, "\(set.kind) ρ=\(radius) trial \(trial) row \(i)")
                    #expect(abs(again.sigma[i] - cold.sigma[i]) <= tol, "\(set.kind) ρ=\(radius) trial \(trial) row \(i) (reused)")
                    let sigmaClosed = (closed[i] - snap.rewards[i]) / snap.discount
                    #expect(abs(warm.sigma[i] - sigmaClosed) <= 1e-9 * (1 + scale) + 1e-12 * abs(snap.rewards[i]),
                            "\(set.kind) ρ=\(radius) trial \(trial) row \(i): \(warm.sigma[i]) vs \(sigmaClosed)")
                    #expect(warm.sigma[i].bitPattern == warm2.sigma[i].bitPattern)
                }
                #expect(warm.kernels?.rows == warm2.kernels?.rows)
                if set.kind != .wasserstein, set.weights == nil {
                    // The reported q is the closed form's, ties in V included (wasserstein
                    // and non-uniform l1 weights also tie between moves, not only states).
                    let rows = try #require(try snap.sweep(values: v, wantKernels: true, execution: .serial).kernels).rows
                    let lpRows = try #require(warm.kernels).rows
                    for i in 0..<(n * 2) {
                        let a = rows[i].dense(count: n), b = lpRows[i].dense(count: n)
                        #expect(zip(a, b).allSatisfy { abs($0 - $1) <= 1e-9 }, "\(set.kind) ρ=\(radius) trial \(trial) row \(i): \(a) vs \(b) V=\(v) p=\(snap.kernels[i])")
                    }
                }
            }
            let fixed = radius == 0 || set.kind == .none
            #expect(serial.statistics.builds == n * 2)
            #expect(serial.statistics.warmSolves == (fixed ? 0 : 23 * n * 2))
            #expect(fixed || serial.statistics.reusedBases >= 12 * n * 2 / 2, "\(set.kind) ρ=\(radius): \(serial.statistics)")
        }
    }

    /// The partition into whole states: 1, 2, 3 and 4 workers (7 states of 3 actions,
    /// so the ranges differ in size) give bit-identical `σ`, `Q`, worst cases and the
    /// workers' `V(s)` over a sequence of warm sweeps, and those equal what the calling
    /// thread computes from `σ` (`r + γσ`, then the soft maximum or the policy value of
    /// ``GameSnapshot``), bit for bit.
    @Test func partitionsOfWholeStatesGiveIdenticalSweeps() throws {
        let n = 7, m = 3
        var rng = SplitMix64(seed: 2208)
        for set in [AmbiguitySet.totalVariation(), try AmbiguitySet(kind: .linf)] {
            let game = try TestGames.garnet(n: n, m: m, k: 4, set: set, radius: 0.15, seed: 77)
            let snap = try game.snapshot(at: [Double](repeating: 1.0 / Double(n), count: n))
            let engines = (1...4).map { LPRowEngine(rows: n * m, actionCount: m, workerCount: $0) }
            var policy = (0..<(n * m)).map { _ in rng.unit() + 0.01 }
            for s in 0..<n {
                let total = policy[(s * m)..<(s * m + m)].reduce(0, +)
                for a in 0..<m { policy[s * m + a] /= total }
            }
            for trial in 0..<10 {
                let v = Self.values(n, trial: trial, rng: &rng)
                let reduction: Reduction = trial % 2 == 0 ? .softMax(temperature: 0.3) : .policy(policy, temperature: 0.3)
                let sweeps = try engines.map { try $0.sweep(snapshot: snap, values: v, wantKernels: trial % 3 != 2, reduction: reduction) }
                let first = sweeps[0]
                let q = (0..<(n * m)).map { snap.rewards[$0] + snap.discount * first.sigma[$0] }
                let reduced = trial % 2 == 0
                    ? GameSnapshot.stateValues(q: q, stateCount: n, actionCount: m, temperature: 0.3)
                    : GameSnapshot.policyValues(q: q, policy: policy, stateCount: n, actionCount: m, temperature: 0.3)
                #expect(first.q.map(\.bitPattern) == q.map(\.bitPattern), "\(set.kind) trial \(trial)")
                #expect(try #require(first.stateValues).map(\.bitPattern) == reduced.map(\.bitPattern), "\(set.kind) trial \(trial)")
                for other in sweeps.dropFirst() {
                    #expect(other.sigma.map(\.bitPattern) == first.sigma.map(\.bitPattern), "\(set.kind) trial \(trial)")
                    #expect(other.q.map(\.bitPattern) == first.q.map(\.bitPattern))
                    #expect(other.stateValues?.map(\.bitPattern) == first.stateValues?.map(\.bitPattern))
                    #expect(other.kernels?.rows == first.kernels?.rows)
                }
            }
            #expect(Set(engines.map(\.statistics)).count == 1, "\(set.kind): \(engines.map(\.statistics))")
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
        #expect(stats.reusedBases > stats.warmSolves / 2)
        let closed = try game.solveEquilibrium(options: .init(temperature: 0.3))
        #expect(closed.lpStatistics == nil)
        #expect(isApproximatelyEqual(result.meanField, closed.meanField, absolute: 1e-9, relative: 1e-9))
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
        #expect(isApproximatelyEqual(result.meanField, closed.meanField, absolute: 1e-8, relative: 1e-8))
        #expect(try #require(result.lpStatistics).builds > n * 2)
    }
}

/// Games whose rows use general polyhedral sets (no closed form), solved by the LP path.
@Suite struct RowSetGameTests {
    /// The L∞ box of radius ρ written as 2n linear constraints per row gives the `linf`
    /// game's equilibrium (closed form); a moment set with a huge radius (the whole
    /// simplex) gives the `tv` game of radius 1 (also the whole simplex).
    @Test func reducesToTheBalls() throws {
        let n = 7, radius = 0.05
        let linf = try TestGames.garnet(n: n, m: 2, k: 3, set: AmbiguitySet(kind: .linf), radius: radius, seed: 31)
        let box = try TestGames.garnet(n: n, m: 2, k: 3, set: .nominalOnly, radius: 0, seed: 31).withRowSets { _, _, _, p throws(AmbiguityError) in
            var cons: [LinearConstraint] = []
            for t in 0..<p.count {
                let e = (0..<p.count).map { $0 == t ? 1.0 : 0 }
                cons.append(LinearConstraint(coefficients: e, relation: .lessEqual, bound: p[t] + radius))
                cons.append(LinearConstraint(coefficients: e, relation: .greaterEqual, bound: p[t] - radius))
            }
            return try PolyhedralSet(constraints: cons)
        }
        let a = try linf.solveEquilibrium(options: .init(temperature: 0.3))
        let b = try box.solveEquilibrium(options: .init(temperature: 0.3, verify: true))
        #expect(a.converged && b.converged)
        #expect(isApproximatelyEqual(a.meanField, b.meanField, absolute: 1e-8, relative: 1e-8))
        #expect(abs(a.exploitability - b.exploitability) <= 1e-9)
        let report = try #require(b.verification)
        #expect(report.problems == 2 * n * 2 && report.maxDisagreement <= 1e-9)
        #expect(try #require(b.lpStatistics).warmSolves > 0)

        let whole = try TestGames.garnet(n: n, m: 2, k: 3, set: .totalVariation(), radius: 1, seed: 32)
        let moment = try TestGames.garnet(n: n, m: 2, k: 3, set: .nominalOnly, radius: 0, seed: 32).withRowSets { _, _, _, p throws(AmbiguityError) in
            try PolyhedralSet.moment(features: [(0..<p.count).map(Double.init)], radii: [1e6], nominal: p)
        }
        let c = try whole.solveEquilibrium(options: .init(temperature: 0.3))
        let d = try moment.solveEquilibrium(options: .init(temperature: 0.3))
        #expect(isApproximatelyEqual(c.meanField, d.meanField, absolute: 1e-8, relative: 1e-8))
    }

    /// A set that excludes the nominal row is an error naming the row.
    @Test func nominalOutsideTheSetNamesTheRow() throws {
        let game = try TestGames.garnet(n: 4, m: 2, k: 2, set: .nominalOnly, radius: 0, seed: 3)
        #expect(throws: MeanFieldError.self) {
            _ = try game.withRowSets { s, _, _, p throws(AmbiguityError) in
                try PolyhedralSet(constraints: [LinearConstraint(name: "low", coefficients: [1, 0, 0, 0], relation: .lessEqual,
                                                                 bound: s == 2 ? -1 : 1)])
            }
        }
        do {
            _ = try game.withRowSets { s, _, _, _ throws(AmbiguityError) in
                try PolyhedralSet(constraints: [LinearConstraint(name: "low", coefficients: [1, 0, 0, 0], relation: .lessEqual,
                                                                 bound: s == 2 ? -1 : 1)])
            }
        } catch {
            #expect("\(error)".contains("s=2"), "\(error)")
            #expect("\(error)".contains("low"), "\(error)")
        }
    }
}
