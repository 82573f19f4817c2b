import ArgumentParser

/// `rmfg`: the RobustMFG command line.
@main
struct RMFG: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rmfg",
        abstract: "Stationary robust mean-field equilibria, exact and certified.",
        discussion: """
        Every command takes --format text|json. Exit status: 0 success; 1 the \
        computation finished but did not reach its goal (not converged, a \
        verification failed); 2 invalid input. See Docs/CLI.md.
        """,
        version: RMFGVersion.current,
        subcommands: [SolveCommand.self, CheckCommand.self, WorstCaseCommand.self, PopulationCommand.self, SweepCommand.self,
                      MergeCommand.self, AlternatingCommand.self, GenerateCommand.self, LPCommand.self]
    )

    /// Prepares the standard streams and the signal handlers that remove
    /// temporary output files, then parses and runs the command.
    static func main() {
        StandardStreams.prepare()
        TemporaryPaths.installSignalHandlers()
        main(nil)
    }
}

enum RMFGVersion {
    static let current = "0.1.0"
}
