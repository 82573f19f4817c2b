import Ambiguity
import Experiments
import MeanField
import Testing
import TestSupport

/// Three states on a line, two actions (drift left, drift right) with noisy,
/// fully supported rows; reward for the right end minus a crowd cost.
func lineGame(kernelDependsOnMeanField: Bool = false) throws -> MeanFieldGame {
    let n = 3
    return try MeanFieldGame(
        stateCount: n, actionCount: 2, discount: 0.8,
        reward: { s, a, mu in Double(s) * 0.5 - 1.5 * mu[s] - 0.1 * Double(a) },
        kernel: { s, a, mu in
            let target = a == 0 ? max(s - 1, 0) : min(s + 1, n - 1)
            let slip = kernelDependsOnMeanField ? 0.1 + 0.2 * mu[target] : 0.2
            var p = [Double](repeating: slip / Double(n), count: n)
            p[target] += 1 - slip
            return SparseDistribution(dense: p)
        }, kernelDependsOnMeanField: kernelDependsOnMeanField)
}

let options = EquilibriumOptions(temperature: 0.3, tolerance: 1e-11)

func allSets(n: Int) throws -> [AmbiguitySet] {
    try [AmbiguitySet(kind: .tv), AmbiguitySet(kind: .l1), AmbiguitySet(kind: .linf),
         AmbiguitySet(kind: .wasserstein, cost: SweepSettings.defaultGroundCost(stateCount: n)),
         AmbiguitySet(kind: .kl), AmbiguitySet(kind: .chi2)]
}

@Suite("Experiments: robustness sweeps")
struct ExperimentsTests {
    @Test func radiusZeroGivesTheNominalEquilibrium() throws {
        let game = try lineGame()
        let settings = try SweepSettings(sets: allSets(n: 3), radii: [0], testRadius: 0.1, samples: 2, seed: 7)
        let sweep = Sweep(game: game, options: options, settings: settings)
        let baseline = try sweep.nominalBaseline()
        #expect(baseline.equilibrium.converged)
        for set in settings.sets {
            let robust = try game.with(ambiguity: set, radius: { _, _, _ in 0 }, radiusDependsOnMeanField: false)
            let eq = try robust.solveEquilibrium(options: options)
            #expect(eq.converged)
            #expect(maxAbsDifference(eq.meanField, baseline.equilibrium.meanField) <= 1e-9, "\(set.kind)")
        }
        for record in try sweep.run(baseline: baseline) {
            #expect(abs(record.price) <= 1e-8, "\(record.set): price \(record.price)")
            #expect(abs(record.protection) <= 1e-8, "\(record.set): protection \(record.protection)")
            #expect(abs(record.protectionMean) <= 1e-8)
            #expect(isApproximatelyEqual(record.nominalValue, record.nominalBaseline, absolute: 1e-8, relative: 1e-8))
        }
    }

    @Test func worstCaseIsNonIncreasingInTheTestRadiusAndBelowRandomKernels() throws {
        let game = try lineGame()
        let eq = try game.solveEquilibrium(options: options)
        let radii = [0, 0.01, 0.05, 0.1, 0.2, 0.5, 1]
        for set in try allSets(n: 3) {
            let values = try radii.map { r in
                try Evaluation.worstCaseValue(of: eq.policy, in: game, set: set, radius: r, at: eq.meanField,
                                              temperature: options.temperature)
            }
            for k in 1..<values.count {
                #expect(values[k] <= values[k - 1] + 1e-10, "\(set.kind): \(values)")
            }
            #expect(values.last! < values.first! - 1e-3, "\(set.kind) never bites: \(values)")
            // Every kernel inside the set does at least as well as the worst case.
            let sampler = try KernelSampler(set: set, radius: 0.2)
            var rng = SplitMix64(seed: 3, stream: 0)
            let rows = try game.snapshot(at: eq.meanField).kernels
            for _ in 0..<5 {
                let k = sampler.sample(kernels: rows, stateCount: 3, using: &rng)
                let v = try Evaluation.kernelValue(of: eq.policy, in: game, kernels: k, at: eq.meanField,
                                                   temperature: options.temperature)
                #expect(v >= values[4] - 1e-10, "\(set.kind): \(v) < worst case \(values[4])")
            }
        }
    }

    @Test func robustPolicyProtectsAtItsOwnRadius() throws {
        let game = try lineGame()
        for rho in [0.05, 0.2] {
            let settings = try SweepSettings(sets: allSets(n: 3), radii: [rho], testRadius: rho, samples: 4, seed: 1)
            let sweep = Sweep(game: game, options: options, settings: settings)
            let records = try sweep.run(baseline: sweep.nominalBaseline())
            for r in records {
                #expect(r.converged)
                #expect(r.worstCase >= r.worstCaseNominalPolicy - 1e-9, "\(r.set) ρ=\(rho): \(r.worstCase) < \(r.worstCaseNominalPolicy)")
                // At its own radius the worst case is the equilibrium's own value.
                #expect(isApproximatelyEqual(r.worstCase, r.equilibriumValue, absolute: 1e-8, relative: 1e-8))
            }
            #expect(records.contains { $0.protection > 1e-6 }, "robustness buys nothing anywhere at ρ=\(rho)")
        }
    }

    @Test func shardsMergeToTheUnshardedResult() throws {
        let game = try lineGame(kernelDependsOnMeanField: true)
        let settings = try SweepSettings(sets: [AmbiguitySet(kind: .tv), AmbiguitySet(kind: .kl)], radii: [0, 0.1, 0.3],
                                         testRadius: 0.2, samples: 3, seed: 11)
        let sweep = Sweep(game: game, options: options, settings: settings)
        let baseline = try sweep.nominalBaseline()
        let full = SweepCSV.render(try sweep.run(baseline: baseline))
        let parts = try (0..<4).map { i in
            try SweepCSV.parse(SweepCSV.render(sweep.run(shard: Shard(index: i, count: 4), baseline: baseline)))
        }
        #expect(parts.map(\.count) == [2, 2, 1, 1])
        #expect(SweepCSV.render(try SweepCSV.merge(parts, cellCount: settings.cellCount)) == full)
        #expect(throws: ExperimentError.self) { try SweepCSV.merge(Array(parts.dropLast()), cellCount: settings.cellCount) }
        #expect(throws: ExperimentError.self) { try SweepCSV.merge(parts + [parts[0]], cellCount: settings.cellCount) }
        // The CSV round-trips every figure exactly.
        #expect(try SweepCSV.parse(full) == sweep.run(baseline: baseline))
    }

    @Test func nominalPerformanceFindsTheOwnStationaryMeanField() throws {
        let game = try lineGame(kernelDependsOnMeanField: true)
        let policy = Policy.uniform(stateCount: 3, actionCount: 2)
        let perf = try Evaluation.nominalPerformance(of: policy, in: game, from: [1, 0, 0], temperature: 0.3)
        #expect(perf.residual <= 1e-10)
        let nominal = try game.with(ambiguity: .nominalOnly, radius: { _, _, _ in 0 }, radiusDependsOnMeanField: false)
        let phi = try nominal.populationUpdate(meanField: perf.meanField, policy: policy, temperature: 0.3, population: .nominal)
        #expect(maxAbsDifference(phi, perf.meanField) <= 1e-10)
    }

    @Test func seedsMakeRandomKernelsReproducible() throws {
        let game = try lineGame()
        func record(seed: UInt64) throws -> SweepRecord {
            let settings = try SweepSettings(sets: [AmbiguitySet(kind: .chi2)], radii: [0.1], testRadius: 0.3, samples: 5, seed: seed)
            let sweep = Sweep(game: game, options: options, settings: settings)
            return try sweep.run(cell: 0, baseline: sweep.nominalBaseline())
        }
        let a = try record(seed: 42), b = try record(seed: 42), c = try record(seed: 43)
        #expect(a == b)
        #expect(a.randomMean != c.randomMean)
        #expect(a.worstCase == c.worstCase)
        var g1 = SplitMix64(seed: 5, stream: 2), g2 = SplitMix64(seed: 5, stream: 2), g3 = SplitMix64(seed: 5, stream: 3)
        let x = (0..<4).map { _ in g1.next() }
        #expect(x == (0..<4).map { _ in g2.next() })
        #expect(x != (0..<4).map { _ in g3.next() })
    }

    @Test func everyRandomKernelLiesInsideItsSet() throws {
        let n = 5
        var costRows: [[Double]] = []
        for s in 0..<n {
            var row: [Double] = []
            for t in 0..<n { row.append(s == t ? 0 : Double((s * 7 + t * 3) % 5 + 1) / 4) }
            costRows.append(row)
        }
        let nonMetric = try GroundCost(costRows)
        let sets = try allSets(n: n) + [
            AmbiguitySet(kind: .l1, weights: [1, 2, 0.5, 3, 1]),
            AmbiguitySet(kind: .tv, support: .nominal),
            AmbiguitySet(kind: .wasserstein, cost: nonMetric),
            AmbiguitySet(kind: .wasserstein, support: .nominal, cost: nonMetric),
        ]
        var rng = SplitMix64(seed: 99, stream: 0)
        let nominals: [[Double]] = [[0.2, 0.2, 0.2, 0.2, 0.2], [0.7, 0.3, 0, 0, 0], [0, 0, 1, 0, 0], [0.05, 0.5, 0, 0.05, 0.4]]
        for set in sets {
            for radius in [0, 0.01, 0.1, 0.5, 2] {
                let sampler = try KernelSampler(set: set, radius: radius)
                var moved = 0
                for p in nominals {
                    for _ in 0..<25 {
                        let q = sampler.sample(nominal: p, using: &rng)
                        #expect(q.allSatisfy { $0 >= 0 })
                        #expect(abs(q.reduce(0, +) - 1) <= 1e-12)
                        let d: Double = sampler.distance(q, from: p) ?? .infinity
                        let bound: Double = radius * (1 + 1e-9) + 1e-12
                        #expect(d <= bound, "\(set.kind) \(set.support) ρ=\(radius): D = \(d)")
                        let restricted: Bool = set.kind == AmbiguityKind.kl || set.kind == AmbiguityKind.chi2
                            || set.support == SupportRestriction.nominal
                        if restricted {
                            let offSupport = zip(q, p).contains { pair in pair.1 == 0 && pair.0 > 0 }
                            #expect(!offSupport)
                        }
                        if maxAbsDifference(q, p) > 1e-6 { moved += 1 }
                    }
                }
                if radius == 0 {
                    #expect(moved == 0)
                } else {
                    #expect(moved > 50, "\(set.kind) ρ=\(radius): only \(moved) rows moved")
                }
            }
        }
    }

    @Test func transportCostMatchesTheLineFormula() throws {
        // With c(s, t) = |s − t| on a line, W1 = Σ_k |F_p(k) − F_q(k)|.
        let n = 6
        let cost = try GroundCost((0..<n).map { s in (0..<n).map { t in Double(abs(s - t)) } })
        var rng = SplitMix64(seed: 4, stream: 0)
        for _ in 0..<20 {
            func draw() -> [Double] {
                let e = (0..<n).map { _ in rng.unit() < 0.3 ? 0 : rng.unit() }
                let s = e.reduce(0, +)
                return s > 0 ? e.map { $0 / s } : [Double](repeating: 1 / Double(n), count: n)
            }
            let p = draw(), q = draw()
            var fp = 0.0, fq = 0.0, expected = 0.0
            for k in 0..<(n - 1) { fp += p[k]; fq += q[k]; expected += abs(fp - fq) }
            let w = try #require(Transport.minimumCost(from: p, to: q, cost: cost))
            #expect(abs(w - expected) <= 1e-12, "\(w) vs \(expected)")
        }
    }

    @Test func settingsAndShardsAreValidated() throws {
        let tv = AmbiguitySet.totalVariation()
        #expect(throws: ExperimentError.self) { try SweepSettings(sets: [], radii: [0], testRadius: 0, samples: 1, seed: 0) }
        #expect(throws: ExperimentError.self) { try SweepSettings(sets: [tv, tv], radii: [0], testRadius: 0, samples: 1, seed: 0) }
        #expect(throws: ExperimentError.self) { try SweepSettings(sets: [tv], radii: [0.1, 0.1], testRadius: 0, samples: 1, seed: 0) }
        #expect(throws: ExperimentError.self) { try SweepSettings(sets: [tv], radii: [-1], testRadius: 0, samples: 1, seed: 0) }
        #expect(throws: ExperimentError.self) { try SweepSettings(sets: [tv], radii: [0], testRadius: .nan, samples: 1, seed: 0) }
        #expect(throws: ExperimentError.self) { try SweepSettings(sets: [tv], radii: [0], testRadius: 0, samples: 0, seed: 0) }
        for bad in ["4/4", "-1/2", "1", "a/b", "0/0"] {
            #expect(throws: ExperimentError.self) { try Shard(parsing: bad) }
        }
        let shard = try Shard(parsing: "1/3")
        #expect(shard.cells(of: 8) == [1, 4, 7])
        #expect(Statistics.quantile([4, 1, 3, 2], 0.5) == 2.5)
        #expect(Statistics.quantile([5, 1, 2, 3, 4], 0.05) == 1.2)
    }
}
