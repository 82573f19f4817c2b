import ArgumentParser
import GameFiles
import MeanField
import NumberText

/// `rmfg evaluate GAME --policy FILE --mean-field FILE`: checks a pair computed by any tool.
struct EvaluateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "Evaluate an outside policy and mean field on a game file.",
        discussion: """
        Reads GAME and a pair (π, μ) from --policy (n x m) and --mean-field (n): .npy, \
        .json (an array, or an object with the key policy / meanField, such as the \
        result.json of rmfg solve --output) or CSV (a header line and a label column are \
        skipped, so policy.csv and meanfield.csv of rmfg solve --output work). Prints the \
        robust V^π and V* of each state, the exploitability Σ_s μ(s)[V*(s) − V^π(s)], the \
        stationarity residual ‖Φ(μ, π) − μ‖₁ and the best response BR_τ(μ), with the \
        game file's temperature and population model (override them with the flags). \
        Exit status 2 for an invalid file or flag: wrong shapes, negative or non-finite \
        entries, rows or a mean field that do not sum to 1 within 1e-9.
        """
    )

    @Argument(help: "The game file (YAML or JSON).")
    var game: String

    @Option(help: "The policy π(a|s): an n x m matrix (.npy, .json or CSV).")
    var policy: String

    @Option(name: .customLong("mean-field"), help: "The mean field μ: a vector of n entries (.npy, .json or CSV).")
    var meanField: String

    @OptionGroup var overrides: GameOverrideOptions

    @OptionGroup var format: FormatOptions

    func run() throws {
        try runCommand(format: format) {
            let file = try loadGame(game, overrides: overrides.overrides)
            let report: PairReport
            do throws(GameFileError) { report = try file.evaluatePair(policyPath: policy, meanFieldPath: meanField) } catch {
                throw InputError(error.description)
            }
            EvaluateReport(file: file, report: report).print(as: try format.format)
            return true
        }
    }
}

/// What `rmfg evaluate` prints.
struct EvaluateReport {
    let file: GameFile
    let report: PairReport

    var json: JSON {
        let e = report.evaluation
        return .object([
            ("game", .string(file.name)),
            ("temperature", .number(report.temperature)),
            ("population", .string(file.population.rawValue)),
            ("set", .string(file.setName)),
            ("radius", .string(file.radiusSource)),
            ("exploitability", .number(e.exploitability)),
            ("stationarityResidual", .number(e.stationarityResidual)),
            ("meanField", .numbers(e.meanField)),
            ("policy", .matrix(e.policy.rows)),
            ("value", .numbers(e.policyValues.values)),
            ("optimalValue", .numbers(e.optimal.values)),
            ("bestResponse", .matrix(report.bestResponse.rows)),
            ("populationUpdate", .numbers(e.populationUpdate)),
            ("states", .array(file.stateNames.map { .string($0) })),
            ("actions", .array(file.actionNames.map { .string($0) })),
        ])
    }

    var text: String {
        let e = report.evaluation
        var lines = ["\(file.name): the pair (π, μ) evaluated",
                     "  ambiguity \(file.setName), radius \(file.radiusSource); population \(file.population.rawValue); τ = \(fmt(report.temperature))",
                     "  exploitability        \(sci(e.exploitability))   (Σ_s μ(s)[V*(s) − V^π(s)])",
                     "  stationarity residual \(sci(e.stationarityResidual))   (‖Φ(μ, π) − μ‖₁)", ""]
        var table = TextTable(header: ["state", "μ", "V^π", "V*"] + file.actionNames.map { "BR(\($0))" })
        for s in 0..<file.stateCount {
            table.add([file.stateNames[s], fmt6(e.meanField[s]), fmt6(e.policyValues.values[s]), fmt6(e.optimal.values[s])]
                      + (0..<file.actionCount).map { fmt6(report.bestResponse[s, $0]) })
        }
        lines.append(table.rendered)
        return lines.joined(separator: "\n")
    }

    func print(as format: OutputFormat) {
        switch format {
        case .json: emit(json.serialized)
        case .text: emit(text)
        }
    }
}
