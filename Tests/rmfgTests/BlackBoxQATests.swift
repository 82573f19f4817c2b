import Foundation
import Testing
import TestSupport

/// The black-box QA pass of session 44: error wordings, the flags they name, numbers and
/// files at the edges, outputs all or nothing.
@Suite("black-box QA of session 44: error wordings, flags named, inputs at the edges")
struct BlackBoxQATests {
    /// Asserts an input error whose one line has no doubled prefix (`x: x: `).
    static func expectSingleWording(_ arguments: [String], mentioning mention: String, doubled: String,
                                    sourceLocation: SourceLocation = #_sourceLocation) throws {
        try expectInputError(arguments, mentioning: mention, sourceLocation: sourceLocation)
        let r = try rmfg(arguments)
        #expect(!r.stderr.contains(doubled), "doubled wording: \(r.stderr)", sourceLocation: sourceLocation)
    }

    // MARK: 1. Doubled wordings

    @Test func invalidJSONIsSaidOnce() throws {
        let dir = try ScratchFolder()
        let game = try dir.write("two.yaml", twoStateGame)
        let bad = try dir.write("bad.json", "{\"meanField\": [0.5, 0.5\n")
        let mu = try dir.write("mu.csv", "0.5,0.5\n")
        try Self.expectSingleWording(["solve", game, "--initial", bad], mentioning: "--initial: invalid JSON: line 2, column 1",
                                     doubled: "invalid JSON: invalid JSON")
        try Self.expectSingleWording(["evaluate", game, "--policy", bad, "--mean-field", mu],
                                     mentioning: "policy: invalid JSON: line 2, column 1", doubled: "invalid JSON: invalid JSON")
        let badGame = try dir.write("g.json", "{\"name\": \n")
        try Self.expectSingleWording(["check", badGame], mentioning: "JSON syntax error: line 2", doubled: "invalid JSON")
    }

    @Test func policyIsNamedOnce() throws {
        let dir = try ScratchFolder()
        let game = try dir.write("two.yaml", twoStateGame)
        let policy = try dir.write("pi.csv", "0.5,0.6\n0.5,0.5\n")
        let mu = try dir.write("mu.csv", "0.5,0.5\n")
        try Self.expectSingleWording(["evaluate", game, "--policy", policy, "--mean-field", mu],
                                     mentioning: "pi.csv: policy: row 0 sums to 1.1", doubled: "policy: policy:")
    }
}

extension BlackBoxQATests {
    // MARK: 2. .npy errors name the flag

    @Test func npyErrorsNameTheFlag() throws {
        let dir = try ScratchFolder()
        let game = try dir.write("two.yaml", twoStateGame)
        let bad = dir.path("bad.npy")
        try Data([0x93] + Array("NUMPYjunk".utf8)).write(to: URL(fileURLWithPath: bad))
        let policy = try dir.write("pi.csv", "1,0\n0,1\n")
        let mu = try dir.write("mu.csv", "0.5,0.5\n")
        try expectInputError(["solve", game, "--initial", bad], mentioning: "bad.npy: --initial: NumPy header")
        try expectInputError(["evaluate", game, "--policy", bad, "--mean-field", mu], mentioning: "bad.npy: policy: NumPy header")
        try expectInputError(["evaluate", game, "--policy", policy, "--mean-field", bad], mentioning: "bad.npy: meanField: NumPy header")
    }

    // MARK: 3. A folder as an input file

    @Test func aFolderAsAnInputFileIsOneLine() throws {
        let dir = try ScratchFolder()
        let game = try dir.write("two.yaml", twoStateGame)
        let folder = dir.path("d")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false)
        let policy = try dir.write("pi.csv", "1,0\n0,1\n")
        let mu = try dir.write("mu.csv", "0.5,0.5\n")
        let folderLine = "cannot read the file (it is a folder)"
        try expectInputError(["solve", game, "--initial", folder], mentioning: "d: --initial: \(folderLine)")
        try expectInputError(["evaluate", game, "--policy", folder, "--mean-field", mu], mentioning: "d: policy: \(folderLine)")
        try expectInputError(["evaluate", game, "--policy", policy, "--mean-field", folder], mentioning: "d: meanField: \(folderLine)")
        try expectInputError(["check", folder], mentioning: folderLine)
        try expectInputError(["population", game, "--equilibrium", folder], mentioning: "--equilibrium: \(folder): \(folderLine)")
        try expectInputError(["worst-case", "--set", "wasserstein", "--radius", "0.1", "--values", "1,2", "--nominal", "0.5,0.5",
                              "--cost-file", folder], mentioning: "--cost-file: '\(folder)': \(folderLine)")
        try expectInputError(["worst-case", "--set", "polyhedral", "--constraints", folder, "--radius", "file",
                              "--values", "1,2", "--nominal", "0.5,0.5"], mentioning: "--constraints: \(folder): \(folderLine)")
        try expectInputError(["worst-case", "--set", "tv", "--radius", "0.1", "--nominal", "0.5,0.5", "--values-file", folder],
                             mentioning: "--values-file: \(folder): \(folderLine)")
        let withParameter = try dir.write("p.yaml", twoStateGame + "\nparameters:\n  R: {file: d}\n")
        try expectInputError(["check", withParameter], mentioning: folderLine)
    }
}

extension BlackBoxQATests {
    // MARK: 4. A normalized row whose sum overflows

    static let overflowingRows = [
        "transition: {expr: \"1e308\", normalize: true}",
        "transition: {successors: [{to: \"0\", p: \"1e308\"}, {to: \"1\", p: \"1e308\"}], normalize: true}",
        "parameters: {w: [1e308, 1e308]}\ntransition: {successors: [{to: \"0\", p: \"w[0]\"}, {to: \"1\", p: \"w[1]\"}], normalize: true}",
    ]

    @Test(arguments: overflowingRows)
    func normalizingAnOverflowingSumSaysSo(transition: String) throws {
        let dir = try ScratchFolder()
        let game = try dir.write("g.yaml", "name: g\nstates: 2\nactions: 1\ndiscount: 0.9\nreward: \"0\"\n\(transition)\n")
        try expectInputError(["check", game], mentioning: "to inf (beyond the double range), expected a finite positive sum to normalize")
        let r = try rmfg(["check", game])
        #expect(!r.stderr.contains("sum to 0"), "\(r.stderr)")
    }
}

extension BlackBoxQATests {
    // MARK: 5. An integer flag beyond the range of Int

    static let hugeInteger = "99999999999999999999999"

    static let integerFlags: [(arguments: [String], flag: String)] = [
        (["solve", "Examples/two-state.json", "--max-iterations"], "--max-iterations"),
        (["check", "Examples/two-state.json", "--max-iterations"], "--max-iterations"),
        (["solve", "Examples/two-state.json", "--coarse-start", "--coarsest-states"], "--coarsest-states"),
        (["generate", "garnet", "--states"], "--states"),
        (["generate", "garnet", "--actions"], "--actions"),
        (["generate", "garnet", "--branching"], "--branching"),
        (["population", "Examples/two-state.json", "--episodes"], "--episodes"),
        (["population", "Examples/two-state.json", "--steps"], "--steps"),
        (["population", "Examples/two-state.json", "--seed"], "--seed"),
        (["population", "Examples/two-state.json", "--exact-limit"], "--exact-limit"),
        (["population", "Examples/two-state.json", "--samples"], "--samples"),
        (["sweep", "Examples/two-state.json", "--samples"], "--samples"),
        (["alternating", "Examples/alternating/threshold.yaml", "--episodes"], "--episodes"),
        (["alternating", "Examples/alternating/threshold.yaml", "--seed"], "--seed"),
        (["alternating", "Examples/alternating/threshold.yaml", "--seeds"], "--seeds"),
        (["alternating", "Examples/alternating/threshold.yaml", "--rounds"], "--rounds"),
        (["alternating", "Examples/alternating/threshold.yaml", "--agents"], "--agents"),
    ]

    @Test(arguments: integerFlags.indices)
    func anIntegerBeyondRangeNamesTheFlag(index: Int) throws {
        let (arguments, flag) = Self.integerFlags[index]
        for value in [Self.hugeInteger, "-" + Self.hugeInteger] {
            try expectInputError(arguments + [value], mentioning: "\(flag): '\(value)' is out of range")
        }
        // Not an integer at all: still argument-parser's usage error.
        #expect(try rmfg(arguments + ["abc"]).status == 64)
    }
}

extension BlackBoxQATests {
    // MARK: 6. Shard files with values a sweep cannot write

    /// A sharded two-cell sweep in `dir`: shard 0 of 1, its manifest and CSV text.
    static func shard(in dir: ScratchFolder) throws -> (csv: String, manifest: String, folder: String) {
        let folder = dir.path("run")
        let r = try rmfg(["sweep", "Examples/two-state.json", "--sets", "tv", "--radii", "0.01,0.05", "--samples", "2",
                          "--shard", "0/1", "--output", folder])
        #expect(r.status == 0, "\(r.stderr)")
        let csv = folder + "/shard-0-of-1.csv", manifest = folder + "/shard-0-of-1.manifest"
        return (try String(contentsOfFile: csv, encoding: .utf8), try String(contentsOfFile: manifest, encoding: .utf8), folder)
    }

    /// The CSV text with `column` of the first row set to `value`.
    static func replacing(_ column: String, with value: String, in csv: String) -> String {
        var lines = csv.split(separator: "\n").map(String.init)
        let header = lines[0].split(separator: ",").map(String.init)
        var fields = lines[1].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        if let k = header.firstIndex(of: column) { fields[k] = value }
        lines[1] = fields.joined(separator: ",")
        return lines.joined(separator: "\n") + "\n"
    }

    @Test func mergeRefusesNonFiniteAndNegativeShardValues() throws {
        let dir = try ScratchFolder()
        let (csv, manifest, folder) = try Self.shard(in: dir)
        let csvPath = folder + "/shard-0-of-1.csv", manifestPath = folder + "/shard-0-of-1.manifest"
        let out = dir.path("merged")
        let cases = [("exploitability", "nan", "expected a finite number"), ("worstCase", "inf", "expected a finite number"),
                     ("randomMean", "-inf", "expected a finite number"),
                     ("stationarityResidual", "-1", "expected a finite number >= 0"),
                     ("nominalResidual", "-0.5", "expected a finite number >= 0"),
                     ("iterations", "-3", "expected an integer >= 0")]
        for (column, value, expected) in cases {
            try Self.replacing(column, with: value, in: csv).write(toFile: csvPath, atomically: true, encoding: .utf8)
            try expectInputError(["merge", folder, "--output", out],
                                 mentioning: "shard-0-of-1.csv: line 2: column \(column): \(value), \(expected)")
            #expect(!FileManager.default.fileExists(atPath: out))
        }
        try csv.write(toFile: csvPath, atomically: true, encoding: .utf8)
        let manifestCases = [("radii: 0.01,0.05", "radii: 0.01,nan", "radii: entry 2 is nan, expected a finite number >= 0"),
                             ("testRadius: 0.05", "testRadius: -0.05", "testRadius: -0.05, expected a finite number >= 0"),
                             ("samples: 2", "samples: -2", "samples: -2, expected an integer >= 1")]
        for (line, bad, message) in manifestCases {
            #expect(manifest.contains(line + "\n"), "no '\(line)' in \(manifest)")
            try manifest.replacingOccurrences(of: line + "\n", with: bad + "\n").write(toFile: manifestPath, atomically: true, encoding: .utf8)
            try expectInputError(["merge", folder, "--output", out], mentioning: "shard-0-of-1.manifest: \(message)")
            #expect(!FileManager.default.fileExists(atPath: out))
        }
        try manifest.write(toFile: manifestPath, atomically: true, encoding: .utf8)
        #expect(try rmfg(["merge", folder, "--output", out]).status == 0)
    }
}

extension BlackBoxQATests {
    // MARK: 7. CSV numbers are decimal

    @Test func hexadecimalCSVNumbersAreRefused() throws {
        let dir = try ScratchFolder()
        let game = try dir.write("two.yaml", twoStateGame)
        let hex = try dir.write("v.csv", "1,0x1p3\n")
        let hexMu = try dir.write("mu.csv", "0.5,0x1p-1\n")
        let policy = try dir.write("pi.csv", "1,0\n0,1\n")
        let decimal = "is not a decimal number (hexadecimal is not read)"
        try expectInputError(["worst-case", "--set", "tv", "--radius", "0.1", "--nominal", "0.5,0.5", "--values-file", hex],
                             mentioning: "line 1, entry 2: '0x1p3' \(decimal)")
        try expectInputError(["solve", game, "--initial", hexMu], mentioning: "--initial: line 1: `0x1p-1` \(decimal)")
        try expectInputError(["evaluate", game, "--policy", policy, "--mean-field", hexMu], mentioning: "`0x1p-1` \(decimal)")
        try expectInputError(["worst-case", "--set", "tv", "--radius", "0.1", "--nominal", "0.5,0.5", "--values", "1,0x1p3"],
                             mentioning: "--values: entry 2 is '0x1p3', expected a decimal number")
        let withParameter = try dir.write("p.yaml", twoStateGame + "\nparameters:\n  R: {file: v.csv}\n")
        try expectInputError(["check", withParameter], mentioning: "'0x1p3' \(decimal)")
        // Decimal numbers with exponents still read.
        let ok = try dir.write("ok.csv", "1e0,2.5E-1,.5,-0\n")
        #expect(try rmfg(["worst-case", "--set", "tv", "--radius", "0.1", "--nominal", "0.25,0.25,0.25,0.25", "--values-file", ok]).status == 0)
    }
}

extension BlackBoxQATests {
    // MARK: 8. A byte order mark in YAML

    @Test func yamlWithAByteOrderMarkReads() throws {
        let dir = try ScratchFolder()
        let bom = "\u{FEFF}"
        let anchored = try dir.write("a.yaml", bom + "name: &n x\ndescription: *n\nstates: 2\nactions: 1\ndiscount: 0.9\nreward: \"0\"\ntransition: \"t == s\"\n")
        let r = try rmfg(["check", anchored])
        #expect(r.status == 0, "\(r.stderr)")
        let documentStart = try dir.write("d.yaml", bom + "---\n" + twoStateGame)
        #expect(try rmfg(["check", documentStart]).status == 0)
        let constraints = try dir.write("c.yaml", bom + "set: polyhedral\nconstraints:\n  - {name: keep, coefficients: \"t == 2\", relation: \">=\", bound: 0.45}\n")
        let w = try rmfg(["worst-case", "--set", "polyhedral", "--constraints", constraints, "--radius", "file",
                          "--nominal", "0.2,0.3,0.5", "--values", "1,2,3"])
        #expect(w.status == 0, "\(w.stderr)")
    }
}

extension BlackBoxQATests {
    // MARK: 9. --export-lp with standard output failing

    @Test(.enabled(if: OutputSafetyTests.hasDevFull, "needs /dev/full"))
    func exportLPIsNotWrittenWhenStandardOutputFails() throws {
        let dir = try ScratchFolder()
        let constraints = try dir.write("c.yaml", "set: polyhedral\nconstraints:\n  - {coefficients: \"t == 2\", relation: \">=\", bound: 0.45}\n")
        let commands: [[String]] = [
            ["worst-case", "--set", "tv", "--radius", "0.1", "--nominal", "0.2,0.3,0.5", "--values", "1,2,3", "--export-lp"],
            ["worst-case", "--set", "polyhedral", "--constraints", constraints, "--radius", "file",
             "--nominal", "0.2,0.3,0.5", "--values", "1,2,3", "--export-lp"],
        ]
        for command in commands {
            let fresh = dir.path("new.lp"), old = try dir.write("old.lp", "old\n")
            for target in [fresh, old] {
                let r = try rmfgRedirected(command + [target], "> /dev/full")
                #expect(r.status == 2, "\(command): \(r.stderr)")
                #expect(r.stderr == "rmfg: error: cannot write to standard output: No space left on device\n", "\(r.stderr)")
            }
            #expect(!FileManager.default.fileExists(atPath: fresh), "\(command)")
            #expect(try String(contentsOfFile: old, encoding: .utf8) == "old\n")
            #expect(entries(dir.url.path) == ["c.yaml", "old.lp"], "\(command)")
            // With standard output working, the file is written; a folder there is refused before printing.
            let ok = try rmfg(command + [fresh])
            #expect(ok.status == 0 && FileManager.default.fileExists(atPath: fresh), "\(ok.stderr)")
            try FileManager.default.removeItem(atPath: fresh)
            try expectInputError(command + [dir.url.path], mentioning: "--export-lp: '\(dir.url.path)' is a folder")
        }
    }

    // MARK: 10. RMFG_RSVG_CONVERT naming a folder

    @Test func aRendererThatIsAFolderIsRefusedUpFront() throws {
        let dir = try ScratchFolder()
        let folder = dir.path("bin")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false)
        for command in [["solve", "Examples/two-state.json"], ["sweep", "Examples/two-state.json", "--sets", "tv", "--radii", "0"]] {
            let r = try rmfg(command + ["--output", dir.path("out"), "--figure-format", "png", "--quiet"],
                             environment: ["RMFG_RSVG_CONVERT": folder])
            #expect(r.status == 2 && r.stdout.isEmpty, "\(r.stderr)")
            #expect(r.stderr == "rmfg: error: --figure-format png: RMFG_RSVG_CONVERT names '\(folder)', which is a folder, expected the rsvg-convert executable (unset it to search PATH)\n")
            #expect(!FileManager.default.fileExists(atPath: dir.path("out")))
        }
    }

    // MARK: 11. A FIFO at an owned name inside --output

    @Test func aFIFOInsideAnOutputFolderIsRefused() throws {
        let dir = try ScratchFolder()
        let out = dir.path("out")
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: false)
        let kept = try dir.write("out/trace.csv", "old\n")
        for name in ["result.json", "meanfield.csv"] {
            let fifo = out + "/" + name
            #expect(mkfifo(fifo, 0o600) == 0)
            try withFIFOWatchdog(fifo) {
                try expectInputError(["solve", "Examples/two-state.json", "--quiet", "--output", out],
                                     mentioning: "--output: '\(fifo)' is not a regular file (a device, FIFO or socket)")
            }
            #expect(fileType(fifo) == S_IFIFO)
            #expect(try String(contentsOfFile: kept, encoding: .utf8) == "old\n")
            #expect(entries(out) == [name, "trace.csv"].sorted())
            #expect(unlink(fifo) == 0)
        }
    }
}
