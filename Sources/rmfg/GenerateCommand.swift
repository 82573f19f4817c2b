import Ambiguity
import ArgumentParser
import Foundation
import GameFiles

/// `rmfg generate`: write random game files.
struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Write random game files for tests and benchmarks.",
        subcommands: [Garnet.self]
    )

    struct Garnet: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "garnet",
            abstract: "Write a random garnet game: sparse random kernels, reward R[s][a] − c·μ(s).",
            discussion: """
            For each (s, a): --branching distinct successors drawn uniformly, with \
            Dirichlet(1, …, 1) probabilities; R[s][a] uniform in [0, 1]. The same \
            --seed always gives the same file. Writes YAML, or JSON when --output ends \
            in .json (much faster to read for large games); standard output by default.
            """
        )

        @Option(parsing: .unconditional, help: "Number of states.") var states: Int = 20
        @Option(parsing: .unconditional, help: "Number of actions.") var actions: Int = 3
        @Option(parsing: .unconditional, help: "Successors per (state, action) row, at most --states.") var branching: Int = 5
        @Option(parsing: .unconditional, help: "Random seed (an integer 0 to 2^64 − 1).") var seed: String = "1"
        @Option(help: "ambiguity.set of the file: none, tv, l1, linf, wasserstein (cost |s−t|/n), kl or chi2.") var set = Choice(AmbiguityKind.tv)
        @Option(parsing: .unconditional, help: "ambiguity.radius of the file, >= 0.") var radius: Double = 0.1
        @Option(parsing: .unconditional, help: "solver.temperature of the file, >= 0.") var temperature: Double = 0.2
        @Option(parsing: .unconditional, help: "Crowd aversion c in R[s][a] − c·μ(s).") var congestion: Double = 0.5
        @Option(parsing: .unconditional, help: "discount of the file, in [0, 1).") var discount: Double = 0.9
        @Option(parsing: .unconditional, help: "solver.tolerance of the file, > 0.") var tolerance: Double = 1e-9
        @Option(help: "Write to this file instead of standard output (.json: JSON).") var output: String?

        func run() throws {
            try runCommand {
                guard let seedValue = UInt64(seed.trimmingCharacters(in: .whitespaces)) else {
                    throw InputError("--seed: '\(seed)', expected an integer from 0 to 18446744073709551615")
                }
                var spec = GarnetSpecification(states: states, actions: actions, branching: branching, seed: seedValue)
                spec.set = try set.value(flag: "--set")
                spec.radius = radius
                spec.temperature = temperature
                spec.congestion = congestion
                spec.discount = discount
                spec.tolerance = tolerance
                do throws(GarnetSpecification.ValidationError) { try spec.validate() } catch { throw InputError("--\(error.field.rawValue): \(error.message)") }  // each field is a flag
                let text = spec.fileText(json: output?.lowercased().hasSuffix(".json") ?? false)
                if let output { try writeOutputFile(text, to: output, flag: "--output") } else { emit(text) }
                return true
            }
        }
    }
}
