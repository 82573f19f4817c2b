import Ambiguity
import ArgumentParser
import Foundation
import GameFiles
import MeanField
import NumberText
import Plots

/// `rmfg solve GAME`: a stationary robust mean-field equilibrium of a game file.
struct SolveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "solve",
        abstract: "Find a stationary robust mean-field equilibrium of a game file.",
        discussion: """
        Reads GAME (YAML, or JSON for .json files; see Docs/Format.md), applies the \
        flags that override the file, and searches for (π*, μ*) with π* = BR_τ(μ*) and \
        μ* = Φ(μ*, π*). Prints the equilibrium mean field μ*, the policy π*, the robust \
        value V^π of each state, the exploitability E(π, μ) = Σ_s μ(s)[V*(s) − V^π(s)] \
        and the stationarity residual ‖Φ(μ, π) − μ‖₁ (both must be <= the tolerance to \
        converge). Exit status 1 when it did not converge or --verify or --exact found a \
        disagreement above 1e-9·(1 + max|V|); 2 for an invalid file or flag.

        --output DIR writes result.json, trace.csv, meanfield.csv, policy.csv and the \
        plots convergence.svg, meanfield.svg and policy.svg.
        """
    )

    @Argument(help: "The game file (YAML or JSON).")
    var game: String

    @OptionGroup var overrides: GameOverrideOptions

    @Flag(help: "Re-solve every inner problem of the final iterate as an LP (KL and χ²: by their certified dual) and report the largest disagreement.")
    var verify = false

    @Flag(help: "Re-solve every inner problem of the final pair as an LP in exact rational arithmetic (glp_exact) and report the largest disagreement with the value the solver used (KL and χ² are not LPs: checked by their certified dual instead).")
    var exact = false

    @Option(help: "Also write result.json, trace.csv, meanfield.csv, policy.csv and SVG plots to this folder.")
    var output: String?

    @OptionGroup var figures: FigureOptions

    @Flag(name: .customLong("compare-nominal"), help: "Also solve the nominal game (set none) and show its equilibrium beside the robust one.")
    var compareNominal = false

    @Flag(help: "No progress line on standard error.")
    var quiet = false

    @Flag(name: .customLong("coarse-start"), help: "For a grid game whose sides are parameters (states: {grid: [width, height]}): solve it first on coarser grids (sides halved, down to at most 4096 states), each started from the one below spread over 2×2 blocks, and start from the last one spread over the grid (Docs/Solvers.md, \"Coarse-to-fine starts\"). Not with --initial.")
    var coarseStart = false

    @Option(name: .customLong("coarsest-states"), parsing: .unconditional, help: "With --coarse-start: coarsen while a level has more than this many states (default 4096).")
    var coarsestStates: WholeNumber?

    @OptionGroup var format: FormatOptions

    func run() throws {
        try SolveRun(self).run()
    }
}

/// What `rmfg solve` does, on plain values: those of a parsed ``SolveCommand``, or those
/// ``SolveShortcut`` reads without argument-parser (whose property wrappers cost reflection even
/// to build; Docs/Performance.md, section 4, "Fifth round"). Flags that can be invalid are read
/// where the command always read them, so errors come in the same order.
struct SolveRun {
    var game: String
    /// The game's overrides (`--set`, `--radius`, `--method`, …); throws for an invalid choice.
    var overrides: () throws -> GameOverrides
    /// The figure settings (`--figure-format`, `--figure-width`); throws for an invalid choice.
    var figures: () throws -> FigureSettings
    var format: Choice<OutputFormat>
    var verify: Bool
    var exact: Bool
    var output: String?
    var compareNominal: Bool
    var quiet: Bool
    /// `--coarse-start` (``CoarseStart``).
    var coarseStart: Bool
    /// `--coarsest-states` (``CoarseStart/coarsestStates`` when `nil`).
    var coarsestStates: WholeNumber?
    /// The file `--initial` names (an input that `--output` must not overwrite).
    var initialPath: String?

    init(game: String, overrides: @escaping () throws -> GameOverrides, figures: @escaping () throws -> FigureSettings,
         format: Choice<OutputFormat>, verify: Bool, exact: Bool, output: String?, compareNominal: Bool, quiet: Bool,
         coarseStart: Bool = false, coarsestStates: WholeNumber? = nil, initialPath: String? = nil) {
        self.game = game
        self.overrides = overrides
        self.figures = figures
        self.format = format
        self.verify = verify
        self.exact = exact
        self.output = output
        self.compareNominal = compareNominal
        self.quiet = quiet
        self.coarseStart = coarseStart
        self.coarsestStates = coarsestStates
        self.initialPath = initialPath
    }

    /// The values of a parsed command.
    init(_ command: SolveCommand) {
        let overrides = command.overrides, figures = command.figures
        self.init(game: command.game, overrides: { try overrides.overrides }, figures: { try figures.settings() },
                  format: command.format.choice, verify: command.verify, exact: command.exact, output: command.output,
                  compareNominal: command.compareNominal, quiet: command.quiet, coarseStart: command.coarseStart,
                  coarsestStates: command.coarsestStates, initialPath: command.overrides.solver.initial)
    }

    func run() throws {
        try runCommand(format: format, solve)
    }

    func solve() throws -> Bool {
        let figureSettings = try figures()
        let given = try overrides()
        let file = try loadGame(game, overrides: given)
        let meanFieldGame = try makeGame(file)
        var options = file.equilibriumOptions
        let coarsest = try coarsestStates.value(flag: "--coarsest-states")
        if let c = coarsest {
            guard coarseStart else { throw InputError("--coarsest-states: needs --coarse-start") }
            guard c >= 1 else { throw InputError("--coarsest-states: '\(c)', expected a whole number >= 1") }
        }
        let coarse = coarseStart ? try coarseStartLevels(file, overrides: given, coarsest: coarsest ?? CoarseStart.coarsestStates) : nil
        if let coarse { options = CoarseStart.options(options, startingFrom: coarse.meanField) }
        options.verify = verify
        options.exact = exact
        let showProgress = !quiet && standardErrorIsTerminal
        if showProgress {
            options.progress = { record in
                let line = String(format: "\r  iteration %5d   exploitability %.3e   residual %.3e   %.1f s ",
                                  record.iteration, record.exploitability, record.stationarityResidual, record.seconds)
                writeProgress(line)
            }
        }
        let result = try solveGame(meanFieldGame, file: file, options: options)
        if showProgress { writeProgress("\r\u{1B}[K") }
        var nominal: EquilibriumResult?
        if compareNominal {
            let plain = try wrapSolve(file) { () throws(MeanFieldError) in
                try meanFieldGame.with(ambiguity: .nominalOnly, radius: { _, _, _ in 0 }, radiusDependsOnMeanField: false)
            }
            var nominalOptions = options
            // The nominal game starts from the robust game's spread coarse solution, not its own:
            // its frozen-policy stage (where it applies) after the lazy phase, as without a coarse start.
            nominalOptions.frozenPolicyFromStart = false
            nominalOptions.progress = nil
            nominalOptions.verify = false
            nominalOptions.exact = false
            nominal = try solveGame(plain, file: file, options: nominalOptions)
        }
        let verificationTolerance = Acceptance.tolerance(values: result.values)
        let verified = result.verification.map { Acceptance.accepts($0.maxDisagreement, values: result.values) } ?? true
        let exactlyVerified = result.exactVerification.map { ExactCheckText.accepts($0, values: result.values) } ?? true
        let moves = try output == nil ? nil : file.layout.map { layout in
            try wrapSolve(file) { () throws(MeanFieldError) in
                layout.preferredMoves(policy: result.policy, kernels: try meanFieldGame.snapshot(at: result.meanField).kernels)
            }
        }
        let report = SolveReport(file: file, result: result, nominal: nominal, verificationTolerance: verificationTolerance,
                                 moves: moves, coarseLevels: coarse?.levels)
        try report.writeAndPrint(toFolder: output, inputs: commandInputs(game: game, file: file, initial: initialPath),
                                 figures: figureSettings, format: try FormatOptions.format(format))
        return result.converged && verified && exactlyVerified
    }
}

/// `--coarse-start`: the coarser levels' solves and the start they give (``CoarseStart``); `nil`
/// for a grid of at most ``CoarseStart/coarsestStates`` states. Errors: exit 2 for a game that
/// cannot be coarsened or does not load at a coarser grid, exit 1 when a level's solve fails
/// numerically.
func coarseStartLevels(_ file: GameFile, overrides: GameOverrides, coarsest: Int) throws -> (meanField: [Double], levels: [CoarseStart.Level])? {
    guard overrides.initial == nil else { throw InputError("--coarse-start: cannot be combined with --initial (the coarse levels give the start)") }
    do { return try CoarseStart.start(for: file, overrides: overrides, coarsest: coarsest) } catch {
        if case .solve(_, .numerical) = error {
            printError("\(file.path): --coarse-start: \(error.description)")
            throw ExitCode(1)
        }
        throw InputError("\(file.path): --coarse-start: \(error.description)")
    }
}

/// Loads a game file, turning its error into an input error (exit 2).
func loadGame(_ path: String, overrides: GameOverrides = GameOverrides()) throws -> GameFile {
    do { return try GameFile.load(path: path, overrides: overrides) } catch { throw InputError(error.description) }
}

/// Builds the solver's game from a file.
func makeGame(_ file: GameFile) throws -> MeanFieldGame {
    do { return try file.makeGame() } catch { throw InputError(error.description) }
}

/// Runs a MeanField computation, mapping its errors to one-line messages:
/// invalid data (exit 2) named by the game file's field, numerical failures (exit 1).
func wrapSolve<T>(_ file: GameFile, _ body: () throws(MeanFieldError) -> T) throws -> T {
    do { return try body() } catch {
        switch error {
        case .numerical(let message):
            printError("\(file.path): the solver failed numerically: \(message)")
            throw ExitCode(1)
        default:
            throw InputError(file.explain(error).description)
        }
    }
}

/// Solves the equilibrium with errors mapped as in ``wrapSolve(_:_:)``.
func solveGame(_ game: MeanFieldGame, file: GameFile, options: EquilibriumOptions) throws -> EquilibriumResult {
    try wrapSolve(file) { () throws(MeanFieldError) in try game.solveEquilibrium(options: options) }
}

/// Everything `rmfg solve` prints and writes.
struct SolveReport: CommandReport {
    let file: GameFile
    let result: EquilibriumResult
    let nominal: EquilibriumResult?
    let verificationTolerance: Double
    /// For a grid game (`layout.grid`): the move of each cell's preferred action.
    var moves: [(dx: Double, dy: Double)?]?
    /// `--coarse-start`: the coarser levels solved first, coarsest first.
    var coarseLevels: [CoarseStart.Level]? = nil

    var json: JSON {
        var fields: [(String, JSON)] = [
            ("game", .string(file.name)),
            ("converged", .bool(result.converged)),
            ("iterations", .int(result.iterations)),
            ("meanField", .numbers(result.meanField)),
            ("policy", .matrix(result.policy.rows)),
            ("value", .numbers(result.values)),
            ("optimalValue", .numbers(result.optimalValues)),
            ("exploitability", .number(result.exploitability)),
            ("stationarityResidual", .number(result.stationarityResidual)),
            ("trace", .array(result.trace.map { r in
                .object([("iteration", .int(r.iteration)), ("exploitability", .number(r.exploitability)),
                         ("stationarityResidual", .number(r.stationarityResidual)),
                         ("meanFieldChange", .number(r.meanFieldChange)), ("seconds", .number(r.seconds)),
                         ("method", .string(r.method.rawValue)), ("temperature", .number(r.temperature))])
            })),
            ("seconds", .number(result.seconds)),
            ("states", .array(file.stateNames.map { .string($0) })),
            ("actions", .array(file.actionNames.map { .string($0) })),
            ("method", .string(result.method.rawValue)),
            ("message", .string(result.message)),
            ("set", .string(file.setName)),
            ("radius", .string(file.radiusSource)),
            ("temperature", .number(file.solver.temperature)),
            ("tolerance", .number(file.solver.tolerance)),
            ("population", .string(file.population.rawValue)),
            ("inner", .string(file.innerSolverUsed)),
        ]
        if let note = file.innerSolverNote { fields.append(("innerNote", .string(note))) }
        if let levels = coarseLevels { fields.append(("coarseStart", CoarseStart.json(levels))) }
        if let lp = result.lpStatistics {
            fields.append(("lpPath", .object([("solves", .int(lp.solves)), ("warmSolves", .int(lp.warmSolves)),
                                              ("pivots", .int(lp.pivots)), ("pivotsPerWarmSolve", .number(lp.pivotsPerWarmSolve)),
                                              ("maxWarmPivots", .int(lp.maxWarmPivots)), ("reusedBases", .int(lp.reusedBases)),
                                              ("builds", .int(lp.builds))])))
        }
        if let v = result.verification {
            fields.append(("verification", .object([("problems", .int(v.problems)),
                                                     ("maxDisagreement", .number(v.maxDisagreement)),
                                                     ("tolerance", .number(verificationTolerance))])))
        }
        if let x = result.exactVerification {
            fields.append(("exactVerification", ExactCheckText.json(x, tolerance: verificationTolerance, set: file.setName)))
        }
        if let nominal {
            fields.append(("nominal", .object([("converged", .bool(nominal.converged)),
                                               ("iterations", .int(nominal.iterations)),
                                               ("meanField", .numbers(nominal.meanField)),
                                               ("policy", .matrix(nominal.policy.rows)),
                                               ("value", .numbers(nominal.values)),
                                               ("exploitability", .number(nominal.exploitability)),
                                               ("stationarityResidual", .number(nominal.stationarityResidual))])))
        }
        return .object(fields)
    }

    var text: String {
        var lines: [String] = []
        let status = result.converged ? "converged" : "NOT CONVERGED"
        // The method path: the first method, then each switch with the iteration it took over at
        // (with its temperature when a continuation stage of auto ran at another τ).
        let at = { (t: Double?) in t.map { " at τ = \(fmt($0))" } ?? "" }
        let firstTemperature = result.trace.first.flatMap { $0.temperature == file.solver.temperature ? nil : $0.temperature }
        let path = ([(result.switches.first?.from.rawValue ?? result.method.rawValue) + at(firstTemperature)]
                    + result.switches.map { "\($0.to.rawValue)\(at($0.temperature)) from iteration \($0.iteration)" }).joined(separator: "; ")
        // With a path of several methods, the one that produced the returned pair comes first
        // (the JSON `method`), so the path's first word is not mistaken for it.
        let producer = result.switches.isEmpty ? "" : ", result from \(result.method.rawValue)"
        lines.append("\(file.name): \(status) after \(result.iterations) iterations\(producer) (\(path), \(cFormat("%.3f", result.seconds)) s)")
        lines.append("  ambiguity \(file.setName), radius \(file.radiusSource), support \(file.support.rawValue)\(file.ties == .split ? ", ties split" : ""); population \(file.population.rawValue); τ = \(fmt(file.solver.temperature))")
        if file.solver.inner == .lp || file.hasRowSets {
            lines.append("  inner \(file.innerSolverUsed)\(file.set.isPolyhedral ? "" : " (\(file.setName) is not polyhedral: lp requested, the certified dual solver used)")")
            if let lp = result.lpStatistics, lp.solves > 0 {
                lines.append("  lp path               \(lp.solves) row solves (\(lp.warmSolves) warm), \(fmt(lp.pivotsPerWarmSolve)) pivots per warm re-solve (max \(lp.maxWarmPivots); \(lp.reusedBases) bases still optimal, no simplex), \(lp.builds) row problems built")
            }
        }
        if let levels = coarseLevels {
            let list = levels.map { "\(CoarseStart.text($0.shape)) (\($0.iterations) it\($0.converged ? "" : ", not converged"))" }
            lines.append("  coarse start          \(list.joined(separator: ", ")), spread to \(CoarseStart.text(file.grid ?? []))")
        }
        lines.append("  exploitability        \(sci(result.exploitability))   (Σ_s μ(s)[V*(s) − V^π(s)], tolerance \(sci(file.solver.tolerance)))")
        lines.append("  stationarity residual \(sci(result.stationarityResidual))   (‖Φ(μ, π) − μ‖₁)")
        if let v = result.verification {
            lines.append("  verification          \(v.problems) inner problems re-solved, max disagreement \(sci(v.maxDisagreement)) (tolerance \(sci(verificationTolerance)))")
        }
        if let x = result.exactVerification {
            lines.append(ExactCheckText.line(x, tolerance: verificationTolerance, set: file.setName))
        }
        if !result.converged { lines.append("  \(result.message)") }
        lines.append("")
        var header = ["state", "μ*"]
        if nominal != nil { header.append("μ nominal") }
        header += file.actionNames.map { "π(\($0))" }
        header.append("V^π")
        var table = TextTable(header: header)
        // The cells by chunks of states on all cores (the same cells).
        let names = file.stateNames, result = result, nominal = nominal, m = file.actionCount
        table.rows = inChunks(count: file.stateCount, chunk: 4_096) { states in
            states.map { s in
                var row = [names[s], fmt6(result.meanField[s])]
                if let nominal { row.append(fmt6(nominal.meanField[s])) }
                row += (0..<m).map { fmt6(result.policy[s, $0]) }
                row.append(fmt6(result.values[s]))
                return row
            }
        }
        lines.append(table.rendered)
        return lines.joined(separator: "\n")
    }

    func writeFiles(to dir: OutputDirectory) throws {
        try dir.write("result.json", json.serialized + "\n")
        var trace = [csvLine(["iteration", "exploitability", "stationarityResidual", "meanFieldChange", "seconds", "method", "temperature"])]
        for r in result.trace {
            trace.append(csvLine([String(r.iteration), exact(r.exploitability), exact(r.stationarityResidual),
                                  exact(r.meanFieldChange), exact(r.seconds), r.method.rawValue, exact(r.temperature)]))
        }
        try dir.write("trace.csv", trace.joined(separator: "\n") + "\n")
        // One line per state, built in chunks of states on all cores (the same text).
        let names = file.stateNames, result = result, nominal = nominal, m = file.actionCount
        let mf = inChunks(count: file.stateCount, chunk: JSON.chunk / 4) { states in
            var text = ""
            for s in states {
                text += csvLine([names[s], exact(result.meanField[s]), exact(result.values[s])]
                                + (nominal.map { [exact($0.meanField[s])] } ?? [])) + "\n"
            }
            return text
        }
        try dir.write("meanfield.csv", csvLine(["state", "meanField", "value"] + (nominal != nil ? ["nominalMeanField"] : [])) + "\n" + mf)
        let pol = inChunks(count: file.stateCount, chunk: JSON.chunk / m) { states in
            var text = ""
            for s in states {
                text += csvLine([names[s]] + (0..<m).map { exact(result.policy[s, $0]) }) + "\n"
            }
            return text
        }
        try dir.write("policy.csv", csvLine(["state"] + file.actionNames) + "\n" + pol)
        let convergence = ConvergenceFigure.chart(name: file.name, result: result, tolerance: file.solver.tolerance,
                                                    temperature: file.solver.temperature)
        try dir.writeFigure("convergence", convergence)
        if let layout = file.layout {
            try writeGridFigures(to: dir, layout: layout)
            return
        }
        var groups: [(label: String, values: [Double])] = [("robust (\(file.setName))", result.meanField)]
        if let nominal { groups.append(("nominal", nominal.meanField)) }
        try dir.writeFigure("meanfield", BarChart(title: "\(file.name): equilibrium mean field μ*", categories: file.stateNames,
                                                  yLabel: "population share", groups: groups))
        try dir.writeFigure("policy", HeatMap(title: "\(file.name): equilibrium policy π*(a|s)", rowLabels: file.stateNames,
                                              columnLabels: file.actionNames, values: result.policy.rows,
                                              colorScale: .fixed(lower: 0, upper: 1), colorLabel: "probability π(a|s)"))
    }

    /// A grid game's μ* as a 2-D heat map, and its policy as arrows on the grid.
    func writeGridFigures(to dir: OutputDirectory, layout: GameLayout) throws {
        let top = layout.origin == .topLeft
        let mu = result.meanField
        // With --compare-nominal, the nominal μ in its own figure, on the same colour scale, which ends
        // at the largest value drawn (a block's total when a large grid is drawn in blocks).
        func map(_ title: String, _ values: [Double]) -> GridMap {
            GridMap(title: title, columns: layout.width, rows: layout.height, values: values, aggregation: .sum,
                    colorLabel: "population share", originAtTop: top)
        }
        var maps = [("meanfield", map("\(file.name): equilibrium mean field μ* (\(file.setName))", mu))]
        if let nominal {
            maps.append(("meanfield-nominal", map("\(file.name): nominal equilibrium mean field (set none)", nominal.meanField)))
        }
        let upper = max(maps.compactMap(\.1.largestShownValue).max() ?? 1, 1e-300)
        for (name, var figure) in maps {
            figure.colorScale = .fixed(lower: 0, upper: upper)
            try dir.writeFigure(name, figure)
        }
        // Cells no agent occupies (μ* = 0, up to rounding) are grey.
        let occupied = (mu.max() ?? 0) * 1e-12
        let preferred = (0..<file.stateCount).map { s in
            mu[s] > occupied ? (0..<file.actionCount).map { result.policy[s, $0] }.max() ?? 0 : .nan
        }
        try dir.writeFigure("policy", GridMap(
            title: "\(file.name): equilibrium policy π*, most likely action per cell", columns: layout.width, rows: layout.height,
            values: preferred, aggregation: .mean, colorScale: .fixed(lower: 0, upper: 1), colorLabel: "its probability",
            arrows: moves, arrowWeights: mu, arrowWeightsName: "μ*",
            notes: ["Arrows: the expected move of each cell's most likely action under the nominal kernel (direction only); "
                    + "dots: that action mostly stays; none where it jumps further than a neighbour."
                    + (preferred.contains { $0.isNaN } ? " Grey: cells with μ* = 0." : "")],
            originAtTop: top))
    }
}

func sci(_ x: Double) -> String { cFormat("%.3e", x) }

func fmt6(_ x: Double) -> String {
    let s = fixedSix(x)
    return s == "-0.000000" ? "0.000000" : s
}

/// How `rmfg solve --exact` prints ``ExactVerificationReport``.
enum ExactCheckText {
    /// Accepted when both parts are within ``Acceptance`` (the exact rows, and the
    /// certified rows of a non-polyhedral set).
    static func accepts(_ x: ExactVerificationReport, values: [Double]) -> Bool {
        Acceptance.accepts(x.maxDisagreement, values: values)
            && (x.isExact || Acceptance.accepts(x.certifiedMaxDisagreement, values: values))
    }

    static func json(_ x: ExactVerificationReport, tolerance: Double, set: String) -> JSON {
        var fields: [(String, JSON)] = [
            ("rowsChecked", .int(x.rowsChecked)), ("maxDisagreement", .number(x.maxDisagreement)),
            ("tolerance", .number(tolerance)), ("compared", .string(x.compared.rawValue)),
            ("exactlyVerifiable", .bool(x.isExact)), ("nonPolyhedralRows", .int(x.nonPolyhedralRows)),
        ]
        if !x.isExact {
            fields.append(("certifiedMaxDisagreement", .number(x.certifiedMaxDisagreement)))
            fields.append(("note", .string(note(set))))
        }
        return .object(fields)
    }

    static func line(_ x: ExactVerificationReport, tolerance: Double, set: String) -> String {
        guard x.isExact else {
            return "  exact check           \(note(set)): \(x.nonPolyhedralRows) rows checked by the certified dual, max disagreement \(sci(x.certifiedMaxDisagreement)) (tolerance \(sci(tolerance)))"
        }
        let source = x.compared == .lp ? "the LP path" : "the closed forms"
        return "  exact check           \(x.rowsChecked) row LPs re-solved in exact rational arithmetic (glp_exact), max disagreement with \(source) \(sci(x.maxDisagreement)) (tolerance \(sci(tolerance)))"
    }

    static func note(_ set: String) -> String {
        "\(set) is not polyhedral, so its inner problems are not linear programs and cannot be verified exactly"
    }
}
