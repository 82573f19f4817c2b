import Foundation
import Testing

/// Every numeric flag of every command takes a negative number (`--flag -5` and
/// `--flag=-5`) and hands it to validation: exit status 2 and one line naming the
/// flag (or the file field it overrides), never argument-parser's usage text
/// (status 64). Flags where a negative number is valid run normally.
@Suite("Numeric flags take negative numbers")
struct NumericFlagTests {
    /// How a numeric flag is exercised.
    struct Case: CustomStringConvertible, Sendable {
        let command: String
        let flag: String
        let value: String
        /// The text the error line must contain; `nil` when the negative value is valid.
        let mention: String?
        var description: String { "\(command) --\(flag) \(value)" }
    }

    static let game = "Examples/lasry-lions.yaml"
    static let alternatingGame = "Examples/alternating/federated.yaml"

    /// The arguments that make each command valid apart from the flag under test.
    static func base(_ command: String) -> [String: String] {
        switch command {
        case "worst-case": ["set": "tv", "radius": "0.1", "nominal": "0.2,0.3,0.5", "values": "1,2,3"]
        default: [:]
        }
    }

    static func prefix(_ command: String) -> [String] {
        switch command {
        case "solve", "check", "population", "sweep": [command, game]
        // The overrides are checked when the game loads, before the pair files are read.
        case "evaluate": [command, game, "--policy", "missing-policy.csv", "--mean-field", "missing-mu.csv"]
        case "alternating": [command, alternatingGame]
        case "generate": ["generate", "garnet"]
        default: [command]
        }
    }

    /// The file fields that the game override flags replace (their errors name the field).
    static let overrides: [(String, String)] = [
        ("radius", "ambiguity.radius"), ("temperature", "solver.temperature"), ("damping", "solver.damping"),
        ("learning-rate", "solver.learningRate"), ("tolerance", "solver.tolerance"),
        ("max-iterations", "solver.maxIterations"),
    ]

    static let cases: [Case] = {
        var out: [Case] = []
        for command in ["solve", "check", "population", "evaluate"] {
            out += overrides.map { Case(command: command, flag: $0.0, value: "-5", mention: $0.1) }
        }
        out += overrides.dropFirst().map { Case(command: "sweep", flag: $0.0, value: "-5", mention: $0.1) }
        out += [
            Case(command: "solve", flag: "coarsest-states", value: "-5", mention: "--coarsest-states"),
            Case(command: "population", flag: "agents", value: "-5", mention: "--agents"),
            Case(command: "population", flag: "episodes", value: "-5", mention: "--episodes"),
            Case(command: "population", flag: "steps", value: "-5", mention: "--steps"),
            Case(command: "population", flag: "seed", value: "-1", mention: "--seed"),
            Case(command: "population", flag: "exact-limit", value: "-1", mention: "--exact-limit"),
            Case(command: "population", flag: "samples", value: "-5", mention: "--samples"),
            Case(command: "sweep", flag: "radii", value: "-0.1,0.2", mention: "--radii"),
            Case(command: "sweep", flag: "test-radius", value: "-1", mention: "--test-radius"),
            Case(command: "sweep", flag: "samples", value: "-5", mention: "--samples"),
            Case(command: "sweep", flag: "seed", value: "-1", mention: "--seed"),
            Case(command: "sweep", flag: "shard", value: "-1/2", mention: "--shard"),
            Case(command: "alternating", flag: "observed", value: "-2", mention: "--observed"),
            Case(command: "alternating", flag: "episodes", value: "-5", mention: "--episodes"),
            Case(command: "alternating", flag: "seed", value: "-1", mention: "--seed"),
            Case(command: "alternating", flag: "seeds", value: "-2", mention: "--seeds"),
            Case(command: "alternating", flag: "rounds", value: "-5", mention: "--rounds"),
            Case(command: "alternating", flag: "agents", value: "-5", mention: "--agents"),
            Case(command: "generate", flag: "states", value: "-5", mention: "--states"),
            Case(command: "generate", flag: "actions", value: "-5", mention: "--actions"),
            Case(command: "generate", flag: "branching", value: "-5", mention: "--branching"),
            Case(command: "generate", flag: "seed", value: "-1", mention: "--seed"),
            Case(command: "generate", flag: "radius", value: "-1", mention: "--radius"),
            Case(command: "generate", flag: "temperature", value: "-1", mention: "--temperature"),
            Case(command: "generate", flag: "congestion", value: "-1", mention: nil),
            Case(command: "generate", flag: "discount", value: "-0.5", mention: "--discount"),
            Case(command: "generate", flag: "tolerance", value: "-1", mention: "--tolerance"),
            Case(command: "worst-case", flag: "radius", value: "-0.1", mention: "--radius"),
            Case(command: "worst-case", flag: "nominal", value: "-0.5,1,0.5", mention: "--nominal"),
            Case(command: "worst-case", flag: "values", value: "-1,2,-3", mention: nil),
            Case(command: "worst-case", flag: "weights", value: "-1,1,1", mention: "--weights"),
            Case(command: "worst-case", flag: "claim", value: "-7", mention: nil),
            Case(command: "worst-case", flag: "cost", value: "-1", mention: "--cost"),
            Case(command: "worst-case", flag: "features", value: "-t", mention: nil),
        ]
        return out
    }()

    /// Options that take no number (names, paths, choices).
    static let nonNumeric: Set<String> = [
        "set", "sets", "support", "method", "population", "inner", "true-model", "equilibrium", "output", "format",
        "cost-file", "nominal-file", "values-file", "export-lp", "constraints", "simplex", "figure-format", "figure-width",
        "policy", "mean-field", "ties", "arrays", "param", "initial",  // --param NAME=VALUE (a negative VALUE: ParamInitialCommandTests), --initial FILE
    ]

    /// Extra arguments a case needs besides its command's base.
    static func extra(_ c: Case) -> [String] {
        switch (c.command, c.flag) {
        case ("worst-case", "weights"): ["--set", "l1"]
        case ("worst-case", "cost"): ["--set", "wasserstein"]
        case ("worst-case", "features"): ["--set", "moment"]
        default: []
        }
    }

    static func arguments(_ c: Case, attached: Bool) -> [String] {
        var args = prefix(c.command)
        var base = base(c.command)
        base[c.flag] = nil
        if c.command == "worst-case", ["weights", "cost", "features"].contains(c.flag) { base["set"] = nil }
        for (k, v) in base.sorted(by: { $0.key < $1.key }) { args += ["--\(k)", v] }
        args += extra(c)
        args += attached ? ["--\(c.flag)=\(c.value)"] : ["--\(c.flag)", c.value]
        if c.command == "generate" { args += ["--states", "4", "--branching", "2"].filter { _ in c.flag != "states" && c.flag != "branching" } }
        return args
    }

    @Test(arguments: cases, [false, true])
    func negativeValueReachesValidation(_ c: Case, attached: Bool) throws {
        let args = Self.arguments(c, attached: attached)
        if let mention = c.mention {
            try expectInputError(args, mentioning: mention)
        } else {
            let r = try rmfg(args)
            #expect(r.status == 0 || r.status == 1, "status \(r.status) for \(args): \(r.stderr)")
        }
    }

    /// Every option of every command is classified here, so a new numeric flag
    /// cannot be added without a case above.
    @Test func everyOptionIsClassified() throws {
        let r = try rmfg(["--experimental-dump-help"])
        #expect(r.status == 0)
        let root = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        let command = try #require(root["command"] as? [String: Any])
        var unclassified: [String] = []
        var numericSeen: Set<String> = []
        func visit(_ node: [String: Any], path: String) {
            let name = node["commandName"] as? String ?? ""
            for argument in node["arguments"] as? [[String: Any]] ?? [] where argument["kind"] as? String == "option" {
                let names = (argument["names"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
                guard let long = names.first(where: { $0.count > 1 }) else { continue }
                if Self.nonNumeric.contains(long) { continue }
                if Self.cases.contains(where: { $0.command == name && $0.flag == long }) {
                    numericSeen.insert("\(name) --\(long)")
                } else {
                    unclassified.append("\(path) \(name) --\(long)")
                }
            }
            for sub in node["subcommands"] as? [[String: Any]] ?? [] { visit(sub, path: path + " " + name) }
        }
        visit(command, path: "")
        // `generate garnet` reports its options under the name `garnet`.
        unclassified = unclassified.filter { entry in
            guard entry.contains(" garnet --") else { return true }
            let flag = String(entry.split(separator: " ").last ?? "").dropFirst(2)
            return !Self.cases.contains { $0.command == "generate" && $0.flag == flag }
        }
        #expect(unclassified.isEmpty, "options without a negative-number case: \(unclassified)")
        #expect(numericSeen.count > 20)
    }
}
