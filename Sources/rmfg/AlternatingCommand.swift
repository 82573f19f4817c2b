import ArgumentParser
import Foundation
import GameFiles
import NumberText
import Plots
import Randomness
import Subsampling

/// `rmfg alternating GAME`: ALTERNATING-MARL and the Nash gap against k.
struct AlternatingCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "alternating",
        abstract: "Subsampled mean-field learning with a global agent (ALTERNATING-MARL): Nash gap against k.",
        discussion: """
        Reads GAME (a global/local game file, see Docs/Alternating.md). For each k in \
        --observed, runs ALTERNATING-MARL twice: with the global agent's subsampled \
        mean-field Q-learning (seeded) and with exact planning on (s_g, F_Δ); the local \
        agents best-respond exactly in the induced MDP. Prints, for each k, the exact Nash \
        gap of the joint policy in the full n-agent game (global and local deviations), \
        its return, and what the gaps say about the rate in k: with at least 6 k that \
        satisfy 8k <= n and have a gap above 2 × the solver tolerance (smaller gaps are zero \
        to its accuracy), the log–log exponent with a 95% interval (a bootstrap over the \
        --seeds learning seeds; the regression interval for planning, which is \
        deterministic) and the fits a + b/√k and a + b/k; otherwise \"not enough points\". \
        Exit status 1 when a learning run used \
        its round budget without both sides settling; 2 for an invalid file or flag.

        --output DIR writes result.json, alternating.csv, trace.csv and gap.svg.

        The work is estimated before anything runs; above 2e11 steps (5 to 20 minutes \
        of a release build when measured) the run is refused with exit status 2. On a terminal \
        a progress line on standard error shows k, the stage and the time (--quiet: none).
        """
    )

    @Argument(help: "The game file (YAML or JSON).")
    var game: String

    @Option(parsing: .unconditional, help: "Comma-separated numbers k of observed local agents, each in 1...agents (default: the file's observed, 1, 2, 4, … and n).")
    var observed: String?

    @Option(parsing: .unconditional, help: "Q-learning episodes per round (default: learning.episodes).")
    var episodes: WholeNumber?

    @Option(parsing: .unconditional, help: "Random seed (default: learning.seed).")
    var seed: WholeNumber?

    @Option(parsing: .unconditional, help: "Learning seeds for the rate's bootstrap interval: seed, seed + 1, …, in 1...100 (default 1).")
    var seeds: WholeNumber = 1

    @Option(parsing: .unconditional, help: "Round budget of the alternation (default: learning.rounds).")
    var rounds: WholeNumber?

    @Option(parsing: .unconditional, help: "Override agents: the number n of local agents.")
    var agents: WholeNumber?

    @Option(help: "Also write result.json, alternating.csv, trace.csv and gap.svg to this folder.")
    var output: String?

    @OptionGroup var figures: FigureOptions

    @OptionGroup var format: FormatOptions

    @Flag(help: "No progress line on standard error.")
    var quiet = false

    func run() throws {
        try runCommand(format: format, study)
    }

    /// The game (with `--agents`, `--episodes`, … applied) and the files it read (the game
    /// file and its `{file: PATH}` parameters, which `--output` must not overwrite).
    func loadAlternatingGame() throws -> (game: AlternatingGame, inputs: [String]) {
        var file: AlternatingGame
        let parameterFiles: [String]
        do { (file, parameterFiles) = try AlternatingGameFile.loadWithParameterFiles(path: game) } catch { throw InputError(error.description) }
        if let agents = try agents.value(flag: "--agents") {
            guard agents >= 1 else { throw InputError("--agents: found \(agents), expected a whole number >= 1") }
            do { file = try file.with(agents: agents) } catch {
                throw InputError("--agents: \(error.message)")
            }
        }
        if let episodes = try episodes.value(flag: "--episodes") {
            guard episodes >= 1, episodes <= 100_000_000 else { throw InputError("--episodes: found \(episodes), expected a whole number in 1...100000000") }
            file.learning.episodes = episodes
        }
        if let rounds = try rounds.value(flag: "--rounds") {
            guard rounds >= 1, rounds <= 10_000 else { throw InputError("--rounds: found \(rounds), expected a whole number in 1...10000") }
            file.learning.rounds = rounds
        }
        if let seed = try seed.value(flag: "--seed") {
            guard seed >= 0 else { throw InputError("--seed: found \(seed), expected a whole number >= 0") }
            file.learning.seed = UInt64(seed)
        }
        return (file, [game] + parameterFiles)
    }

    func observedList(_ file: AlternatingGame) throws -> [Int] {
        let n = file.agents
        guard let observed else {
            var ks: [Int] = []
            var k = 1
            while k < n { ks.append(k); k *= 2 }
            ks.append(n)
            if let o = file.observed, !ks.contains(o) { ks.append(o) }
            return ks.sorted()
        }
        return try Parse.list(observed, flag: "--observed", entries: "whole numbers", expected: "a whole number", distinct: true,
                              entry: { Int($0) },
                              check: { k in (1...n).contains(k) ? nil : "expected a whole number in 1...\(n) (agents: n = \(n))" })
    }

    func study() throws -> Bool {
        let seeds = try self.seeds.value(flag: "--seeds")
        guard (1...100).contains(seeds) else { throw InputError("--seeds: found \(seeds), expected a whole number in 1...100") }
        let (file, inputs) = try loadAlternatingGame()
        let ks = try observedList(file)
        try checkWork(file, ks, seeds: seeds)
        let figureSettings = try figures.settings()
        let dir = try output.map { try OutputDirectory($0, inputs: inputs) }
        dir?.figures = figureSettings
        let points: [GapPoint]
        let showProgress = !quiet && standardErrorIsTerminal
        let start = Date()
        let progress: ((AlternatingProgress) -> Void)? = showProgress ? { p in
            let stage: String
            switch p.stage {
            case let .learning(round): stage = "learning round \(round)/\(file.learning.rounds)"
            case let .planning(round): stage = "planning round \(round)/\(file.learning.rounds)"
            case .nashGap: stage = "exact Nash gaps (n = \(file.agents))"
            }
            let seconds = String(format: "%.1f", Date().timeIntervalSince(start))
            let line = "\r\u{1B}[K  k = \(p.observed) (\(p.index + 1) of \(p.count)): \(stage)   \(seconds) s "
            writeProgress(line)
        } : nil
        do { points = try GapStudy.run(game: file, observed: ks, progress: progress) } catch {
            throw InputError(GameFileError(error, file: file.path).description)
        }
        var learnedGaps = [points.map(\.learnedGap.nash)]
        if seeds > 1 {
            if showProgress { writeProgress("\r\u{1B}[K  learning and Nash gaps for \(seeds - 1) more seed\(seeds == 2 ? "" : "s") ") }
            let more = (1..<seeds).map { file.learning.seed &+ UInt64($0) }
            do { learnedGaps += try GapStudy.learnedGaps(game: file, observed: ks, seeds: more) } catch {
                throw InputError(GameFileError(error, file: file.path).description)
            }
        }
        if showProgress { writeProgress("\r\u{1B}[K") }
        let report = AlternatingReport(game: file, points: points, learnedGaps: learnedGaps)
        if let dir { try report.writeFiles(to: dir) }
        try report.printThenCommit(dir, format: try format.format)  // nothing written when standard output fails
        return points.allSatisfy(\.learned.converged)
    }
}

extension AlternatingCommand {
    /// Refuses a study whose estimated work exceeds ``AlternatingWorkEstimate/maximumOperations``,
    /// naming the flag (or file field) that drives the estimate.
    func checkWork(_ file: AlternatingGame, _ ks: [Int], seeds: Int) throws {
        let estimate = AlternatingWorkEstimate.estimate(game: file, observed: ks, seeds: seeds)
        let cap = AlternatingWorkEstimate.maximumOperations
        guard estimate.operations > cap else { return }
        let what = "an estimated \(String(format: "%.2g", estimate.operations)) steps (\(ks.count) value\(ks.count == 1 ? "" : "s") of k, \(seeds) seed\(seeds == 1 ? "" : "s"), up to \(file.learning.rounds) rounds each"
        let limit = "expected at most \(String(format: "%.2g", cap)) (5 to 20 minutes when measured; see Docs/Alternating.md)"
        if estimate.learningOperations > estimate.operations / 2 {
            let name = episodes != nil ? "--episodes" : "\(file.path): learning.episodes"
            throw InputError("\(name): \(file.learning.episodes) episodes of \(file.learning.effectiveHorizon(discount: file.discount)) steps give \(what)), \(limit); use fewer episodes, rounds or values of k")
        }
        let name = agents != nil ? "--agents" : "\(file.path): agents"
        throw InputError("\(name): n = \(file.agents) gives \(what); population kernel of \(String(format: "%.2g", estimate.kernelEntries)) entries, \(estimate.sweeps) sweeps per solve), \(limit); use fewer agents or fewer values of k")
    }
}

/// Everything `rmfg alternating` prints and writes.
struct AlternatingReport: CommandReport {
    let game: AlternatingGame
    let points: [GapPoint]
    /// Learned Nash gaps, one row per seed (the first row is `points`' own).
    let learnedGaps: [[Double]]

    var learnedRate: RateEvidence {
        RateEvidence(agents: game.agents, observed: points.map(\.observed), gaps: learnedGaps, tolerance: game.learning.tolerance)
    }
    var plannedRate: RateEvidence {
        RateEvidence(agents: game.agents, observed: points.map(\.observed), gaps: [points.map(\.plannedGap.nash)],
                     tolerance: game.learning.tolerance)
    }

    static func lineJSON(_ fit: LinearFit?, model: String) -> JSON {
        guard let fit else { return .null }
        return .object([("model", .string(model)), ("intercept", .number(fit.intercept)), ("coefficient", .number(fit.slope)),
                        ("rSquared", .number(fit.rSquared))])
    }

    static func rateJSON(_ rate: RateEvidence) -> JSON {
        let interval = rate.exponentInterval
        return .object([
            ("seeds", .int(rate.gaps.count)),
            ("zeroThreshold", .number(rate.zeroThreshold)),
            ("fittedObserved", .array(rate.fitted.map { .int($0) })),
            ("meanGaps", .numbers(rate.meanGaps)),
            ("enoughPoints", .bool(rate.shortfall == nil)),
            ("exponent", .optional(rate.exponent)),
            ("exponentLow", .optional(interval?.lowerBound)),
            ("exponentHigh", .optional(interval?.upperBound)),
            ("regressionLow", .optional(rate.regressionInterval?.lowerBound)),
            ("regressionHigh", .optional(rate.regressionInterval?.upperBound)),
            ("bootstrapLow", .optional(rate.bootstrapInterval?.lowerBound)),
            ("bootstrapHigh", .optional(rate.bootstrapInterval?.upperBound)),
            ("inverseSquareRoot", lineJSON(rate.inverseSquareRoot, model: "gap = intercept + coefficient / sqrt(k)")),
            ("inverse", lineJSON(rate.inverse, model: "gap = intercept + coefficient / k")),
            ("verdict", .string(rate.verdict)),
        ])
    }

    static func gapJSON(_ gap: NashGap) -> [(String, JSON)] {
        [("nashGap", .number(gap.nash)), ("globalGap", .number(gap.global)), ("localGap", .number(gap.local)),
         ("return", .number(gap.value))]
    }

    static func traceJSON(_ result: AlternatingResult) -> JSON {
        .array(result.trace.map { r in
            .object([("round", .int(r.round)), ("globalChanges", .int(r.globalChanges)), ("localChanges", .int(r.localChanges)),
                     ("surrogateValue", .number(r.surrogateValue)), ("minimumVisits", .int(r.minimumVisits))])
        })
    }

    var json: JSON {
        let results: [JSON] = points.map { p in
            var fields: [(String, JSON)] = [("observed", .int(p.observed))]
            fields += Self.gapJSON(p.learnedGap)
            fields += [("rounds", .int(p.learned.trace.count)), ("converged", .bool(p.learned.converged)),
                       ("qError", .number(p.qError)),
                       ("minimumVisits", .int(p.learned.trace.last?.minimumVisits ?? 0)),
                       ("localPolicy", .array(p.learned.local.actions.map { .array($0.map { .string(game.localActions[$0]) }) })),
                       ("trace", Self.traceJSON(p.learned)),
                       ("planning", .object(Self.gapJSON(p.plannedGap) + [
                           ("rounds", .int(p.planned.trace.count)), ("converged", .bool(p.planned.converged)),
                           ("localPolicy", .array(p.planned.local.actions.map { .array($0.map { .string(game.localActions[$0]) }) })),
                           ("trace", Self.traceJSON(p.planned)),
                       ]))]
            return .object(fields)
        }
        return .object([
            ("game", .string(game.name)),
            ("agents", .int(game.agents)),
            ("discount", .number(game.discount)),
            ("episodes", .int(game.learning.episodes)),
            ("horizon", .int(game.learning.effectiveHorizon(discount: game.discount))),
            ("exploration", .number(game.learning.exploration)),
            ("seed", .int(Int(game.learning.seed))),
            ("roundBudget", .int(game.learning.rounds)),
            ("observed", .array(points.map { .int($0.observed) })),
            ("results", .array(results)),
            ("seeds", .int(learnedGaps.count)),
            ("rate", Self.rateJSON(learnedRate)),
            ("planningRate", Self.rateJSON(plannedRate)),
            ("converged", .bool(points.allSatisfy(\.learned.converged))),
        ])
    }

    var text: String {
        var lines = ["\(game.name): ALTERNATING-MARL with n = \(game.agents) local agents, γ = \(fmt(game.discount)), \(game.learning.episodes) episodes × \(game.learning.effectiveHorizon(discount: game.discount)) steps per round, seed \(game.learning.seed)"]
        var table = TextTable(header: ["k", "Nash gap", "global", "local", "return", "rounds", "Q error", "planned gap", "planned return"])
        for p in points {
            table.add([String(p.observed), sci(p.learnedGap.nash), sci(p.learnedGap.global), sci(p.learnedGap.local),
                       fmt6(p.learnedGap.value), "\(p.learned.trace.count)\(p.learned.converged ? "" : "*")", sci(p.qError),
                       sci(p.plannedGap.nash), fmt6(p.plannedGap.value)])
        }
        lines.append(table.rendered)
        if points.contains(where: { !$0.learned.converged }) { lines.append("* the round budget ran out before both sides settled") }
        for (label, rate) in [("learned", learnedRate), ("planned", plannedRate)] {
            lines.append("  rate, \(label): \(rate.verdict)")
        }
        return lines.joined(separator: "\n")
    }

    func writeFiles(to dir: OutputDirectory) throws {
        try dir.write("result.json", json.serialized + "\n")
        var csv = [csvLine(["observed", "nashGap", "globalGap", "localGap", "return", "rounds", "converged", "qError",
                            "plannedNashGap", "plannedGlobalGap", "plannedLocalGap", "plannedReturn"])]
        for p in points {
            csv.append(csvLine([String(p.observed), exact(p.learnedGap.nash), exact(p.learnedGap.global), exact(p.learnedGap.local),
                                exact(p.learnedGap.value), String(p.learned.trace.count), String(p.learned.converged), exact(p.qError),
                                exact(p.plannedGap.nash), exact(p.plannedGap.global), exact(p.plannedGap.local), exact(p.plannedGap.value)]))
        }
        try dir.write("alternating.csv", csv.joined(separator: "\n") + "\n")
        var trace = [csvLine(["observed", "update", "round", "globalChanges", "localChanges", "surrogateValue", "minimumVisits"])]
        for p in points {
            for result in [p.learned, p.planned] {
                for r in result.trace {
                    trace.append(csvLine([String(p.observed), result.update.rawValue, String(r.round), String(r.globalChanges),
                                          String(r.localChanges), exact(r.surrogateValue), String(r.minimumVisits)]))
                }
            }
        }
        try dir.write("trace.csv", trace.joined(separator: "\n") + "\n")
        let ks = points.map { Double($0.observed) }
        var series = [Series(label: "learned", x: ks, y: points.map(\.learnedGap.nash), markers: true),
                      Series(label: "planned", x: ks, y: points.map(\.plannedGap.nash), markers: true)]
        let rate = learnedRate
        if let fit = rate.logLog, let lo = rate.fitted.first, let hi = rate.fitted.last, hi > lo {
            let xs = (0...40).map { Double(lo) + Double(hi - lo) * Double($0) / 40 }
            series.append(Series(label: "log–log fit (learned)", x: xs, y: xs.map { exp(fit.intercept + fit.slope * log($0)) }, dashed: true))
        }
        let chart = LineChart(title: "\(game.name): Nash gap against the number k of observed agents (n = \(game.agents))",
                              xLabel: "k", yLabel: "Nash gap", series: series)
        try dir.writeFigure("gap", chart)
    }
}
