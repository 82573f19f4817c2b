import ArgumentParser

/// The parse of `rmfg SUBCOMMAND ARGS…` for the subcommand alone (Docs/Performance.md, section 4,
/// "Fourth round").
///
/// `RMFG.parseAsRoot` reflects on more than the invoked command: the root's lenient pass builds
/// the matched subcommand's whole argument set once more to see whether it captures all remaining
/// input, and two throwaway parsers look for `--generate-completion-script`. Together that is
/// about as much work as the subcommand's own parse. Here only the subcommand's arguments are
/// parsed, through ``Only``, a root whose configuration has a super-command name (argument-parser
/// then skips the completion-script check).
///
/// Behaviour does not change: only a parse that succeeds with the subcommand itself is used.
/// Anything else — no or an unknown subcommand, a subcommand with subcommands of its own, a help,
/// version or completion request, any error — returns `nil`, and the caller parses from the root as
/// before, so every message, help text and exit status comes from the full parse. A successful
/// parse here decodes the same arguments of the same command as the full parse would (the root
/// has no arguments of its own), so it yields the same values.
enum SubcommandParse {
    /// The parsed subcommand for `arguments` (the process's arguments without the program name),
    /// or `nil` when the full parse must decide.
    static func parsed(_ arguments: [String], subcommands: [any ParsableCommand.Type]) -> (any ParsableCommand)? {
        if let solve = SolveShortcut.parsed(arguments) { return solve }
        guard let name = arguments.first,
              let type = subcommands.first(where: { $0._commandName == name }),
              type.configuration.subcommands.isEmpty
        else { return nil }
        return parse(type, Array(arguments.dropFirst()))
    }

    private static func parse<Command: ParsableCommand>(_ type: Command.Type, _ arguments: [String]) -> Command? {
        guard let result = try? Only<Command>.parseAsRoot(arguments), let only = result as? Only<Command> else { return nil }
        return only.command
    }

    /// A root command that is `Command` alone: its arguments as one option group.
    struct Only<Command: ParsableCommand>: ParsableCommand {
        static var configuration: CommandConfiguration {
            CommandConfiguration(commandName: Command._commandName, _superCommandName: "rmfg")
        }

        @OptionGroup var command: Command

        func run() throws {
            var command = command
            try command.run()
        }
    }
}

/// `rmfg solve GAME` with only `--quiet`, `--verify`, `--exact`, `--compare-nominal` and `--format
/// text|json`, parsed without argument-parser (Docs/Performance.md, section 4, "Fifth round").
///
/// Even the subcommand's own parse (``SubcommandParse/Only``) reflects on `SolveCommand`'s whole
/// argument set: generic property-wrapper metadata built from mangled names, and one scan of every
/// protocol conformance record of the binary per new type (about 21 M of the 200-state garnet's
/// 169 M instructions). For the plainest argument lists the command is built here instead, with
/// every stored value set as argument-parser's decoding sets it (its defaults otherwise: the
/// `@Flag`/`@Option` setters store a parsed value, as decoding does).
///
/// Anything else — another subcommand, another flag, a value other than `text` or `json`, a flag
/// given twice, `--format=json`, `--`, an argument starting with `-` or empty, no or two games —
/// returns `nil` and goes to ``SubcommandParse`` and the full parse, so every message, help text
/// and exit status stays argument-parser's. `SubcommandParseTests` checks that every list taken
/// here gives the command the full parse gives, stored value for stored value.
enum SolveShortcut {
    /// The command for `arguments` (the process's arguments without the program name), or `nil`.
    static func parsed(_ arguments: [String]) -> SolveCommand? {
        guard arguments.first == SolveCommand._commandName else { return nil }
        var game: String?
        var verify = false, exact = false, compareNominal = false, quiet = false
        var format: Choice<OutputFormat>?
        var i = 1
        while i < arguments.count {
            let argument = arguments[i]
            i += 1
            switch argument {
            case "--quiet" where !quiet: quiet = true
            case "--verify" where !verify: verify = true
            case "--exact" where !exact: exact = true
            case "--compare-nominal" where !compareNominal: compareNominal = true
            case "--format" where format == nil && i < arguments.count:
                let value = arguments[i]
                guard value == "text" || value == "json" else { return nil }
                format = Choice(argument: value)
                i += 1
            default:
                guard game == nil, let first = argument.first, first != "-" else { return nil }
                game = argument
            }
        }
        guard let game else { return nil }

        var solver = SolverOverrideOptions()
        solver.support = nil
        solver.temperature = nil
        solver.method = nil
        solver.damping = nil
        solver.learningRate = nil
        solver.tolerance = nil
        solver.maxIterations = nil
        solver.population = nil
        solver.inner = nil
        solver.ties = nil
        solver.param = []
        solver.initial = nil
        var overrides = GameOverrideOptions()
        overrides.set = nil
        overrides.radius = nil
        overrides.solver = solver
        var figures = FigureOptions()
        figures.figureFormat = FigureOptions.defaultFormat
        figures.figureWidth = FigureOptions.defaultWidth
        var formatOptions = FormatOptions()
        formatOptions.choice = format ?? FormatOptions.defaultChoice

        var command = SolveCommand()
        command.game = game
        command.overrides = overrides
        command.verify = verify
        command.exact = exact
        command.output = nil
        command.figures = figures
        command.compareNominal = compareNominal
        command.quiet = quiet
        command.format = formatOptions
        // argument-parser validates every option group and then the command (none of them
        // overrides `validate()` today); a failure is left to the full parse and its message.
        do {
            try solver.validate()
            try overrides.validate()
            try figures.validate()
            try formatOptions.validate()
            try command.validate()
        } catch {
            return nil
        }
        return command
    }
}
