import Foundation
import Testing

/// Sizes and counts taken from flags or files that once trapped, aborted on an
/// allocation or overwrote an input. Each must end in exit status 2 and one line.
@Suite("Hostile sizes and counts end in one line, never a trap")
struct InputLimitTests {
    /// `population --episodes 1e11` reserved 800 GB before anything else.
    @Test func populationMonteCarloLimits() throws {
        let base = ["population", "Examples/two-state.json", "--agents", "2"]
        try expectInputError(base + ["--episodes", "100000000000"], mentioning: "--episodes: 100000000000, expected at most 10000000")
        try expectInputError(base + ["--steps", "100000000"], mentioning: "--steps: 100000000, expected at most 1000000")
        try expectInputError(base + ["--samples", "100000000"], mentioning: "--samples: 100000000, expected at most 100000")
        try expectInputError(["population", "Examples/two-state.json", "--agents", "1000000,2000000", "--episodes", "10000", "--steps", "1000"],
                             mentioning: "agent-steps, expected at most 1e+11")
    }

    /// `alternating --agents Int.max` overflowed `agents + i` in the histogram count.
    @Test func alternatingHugeAgentCount() throws {
        try expectInputError(["alternating", "Examples/alternating/federated.yaml", "--agents", "9223372036854775807"],
                             mentioning: "--agents: n = 9223372036854775807")
    }

    /// A reward of 1e308 made the work estimate's sweep count infinite (`Int(+inf)` trapped).
    @Test func alternatingWorkEstimateWithHugeRewards() throws {
        let dir = try ScratchFolder()
        let text = try String(contentsOfFile: repositoryRoot.appendingPathComponent("Examples/alternating/threshold.yaml").path, encoding: .utf8)
        #expect(text.contains("reward: \"0\""))
        let game = try dir.write("huge.yaml", text.replacingOccurrences(of: "reward: \"0\"", with: "reward: \"1e308\""))
        let r = try rmfg(["alternating", game, "--observed", "1", "--quiet"])
        #expect(r.status == 0 || r.status == 1 || r.status == 2, "status \(r.status): \(r.stderr)")
        #expect(!r.stderr.contains("Fatal error"), "\(r.stderr)")
    }

    /// A manifest claiming 2^62 shards made `merge` allocate an array of that many slots.
    @Test func mergeWithAHugeShardCount() throws {
        let dir = try ScratchFolder()
        let game = try dir.write("two.yaml", twoStateGame)
        let r = try rmfg(["sweep", game, "--quiet", "--shard", "0/1", "--output", dir.path("s"),
                          "--sets", "tv", "--radii", "0", "--test-radius", "0.1", "--samples", "2"])
        #expect(r.status == 0, "\(r.stderr)")
        let n = "4611686018427387904"
        let manifest = try String(contentsOfFile: dir.path("s/shard-0-of-1.manifest"), encoding: .utf8)
        #expect(manifest.contains("shard: 0/1"))
        try manifest.replacingOccurrences(of: "shard: 0/1", with: "shard: 0/\(n)")
            .write(toFile: dir.path("s/shard-0-of-\(n).manifest"), atomically: true, encoding: .utf8)
        try FileManager.default.moveItem(atPath: dir.path("s/shard-0-of-1.csv"), toPath: dir.path("s/shard-0-of-\(n).csv"))
        try FileManager.default.removeItem(atPath: dir.path("s/shard-0-of-1.manifest"))
        try expectInputError(["merge", dir.path("s")], mentioning: "shard 1 of \(n) missing")
    }

    /// `--export-lp` onto `--values-file` or `--nominal-file` replaced the input with the LP.
    @Test func exportDoesNotOverwriteVectorFiles() throws {
        let dir = try ScratchFolder()
        let values = try dir.write("v.csv", "1,2,3\n")
        let nominal = try dir.write("p.csv", "0.2,0.3,0.5\n")
        try expectInputError(["worst-case", "--set", "tv", "--radius", "0.1", "--nominal", "0.2,0.3,0.5", "--values-file", values, "--export-lp", values],
                             mentioning: "refusing to overwrite the input file")
        try expectInputError(["worst-case", "--set", "tv", "--radius", "0.1", "--nominal-file", nominal, "--values", "1,2,3", "--export-lp", nominal],
                             mentioning: "refusing to overwrite the input file")
        #expect(try String(contentsOfFile: values, encoding: .utf8) == "1,2,3\n")
        #expect(try String(contentsOfFile: nominal, encoding: .utf8) == "0.2,0.3,0.5\n")
    }

    /// A symbolic link loop given as an output file was replaced by a regular file.
    @Test func symbolicLinkLoopIsAnError() throws {
        let dir = try ScratchFolder()
        let loop = dir.path("loop.yaml")
        #expect(symlink("loop.yaml", loop) == 0)
        try expectInputError(["generate", "garnet", "--states", "3", "--actions", "2", "--branching", "2", "--output", loop],
                             mentioning: "Too many levels of symbolic links")
        #expect(fileType(loop) == S_IFLNK)
    }
}
