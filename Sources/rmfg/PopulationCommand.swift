import ArgumentParser
import Foundation
import GameFiles
import MeanField
import NumberText
import Plots
import Population
import Randomness

/// `rmfg population GAME`: the mean-field policy in the `N`-agent game.
struct PopulationCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "population",
        abstract: "Measure how far the mean-field equilibrium is from an equilibrium of the N-agent game.",
        discussion: """
        Solves the mean-field equilibrium (π*, μ*) of GAME (or reads it from --equilibrium, a \
        result.json written by `rmfg solve --output`), then for each N in --agents estimates the \
        deviation gain ε_N: the robust discounted return (truncated at --steps) gained by one \
        agent who plays the robust best response BR_τ(μ^N_t) to the current empirical \
        distribution while the other N − 1 agents keep π*. The estimate is a Monte Carlo mean \
        over --episodes episodes with common random numbers, with a 95% normal interval. \
        For two-state games the deviator's problem is solved exactly (robust value iteration \
        over (own state, others in state 1)) for N <= --exact-limit: `exact` is the T-step \
        gain the Monte Carlo estimates, `exactOptimal` the untruncated gain of the best \
        deviation. `bound estimate` is the non-asymptotic bound of Docs/Theory.md evaluated \
        with Lipschitz constants estimated by finite differences over sampled pairs (lower \
        estimates of the true constants, which can be infinite): an estimate, not a bound. \
        `slope` is the least-squares log–log slope of the gain against N with a 95% interval, \
        fitted only from at least 3 positive gains. With `nature mean-field` (more than two \
        states, or N > --exact-limit) the tagged agent's nature approximates the N-agent worst \
        case, so the gain is an estimate, not a lower bound on ε_N. See Docs/Population.md.

        Defaults: --agents 10,20,50,100,200,500,1000, --episodes 200, --steps 50, --seed 1, \
        --true-model the game's population model, --exact-limit 1000, --samples 24.
        --output DIR writes population.csv, population.svg (log–log) and result.json. \
        Exit status 2 for an invalid file or flag; 1 when the mean-field solve did not converge.
        """
    )

    @Argument(help: "The game file (YAML or JSON).")
    var game: String

    @OptionGroup var overrides: GameOverrideOptions

    @Option(parsing: .unconditional, help: "Comma-separated population sizes N >= 1.")
    var agents: String = "10,20,50,100,200,500,1000"

    @Option(parsing: .unconditional, help: "Monte Carlo episodes per N, >= 2.")
    var episodes: WholeNumber = 200

    @Option(parsing: .unconditional, help: "Steps T of every run (the discounted return is truncated there), >= 1.")
    var steps: WholeNumber = 50

    @Option(parsing: .unconditional, help: "Random seed, >= 0 (the output is a deterministic function of it).")
    var seed: WholeNumber = 1

    @Option(name: .customLong("true-model"), help: "Kernel that moves the agents: worst-case, nominal or random (default: the game's population model).")
    var trueModel: Choice<TrueModel>?

    @Option(help: "Read π* and μ* from this result.json (written by `rmfg solve --output`) instead of solving.")
    var equilibrium: String?

    @Option(name: .customLong("exact-limit"), parsing: .unconditional, help: "Largest N of the exact two-state evaluation, >= 0 (0 turns it off).")
    var exactLimit: WholeNumber = 1000

    @Option(parsing: .unconditional, help: "Sampled pairs of mean fields for the Lipschitz constant estimates behind the bound estimate, >= 1.")
    var samples: WholeNumber = 24

    @Option(help: "Also write population.csv, population.svg and result.json to this folder.")
    var output: String?

    @OptionGroup var figures: FigureOptions

    @OptionGroup var format: FormatOptions

    func run() throws {
        try runCommand(format: format, measure)
    }

    /// The validated list of population sizes.
    static func parseAgents(_ text: String) throws -> [Int] {
        try Parse.list(text, flag: "--agents", entries: "integers >= 1", expected: "an integer >= 1", distinct: true, entry: { Int($0) },
                       check: { x in x < 1 ? "expected an integer >= 1" : x > 10_000_000 ? "expected at most 10000000" : nil })
    }

    /// Upper limits on the Monte Carlo flags, checked before anything is allocated
    /// (Docs/CLI.md): a run at the limits takes hours, not a crash.
    static let maximumEpisodes = 10_000_000
    static let maximumSteps = 1_000_000
    static let maximumSamples = 100_000
    static let maximumAgentSteps = 1e11

    /// `--episodes`, `--steps`, `--seed`, `--exact-limit` and `--samples`, each checked
    /// against its range (one line naming the flag).
    func integerFlags() throws -> (episodes: Int, steps: Int, seed: Int, exactLimit: Int, samples: Int) {
        let episodes = try self.episodes.value(flag: "--episodes"), steps = try self.steps.value(flag: "--steps")
        let seed = try self.seed.value(flag: "--seed"), exactLimit = try self.exactLimit.value(flag: "--exact-limit")
        let samples = try self.samples.value(flag: "--samples")
        guard episodes >= 2 else { throw InputError("--episodes: \(episodes), expected at least 2") }
        guard steps >= 1 else { throw InputError("--steps: \(steps), expected at least 1") }
        guard seed >= 0 else { throw InputError("--seed: \(seed), expected an integer >= 0") }
        guard exactLimit >= 0 else { throw InputError("--exact-limit: \(exactLimit), expected an integer >= 0") }
        guard samples >= 1 else { throw InputError("--samples: \(samples), expected at least 1") }
        guard episodes <= Self.maximumEpisodes else { throw InputError("--episodes: \(episodes), expected at most \(Self.maximumEpisodes)") }
        guard steps <= Self.maximumSteps else { throw InputError("--steps: \(steps), expected at most \(Self.maximumSteps)") }
        guard samples <= Self.maximumSamples else { throw InputError("--samples: \(samples), expected at most \(Self.maximumSamples)") }
        return (episodes, steps, seed, exactLimit, samples)
    }

    func measure() throws -> Bool {
        let sizes = try Self.parseAgents(agents)
        let figureSettings = try figures.settings()
        let (episodes, steps, seed, exactLimit, samples) = try integerFlags()
        // Simulated agent-steps over every N (each episode moves all N agents `steps` times).
        let agentSteps = sizes.reduce(0.0) { $0 + Double($1) } * Double(episodes) * Double(steps)
        guard agentSteps <= Self.maximumAgentSteps else {
            throw InputError("--episodes: \(episodes) episodes x \(steps) steps over N = \(sizes.map(String.init).joined(separator: ",")) simulate \(String(format: "%.2g", agentSteps)) agent-steps, expected at most \(String(format: "%.0e", Self.maximumAgentSteps)); use fewer episodes, steps or agents")
        }
        let model = try trueModel.value(flag: "--true-model")
        let file = try loadGame(game, overrides: try overrides.overrides)
        let meanFieldGame = try makeGame(file)
        let temperature = file.solver.temperature
        let pair: (meanField: [Double], policy: Policy, source: String)
        if let equilibrium {
            pair = try Self.readEquilibrium(equilibrium, game: meanFieldGame)
        } else {
            let result = try solveGame(meanFieldGame, file: file, options: file.equilibriumOptions)
            guard result.converged else {
                printError("\(file.path): the mean-field solve did not converge (\(result.message)); fix the solver settings or pass --equilibrium")
                throw ExitCode(1)
            }
            pair = (result.meanField, result.policy,
                    "solved (exploitability \(sci(result.exploitability)), residual \(sci(result.stationarityResidual)))")
        }
        let chosen = model ?? (file.population == .nominal ? .nominal : .worstCase)
        let population = try wrapPopulation(file) { () throws(PopulationError) in
            try FinitePopulation(game: meanFieldGame, meanField: pair.meanField, policy: pair.policy,
                                 temperature: temperature, trueModel: chosen)
        }
        let constants = try wrapPopulation(file) { () throws(PopulationError) in
            try population.lipschitzConstants(samples: samples, seed: UInt64(seed))
        }
        var rows: [PopulationRow] = []
        for n in sizes {
            var exact: TwoStateEvaluation?
            if file.stateCount == 2, chosen != .random, n <= exactLimit {
                exact = try wrapPopulation(file) { () throws(PopulationError) in
                    try population.exactTwoState(agents: n, steps: steps)
                }
            }
            let nature: TaggedNature = exact.map { .exact($0) } ?? .meanField
            let estimate = try wrapPopulation(file) { () throws(PopulationError) in
                try population.deviationGain(agents: n, episodes: episodes, steps: steps, seed: UInt64(seed), nature: nature)
            }
            rows.append(PopulationRow(estimate: estimate, exact: exact, bound: population.boundEstimate(agents: n, constants: constants)))
        }
        let report = PopulationReport(file: file, trueModel: chosen, source: pair.source, meanField: pair.meanField,
                                      episodes: episodes, steps: steps, seed: seed, constants: constants, rows: rows)
        let inputs = commandInputs(game: game, file: file, initial: overrides.solver.initial, equilibrium)
        try report.writeAndPrint(toFolder: output, inputs: inputs, figures: figureSettings, format: try format.format)
        return true
    }

    /// Reads `meanField` and `policy` from a `rmfg solve` result file (``EquilibriumFile``)
    /// and checks them against the game.
    static func readEquilibrium(_ path: String, game: MeanFieldGame) throws -> (meanField: [Double], policy: Policy, source: String) {
        let pair: EquilibriumFile
        do { pair = try EquilibriumFile.read(path: path) } catch { throw InputError("--equilibrium: \(error)") }
        let mu = pair.meanField, rows = pair.policy
        do {
            try game.validateMeanField(mu)
        } catch {
            throw InputError("--equilibrium: \(error.description)")
        }
        let policy: Policy
        do {
            policy = try Policy(rows: rows)
        } catch {
            throw InputError("--equilibrium: \(error.description)")
        }
        guard policy.stateCount == game.stateCount, policy.actionCount == game.actionCount else {
            throw InputError("--equilibrium: policy has shape \(policy.stateCount) x \(policy.actionCount), expected \(game.stateCount) x \(game.actionCount)")
        }
        return (mu, policy, "read from \(path)")
    }
}

/// Runs a Population computation, mapping its errors as ``wrapSolve(_:_:)`` does.
func wrapPopulation<T>(_ file: GameFile, _ body: () throws(PopulationError) -> T) throws -> T {
    do { return try body() } catch {
        switch error {
        case let .invalidArgument(field, message):
            throw InputError("\(field.rawValue): \(message)")
        case let .game(inner):
            return try wrapSolve(file) { () throws(MeanFieldError) -> T in throw inner }
        }
    }
}

/// One population size's measurements.
struct PopulationRow {
    let estimate: DeviationEstimate
    let exact: TwoStateEvaluation?
    /// The bound of Docs/Theory.md evaluated with the sampled constants: an estimate.
    let bound: Double?
}

/// Everything `rmfg population` prints and writes.
struct PopulationReport: CommandReport {
    let file: GameFile
    let trueModel: TrueModel
    let source: String
    let meanField: [Double]
    let episodes: Int
    let steps: Int
    let seed: Int
    let constants: LipschitzConstants
    let rows: [PopulationRow]

    var sizes: [Double] { rows.map { Double($0.estimate.agents) } }
    /// The log–log slope of the gain against N, from at least 3 positive gains.
    var slope: LinearFit? { LogLogFit.fit(x: sizes, y: rows.map(\.estimate.gain), minimumPoints: 3) }
    var positiveGains: Int { rows.filter { $0.estimate.gain > 0 }.count }
    var approximateNature: Bool { rows.contains { $0.estimate.nature == .meanField } }

    var json: JSON {
        let c = constants
        return .object([
            ("game", .string(file.name)),
            ("trueModel", .string(trueModel.rawValue)),
            ("episodes", .int(episodes)),
            ("steps", .int(steps)),
            ("seed", .int(seed)),
            ("equilibrium", .string(source)),
            ("meanField", .numbers(meanField)),
            ("agents", .array(rows.map { .int($0.estimate.agents) })),
            ("gain", .numbers(rows.map(\.estimate.gain))),
            ("gainLow", .numbers(rows.map(\.estimate.gainLow))),
            ("gainHigh", .numbers(rows.map(\.estimate.gainHigh))),
            ("standardError", .numbers(rows.map(\.estimate.standardError))),
            ("exact", .array(rows.map { .optional($0.exact?.truncatedGain) })),
            ("exactInfinite", .array(rows.map { .optional($0.exact?.deviationGain) })),
            ("exactOptimal", .array(rows.map { .optional($0.exact?.optimalGain) })),
            ("boundEstimate", .array(rows.map { .optional($0.bound) })),
            ("slope", .optional(slope?.slope)),
            ("slopeLow", .optional(slope?.slopeInterval?.lowerBound)),
            ("slopeHigh", .optional(slope?.slopeInterval?.upperBound)),
            ("slopePoints", .int(positiveGains)),
            ("meanFieldError", .numbers(rows.map(\.estimate.meanFieldError))),
            ("truncationBound", .numbers(rows.map(\.estimate.truncationBound))),
            ("nature", .array(rows.map { .string($0.estimate.nature.rawValue) })),
            ("constantEstimates", .object([
                ("reward", .number(c.reward)), ("kernel", .number(c.kernel)), ("radius", .number(c.radius)),
                ("robustExpectation", .number(c.robustExpectation)), ("populationKernel", .number(c.populationKernel)),
                ("populationMap", .number(c.populationMap)), ("valueSpan", .number(c.valueSpan)),
                ("exploitability", .number(c.exploitability)), ("stationarityResidual", .number(c.stationarityResidual)),
                ("pairs", .int(c.pairs)), ("neighborhood", .number(c.neighborhood)),
            ])),
        ])
    }

    var text: String {
        let c = constants
        var lines: [String] = []
        lines.append("\(file.name): the mean-field policy in the N-agent game (true model \(trueModel.rawValue), \(episodes) episodes x \(steps) steps, seed \(seed))")
        lines.append("  equilibrium \(source)")
        lines.append("  constant estimates (largest quotients over sampled pairs, not bounds): L_r \(sci(c.reward)), L_P \(sci(c.kernel)), L_ρ \(sci(c.radius)), L_σ \(sci(c.robustExpectation)), L_K \(sci(c.populationKernel)), L_Φ \(sci(c.populationMap)), S \(sci(c.valueSpan)) (\(c.pairs) pairs with ‖μ − μ*‖₁ <= \(fmt(c.neighborhood)))")
        lines.append("")
        var table = TextTable(header: ["N", "gain ε_N", "95% interval", "exact (T steps)", "exact optimal", "bound estimate", "E‖μ^N − μ*‖₁"])
        for r in rows {
            let e = r.estimate
            table.add([String(e.agents), sci(e.gain), "[\(sci(e.gainLow)), \(sci(e.gainHigh))]",
                       r.exact.map { sci($0.truncatedGain) } ?? "-", r.exact.map { sci($0.optimalGain) } ?? "-",
                       r.bound.map(sci) ?? "-", sci(e.meanFieldError)])
        }
        lines.append(table.rendered)
        lines.append("")
        if let slope, let ci = slope.slopeInterval {
            lines.append("  log–log slope of the gain against N: \(String(format: "%.3f", slope.slope)), 95% interval [\(String(format: "%.3f", ci.lowerBound)), \(String(format: "%.3f", ci.upperBound))] (\(slope.count) positive gains)")
        } else {
            lines.append("  log–log slope of the gain against N: not enough points (\(positiveGains) positive gains, need 3)")
        }
        if approximateNature {
            lines.append("  nature mean-field: the tagged agent's worst case is the mean-field approximation, so its gain estimates ε_N but is not a lower bound")
        }
        if let tail = rows.map(\.estimate.truncationBound).max() {
            lines.append("  truncation: the untruncated gain differs by at most γ^T·range/(1 − γ) = \(sci(tail))")
        }
        if rows.contains(where: { $0.bound == nil }) {
            lines.append("  bound estimate '-': γ·L_Φ >= 1 or a random true model (Docs/Theory.md, \"Finite populations\")")
        }
        return lines.joined(separator: "\n")
    }

    func writeFiles(to dir: OutputDirectory) throws {
        try dir.write("result.json", json.serialized + "\n")
        var csv = [csvLine(["agents", "gain", "gainLow", "gainHigh", "exact", "exactOptimal", "boundEstimate", "meanFieldError"])]
        for r in rows {
            let e = r.estimate
            csv.append(csvLine([String(e.agents), exact(e.gain), exact(e.gainLow), exact(e.gainHigh),
                                r.exact.map { exact($0.truncatedGain) } ?? "", r.exact.map { exact($0.optimalGain) } ?? "",
                                r.bound.map { exact($0) } ?? "", exact(e.meanFieldError)]))
        }
        try dir.write("population.csv", csv.joined(separator: "\n") + "\n")
        var series = [Series(label: "measured gain (95% interval)", x: sizes, y: rows.map(\.estimate.gain),
                             errorBars: rows.map { ($0.estimate.gainLow, $0.estimate.gainHigh) }, markers: true,
                             errorBarLabel: "bar: 95% confidence interval of the measured gain")]
        let exactRows = rows.filter { $0.exact != nil }
        if !exactRows.isEmpty {
            series.append(Series(label: "exact (T steps)", x: exactRows.map { Double($0.estimate.agents) },
                                 y: exactRows.compactMap { $0.exact?.truncatedGain }, markers: true, line: false))
            series.append(Series(label: "exact, best deviation", x: exactRows.map { Double($0.estimate.agents) },
                                 y: exactRows.compactMap { $0.exact?.optimalGain }, markers: true, dashed: true))
        }
        let bounded = rows.filter { $0.bound != nil }
        if !bounded.isEmpty {
            series.append(Series(label: "bound estimate (sampled constants)", x: bounded.map { Double($0.estimate.agents) },
                                 y: bounded.compactMap(\.bound), dashed: true))
        }
        let chart = LineChart(title: "\(file.name): deviation gain ε_N (\(trueModel.rawValue))", xLabel: "agents N (log10)",
                              yLabel: "gain (log10)", xScale: .log, yScale: .log, series: series)
        try dir.writeFigure("population", chart)
    }
}
