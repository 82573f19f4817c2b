import Ambiguity
import ArgumentParser
import Foundation
import GameFiles
import NumberText

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
            in .json (much faster to read for large games); standard output by default. \
            With --arrays npy (the default above 1,000,000 successor entries when \
            --output is given) the arrays go into three .npy files beside the game file \
            (BASE.rewards.npy, BASE.targets.npy, BASE.probabilities.npy), all written or \
            none; up to 1,000,000 states.
            """
        )

        /// Where the arrays of the game go: `--arrays`.
        enum ArrayForm: String, FlagValue {
            case auto, inline, npy
        }

        @Option(parsing: .unconditional, help: "Number of states.") var states: WholeNumber = 20
        @Option(parsing: .unconditional, help: "Number of actions.") var actions: WholeNumber = 3
        @Option(parsing: .unconditional, help: "Successors per (state, action) row, at most --states.") var branching: WholeNumber = 5
        @Option(parsing: .unconditional, help: "Random seed (an integer 0 to 2^64 − 1).") var seed: String = "1"
        @Option(help: "ambiguity.set of the file: none, tv, l1, linf, wasserstein (cost |s−t|/n), kl or chi2.") var set = Choice(AmbiguityKind.tv)
        @Option(parsing: .unconditional, help: "ambiguity.radius of the file, >= 0.") var radius: Double = 0.1
        @Option(parsing: .unconditional, help: "solver.temperature of the file, >= 0.") var temperature: Double = 0.2
        @Option(parsing: .unconditional, help: "Crowd aversion c in R[s][a] − c·μ(s).") var congestion: Double = 0.5
        @Option(parsing: .unconditional, help: "discount of the file, in [0, 1).") var discount: Double = 0.9
        @Option(parsing: .unconditional, help: "solver.tolerance of the file, > 0.") var tolerance: Double = 1e-9
        @Option(help: "Write to this file instead of standard output (.json: JSON).") var output: String?
        @Option(help: "Where the arrays go: inline (in the game file), npy (.npy files beside it; needs --output) or auto (npy above 1,000,000 entries states·actions·branching when --output is given).")
        var arrays = Choice(ArrayForm.auto)

        func run() throws {
            try runCommand {
                guard let seedValue = UInt64(seed.trimmingCharacters(in: .whitespaces)) else {
                    throw InputError("--seed: '\(seed)', expected an integer from 0 to 18446744073709551615")
                }
                var spec = GarnetSpecification(states: try states.value(flag: "--states"), actions: try actions.value(flag: "--actions"),
                                               branching: try branching.value(flag: "--branching"), seed: seedValue)
                spec.set = try set.value(flag: "--set")
                spec.radius = radius
                spec.temperature = temperature
                spec.congestion = congestion
                spec.discount = discount
                spec.tolerance = tolerance
                let npy = try useArrayFiles(spec)
                do throws(GarnetSpecification.ValidationError) { try spec.validate(inline: !npy) } catch { throw InputError("--\(error.field.rawValue): \(error.message)") }  // each field is a flag
                let json = output?.lowercased().hasSuffix(".json") ?? false
                if npy, let output {
                    try writeWithArrays(spec, to: output, json: json)
                    return true
                }
                let text = spec.fileText(json: json)
                if let output { try writeOutputFile(text, to: output, flag: "--output") } else { emit(text) }
                return true
            }
        }
    
        /// Whether the arrays go into `.npy` files (`--arrays`, `auto` deciding by size).
        private func useArrayFiles(_ spec: GarnetSpecification) throws -> Bool {
            switch try arrays.value(flag: "--arrays") {
            case .inline: return false
            case .npy:
                guard output != nil else { throw InputError("--arrays: npy writes files beside the game file, so it needs --output FILE") }
                return true
            case .auto:
                let entries = spec.states.multipliedReportingOverflow(by: spec.actions).partialValue
                    .multipliedReportingOverflow(by: spec.branching).partialValue
                return output != nil && entries > 1_000_000
            }
        }

        /// Writes the game file and its three `.npy` arrays into the folder of `output`, all or none.
        /// A link at `output` is followed (the arrays go beside its target); a device, FIFO or
        /// socket there, or a link or special file at an array's name, is refused
        /// (``arrayGameTarget(_:flag:)``): nothing is written.
        private func writeWithArrays(_ spec: GarnetSpecification, to output: String, json: Bool) throws {
            let target = try arrayGameTarget(output, flag: "--output")
            let folder = parentPath(target)
            let name = lastComponent(target)
            guard !name.isEmpty, name != ".", name != ".." else {
                throw InputError("--output: '\(output)' is not a file name (--arrays npy writes files beside it)")
            }
            var base = name
            for suffix in [".yaml", ".yml", ".json"] where base.lowercased().hasSuffix(suffix) && base.count > suffix.count {
                base.removeLast(suffix.count)
                break
            }
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder), isFolder.boolValue else {
                throw InputError("--output: cannot write '\(output)': the folder '\(folder)' does not exist")
            }
            for kind in ["rewards", "targets", "probabilities"] {
                try refuseSpecialSideFile(folder, "\(base).\(kind).npy", flag: "--output")
            }
            let (text, arrays) = spec.arrayFiles(baseName: base, json: json)
            let directory = try OutputDirectory(folder, flag: "--output")
            directory.keepsModes = true
            try directory.write(name, text)
            for (file, bytes) in arrays { try directory.write(file, bytes: bytes) }
            try directory.commit()
        }
    }
}
