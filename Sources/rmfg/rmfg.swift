import ArgumentParser

@main
struct RMFG: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rmfg",
        abstract: "Stationary robust mean-field equilibria, exact and certified.",
        version: "0.1.0"
    )
}
