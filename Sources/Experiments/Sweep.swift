import Ambiguity
import Foundation
import Randomness
import MeanField

/// What a sweep varies and how it measures (Docs/Experiments.md).
public struct SweepSettings: Sendable, Hashable {
    /// The ambiguity sets, in cell order (distance, support, weights, ground cost).
    public let sets: [AmbiguitySet]
    /// The radii `ρ`, in cell order.
    public let radii: [Double]
    /// The mismatch radius `R` at which policies are tested.
    public let testRadius: Double
    /// `K`, the number of random kernels per cell.
    public let samples: Int
    /// The seed of the random kernels.
    public let seed: UInt64

    /// Validates and stores the settings.
    ///
    /// - Throws: ``ExperimentError/invalidSetting(field:message:)`` naming `sets` (empty or a
    ///   repeated kind), `radii` (empty, repeated, negative or not finite), `testRadius`
    ///   (negative or not finite) or `samples` (outside `1...100000`).
    public init(sets: [AmbiguitySet], radii: [Double], testRadius: Double, samples: Int, seed: UInt64) throws(ExperimentError) {
        guard !sets.isEmpty else { throw .invalidSetting(field: .sets, message: "empty, expected at least one set") }
        var seen: Set<AmbiguityKind> = []
        for s in sets where !seen.insert(s.kind).inserted {
            throw .invalidSetting(field: .sets, message: "'\(s.kind.rawValue)' appears twice")
        }
        guard !radii.isEmpty else { throw .invalidSetting(field: .radii, message: "empty, expected at least one radius") }
        for (k, r) in radii.enumerated() {
            guard r.isFinite, r >= 0 else { throw .invalidSetting(field: .radii, message: "entry \(k + 1) is \(r), expected a finite number >= 0") }
            if radii[..<k].contains(r) { throw .invalidSetting(field: .radii, message: "\(r) appears twice") }
        }
        guard testRadius.isFinite, testRadius >= 0 else {
            throw .invalidSetting(field: .testRadius, message: "\(testRadius), expected a finite number >= 0")
        }
        guard (1...100_000).contains(samples) else {
            throw .invalidSetting(field: .samples, message: "\(samples), expected 1 to 100000")
        }
        self.sets = sets
        self.radii = radii
        self.testRadius = testRadius
        self.samples = samples
        self.seed = seed
    }

    /// `sets.count × radii.count`.
    public var cellCount: Int { sets.count * radii.count }

    /// Cell `index` (set-major: `index = setIndex · radii.count + radiusIndex`).
    ///
    /// - Precondition: `0 ≤ index < cellCount`.
    public func cell(_ index: Int) -> SweepCell {
        SweepCell(index: index, set: sets[index / radii.count], radius: radii[index % radii.count])
    }

    /// The ground cost `c(s, t) = |s − t| / n` used for `wasserstein` when a game has none.
    ///
    /// - Throws: ``ExperimentError/invalidSetting(field:message:)`` (`states`) when `stateCount < 1`.
    public static func defaultGroundCost(stateCount n: Int) throws(ExperimentError) -> GroundCost {
        guard n >= 1 else { throw .invalidSetting(field: .states, message: "\(n), expected at least 1") }
        let rows = (0..<n).map { s in (0..<n).map { t in Double(abs(s - t)) / Double(n) } }
        do { return try GroundCost(rows) } catch { throw .invalidSetting(field: .cost, message: error.description) }
    }
}

/// One `(set, radius)` cell of a sweep.
public struct SweepCell: Sendable, Hashable {
    /// The cell's position in the fixed cell order.
    public let index: Int
    /// The ambiguity set.
    public let set: AmbiguitySet
    /// The radius `ρ` of the robust equilibrium.
    public let radius: Double
}

/// Shard `index` of `count`: the cells whose index is `≡ index (mod count)`.
public struct Shard: Sendable, Hashable, CustomStringConvertible {
    /// `0 ≤ index < count`.
    public let index: Int
    /// `count ≥ 1`.
    public let count: Int

    /// The single shard holding every cell.
    public static let all = Shard(uncheckedIndex: 0, count: 1)

    /// A shard.
    ///
    /// - Throws: ``ExperimentError/invalidSetting(field:message:)`` (`shard`) unless `0 ≤ index < count`.
    public init(index: Int, count: Int) throws(ExperimentError) {
        guard count >= 1, index >= 0, index < count else {
            throw .invalidSetting(field: .shard, message: "\(index)/\(count), expected i/n with n >= 1 and 0 <= i < n")
        }
        self.index = index
        self.count = count
    }

    /// Parses `i/n` (for example `3/8`, or a Slurm `$SLURM_ARRAY_TASK_ID/8`).
    ///
    /// - Throws: ``ExperimentError/invalidSetting(field:message:)`` (`shard`).
    public init(parsing text: String) throws(ExperimentError) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let i = Int(parts[0]), let n = Int(parts[1]) else {
            throw .invalidSetting(field: .shard, message: "'\(text)', expected i/n (for example 0/4)")
        }
        try self.init(index: i, count: n)
    }

    private init(uncheckedIndex: Int, count: Int) {
        index = uncheckedIndex
        self.count = count
    }

    /// Whether cell `cell` belongs to this shard.
    public func contains(_ cell: Int) -> Bool { cell % count == index }

    /// The cells of this shard among `cellCount`, ascending.
    public func cells(of cellCount: Int) -> [Int] { stride(from: index, to: cellCount, by: count).map { $0 } }

    /// `i/n`.
    public var description: String { "\(index)/\(count)" }
}

/// The nominal equilibrium every cell is compared with.
public struct NominalBaseline: Sendable {
    /// `(π₀, μ₀)`: the equilibrium of the game with set `none`.
    public let equilibrium: EquilibriumResult
    /// `J_nom(π₀)` at `π₀`'s own nominal stationary mean field (which is `μ₀` up to the tolerance).
    public let performance: NominalPerformance
}

/// A robustness sweep over `(set, radius)` cells of one game.
public struct Sweep: Sendable {
    /// The game (its own ambiguity set and radius are replaced cell by cell).
    public let game: MeanFieldGame
    /// The equilibrium solver's options (its `progress` hook is not used).
    public let options: EquilibriumOptions
    /// The sets, radii, test radius, samples and seed.
    public let settings: SweepSettings

    /// A sweep. Every `l1` set must carry `n` weights or none, every `wasserstein` set an `n × n` cost.
    public init(game: MeanFieldGame, options: EquilibriumOptions, settings: SweepSettings) {
        self.game = game
        var o = options
        o.progress = nil
        o.verify = false
        self.options = o
        self.settings = settings
    }

    /// Solves the nominal game (set `none`, same solver options) and evaluates `J_nom(π₀)`.
    ///
    /// - Throws: the game's and the solver's errors.
    public func nominalBaseline() throws(MeanFieldError) -> NominalBaseline {
        let nominal = try game.with(ambiguity: .nominalOnly, radius: { _, _, _ in 0 }, radiusDependsOnMeanField: false)
        let eq = try nominal.solveEquilibrium(options: options)
        let perf = try Evaluation.nominalPerformance(of: eq.policy, in: game, from: eq.meanField,
                                                     temperature: options.temperature, options: options.values)
        return NominalBaseline(equilibrium: eq, performance: perf)
    }

    /// Runs cell `index` (Docs/Experiments.md, "Definitions"): solves the robust
    /// equilibrium `(π_ρ, μ_ρ)`, evaluates `J_nom(π_ρ)`, the worst case at the test
    /// radius of `π_ρ` and `π₀` at `μ_ρ`, and both policies under the same `K` random
    /// kernels drawn inside the set at the test radius around `P̂(·|·,·,μ_ρ)`
    /// (stream `index` of the seed, so the result does not depend on the shard).
    ///
    /// - Parameters:
    ///   - index: the cell, `0 ≤ index < settings.cellCount`.
    ///   - baseline: the nominal equilibrium and its nominal performance (``nominalBaseline()``).
    /// - Precondition: `0 ≤ index < settings.cellCount`.
    /// - Throws: the game's and the solver's errors.
    public func run(cell index: Int, baseline: NominalBaseline) throws(MeanFieldError) -> SweepRecord {
        let cell = settings.cell(index)
        let tau = options.temperature
        let robustGame = try game.with(ambiguity: cell.set, radius: { [radius = cell.radius] _, _, _ in radius },
                                       radiusDependsOnMeanField: false)
        let eq = try robustGame.solveEquilibrium(options: options)
        let mu = eq.meanField
        let pi = eq.policy, pi0 = baseline.equilibrium.policy
        let perf = try Evaluation.nominalPerformance(of: pi, in: game, from: mu, temperature: tau, options: options.values)
        let R = settings.testRadius
        let worst = try Evaluation.worstCaseValue(of: pi, in: game, set: cell.set, radius: R, at: mu,
                                                  temperature: tau, options: options.values)
        let worst0 = try Evaluation.worstCaseValue(of: pi0, in: game, set: cell.set, radius: R, at: mu,
                                                   temperature: tau, options: options.values)
        let sampler: KernelSampler
        do { sampler = try KernelSampler(set: cell.set, radius: R) } catch {
            throw .invalidOption(field: .testRadius, message: error.description)
        }
        let nominalRows = try game.snapshot(at: mu).kernels
        var rng = SplitMix64(seed: settings.seed, stream: UInt64(index))
        var robustValues: [Double] = [], nominalValues: [Double] = []
        for _ in 0..<settings.samples {
            let kernels = sampler.sample(kernels: nominalRows, stateCount: game.stateCount, using: &rng)
            let fixed = try Evaluation.fixedKernelGame(game, kernels: kernels)
            robustValues.append(Evaluation.dot(mu, try Evaluation.solved(
                fixed.policyValues(policy: pi, meanField: mu, temperature: tau, options: options.values))))
            nominalValues.append(Evaluation.dot(mu, try Evaluation.solved(
                fixed.policyValues(policy: pi0, meanField: mu, temperature: tau, options: options.values))))
        }
        let differences = zip(robustValues, nominalValues).map { $0 - $1 }
        let mean = Statistics.mean(robustValues), mean0 = Statistics.mean(nominalValues)
        let p5 = Statistics.quantile(robustValues, 0.05), p50 = Statistics.quantile(nominalValues, 0.05)
        return SweepRecord(
            cell: index, set: cell.set.kind.rawValue, radius: cell.radius, testRadius: R,
            converged: eq.converged, iterations: eq.iterations, exploitability: eq.exploitability,
            stationarityResidual: eq.stationarityResidual,
            equilibriumValue: Evaluation.dot(mu, eq.values),
            nominalValue: perf.value, nominalBaseline: baseline.performance.value,
            price: baseline.performance.value - perf.value, nominalResidual: perf.residual,
            worstCase: worst, worstCaseNominalPolicy: worst0, protection: worst - worst0,
            randomMean: mean, randomP5: p5, randomMeanNominalPolicy: mean0, randomP5NominalPolicy: p50,
            protectionMean: Statistics.mean(differences), protectionP5: p5 - p50)
    }

    /// Runs the cells of `shard` in ascending order.
    ///
    /// - Parameters:
    ///   - shard: which cells to run (default all).
    ///   - baseline: the nominal equilibrium and its nominal performance (``nominalBaseline()``).
    ///   - progress: called after every cell with its record and wall-clock seconds.
    /// - Throws: the first cell's error.
    public func run(shard: Shard = .all, baseline: NominalBaseline,
                    progress: ((SweepRecord, Double) -> Void)? = nil) throws(MeanFieldError) -> [SweepRecord] {
        var records: [SweepRecord] = []
        let clock = ContinuousClock()
        for index in shard.cells(of: settings.cellCount) {
            let start = clock.now
            let record = try run(cell: index, baseline: baseline)
            let d = clock.now - start
            progress?(record, Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18)
            records.append(record)
        }
        return records
    }
}
