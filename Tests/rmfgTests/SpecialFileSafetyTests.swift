import Foundation
import Testing
import TestSupport

/// Runs `body` while a watchdog keeps opening `fifo` for writing (and closing it again), so
/// that a regression that opens the FIFO for reading gets an empty read instead of hanging
/// the suite. A fixed `rmfg` never opens the FIFO: the watchdog's non-blocking open then
/// fails (no reader) and changes nothing.
func withFIFOWatchdog<T>(_ fifo: String, _ body: () throws -> T) rethrows -> T {
    let flag = WatchdogFlag()
    let watchdog = Thread {
        while !flag.done {
            let fd = open(fifo, O_WRONLY | O_NONBLOCK)
            if fd >= 0 { close(fd) }
            usleep(20_000)
        }
    }
    watchdog.start()
    defer {
        flag.done = true
        while !watchdog.isFinished { usleep(1000) }
    }
    return try body()
}

/// Tells ``withFIFOWatchdog(_:_:)``'s thread to stop.
private final class WatchdogFlag: @unchecked Sendable {
    var done = false
}

/// The permission bits of `path` (following links).
func permissions(_ path: String) -> mode_t {
    var info = stat()
    guard stat(path, &info) == 0 else { return 0 }
    return info.st_mode & 0o7777
}

/// The QA pass of session 43: `generate --arrays npy` and special files, FIFOs as inputs,
/// `{file:}` arrays and `--initial` as protected inputs, standard output failing after `--output`.
@Suite("special files, protected inputs and standard output with --output")
struct SpecialFileSafetyTests {
    static let garnetNPY = ["generate", "garnet", "--states", "10", "--arrays", "npy"]
    static let arrayKinds = ["rewards", "targets", "probabilities"]

    // MARK: 1. generate --arrays npy follows the single-file rules

    @Test func npyRefusesAFIFOAndWritesNothing() throws {
        let dir = try ScratchFolder()
        let fifo = dir.path("pipe.yaml")
        #expect(mkfifo(fifo, 0o600) == 0)
        try withFIFOWatchdog(fifo) {
            try expectInputError(Self.garnetNPY + ["--output", fifo], mentioning: "--output: '\(fifo)' is not a regular file")
        }
        #expect(fileType(fifo) == S_IFIFO)
        #expect(entries(dir.url.path) == ["pipe.yaml"])
    }

    @Test(.enabled(if: getuid() == 0, "mknod needs root"))
    func npyRefusesADeviceAndWritesNothing() throws {
        let dir = try ScratchFolder()
        guard let null = OutputSafetyTests.privateDevice("null", in: dir) else {
            Issue.record("running as root, yet a private device node could not be made in \(dir.url.path)")
            return
        }
        try expectInputError(Self.garnetNPY + ["--output", null], mentioning: "--output: '\(null)' is not a regular file")
        #expect(fileType(null) == S_IFCHR)
        #expect(entries(dir.url.path) == ["null"])
        // --arrays inline still writes through it.
        #expect(try rmfg(["generate", "garnet", "--states", "10", "--arrays", "inline", "--output", null]).status == 0)
        #expect(fileType(null) == S_IFCHR)
    }

    @Test func npyFollowsALinkAndKeepsPermissions() throws {
        let dir = try ScratchFolder()
        try FileManager.default.createDirectory(atPath: dir.path("t"), withIntermediateDirectories: false)
        let real = try dir.write("t/real.yaml", "old\n")
        #expect(chmod(real, 0o600) == 0)
        #expect(symlink("t/real.yaml", dir.path("link.yaml")) == 0)
        let r = try rmfg(Self.garnetNPY + ["--output", dir.path("link.yaml")])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(fileType(dir.path("link.yaml")) == S_IFLNK)
        #expect(entries(dir.url.path) == ["link.yaml", "t"])
        #expect(entries(dir.path("t")) == ["real.probabilities.npy", "real.rewards.npy", "real.targets.npy", "real.yaml"])
        #expect(permissions(real) == 0o600)
        #expect(try String(contentsOfFile: real, encoding: .utf8).contains("{file: \"real.rewards.npy\"}"))
        #expect(try rmfg(["check", real]).status == 0)
        // A second run replaces the arrays too, keeping their permissions.
        #expect(chmod(dir.path("t/real.rewards.npy"), 0o640) == 0)
        #expect(try rmfg(Self.garnetNPY + ["--output", dir.path("link.yaml"), "--seed", "2"]).status == 0)
        #expect(permissions(dir.path("t/real.rewards.npy")) == 0o640)
        #expect(permissions(real) == 0o600)
        #expect(entries(dir.path("t")).count == 4)
    }

    @Test func npyRefusesSpecialFilesAtTheArrayNames() throws {
        let dir = try ScratchFolder()
        let other = try dir.write("other.npy", "mine\n")
        #expect(symlink(other, dir.path("g.rewards.npy")) == 0)
        try expectInputError(Self.garnetNPY + ["--output", dir.path("g.yaml")],
                             mentioning: "--output: '\(dir.path("g.rewards.npy"))' is a symbolic link")
        #expect(try String(contentsOfFile: other, encoding: .utf8) == "mine\n")
        #expect(fileType(dir.path("g.rewards.npy")) == S_IFLNK)
        #expect(unlink(dir.path("g.rewards.npy")) == 0)
        #expect(mkfifo(dir.path("g.targets.npy"), 0o600) == 0)
        try withFIFOWatchdog(dir.path("g.targets.npy")) {
            try expectInputError(Self.garnetNPY + ["--output", dir.path("g.yaml")], mentioning: "g.targets.npy' is not a regular file")
        }
        #expect(fileType(dir.path("g.targets.npy")) == S_IFIFO)
        #expect(entries(dir.url.path) == ["g.targets.npy", "other.npy"])
    }

    // MARK: 2. FIFOs (and devices) as inputs are refused before they are opened

    @Test func fifoInputsAreRefused() throws {
        let dir = try ScratchFolder()
        let fifo = dir.path("fifo")
        #expect(mkfifo(fifo, 0o600) == 0)
        let game = try dir.write("two.yaml", twoStateGame)
        let arrayGame = try dir.write("array.yaml", twoStateGame + "\nparameters:\n  w: {file: fifo}\n")
        let worstCase = ["worst-case", "--set", "tv", "--radius", "0.1"]
        let cases: [(arguments: [String], mention: String)] = [
            (["check", fifo], "\(fifo): not a regular file (a device, FIFO or socket)"),
            (["solve", fifo, "--quiet"], "\(fifo): not a regular file"),
            (["solve", arrayGame, "--quiet"], "parameters.w"),
            (["solve", game, "--quiet", "--initial", fifo], "--initial"),
            (["sweep", game, "--quiet", "--initial", fifo] + SweepCommandTests.cells, "--initial"),
            (["population", game, "--equilibrium", fifo, "--agents", "2", "--episodes", "2"], "--equilibrium"),
            (["evaluate", game, "--policy", fifo, "--mean-field", fifo], "not a regular file"),
            (worstCase + ["--nominal-file", fifo, "--values", "1,2"], "--nominal-file"),
            (worstCase + ["--nominal", "0.5,0.5", "--values-file", fifo], "--values-file"),
            (["worst-case", "--set", "wasserstein", "--radius", "0.1", "--nominal", "0.5,0.5", "--values", "1,2", "--cost-file", fifo], "--cost-file"),
            (["alternating", fifo, "--quiet"], "\(fifo): not a regular file"),
        ]
        try withFIFOWatchdog(fifo) {
            for c in cases {
                try expectInputError(c.arguments, mentioning: c.mention)
                try expectInputError(c.arguments, mentioning: "not a regular file")
            }
        }
        #expect(fileType(fifo) == S_IFIFO)
    }

    @Test func fifoShardIsRefused() throws {
        let dir = try ScratchFolder()
        let game = try dir.write("two.yaml", twoStateGame)
        let shard = try rmfg(["sweep", game, "--quiet", "--shard", "0/1", "--output", dir.path("s")] + SweepCommandTests.cells)
        #expect(shard.status == 0, "\(shard.stderr)")
        let csv = dir.path("s/shard-0-of-1.csv")
        #expect(unlink(csv) == 0 && mkfifo(csv, 0o600) == 0)
        try withFIFOWatchdog(csv) {
            try expectInputError(["merge", dir.path("s")], mentioning: "\(csv): not a regular file")
        }
    }

    @Test func ownDescriptorsAreStillRead() throws {
        // A pipe on standard input, named /dev/stdin: read as before.
        let process = Process()
        process.executableURL = productsDirectory.appendingPathComponent("rmfg")
        process.arguments = ["worst-case", "--set", "tv", "--radius", "0.1", "--nominal", "0.5,0.5", "--values-file", "/dev/stdin",
                             "--format", "json"]
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        input.fileHandleForWriting.write(Data("1,2\n".utf8))
        try input.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        #expect(String(decoding: data, as: UTF8.self).contains("\"value\""), "\(String(decoding: data, as: UTF8.self))")
    }

    // MARK: 3. --output never overwrites {file:} arrays or --initial

    @Test func parameterFilesAreProtected() throws {
        // A CSV array named like an output of every command (a CSV file may have any name).
        let dir = try ScratchFolder()
        let game = try dir.write("two.yaml", twoStateGame.replacingOccurrences(of: "- 2 * mu[s]", with: "- c[0] * mu[s]")
            + "\nparameters:\n  c: {file: out/result.json}\n")
        try FileManager.default.createDirectory(atPath: dir.path("out"), withIntermediateDirectories: false)
        let array = try dir.write("out/result.json", "2\n")
        let commands: [[String]] = [
            ["solve", game, "--quiet"],
            ["sweep", game, "--quiet"] + SweepCommandTests.cells,
            ["population", game, "--agents", "2", "--episodes", "2"],
        ]
        for command in commands {
            try expectInputError(command + ["--output", dir.path("out")],
                                 mentioning: "--output: refusing to overwrite the input file '\(array)'")
        }
        #expect(try String(contentsOfFile: array, encoding: .utf8) == "2\n")
        #expect(entries(dir.path("out")) == ["result.json"])
        // Another folder is fine.
        #expect(try rmfg(["solve", game, "--quiet", "--output", dir.path("elsewhere")]).status == 0)
        // A global/local game's arrays too.
        let alternating = try dir.write("alt.yaml", tinyAlternatingGameText(episodes: 200)
            .replacingOccurrences(of: "bonus: [0.2, 1.0]", with: "bonus: {file: out/result.json}"))
        _ = try dir.write("out/result.json", "0.2,1.0\n")
        try expectInputError(["alternating", alternating, "--quiet", "--observed", "1", "--output", dir.path("out")],
                             mentioning: "--output: refusing to overwrite the input file '\(array)'")
        #expect(try String(contentsOfFile: array, encoding: .utf8) == "0.2,1.0\n")
        #expect(entries(dir.path("out")) == ["result.json"])
    }

    @Test func initialIsProtected() throws {
        let dir = try ScratchFolder()
        let game = try dir.write("two.yaml", twoStateGame)
        #expect(try rmfg(["solve", game, "--quiet", "--output", dir.path("o")]).status == 0)
        let result = dir.path("o/result.json")
        let before = try String(contentsOfFile: result, encoding: .utf8)
        let entriesBefore = entries(dir.path("o"))
        for command in [["solve", game, "--quiet"], ["sweep", game, "--quiet"] + SweepCommandTests.cells,
                        ["population", game, "--agents", "2", "--episodes", "2"]] {
            try expectInputError(command + ["--initial", result, "--output", dir.path("o")],
                                 mentioning: "--output: refusing to overwrite the input file '\(result)'")
        }
        #expect(try String(contentsOfFile: result, encoding: .utf8) == before)
        #expect(entries(dir.path("o")) == entriesBefore)
    }

    // MARK: 4. a failed write to standard output leaves no folder

    @Test(.enabled(if: OutputSafetyTests.hasDevFull))
    func fullStandardOutputLeavesNoFolder() throws {
        let dir = try ScratchFolder()
        let game = try dir.write("two.yaml", twoStateGame)
        try FileManager.default.createDirectory(atPath: dir.path("old"), withIntermediateDirectories: false)
        _ = try dir.write("old/result.json", "old\n")
        let commands: [[String]] = [
            ["solve", game, "--quiet", "--output"],
            ["sweep", game, "--quiet"] + SweepCommandTests.cells + ["--output"],
            ["population", game, "--agents", "2", "--episodes", "2", "--output"],
        ]
        for command in commands {
            for target in [dir.path("new/sub"), dir.path("old")] {
                let r = try rmfgRedirected(command + [target], "> /dev/full")
                #expect(r.status == 2, "\(command): \(r.stderr)")
                #expect(r.stderr == "rmfg: error: cannot write to standard output: No space left on device\n", "\(r.stderr)")
                #expect(entries(dir.url.path) == ["old", "two.yaml"], "\(command)")
                #expect(entries(dir.path("old")) == ["result.json"], "\(command)")
            }
        }
        #expect(try String(contentsOfFile: dir.path("old/result.json"), encoding: .utf8) == "old\n")
        // Merge too.
        let shard = try rmfg(["sweep", game, "--quiet", "--shard", "0/1", "--output", dir.path("s")] + SweepCommandTests.cells)
        #expect(shard.status == 0, "\(shard.stderr)")
        let merged = try rmfgRedirected(["merge", dir.path("s"), "--output", dir.path("m")], "> /dev/full")
        #expect(merged.status == 2)
        #expect(!FileManager.default.fileExists(atPath: dir.path("m")))
    }
}
