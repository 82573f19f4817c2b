import Ambiguity
import ArgumentParser
import Experiments
import Foundation
import GameFiles
import MeanField
import NumberText
import Plots

/// `rmfg sweep GAME`: robustness experiments over (set, radius) cells (Docs/Experiments.md).
struct SweepCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sweep",
        abstract: "Price and protection of robust equilibria over ambiguity sets and radii.",
        discussion: """
        For every cell (set, ρ) of --sets × --radii: solves the robust equilibrium (π_ρ, μ_ρ) \
        of GAME with that set and the constant radius ρ (the file's own set and radius are \
        replaced), then measures it (Docs/Experiments.md defines every figure):

          price       J_nom(π₀) − J_nom(π_ρ): the value lost in the nominal model, each policy \
        at its own nominal stationary mean field (π₀ = the nominal equilibrium's policy);
          protection  worst case of π_ρ minus worst case of π₀ in the cell's set at the test \
        radius R, population held at μ_ρ; and the same for the mean and 5th percentile over \
        --samples random kernels drawn inside the set (seeded by --seed).

        Cells are numbered set-major; --shard i/n runs the cells with index ≡ i (mod n) and \
        writes shard-i-of-n.csv and shard-i-of-n.manifest to --output; `rmfg merge` joins \
        the shards into the same files an unsharded run writes. --output DIR writes \
        sweep.csv (one row per cell, every figure), result.json, timings.csv, \
        value-SET.svg (value against ρ per set) and price-protection.svg. Exit status 1 \
        when an equilibrium solve did not converge; 2 for an invalid file or flag.
        """
    )

    @Argument(help: "The game file (YAML or JSON).")
    var game: String

    @Option(help: "Comma-separated ambiguity sets: none, tv, l1, linf, wasserstein, kl, chi2.")
    var sets: String = "tv,l1,linf,wasserstein,kl,chi2"

    @Option(parsing: .unconditional, help: "Comma-separated radii ρ >= 0 of the robust equilibria.")
    var radii: String = "0,0.02,0.05,0.1,0.2"

    @Option(name: .customLong("test-radius"), parsing: .unconditional,
            help: "The mismatch radius R at which every policy is tested (default: the largest of --radii).")
    var testRadius: Double?

    @Option(parsing: .unconditional, help: "Random kernels per cell, 1 to 100000.")
    var samples: WholeNumber = 32

    @Option(parsing: .unconditional, help: "Seed of the random kernels (an integer 0 to 2^64 − 1).")
    var seed: String = "1"

    @Option(parsing: .unconditional, help: "Run only shard i of n (0 <= i < n): the cells whose index is i mod n. Needs --output.")
    var shard: String?

    @Option(help: "Write sweep.csv, result.json, timings.csv and SVG plots (or the shard's files) to this folder.")
    var output: String?

    @OptionGroup var solver: SolverOverrideOptions

    @Flag(help: "No progress lines on standard error.")
    var quiet = false

    @OptionGroup var figures: FigureOptions

    @OptionGroup var format: FormatOptions

    func run() throws {
        try runCommand(format: format, sweep)
    }

    var overrides: GameOverrides {
        get throws { try solver.overrides() }
    }

    func sweep() throws -> Bool {
        // Flags first (cheap), then the file.
        let (kinds, radiusList, seedValue, shardValue) = try readFlags()
        let file = try loadGame(game, overrides: overrides)
        guard !file.hasRowSets else {
            throw InputError("\(game): ambiguity.set: \(file.setName) sets cannot be swept (a sweep varies one radius over closed-form sets); use rmfg solve")
        }
        let ambiguitySets = try kinds.map { try buildSet($0, file: file) }
        let settings: SweepSettings, sampleCount = try samples.value(flag: "--samples")
        do {
            settings = try SweepSettings(sets: ambiguitySets, radii: radiusList,
                                         testRadius: testRadius ?? (radiusList.max() ?? 0),
                                         samples: sampleCount, seed: seedValue)
        } catch {
            throw InputError(flagMessage(error))
        }
        let figureSettings = try figures.settings()
        let output = try self.output.map { try OutputDirectory($0, inputs: commandInputs(game: game, file: file, initial: solver.initial)) }
        output?.figures = figureSettings
        let sweep = Sweep(game: try makeGame(file), options: file.equilibriumOptions, settings: settings)
        let baseline = try wrapSolve(file) { () throws(MeanFieldError) in try sweep.nominalBaseline() }
        let (records, timings) = try runCells(sweep, file: file, shard: shardValue, baseline: baseline)
        let manifest = SweepManifest(game: file.name, path: game, digest: FileDigest.fnv1a64(path: game), overrides: try overridesKey,
                                     states: file.stateCount, settings: settings, baseline: baseline, shard: shardValue)
        // The report is built from the manifest's text, exactly as `rmfg merge` builds it.
        let parsed: SweepManifest
        do { parsed = try SweepManifest.parse(manifest.text) } catch { throw InputError("manifest: \(error)") }
        let report = try SweepReport(manifest: parsed, records: records, shard: shard == nil ? nil : shardValue)
        if let output { try write(report, manifest: manifest, records: records, timings: timings, shard: shardValue, to: output) }
        try report.printThenCommit(output, format: try format.format)  // nothing written when standard output fails
        return report.converged
    }

    /// The sets, radii, seed and shard flags, checked.
    func readFlags() throws -> (sets: [AmbiguityKind], radii: [Double], seed: UInt64, shard: Shard) {
        let kinds = try parseSets(sets)
        let radiusList = try Parse.vector(radii, flag: "--radii")
        guard let seedValue = UInt64(seed.trimmingCharacters(in: .whitespaces)) else {
            throw InputError("--seed: '\(seed)', expected an integer from 0 to 18446744073709551615")
        }
        let shardValue: Shard
        do { shardValue = try shard.map { s throws(ExperimentError) in try Shard(parsing: s) } ?? .all } catch {
            throw InputError("--shard: \(error.description.replacingOccurrences(of: "shard: ", with: ""))")
        }
        if shard != nil, output == nil { throw InputError("--shard: needs --output DIR to write the shard's CSV") }
        return (kinds, radiusList, seedValue, shardValue)
    }

    /// The shard's cells, in order, with their wall times (a progress line per cell on a terminal).
    func runCells(_ sweep: Sweep, file: GameFile, shard: Shard, baseline: NominalBaseline) throws
        -> (records: [SweepRecord], timings: [(Int, Double)]) {
        let showProgress = !quiet && standardErrorIsTerminal
        let indices = shard.cells(of: sweep.settings.cellCount)
        var timings: [(Int, Double)] = []
        var records: [SweepRecord] = []
        let clock = ContinuousClock()
        for index in indices {
            let cell = sweep.settings.cell(index)
            let start = clock.now
            let record: SweepRecord
            do {
                record = try wrapSolve(file) { () throws(MeanFieldError) in try sweep.run(cell: index, baseline: baseline) }
            } catch let error as InputError {
                throw InputError("cell \(index) (\(cell.set.kind.rawValue), ρ = \(fmt(cell.radius))): \(error.description)")
            }
            let d = clock.now - start
            let seconds = Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
            timings.append((index, seconds))
            records.append(record)
            if showProgress {
                let line = "  cell \(records.count)/\(indices.count): \(record.set) ρ = \(fmt(record.radius)) (\(String(format: "%.2f", seconds)) s)\n"
                writeProgress(terminalSafe(line))
            }
        }
        return (records, timings)
    }

    /// Stages the output folder's files: the shard's CSV, manifest and timings, or the whole
    /// run's files (committed after the report is printed, ``CommandReport/printThenCommit(_:format:)``).
    func write(_ report: SweepReport, manifest: SweepManifest, records: [SweepRecord], timings: [(Int, Double)],
               shard shardValue: Shard, to output: OutputDirectory) throws {
        let timingText = (["cell,seconds"] + timings.map { "\($0.0),\(SweepCSV.number($0.1))" }).joined(separator: "\n") + "\n"
        if shard != nil {
            let stem = "shard-\(shardValue.index)-of-\(shardValue.count)"
            try output.write("\(stem).csv", SweepCSV.render(records))
            try output.write("\(stem).manifest", manifest.text)
            try output.write("\(stem)-timings.csv", timingText)
        } else {
            try report.writeFiles(to: output)
            try output.write("timings.csv", timingText)
        }
    }

    /// A canonical description of the override flags (part of the shard identity), by ``GameOverrides/solverKey``.
    var overridesKey: String {
        get throws { try overrides.solverKey }
    }

    func parseSets(_ text: String) throws -> [AmbiguityKind] {
        try Parse.list(text, flag: "--sets", entries: "ambiguity sets",
                       expected: "one of \(AmbiguityKind.allCases.map(\.rawValue).joined(separator: ", "))",
                       entry: { AmbiguityKind(rawValue: $0) })
    }

    /// The set of kind `kind` with the file's support, l1 weights and wasserstein cost
    /// (default cost `|s − t| / n` when the file has none), by ``GameFile/ambiguitySet(_:defaultCost:)``.
    func buildSet(_ kind: AmbiguityKind, file: GameFile) throws -> AmbiguitySet {
        do {
            return try file.ambiguitySet(kind) { try? SweepSettings.defaultGroundCost(stateCount: file.stateCount) }
        } catch {
            throw InputError(error.description)
        }
    }
}

/// Maps a settings error to the flag that set it.
func flagMessage(_ error: ExperimentError) -> String {
    guard case let .invalidSetting(field, message) = error else { return error.description }
    let flag: String
    switch field {
    case .sets: flag = "--sets"
    case .radii: flag = "--radii"
    case .testRadius, .radius: flag = "--test-radius"
    case .samples: flag = "--samples"
    case .shard: flag = "--shard"
    case .states, .cost: flag = field.rawValue
    }
    return "\(flag): \(message)"
}

/// What `rmfg sweep` and `rmfg merge` print and write, built from a manifest and records.
struct SweepReport: CommandReport {
    let game: String
    let sets: [String]
    let radii: [Double]
    let testRadius: Double
    let samples: Int
    let seed: String
    let nominalConverged: Bool
    let nominalIterations: Int
    let nominalExploitability: Double
    let nominalResidual: Double
    let nominalValue: Double
    let records: [SweepRecord]
    let shard: Shard?

    init(manifest m: SweepManifest, records: [SweepRecord], shard: Shard?, source: String = "manifest") throws {
        game = m["game"] ?? ""
        sets = m.sets
        seed = m["seed"] ?? ""
        nominalConverged = m["nominal.converged"] == "true"
        do throws(ExperimentError) {
            radii = try m.radii()
            testRadius = try m.number("testRadius")
            samples = try m.integer("samples")
            nominalIterations = try m.integer("nominal.iterations")
            nominalExploitability = try m.number("nominal.exploitability")
            nominalResidual = try m.number("nominal.stationarityResidual")
            nominalValue = try m.number("nominal.value")
        } catch {
            throw InputError("\(source): \(error)")
        }
        self.records = records.sorted { $0.cell < $1.cell }
        self.shard = shard
    }

    var converged: Bool { nominalConverged && records.allSatisfy(\.converged) }

    var json: JSON {
        var fields: [(String, JSON)] = [
            ("game", .string(game)),
            ("sets", .array(sets.map { .string($0) })),
            ("radii", .numbers(radii)),
            ("testRadius", .number(testRadius)),
            ("samples", .int(samples)),
            ("seed", UInt64(seed).map { .unsigned($0) } ?? .string(seed)),
            ("cells", .int(sets.count * radii.count)),
            ("converged", .bool(converged)),
            ("nominal", .object([("converged", .bool(nominalConverged)), ("iterations", .int(nominalIterations)),
                                 ("exploitability", .number(nominalExploitability)),
                                 ("stationarityResidual", .number(nominalResidual)),
                                 ("value", .number(nominalValue))])),
        ]
        if let shard { fields.append(("shard", .string(shard.description))) }
        fields.append(("rows", .array(records.map { r in
            .object([("cell", .int(r.cell)), ("set", .string(r.set)), ("radius", .number(r.radius)),
                     ("testRadius", .number(r.testRadius)), ("converged", .bool(r.converged)),
                     ("iterations", .int(r.iterations))] + r.figures.map { ($0.name, JSON.number($0.value)) })
        })))
        return .object(fields)
    }

    var text: String {
        var lines: [String] = []
        let shardNote = shard.map { ", shard \($0) (\(records.count) cells)" } ?? ""
        lines.append("\(game): robustness sweep, \(sets.count) sets × \(radii.count) radii\(shardNote); test radius R = \(fmt(testRadius)), \(samples) random kernels per cell (seed \(seed))")
        lines.append("  nominal equilibrium: \(nominalConverged ? "converged" : "NOT CONVERGED") after \(nominalIterations) iterations, exploitability \(sci(nominalExploitability)); J_nom(π₀) = \(fmt(nominalValue))")
        lines.append("  price = J_nom(π₀) − J_nom(π_ρ); protection = J_wc(π_ρ) − J_wc(π₀) at R with μ = μ_ρ (Docs/Experiments.md)")
        lines.append("")
        var table = TextTable(header: ["set", "ρ", "conv", "iter", "exploit", "J_nom(π_ρ)", "price", "worst(π_ρ)", "worst(π₀)",
                                       "protection", "mean(π_ρ)", "p5(π_ρ)", "mean(π₀)", "p5(π₀)"])
        for r in records {
            table.add([r.set, fmt(r.radius), r.converged ? "yes" : "NO", String(r.iterations), sci(r.exploitability),
                       fmt(r.nominalValue), sci(r.price), fmt(r.worstCase), fmt(r.worstCaseNominalPolicy), sci(r.protection),
                       fmt(r.randomMean), fmt(r.randomP5), fmt(r.randomMeanNominalPolicy), fmt(r.randomP5NominalPolicy)])
        }
        lines.append(table.rendered)
        return lines.joined(separator: "\n")
    }

    func writeFiles(to dir: OutputDirectory) throws {
        try dir.write("sweep.csv", SweepCSV.render(records))
        try dir.write("result.json", json.serialized + "\n")
        for set in sets {
            let rows = records.filter { $0.set == set }.sorted { $0.radius < $1.radius }
            guard !rows.isEmpty else { continue }
            let x = rows.map(\.radius)
            let chart = LineChart(
                title: "\(game): \(set), value against ρ (test radius \(fmt(testRadius)))",
                xLabel: "radius ρ of the robust equilibrium", yLabel: "population-averaged value Σ μ V",
                series: [
                    Series(label: "nominal model", x: x, y: rows.map(\.nominalValue), markers: true),
                    Series(label: "worst case, π_ρ", x: x, y: rows.map(\.worstCase), markers: true),
                    Series(label: "worst case, π₀", x: x, y: rows.map(\.worstCaseNominalPolicy), markers: true, dashed: true),
                    Series(label: "random kernels, π_ρ: mean", x: x, y: rows.map(\.randomMean),
                           errorBars: rows.map { ($0.randomP5, $0.randomMean) }, markers: true, line: false,
                           errorBarLabel: "random kernels, π_ρ: bar from the 5th percentile up to the mean"),
                    Series(label: "nominal equilibrium", x: [x.first ?? 0, x.last ?? 1],
                           y: [nominalValue, nominalValue], dashed: true),
                ])
            try dir.writeFigure("value-\(set)", chart)
        }
        let tradeoff = PanelChart(
            title: "\(game): price against protection (test radius \(fmt(testRadius)))",
            notes: ["Each dot is the robust equilibrium π_ρ of one radius ρ, written beside it (left out where labels would overlap); "
                    + "price = J_nom(π₀) − J_nom(π_ρ), protection = J_wc(π_ρ) − J_wc(π₀). One panel per ambiguity set, each with its own scales."],
            panels: sets.map { set in
                let rows = records.filter { $0.set == set }.sorted { $0.radius < $1.radius }
                return LineChart(title: set, xLabel: "price", yLabel: "protection", series: [
                    Series(label: set, x: rows.map(\.price), y: rows.map(\.protection), markers: true, line: false,
                           pointLabels: rows.map { "ρ=" + NumberFormat.significant($0.radius) }),
                ], plotWidth: 240, plotHeight: 200, showsLegend: false)
            })
        try dir.writeFigure("price-protection", tradeoff)
    }
}
