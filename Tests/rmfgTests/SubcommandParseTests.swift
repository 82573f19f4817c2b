import ArgumentParser
import GameFiles
import Plots
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

    /// `rmfg solve` argument lists that ``SolveShortcut`` reads without argument-parser: the same
    /// run as the full parse's command, value for value (overrides, figure settings and format
    /// resolved as the run resolves them).
    @Test(arguments: [
        ["solve", "game.json"],
        ["solve", "game.json", "--quiet"],
        ["solve", "--quiet", "game.yaml"],
        ["solve", "game.json", "--format", "json"],
        ["solve", "--format", "text", "game.json", "--quiet"],
        ["solve", "game.yaml", "--verify", "--exact", "--compare-nominal", "--quiet", "--format", "json"],
        ["solve", "--exact", "help"],
        ["solve", "json"],
        ["solve", "--format", "json", "text"],
    ])
    func shortcutGivesTheFullParsesRun(arguments: [String]) throws {
        let fast = try #require(SolveShortcut.parsed(arguments))
        let full = SolveRun(try #require(try RMFG.parseAsRoot(arguments) as? SolveCommand))
        #expect(fast.game == full.game)
        #expect(fast.verify == full.verify && fast.exact == full.exact)
        #expect(fast.compareNominal == full.compareNominal && fast.quiet == full.quiet)
        #expect(fast.output == nil && full.output == nil)
        #expect(try FormatOptions.format(fast.format) == FormatOptions.format(full.format))
        #expect(try fast.overrides() == full.overrides())
        let (a, b) = (try fast.figures(), try full.figures())
        #expect(a.format == b.format && a.width == b.width && a.renderer == nil && b.renderer == nil)
    }

    /// Everything else is left to ``SubcommandParse`` and the full parse.
    @Test(arguments: [
        [], ["solve"], ["solve", ""], ["solve", "-"], ["solve", "--"], ["solve", "--", "game.json"], ["solve", "game.json", "--"],
        ["solve", "game.json", "game.json"], ["solve", "game.json", "--quiet", "--quiet"], ["solve", "game.json", "--format"],
        ["solve", "game.json", "--format", "xml"], ["solve", "game.json", "--format=json"],
        ["solve", "game.json", "--format", "json", "--format", "text"], ["solve", "game.json", "--format", "--quiet"],
        ["solve", "--help"], ["solve", "-h"], ["solve", "game.json", "--version"], ["solve", "game.json", "-q"],
        ["solve", "game.json", "--temperature", "0.3"], ["solve", "game.json", "--output", "out"],
        ["solve", "game.json", "--figure-format", "svg"], ["solve", "game.json", "--set", "tv"],
        ["solve", "game.json", "--generate-completion-script", "bash"], ["solve", "--experimental-dump-help"],
        ["SOLVE", "game.json"], ["check", "game.json"], ["help", "solve"], ["--version"],
    ])
    func everythingElseSkipsTheShortcut(arguments: [String]) {
        #expect(SolveShortcut.parsed(arguments) == nil)
    }
}
