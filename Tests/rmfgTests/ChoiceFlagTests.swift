import Foundation
import Testing

/// Enum flags (`Choice`) and comma-separated lists (`Parse.list`): every invalid value is
/// one line naming the flag, exit status 2 — never argument-parser's usage error (64).
@Suite("Typed flags keep exit 2 and one line")
struct ChoiceFlagTests {
    static let game = "Examples/beach-bar.yaml"
    static let vectors = ["--radius", "0.1", "--nominal", "0.2,0.3,0.5", "--values", "1,2,3"]

    @Test func enumFlagsNameTheFlagAndTheValues() throws {
        try expectInputError(["worst-case", "--set", "box"] + Self.vectors,
                             mentioning: "--set: 'box', expected one of: none, tv, l1, linf, wasserstein, kl, chi2")
        try expectInputError(["worst-case", "--set", "tv", "--support", "all"] + Self.vectors,
                             mentioning: "--support: 'all', expected simplex or nominal")
        try expectInputError(["worst-case", "--set", "tv", "--method", "exact"] + Self.vectors,
                             mentioning: "--method: 'exact', expected closed-form, lp or both")
        try expectInputError(["population", Self.game, "--true-model", "best"],
                             mentioning: "--true-model: 'best', expected worst-case, nominal or random")
        try expectInputError(["generate", "garnet", "--set", "box"], mentioning: "--set: 'box', expected one of: none, tv")
        try expectInputError(["sweep", Self.game, "--population", "best"], mentioning: "--population: 'best', expected one of: worst-case, nominal")
        // `support-newton` labels trace records of auto but is not a method one can request.
        try expectInputError(["solve", Self.game, "--method", "support-newton"],
                             mentioning: "--method: 'support-newton', expected one of: auto, anderson, fixed-point, fictitious-play, mirror-descent")
    }

    /// `--format` on every command that has it: exit 2 and one line before any work, no
    /// output folder (regression: it was argument-parser's usage error, status 64).
    @Test func formatIsAChoiceOnEveryCommand() throws {
        let dir = try ScratchFolder()
        let commands: [[String]] = [
            ["solve", Self.game, "--output", dir.path("solve")], ["check", Self.game], ["sweep", Self.game, "--output", dir.path("sweep")],
            ["population", Self.game], ["worst-case", "--set", "tv"] + Self.vectors, ["lp", "Examples/wyndor.lp"],
            ["alternating", "Examples/alternating/threshold.yaml"], ["merge", dir.path("none")],
            ["evaluate", Self.game, "--policy", "p.csv", "--mean-field", "m.csv"],
        ]
        for command in commands {
            try expectInputError(command + ["--format", "xml"], mentioning: "--format: 'xml', expected text or json")
        }
        #expect(!FileManager.default.fileExists(atPath: dir.path("solve")) && !FileManager.default.fileExists(atPath: dir.path("sweep")))
        let help = try rmfg(["solve", "--help"])
        #expect(help.status == 0 && help.stdout.contains("--format <format>") && help.stdout.contains("default: text"))
    }

    /// An invalid choice is refused before the game file is read (a missing file is not reported first).
    @Test func choicesAreCheckedBeforeTheFile() throws {
        try expectInputError(["solve", "/nonexistent/game.yaml", "--inner", "fast"], mentioning: "--inner: 'fast'")
    }

    @Test func listsNameTheEntry() throws {
        try expectInputError(["population", Self.game, "--agents", "10,10"], mentioning: "--agents: entry 2 repeats 10")
        try expectInputError(["population", Self.game, "--agents", "10,0"], mentioning: "--agents: entry 2 is 0, expected an integer >= 1")
        try expectInputError(["population", Self.game, "--agents", " "], mentioning: "--agents: empty, expected a comma-separated list of integers >= 1")
        try expectInputError(["sweep", Self.game, "--sets", "tv,box"], mentioning: "--sets: entry 2 is 'box', expected one of none, tv")
        try expectInputError(["sweep", Self.game, "--sets", ""], mentioning: "--sets: empty, expected a comma-separated list of ambiguity sets")
        try expectInputError(["alternating", "Examples/alternating/threshold.yaml", "--observed", "2,x"],
                             mentioning: "--observed: entry 2 is 'x', expected a whole number")
        try expectInputError(["alternating", "Examples/alternating/threshold.yaml", "--observed", "2,2"],
                             mentioning: "--observed: entry 2 repeats 2")
    }

    /// `--help` still lists the accepted values of an enum flag.
    @Test func helpListsTheValues() throws {
        let r = try rmfg(["worst-case", "--help"])
        #expect(r.status == 0)
        #expect(r.stdout.contains("--support <support>") && r.stdout.contains("simplex"))
    }
}
