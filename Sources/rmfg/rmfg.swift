import ArgumentParser
import Foundation

/// `rmfg`: the RobustMFG command line. The executable is the thin target `RMFGMain`, which
/// only calls ``main()``: this module is a library, so the tests link it without the
/// executable's link flags (Docs/Development.md, "How `rmfg` is linked").
package struct RMFG: ParsableCommand {
    package init() {}

    package static let configuration = CommandConfiguration(
        commandName: "rmfg",
        abstract: "Stationary robust mean-field ε-equilibria (ε recomputed from scratch), with certified inner worst-case problems.",
        discussion: """
        Every command takes --format text|json. Exit status: 0 success; 1 the \
        computation finished but did not reach its goal (not converged, a \
        verification failed); 2 invalid input or a failed write. See Docs/CLI.md.
        """,
        version: RMFGVersion.current,
        subcommands: [SolveCommand.self, EvaluateCommand.self, CheckCommand.self, WorstCaseCommand.self, PopulationCommand.self, SweepCommand.self,
                      MergeCommand.self, AlternatingCommand.self, GenerateCommand.self, LPCommand.self]
    )

    /// Prepares the standard streams and the signal handlers that remove
    /// temporary output files, then parses and runs the command. The argument
    /// parser's messages (help, usage errors) are written as ``emit(_:)`` and
    /// ``printError(_:)`` write: checked, with control characters escaped.
    package static func main() {
        StandardStreams.prepare()
        TemporaryPaths.installSignalHandlers()
        do {
            let arguments = Array(CommandLine.arguments.dropFirst())
            if let solve = SolveShortcut.parsed(arguments) {
                try solve.run()
            } else {
                var command = try SubcommandParse.parsed(arguments, subcommands: configuration.subcommands) ?? parseAsRoot(nil)
                try command.run()
            }
        } catch {
            let status = exitCode(for: error).rawValue
            let text = fullMessage(for: error)
            if !text.isEmpty {
                if status == 0 {
                    let code = writeAll(1, terminalSafe(text) + "\n")
                    if code != 0 {
                        printError("cannot write to standard output: \(errnoText(code))")
                        Foundation.exit(2)
                    }
                } else {
                    _ = writeAll(2, terminalSafe(text) + "\n")
                }
            }
            Foundation.exit(status)
        }
    }
}

enum RMFGVersion {
    static let current = "0.1.0"
}
