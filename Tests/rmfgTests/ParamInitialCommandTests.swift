import Foundation
import Testing

/// `--param NAME=VALUE` and `--initial FILE` on every command that reads a game file, and
/// the `{successors}` / `{next, noise}` transitions through the command line.
@Suite("rmfg: --param, --initial and successor transitions")
struct ParamInitialCommandTests {
    /// A chain whose move succeeds with probability `1 − slip·μ(s)`.
    static let chain = """
    name: congestion-chain
    states: 6
    actions: [left, stay, right]
    discount: 0.9
    parameters:
      slip: 0.5
      target: [0, 0, 1, 0, 0, 0]
    reward: "target[s] * 2 - abs(s - 2) / 4 - 3 * mu[s]"
    transition:
      successors:
        - {to: "clamp(s + a - 1, 0, states - 1)", p: "1 - slip * mu[s]"}
        - {to: s, p: "slip * mu[s]"}
    solver: {temperature: 0.1, tolerance: 1e-10}
    """

    func solve(_ arguments: [String]) throws -> [String: Any] {
        let r = try rmfg(["solve"] + arguments + ["--format", "json"])
        #expect(r.status == 0, "\(r.stderr)")
        return try r.json()
    }

    @Test func paramChangesTheSolveLikeEditingTheFile() throws {
        let dir = try ScratchFolder()
        let game = try dir.write("chain.yaml", Self.chain)
        let edited = try dir.write("edited.yaml", Self.chain.replacingOccurrences(of: "slip: 0.5", with: "slip: 0.2")
            .replacingOccurrences(of: "target: [0, 0, 1, 0, 0, 0]", with: "target: [0, 0, 0, 0, 1, 0]"))
        let viaFlags = try solve([game, "--param", "slip=0.2", "--param", "target=[0, 0, 0, 0, 1, 0]"])
        let viaFile = try solve([edited])
        #expect(numbers(viaFlags, "meanField") == numbers(viaFile, "meanField"))
        #expect(numbers(viaFlags, "meanField") != numbers(try solve([game]), "meanField"))
    }

    @Test func initialIsTheStartingMeanField() throws {
        let dir = try ScratchFolder()
        let game = try dir.write("chain.yaml", Self.chain)
        let start = "[0, 0, 0, 0, 0.5, 0.5]"
        let edited = try dir.write("edited.yaml", Self.chain + "\ninitial: \(start)\n")
        let json = try dir.write("start.json", start)
        let csv = try dir.write("start.csv", "0\n0\n0\n0\n0.5\n0.5\n")
        let want = numbers(try solve([edited]), "meanField")
        #expect(numbers(try solve([game, "--initial", json]), "meanField") == want)
        #expect(numbers(try solve([game, "--initial", csv]), "meanField") == want)
        // check reports the starting mean field's rows.
        let check = try rmfg(["check", game, "--initial", json, "--param", "slip=0.1"])
        #expect(check.status == 0, "\(check.stderr)")
    }

    /// Every game-reading command accepts both flags.
    @Test func everyGameCommandAcceptsTheFlags() throws {
        let dir = try ScratchFolder()
        let game = try dir.write("chain.yaml", Self.chain)
        let start = try dir.write("start.json", "[0.5, 0.5, 0, 0, 0, 0]")
        let flags = ["--param", "slip=0.3", "--initial", start]
        let solved = try rmfg(["solve", game, "--output", dir.path("solved")] + flags)
        #expect(solved.status == 0, "\(solved.stderr)")
        for args in [["check", game], ["population", game, "--agents", "10", "--episodes", "5", "--seed", "3"],
                     ["evaluate", game, "--policy", dir.path("solved/result.json"), "--mean-field", dir.path("solved/result.json")],
                     ["sweep", game, "--sets", "tv", "--radii", "0,0.1", "--samples", "2", "--seed", "1"]] {
            let r = try rmfg(args + flags)
            #expect(r.status == 0, "\(args): \(r.stderr)")
            let bad = try rmfg(args + ["--param", "slop=1"])
            #expect(bad.status == 2 && bad.stdout.isEmpty, "\(args): \(bad.stderr)")
            #expect(bad.stderr == "rmfg: error: \(game): --param: 'slop' is not a parameter of the game (known: slip, target)\n")
        }
    }

    @Test func badValuesExitTwoWithOneLineAndWriteNothing() throws {
        let dir = try ScratchFolder()
        let game = try dir.write("chain.yaml", Self.chain)
        let out = dir.path("out")
        let cases: [([String], String)] = [
            (["--param", "slip"], "rmfg: error: --param: found 'slip', expected NAME=VALUE (a number or a JSON array)"),
            (["--param", "slip=[1, [2]]"], "--param"),
            (["--param", "slip=abc"], "rmfg: error: --param: slip: found 'abc', expected a number or a JSON array of numbers"),
            (["--param", "slip=2"], "\(game): transition.successors[0].p: at s="),
            (["--param", "slip=-0.5"], "\(game): transition.successors[1].p: at s=0, a=left: found -0.08333333333333333, expected a weight >= 0"),
            (["--param", "target=[1, 2]"], "\(game): reward: at s=2"),
            (["--initial", try dir.write("short.json", "[0.5, 0.5]")], "\(game): --initial: found shape [2], expected 'uniform' or a vector of 6 probabilities"),
            (["--initial", try dir.write("sum.csv", "0.5\n0.6\n0\n0\n0\n0\n")], "\(game): --initial: entries sum to 1.1, expected 1 (within 1e-9)"),
            (["--initial", try dir.write("neg.json", "[0.5, 0.6, -0.1, 0, 0, 0]")], "\(game): --initial: entry 2 is -0.1, expected a probability >= 0"),
            (["--initial", dir.path("missing.csv")], "--initial: cannot read the file"),
        ]
        for (flags, message) in cases {
            let r = try rmfg(["solve", game, "--output", out] + flags)
            #expect(r.status == 2, "\(flags): \(r.stderr)")
            #expect(r.stdout.isEmpty)
            #expect(r.stderr.split(separator: "\n").count == 1, "\(r.stderr)")
            #expect(r.stderr.contains(message), "\(flags): \(r.stderr)")
            #expect(!FileManager.default.fileExists(atPath: out))
        }
    }

    /// A weight valid at the uniform μ that turns negative at a mean field the solve visits.
    @Test func runtimeSuccessorErrorIsOneLine() throws {
        let dir = try ScratchFolder()
        let game = try dir.write("chain.yaml", Self.chain)
        let r = try rmfg(["solve", game, "--param", "slip=3", "--output", dir.path("out")])
        #expect(r.status == 2)
        #expect(r.stdout.isEmpty)
        #expect(r.stderr.hasPrefix("rmfg: error: \(game): transition.successors[0].p: at s="), "\(r.stderr)")
        #expect(r.stderr.hasSuffix("expected a weight >= 0\n"), "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.path("out")))
    }

    /// The sweep's identity (its manifest) records the overrides.
    @Test func sweepManifestRecordsTheOverrides() throws {
        let dir = try ScratchFolder()
        let game = try dir.write("chain.yaml", Self.chain)
        let r = try rmfg(["sweep", game, "--sets", "tv", "--radii", "0", "--samples", "2", "--seed", "1",
                          "--param", "slip=0.25", "--shard", "1/2", "--output", dir.path("out")])
        #expect(r.status == 0, "\(r.stderr)")
        let manifest = try String(contentsOfFile: dir.path("out/shard-1-of-2.manifest"), encoding: .utf8)
        #expect(manifest.contains("param.slip=0.25"), "\(manifest)")
    }
}
