import ArgumentParser
@testable import rmfg
import Testing

/// `rmfg SUBCOMMAND ARGS…` parsed for the subcommand alone (``SubcommandParse``): where it
/// succeeds it must give the command the full parse from the root gives, with every stored
/// value the same; help, version and completion requests, subcommands with subcommands of their
/// own, unknown names and every error must be left to the full parse (`nil`), so that messages,
/// help texts and exit statuses stay the root's.
@Suite struct SubcommandParseTests {
    static let subcommands = RMFG.configuration.subcommands

    @Test(arguments: [
        ["solve", "game.json"],
        ["solve", "game.json", "--quiet", "--format", "json", "--temperature", "0.3", "--param", "c=1", "--param", "w=[1, 2]"],
        ["solve", "--quiet", "game.yaml", "--set", "tv", "--radius", "0.1", "--method", "anderson", "--max-iterations", "7"],
        ["solve", "help"],
        ["solve", "--", "--quiet"],
        ["check", "game.json", "--set", "l1", "--radius", "0.2"],
        ["worst-case", "--set", "tv", "--radius", "0.2", "--nominal", "0.5,0.5", "--values", "1,2"],
        ["lp", "model.lp", "--format", "json"],
    ])
    func sameCommandAsTheFullParse(arguments: [String]) throws {
        let fast = try #require(SubcommandParse.parsed(arguments, subcommands: Self.subcommands))
        let full = try RMFG.parseAsRoot(arguments)
        #expect(type(of: fast) == type(of: full))
        #expect(String(reflecting: fast) == String(reflecting: full))
    }

    @Test(arguments: [
        [], ["--help"], ["-h"], ["--version"], ["help"], ["help", "solve"],
        ["solve"], ["solve", "--help"], ["solve", "-h"], ["solve", "-help"], ["solve", "game.json", "--help"],
        ["solve", "game.json", "--version"], ["solve", "game.json", "--bogus"], ["solve", "game.json", "extra"],
        ["solve", "game.json", "--temperature"], ["solve", "game.json", "--temperature", "warm"],
        ["solve", "game.json", "--generate-completion-script", "bash"], ["solve", "--experimental-dump-help"],
        ["solve", "---completion"], ["---completion", "solve", "--", "--method", "0", "0"],
        ["generate", "garnet", "--states", "3"], ["nosuch"], ["SOLVE", "game.json"],
    ])
    func everythingElseGoesToTheFullParse(arguments: [String]) {
        #expect(SubcommandParse.parsed(arguments, subcommands: Self.subcommands) == nil)
    }
}
