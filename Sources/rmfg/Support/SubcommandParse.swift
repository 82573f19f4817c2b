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
