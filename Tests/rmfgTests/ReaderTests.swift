import Foundation
import Testing
import TestSupport

/// Readers of JSON and LP files written by rmfg itself and by other tools.
@Suite("rmfg readers")
struct ReaderTests {
    /// `solve` writes integers for whole numbers (`"meanField": [1,0]`); `population` reads them back.
    @Test func populationReadsSolveOutputWithIntegers() throws {
        let dir = try ScratchFolder()
        // Every action leads to `high`: μ* = (0, 1) and a greedy policy, written as integers.
        let game = try dir.write("corner.yaml", """
        name: corner
        states: [low, high]
        actions: [stay, up]
        discount: 0.9
        reward: "(s == high) + 0.5 * (a == up)"
        transition: "t == high"
        ambiguity: {set: none, radius: 0}
        solver: {temperature: 0}
        """)
        let solved = try rmfg(["solve", game, "--output", dir.path("out"), "--format", "json"])
        try #require(solved.status == 0, "\(solved.stderr)")
        let written = try String(contentsOfFile: dir.path("out/result.json"), encoding: .utf8)
        #expect(written.contains("\"meanField\":[0,1]"), "\(written.prefix(300))")
        let r = try rmfg(["population", game, "--equilibrium", dir.path("out/result.json"), "--agents", "5",
                          "--episodes", "4", "--steps", "3", "--samples", "1", "--format", "json"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(numbers(try r.json(), "meanField") == [0, 1])
    }

    /// JSON written by Python's `json` (integers, exponents, -0, spaces) is read like rmfg's own.
    @Test func populationReadsJSONFromOtherWriters() throws {
        let dir = try ScratchFolder()
        let game = "Examples/sis-epidemic.yaml"
        let variants = [
            #"{"meanField": [1, 0], "policy": [[1, 0], [0, 1]]}"#,
            #"{"policy": [[1.0, -0.0], [0E0, 1e0]], "meanField": [1E+0, 0.0], "extra": {"x": [null, true]}}"#,
            #"{"meanField": [0.5, 5e-1], "policy": [[0.25, 7.5e-1], [1, 0]]}"#,
        ]
        for (k, text) in variants.enumerated() {
            let path = try dir.write("eq\(k).json", text)
            let r = try rmfg(["population", game, "--equilibrium", path, "--agents", "4", "--episodes", "4",
                              "--steps", "3", "--samples", "1", "--format", "json"])
            #expect(r.status == 0, "\(text): \(r.stderr)")
        }
        if let python = ["/usr/bin/python3", "/usr/local/bin/python3"].first(where: { FileManager.default.isExecutableFile(atPath: $0) }) {
            let path = dir.path("python.json")
            let p = Process()
            p.executableURL = URL(fileURLWithPath: python)
            p.arguments = ["-c", "import json, sys; json.dump({'meanField': [1, 0], 'policy': [[1, 0], [0.5, 0.5]]}, open(sys.argv[1], 'w'))", path]
            try p.run()
            p.waitUntilExit()
            #expect(p.terminationStatus == 0)
            let r = try rmfg(["population", game, "--equilibrium", path, "--agents", "4", "--episodes", "4",
                              "--steps", "3", "--samples", "1", "--format", "json"])
            #expect(r.status == 0, "\(r.stderr)")
        }
        // Still refused: non-numbers, numbers out of Double's range, wrong shapes, bad JSON.
        let bad: [(String, String)] = [
            (#"{"meanField": [1, "0"], "policy": [[1, 0], [0, 1]]}"#, "meanField has a non-numeric entry"),
            (#"{"meanField": [1, true], "policy": [[1, 0], [0, 1]]}"#, "meanField has a non-numeric entry"),
            (#"{"meanField": [1, 1e400], "policy": [[1, 0], [0, 1]]}"#, "meanField entry 2"),
            (#"{"meanField": [1, 0], "policy": [[1, 0], [0, null]]}"#, "policy row 1 has a non-numeric entry"),
            (#"{"meanField": [1, 0], "policy": [1, 0]}"#, "policy row 0"),
            (#"{"meanField": [1, 0]}"#, "no policy"),
            (#"{"meanField": [1, 0], "meanField": [1, 0], "policy": [[1, 0], [0, 1]]}"#, "duplicate key"),
            (#"{"meanField": [01, 0], "policy": [[1, 0], [0, 1]]}"#, "leading zero"),
            (#"[1, 0]"#, "not a JSON object"),
        ]
        for (k, (text, mention)) in bad.enumerated() {
            let path = try dir.write("bad\(k).json", text)
            try expectInputError(["population", game, "--equilibrium", path], mentioning: mention)
        }
    }

    static let integerProgram = integerProgramLP

    @Test func lpRefusesIntegerPrograms() throws {
        let dir = try ScratchFolder()
        for (name, section, column) in [("general", "General\n x y\n", "columns 'x' and 1 more are"),
                                        ("binary", "Binary\n y\n", "column 'y' is")] {
            let path = try dir.write("\(name).lp", Self.integerProgram + section + "End\n")
            try expectInputError(["lp", path], mentioning: "\(column) integer or binary")
            try expectInputError(["lp", path, "--format", "json"], mentioning: "rmfg solves linear programs, not integer programs")
        }
        // The relaxation itself is a linear program and solves.
        let relaxation = try dir.write("relaxation.lp", Self.integerProgram + "End\n")
        let r = try rmfg(["lp", relaxation, "--format", "json"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(abs((number(try r.json(), "objective") ?? 0) - 13) <= 1e-9)
    }

    @Test func lpShowsGLPKsParseMessage() throws {
        let dir = try ScratchFolder()
        let path = try dir.write("huge.lp", "Maximize\n obj: 5 x + 4 y\nSubject To\n c1: 6 x + 4 y <= 24\n c2: x + 2 y <= 6\n c3: x <= 1e400\nEnd\n")
        try expectInputError(["lp", path], mentioning: "huge.lp: line 6: numeric constant '1e400' out of range")
        let missing = dir.path("missing.lp")
        try expectInputError(["lp", missing], mentioning: "missing.lp")
        // GLPK prints nothing of its own.
        let r = try rmfg(["lp", path])
        #expect(!r.stderr.contains("Reading problem data"))
        #expect(r.stdout.isEmpty)
    }
}
