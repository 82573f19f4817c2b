import ArgumentParser
import GameFiles

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
/// text|json`, read without argument-parser (Docs/Performance.md, section 4, "Fifth round").
///
/// Even the subcommand's own parse (``SubcommandParse/Only``) reflects on `SolveCommand`'s whole
/// argument set: generic property-wrapper metadata built from mangled names, and one scan of every
/// protocol conformance record of the binary per new type (about 21 M of the 200-state garnet's
/// 169 M instructions); merely building a `SolveCommand` instantiates that metadata (4 M). For the
/// plainest argument lists the ``SolveRun`` is made here instead, with the values the full parse
/// gives (the defaults of every other flag: no overrides, SVG figures at screen width, no output
/// folder).
///
/// Anything else — another subcommand, another flag, a value other than `text` or `json`, a flag
/// given twice, `--format=json`, `--`, an argument that starts with `-` or is empty, no or two
/// games — returns `nil` and goes to ``SubcommandParse`` and the full parse, so every message,
/// help text and exit status stays argument-parser's. `SubcommandParseTests` checks that every list
/// taken here gives the run the full parse gives, value for value.
enum SolveShortcut {
    /// The run for `arguments` (the process's arguments without the program name), or `nil`.
    static func parsed(_ arguments: [String]) -> SolveRun? {
        guard arguments.first == "solve" else { return nil }
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
        return SolveRun(game: game, overrides: { GameOverrides() },
                        figures: { try FigureOptions.settings(format: FigureOptions.defaultFormat, width: FigureOptions.defaultWidth) },
                        format: format ?? FormatOptions.defaultChoice, verify: verify, exact: exact, output: nil,
                        compareNominal: compareNominal, quiet: quiet)
    }
}
