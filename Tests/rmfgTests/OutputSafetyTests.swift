import Foundation
import Testing
import TestSupport

/// Runs `rmfg` through `/bin/sh` with a redirection of its standard streams
/// (`> /dev/full`, `>&-`, `2>&-`); the streams not redirected are captured.
func rmfgRedirected(_ arguments: [String], _ redirection: String,
                    environment: [String: String] = [:]) throws -> CommandResult {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/sh")
    process.arguments = ["-c", "exec \"$0\" \"$@\" \(redirection)", productsDirectory.appendingPathComponent("rmfg").path] + arguments
    process.currentDirectoryURL = repositoryRoot
    process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    return try capture(process)
}

/// The entries of a folder (hidden ones included), sorted; empty when it does not exist.
func entries(_ path: String) -> [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted()
}

/// The `lstat` file type bits of `path` (0 when missing).
func fileType(_ path: String) -> mode_t {
    var info = stat()
    guard lstat(path, &info) == 0 else { return 0 }
    return info.st_mode & S_IFMT
}

@Suite("rmfg write failures, special files, protected inputs, all-or-nothing folders")
struct OutputSafetyTests {
    static let garnet = ["generate", "garnet", "--states", "3", "--actions", "2", "--branching", "2", "--seed", "4"]

    // MARK: item 1: a failed write is one line and exit 2, never a crash

    /// Whether `/dev/full` (Linux) exists.
    static let hasDevFull = FileManager.default.fileExists(atPath: "/dev/full")

    @Test(.enabled(if: hasDevFull), arguments: [
        ["solve", "Examples/beach-bar.yaml", "--quiet"],
        ["solve", "Examples/beach-bar.yaml", "--quiet", "--format", "json"],
        ["generate", "garnet", "--states", "3", "--actions", "2", "--branching", "2"],
        ["worst-case", "--nominal", "0.5,0.5", "--values", "1,2", "--set", "tv", "--radius", "0.1"],
        ["--help"],
        ["--version"],
    ])
    func fullStandardOutput(arguments: [String]) throws {
        let r = try rmfgRedirected(arguments, "> /dev/full")
        #expect(r.status == 2, "status \(r.status): \(r.stderr)")
        let lines = r.stderr.split(separator: "\n")
        #expect(lines.count == 1, "\(r.stderr)")
        #expect(r.stderr.hasPrefix("rmfg: error: cannot write to standard output: No space left on device"), "\(r.stderr)")
    }

    @Test func closedStandardOutput() throws {
        let r = try rmfgRedirected(["solve", "Examples/beach-bar.yaml", "--quiet"], ">&-")
        #expect(r.status == 2, "\(r.stderr)")
        #expect(r.stderr == "rmfg: error: cannot write to standard output: Bad file descriptor\n")
    }

    /// Runs `rmfg` with its standard output on a pipe whose reading end is already closed, and
    /// with SIGPIPE at its default action whatever the test runner's (`env --default-signal`,
    /// GNU coreutils 8.31 and later): every write there fails as it does under `rmfg … | head`
    /// once `head` has gone.
    static func rmfgIntoAClosedPipe(_ arguments: [String]) throws -> CommandResult {
        var ends: [Int32] = [0, 0]
        guard pipe(&ends) == 0 else { throw CocoaError(.fileWriteUnknown) }
        close(ends[0])
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["--default-signal=PIPE", productsDirectory.appendingPathComponent("rmfg").path] + arguments
        process.currentDirectoryURL = repositoryRoot
        process.standardOutput = FileHandle(fileDescriptor: ends[1], closeOnDealloc: true)
        let err = Pipe()
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let errors = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let killed = process.terminationReason == .uncaughtSignal
        return CommandResult(status: killed ? 128 + process.terminationStatus : process.terminationStatus, stdout: "",
                             stderr: String(decoding: errors, as: UTF8.self))
    }

    /// Regression (2026-12-07): a reader that has gone (`rmfg solve … --output DIR | head -c 100`)
    /// ended `rmfg` by SIGPIPE: no message, no `DIR`, and its staging folder `.DIR.rmfg-PID-0.tmp`
    /// left beside it. Now it is a failed write like `> /dev/full`: one line, exit 2, nothing
    /// written and nothing left behind, for a new folder and for an existing one.
    /// Whether `/usr/bin/env` takes `--default-signal` (GNU coreutils 8.31 and later).
    static let envResetsSignals = commandSucceeds("/usr/bin/env", ["--default-signal=PIPE", "true"])

    @Test(.enabled(if: envResetsSignals, "needs env --default-signal"))
    func brokenPipeOnStandardOutputIsAFailedWrite() throws {
        let scratch = try ScratchFolder()
        let existing = scratch.path("existing")
        try FileManager.default.createDirectory(atPath: existing, withIntermediateDirectories: false)
        try Data("kept\n".utf8).write(to: URL(fileURLWithPath: existing + "/notes.txt"))
        let game = ["solve", "Examples/crowd-grid.yaml", "--param", "width=12", "--param", "height=12", "--format", "json"]
        for folder in [scratch.path("new"), existing] {
            let r = try Self.rmfgIntoAClosedPipe(game + ["--output", folder])
            #expect(r.status == 2, "status \(r.status): \(r.stderr)")
            #expect(r.stderr == "rmfg: error: cannot write to standard output: Broken pipe\n", "\(r.stderr)")
        }
        #expect(entries(scratch.url.path) == ["existing"])
        #expect(entries(existing) == ["notes.txt"])
        // Without --output, and for a command that only prints.
        let plain = try Self.rmfgIntoAClosedPipe(["worst-case", "--nominal", "0.5,0.5", "--values", "1,2", "--set", "tv", "--radius", "0.1"])
        #expect(plain.status == 2 && plain.stderr == "rmfg: error: cannot write to standard output: Broken pipe\n", "\(plain.status): \(plain.stderr)")
    }

    @Test func closedStandardError() throws {
        // An input error with no standard error: the status still says it.
        let bad = try rmfgRedirected(["solve", "/nonexistent.yaml"], "2>&-")
        #expect(bad.status == 2)
        #expect(bad.stdout.isEmpty)
        // Both unusable: exit 2, no crash.
        let both = try rmfgRedirected(["solve", "Examples/beach-bar.yaml", "--quiet"], ">&- 2>&-")
        #expect(both.status == 2)
        // A success is unaffected by a closed standard error.
        let fine = try rmfgRedirected(["solve", "Examples/beach-bar.yaml", "--quiet", "--format", "json"], "2>&-")
        #expect(fine.status == 0)
        #expect(try fine.json()["converged"] as? Bool == true)
    }

    @Test func closedStandardErrorIsNotReusedByAnOutputFile() throws {
        // With descriptor 2 closed, the first file opened would get number 2 and
        // receive error lines; the run must write only the requested content.
        let dir = try ScratchFolder()
        let r = try rmfgRedirected(Self.garnet + ["--output", dir.path("g.yaml")], "2>&-")
        #expect(r.status == 0)
        let expected = try rmfg(Self.garnet).stdout
        #expect(try String(contentsOfFile: dir.path("g.yaml"), encoding: .utf8) == expected)
    }

    // MARK: item 2: special files are written through, links kept

    /// A private copy of the device node `/dev/NAME` in `dir` (root only; nil
    /// where it cannot be made or used), so that a regression replaces only
    /// the copy, never the system's node.
    static func privateDevice(_ name: String, in dir: ScratchFolder) -> String? {
        var info = stat()
        guard stat("/dev/" + name, &info) == 0 else { return nil }
        let path = dir.path(name)
        guard mknod(path, S_IFCHR | 0o666, info.st_rdev) == 0 else { return nil }
        let fd = open(path, O_WRONLY)
        guard fd >= 0 else { return nil }  // a nodev file system
        close(fd)
        return path
    }

    @Test(.enabled(if: getuid() == 0, "mknod needs root"))
    func deviceNodeIsWrittenThroughNotReplaced() throws {
        let dir = try ScratchFolder()
        guard let full = Self.privateDevice("full", in: dir), let null = Self.privateDevice("null", in: dir) else {
            Issue.record("running as root, yet private device nodes could not be made in \(dir.url.path)")
            return
        }
        try expectInputError(Self.garnet + ["--output", full], mentioning: "--output: cannot write '\(full)': No space left on device")
        #expect(fileType(full) == S_IFCHR)
        let r = try rmfg(Self.garnet + ["--output", null])
        #expect(r.status == 0)
        #expect(fileType(null) == S_IFCHR)
        #expect(entries(dir.url.path) == ["full", "null"])
    }

    @Test func fifoIsWrittenThrough() throws {
        let dir = try ScratchFolder()
        let fifo = dir.path("pipe.yaml")
        #expect(mkfifo(fifo, 0o600) == 0)
        final class Box: @unchecked Sendable { var data = Data() }
        let box = Box()
        let reader = Thread { [fifo] in
            if let handle = FileHandle(forReadingAtPath: fifo) { box.data = handle.readDataToEndOfFile() }
        }
        reader.start()
        let r = try rmfg(Self.garnet + ["--output", fifo])
        #expect(r.status == 0, "\(r.stderr)")
        // If rmfg never opened the FIFO, the reader is still blocked in open(2): a writer
        // opened and closed here releases it with an empty read (no hang on failure).
        let writer = open(fifo, O_WRONLY | O_NONBLOCK)
        if writer >= 0 { close(writer) }
        // A replaced FIFO would leave the reader blocked for ever: do not wait then.
        guard fileType(fifo) == S_IFIFO else {
            Issue.record("the FIFO was replaced")
            return
        }
        while !reader.isFinished { usleep(1000) }
        #expect(String(decoding: box.data, as: UTF8.self) == (try rmfg(Self.garnet).stdout))
    }

    @Test func symbolicLinkTargetIsWrittenAndLinkKept() throws {
        let dir = try ScratchFolder()
        let expected = try rmfg(Self.garnet).stdout
        // An existing target, through a relative link.
        _ = try dir.write("real.yaml", "old\n")
        #expect(symlink("real.yaml", dir.path("link.yaml")) == 0)
        let r = try rmfg(Self.garnet + ["--output", dir.path("link.yaml")])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(fileType(dir.path("link.yaml")) == S_IFLNK)
        #expect(try String(contentsOfFile: dir.path("real.yaml"), encoding: .utf8) == expected)
        // A dangling link: its target is created.
        #expect(symlink(dir.path("new.yaml"), dir.path("dangling.yaml")) == 0)
        #expect(try rmfg(Self.garnet + ["--output", dir.path("dangling.yaml")]).status == 0)
        #expect(fileType(dir.path("dangling.yaml")) == S_IFLNK)
        #expect(try String(contentsOfFile: dir.path("new.yaml"), encoding: .utf8) == expected)
        // No temporary file is left.
        #expect(entries(dir.url.path) == ["dangling.yaml", "link.yaml", "new.yaml", "real.yaml"])
    }

    /// `/dev/stdout` and its kin name the process's own descriptor. (The test
    /// uses `/dev/fd/1`, `/proc/self/fd/1` and a link to `/dev/stdout`, never
    /// the system link itself, so that a regression cannot replace it.)
    @Test func standardOutputPathsAreTheStandardOutput() throws {
        let expected = try rmfg(Self.garnet).stdout
        let dir = try ScratchFolder()
        #expect(symlink("/dev/stdout", dir.path("out")) == 0)
        for path in ["/dev/fd/1", "/proc/self/fd/1", dir.path("out")] where FileManager.default.fileExists(atPath: path) {
            let r = try rmfg(Self.garnet + ["--output", path])
            #expect(r.status == 0, "\(path): \(r.stderr)")
            #expect(r.stdout == expected, "\(path)")
        }
        #expect(fileType(dir.path("out")) == S_IFLNK)
        // Appending through the shell's `>>` is kept.
        let file = try dir.write("out.yaml", "# header\n")
        let appended = try rmfgRedirected(Self.garnet + ["--output", dir.path("out")], ">> '\(file)'")
        #expect(appended.status == 0)
        #expect(try String(contentsOfFile: file, encoding: .utf8) == "# header\n" + expected)
        #expect(entries(dir.url.path) == ["out", "out.yaml"])
    }

    @Test func regularFileKeepsItsPermissions() throws {
        let dir = try ScratchFolder()
        let file = try dir.write("g.yaml", "old\n")
        #expect(chmod(file, 0o640) == 0)
        #expect(try rmfg(Self.garnet + ["--output", file]).status == 0)
        var info = stat()
        #expect(stat(file, &info) == 0 && info.st_mode & 0o777 == 0o640)
    }

    // MARK: item 6: --export-lp checks its writes

    @Test func exportLPToFullDeviceFails() throws {
        let args = ["worst-case", "--nominal", "0.2,0.3,0.5", "--values", "1,2,3", "--set", "l1", "--radius", "0.2"]
        let dir = try ScratchFolder()
        if let full = Self.privateDevice("full", in: dir) {
            try expectInputError(args + ["--export-lp", full, "--format", "json"],
                                 mentioning: "--export-lp: cannot write '\(full)': No space left on device")
            #expect(fileType(full) == S_IFCHR)
        }
        // Through a symbolic link: the target is written, the link kept.
        #expect(symlink("inner.lp", dir.path("link.lp")) == 0)
        let r = try rmfg(args + ["--export-lp", dir.path("link.lp"), "--format", "json"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(fileType(dir.path("link.lp")) == S_IFLNK)
        #expect(try String(contentsOfFile: dir.path("inner.lp"), encoding: .utf8).hasSuffix("End\n"))
    }

    // MARK: item 7: an output never overwrites an input

    @Test(arguments: ["result.json", "policy.csv"])
    func solveRefusesToOverwriteItsGame(name: String) throws {
        let dir = try ScratchFolder()
        let content = name.hasSuffix(".json")
            ? try String(contentsOf: repositoryRoot.appendingPathComponent("Examples/two-state.json"), encoding: .utf8) : twoStateGame
        let game = try dir.write(name, content)
        try expectInputError(["solve", game, "--output", dir.url.path, "--quiet"], mentioning: "refusing to overwrite the input file")
        #expect(try String(contentsOfFile: game, encoding: .utf8) == content)
        #expect(entries(dir.url.path) == [name])
        // The same through a symbolic link to the folder, and through a hard link.
        #expect(symlink(dir.url.path, dir.url.path + "-link") == 0)
        defer { unlink(dir.url.path + "-link") }
        try expectInputError(["solve", game, "--output", dir.url.path + "-link", "--quiet"], mentioning: "refusing to overwrite")
        let other = try ScratchFolder()
        #expect(link(game, other.path(name)) == 0)
        try expectInputError(["solve", game, "--output", other.url.path, "--quiet"], mentioning: "refusing to overwrite")
        #expect(try String(contentsOfFile: game, encoding: .utf8) == content)
    }

    @Test func otherCommandsRefuseToOverwriteInputs() throws {
        let dir = try ScratchFolder()
        let two = try dir.write("two.yaml", twoStateGame)
        let solved = try rmfg(["solve", two, "--quiet", "--output", dir.path("eq")])
        #expect(solved.status == 0, "\(solved.stderr)")
        let before = try String(contentsOfFile: dir.path("eq/result.json"), encoding: .utf8)
        try expectInputError(["population", two, "--equilibrium", dir.path("eq/result.json"),
                              "--agents", "2", "--episodes", "2", "--output", dir.path("eq")], mentioning: "refusing to overwrite")
        #expect(try String(contentsOfFile: dir.path("eq/result.json"), encoding: .utf8) == before)
        let game = try dir.write("sweep.csv", twoStateGame)
        try expectInputError(["sweep", game, "--quiet", "--output", dir.url.path] + SweepCommandTests.cells, mentioning: "refusing to overwrite")
        #expect(try String(contentsOfFile: game, encoding: .utf8) == twoStateGame)
        let cost = try dir.write("cost.csv", "0,1\n1,0\n")
        try expectInputError(["worst-case", "--nominal", "0.5,0.5", "--values", "1,2", "--set", "wasserstein", "--radius", "0.1",
                              "--cost-file", cost, "--export-lp", cost], mentioning: "refusing to overwrite the input file")
        #expect(try String(contentsOfFile: cost, encoding: .utf8) == "0,1\n1,0\n")
    }

    // MARK: item 9: folder outputs are all or nothing

    @Test func folderOutputIntoExistingFolderKeepsOtherFiles() throws {
        let dir = try ScratchFolder()
        _ = try dir.write("notes.txt", "mine\n")
        _ = try dir.write("result.json", "old\n")
        let r = try rmfg(["solve", "Examples/beach-bar.yaml", "--quiet", "--output", dir.url.path])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(entries(dir.url.path) == ["convergence.svg", "meanfield.csv", "meanfield.svg", "notes.txt", "policy.csv",
                                          "policy.svg", "result.json", "trace.csv"])
        #expect(try String(contentsOfFile: dir.path("notes.txt"), encoding: .utf8) == "mine\n")
        #expect(try String(contentsOfFile: dir.path("result.json"), encoding: .utf8) != "old\n")
    }

    @Test func newFolderAndParentsAreCreated() throws {
        let dir = try ScratchFolder()
        let r = try rmfg(["solve", "Examples/beach-bar.yaml", "--quiet", "--output", dir.path("a/b/out")])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(entries(dir.path("a/b")) == ["out"])
        #expect(entries(dir.path("a/b/out")).count == 7)
        var info = stat()
        #expect(stat(dir.path("a/b/out"), &info) == 0)
        let umaskValue = umask(0o022)
        umask(umaskValue)
        #expect(info.st_mode & 0o777 == 0o777 & ~umaskValue)
    }

    /// A full disk during `solve --output`: the reason is given, nothing is left.
    /// Needs a small tmpfs (root); skipped when not root.
    @Test(.enabled(if: getuid() == 0, "mounting a tmpfs needs root"))
    func fullDiskLeavesNoPartialFolder() throws {
        let dir = try ScratchFolder()
        let mountPoint = dir.path("small")
        try FileManager.default.createDirectory(atPath: mountPoint, withIntermediateDirectories: true)
        let mount = try rmfgShellCommand("mount -t tmpfs -o size=256k tmpfs '\(mountPoint)' 2>/dev/null")
        guard mount == 0 else {
            Issue.record("running as root, yet a 256 KiB tmpfs could not be mounted at \(mountPoint)")
            return
        }
        defer { _ = try? rmfgShellCommand("umount '\(mountPoint)'") }
        // Leave about 8 KiB free: enough for some files, not for all.
        var fs = statvfs()
        #expect(statvfs(mountPoint, &fs) == 0)
        let free = Int(fs.f_bavail) * Int(fs.f_frsize)
        #expect(FileManager.default.createFile(atPath: mountPoint + "/filler", contents: Data(count: max(0, free - 8192))))

        // A new folder: none of it remains.
        let fresh = try rmfg(["solve", "Examples/beach-bar.yaml", "--quiet", "--output", mountPoint + "/out"])
        #expect(fresh.status == 2)
        #expect(fresh.stderr.hasPrefix("rmfg: error: --output: cannot write '\(mountPoint)/out/"), "\(fresh.stderr)")
        #expect(fresh.stderr.hasSuffix(": No space left on device\n"), "\(fresh.stderr)")
        #expect(entries(mountPoint) == ["filler"])

        // An existing folder: its content is unchanged, no temporary folder remains.
        try FileManager.default.createDirectory(atPath: mountPoint + "/old", withIntermediateDirectories: false)
        #expect(FileManager.default.createFile(atPath: mountPoint + "/old/result.json", contents: Data("old\n".utf8)))
        let existing = try rmfg(["solve", "Examples/beach-bar.yaml", "--quiet", "--output", mountPoint + "/old"])
        #expect(existing.status == 2)
        #expect(existing.stderr.contains("No space left on device"), "\(existing.stderr)")
        #expect(entries(mountPoint + "/old") == ["result.json"])
        #expect(try String(contentsOfFile: mountPoint + "/old/result.json", encoding: .utf8) == "old\n")
    }

    #if os(Linux)
    /// SIGTERM or SIGINT while the files are staged removes the temporary folder
    /// and ends the process by that signal.
    @Test(arguments: [SIGTERM, SIGINT])
    func signalRemovesStagedFiles(signal: Int32) throws {
        let dir = try ScratchFolder()
        for existing in [false, true] {
            let target = dir.path(existing ? "old" : "new")
            if existing { try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: false) }
            let child = try spawnWithSignalsUnblocked(
                ["solve", repositoryRoot.appendingPathComponent("Examples/beach-bar.yaml").path, "--quiet", "--output", target],
                environment: ["RMFG_TEST_HOLD_BEFORE_COMMIT": "1"])
            // Wait (without a timer) for the line saying every file is staged.
            var seen = Data()
            while !String(decoding: seen, as: UTF8.self).contains("staged") {
                let chunk = child.stderr.availableData
                if chunk.isEmpty { break }
                seen.append(chunk)
            }
            #expect(String(decoding: seen, as: UTF8.self).contains("staged"))
            #expect(existing || entries(dir.url.path).contains { $0.hasPrefix(".new.rmfg-") })
            #expect(!existing || entries(target).contains { $0.hasPrefix(".rmfg-") })
            kill(child.pid, signal)
            var status: Int32 = 0
            while waitpid(child.pid, &status, 0) < 0 && errno == EINTR {}
            #expect(status & 0x7F == signal, "wait status \(status)")
            #expect(entries(dir.url.path) == (existing ? ["old"] : []))
            #expect(entries(target).isEmpty)
        }
    }

    #endif

    // MARK: item 8: control characters never reach the terminal raw

    @Test func controlCharactersInNamesAreEscaped() throws {
        let dir = try ScratchFolder()
        let game = try dir.write("esc.yaml", twoStateGame.replacingOccurrences(of: "name: two-state", with: "name: \"evil\\e[31mred\\x9b\""))
        let text = try rmfg(["solve", game, "--quiet"])
        #expect(text.status == 0, "\(text.stderr)")
        #expect(!text.stdout.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x9B })
        #expect(text.stdout.contains("evil\\u{1B}[31mred\\u{9B}"), "\(text.stdout)")
        let json = try rmfg(["solve", game, "--quiet", "--format", "json"])
        #expect(!json.stdout.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x9B })
        #expect(try json.json()["game"] as? String == "evil\u{1B}[31mred\u{9B}")
        // Error lines too.
        let bad = try rmfg(["solve", dir.path("no\u{1B}[2Jsuch.yaml")])
        #expect(bad.status == 2)
        #expect(!bad.stderr.unicodeScalars.contains { $0.value == 0x1B })
        #expect(bad.stderr.contains("no\\u{1B}[2Jsuch.yaml"), "\(bad.stderr)")
        // And the argument parser's messages.
        let usage = try rmfg(["\u{1B}[31mfoo"])
        #expect(usage.status == 64)
        #expect(!usage.stderr.unicodeScalars.contains { $0.value == 0x1B })
        #expect(usage.stderr.contains("\\u{1B}[31mfoo"), "\(usage.stderr)")
    }
}

#if os(Linux)
/// Starts `rmfg` with every signal unblocked and at its default action (a
/// `Process` child inherits the test thread's blocked signals); its pid and the
/// read end of its standard error.
func spawnWithSignalsUnblocked(_ arguments: [String], environment: [String: String]) throws -> (pid: pid_t, stderr: FileHandle) {
    let err = Pipe()
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
    posix_spawn_file_actions_adddup2(&actions, err.fileHandleForWriting.fileDescriptor, 2)
    posix_spawn_file_actions_addclose(&actions, err.fileHandleForReading.fileDescriptor)
    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }
    var empty = sigset_t(), all = sigset_t()
    sigemptyset(&empty)
    sigfillset(&all)
    posix_spawnattr_setsigmask(&attributes, &empty)
    posix_spawnattr_setsigdefault(&attributes, &all)
    posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
    let executable = productsDirectory.appendingPathComponent("rmfg").path
    let env = ProcessInfo.processInfo.environment.merging(environment) { $1 }.map { "\($0)=\($1)" }
    let argv = ([executable] + arguments).map { strdup($0) } + [nil]
    let envp = env.map { strdup($0) } + [nil]
    defer { for p in argv + envp { free(p) } }
    var pid: pid_t = 0
    let code = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
    try err.fileHandleForWriting.close()
    guard code == 0 else { throw POSIXError(POSIXErrorCode(rawValue: code) ?? .EIO) }
    return (pid, err.fileHandleForReading)
}

#endif

/// Runs a shell command; its exit status.
func rmfgShellCommand(_ command: String) throws -> Int32 {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/sh")
    process.arguments = ["-c", command]
    try process.run()
    process.waitUntilExit()
    return process.terminationStatus
}
