import Foundation
import Testing

/// `rmfg generate garnet --arrays npy`: a game file with three `.npy` arrays beside it,
/// written all or nothing, that `rmfg solve` reads as the same game as the inline form.
@Suite("generate garnet with .npy arrays")
struct GenerateArraysTests {
    static let arrayNames = ["g.rewards.npy", "g.targets.npy", "g.probabilities.npy"]

    @Test func solvesLikeTheInlineForm() throws {
        let dir = try ScratchFolder()
        let size = ["--states", "60", "--actions", "3", "--branching", "6", "--seed", "5"]
        for (game, inline) in [("g.yaml", "inline.json"), ("g.json", "inline.yaml")] {
            let made = try rmfg(["generate", "garnet"] + size + ["--arrays", "npy", "--output", dir.path(game)])
            #expect(made.status == 0 && made.stdout.isEmpty && made.stderr.isEmpty, "\(made.stderr)")
            #expect(try rmfg(["generate", "garnet"] + size + ["--output", dir.path(inline)]).status == 0)
            let a = try rmfg(["solve", dir.path(game), "--format", "json"])
            let b = try rmfg(["solve", dir.path(inline), "--format", "json"])
            #expect(a.status == 0 && b.status == 0, "\(a.stderr) \(b.stderr)")
            let x = try #require(numbers(try a.json(), "meanField")), y = try #require(numbers(try b.json(), "meanField"))
            #expect(x.count == 60 && x == y)
        }
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.url.path).sorted()
        #expect(files == (["g.json", "g.yaml", "inline.json", "inline.yaml"] + Self.arrayNames).sorted())
        // The same seed gives the same bytes.
        let again = try ScratchFolder()
        #expect(try rmfg(["generate", "garnet"] + size + ["--arrays", "npy", "--output", again.path("g.yaml")]).status == 0)
        for name in Self.arrayNames + ["g.yaml"] {
            #expect(FileManager.default.contentsEqual(atPath: dir.path(name), andPath: again.path(name)), "\(name)")
        }
    }

    @Test func autoChoosesArraysForLargeGames() throws {
        let dir = try ScratchFolder()
        let r = try rmfg(["generate", "garnet", "--states", "100000", "--actions", "2", "--branching", "6", "--output", dir.path("g.yaml")])
        #expect(r.status == 0, "\(r.stderr)")
        for name in Self.arrayNames { #expect(FileManager.default.fileExists(atPath: dir.path(name)), "\(name)") }
        let text = try String(contentsOfFile: dir.path("g.yaml"), encoding: .utf8)
        #expect(text.contains("transition: {sparse: {targets: T, probabilities: P}}") && text.utf8.count < 2_000)
        let check = try rmfg(["check", dir.path("g.yaml")])
        #expect(check.status == 0, "\(check.stderr)")
    }

    /// Bad requests and failed writes: one error line, exit 2, nothing written or replaced.
    @Test func failuresWriteNothing() throws {
        try expectInputError(["generate", "garnet", "--arrays", "npy"], mentioning: "--arrays: npy writes files beside the game file, so it needs --output")
        try expectInputError(["generate", "garnet", "--arrays", "zip"], mentioning: "--arrays: 'zip', expected one of: auto, inline, npy")
        try expectInputError(["generate", "garnet", "--states", "1000001"], mentioning: "--states: 1000001, expected 1...1000000")
        try expectInputError(["generate", "garnet", "--states", "1000000", "--actions", "11", "--branching", "1", "--arrays", "inline"],
                             mentioning: "--arrays: states·actions·branching = 11000000 is too many to write inline")
        let dir = try ScratchFolder()
        let old = try dir.write("g.yaml", "old\n")
        try FileManager.default.createDirectory(atPath: dir.path("g.targets.npy"), withIntermediateDirectories: false)
        try expectInputError(["generate", "garnet", "--arrays", "npy", "--output", old], mentioning: "g.targets.npy")
        #expect(try String(contentsOfFile: old, encoding: .utf8) == "old\n")
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.url.path).sorted()
        #expect(files == ["g.targets.npy", "g.yaml"])
        try expectInputError(["generate", "garnet", "--arrays", "npy", "--output", dir.path("missing/g.yaml")], mentioning: "--output")
        #expect(!FileManager.default.fileExists(atPath: dir.path("missing")))
    }
}
