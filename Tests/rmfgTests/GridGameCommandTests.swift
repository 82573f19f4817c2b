import Foundation
import Testing
import TestSupport

/// Grid states, `let` and `dot` through the command line: a small grid game solves, and
/// every load-time error is one line, exit status 2, nothing written.
@Suite("rmfg: grid games, let and dot")
struct GridGameCommandTests {
    static let game = gridMovesGame(
        name: "grid", parameters: "  w: [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 2]\n", bindings: "  crowd: \"mu[s] * states\"\n",
        rest: """
        reward: "-crowd - 0.1 * (a != stay) - abs(x - 3) - abs(y - 2) + dot(mu, w)"
        transition: "0.9 * (t == target) + 0.1 * (t == s)"
        ambiguity: {set: wasserstein, radius: 0.05, cost: "abs(x - tx) + abs(y - ty)"}
        solver: {temperature: 0.1, tolerance: 1e-10}
        """)

    /// The same game with every binding written out by hand.
    static let inline = game
        .replacingOccurrences(of: "-crowd", with: "-(mu[s] * states)")
        .replacingOccurrences(of: "t == target", with: "t == if(inside(x + dx[a], y + dy[a]), cell(x + dx[a], y + dy[a]), s)")

    @Test func aSmallGridGameSolvesLikeTheGameWrittenOut() throws {
        let dir = try ScratchFolder()
        let withLet = try dir.write("grid.yaml", Self.game)
        let written = try dir.write("inline.yaml", Self.inline)
        let a = try rmfg(["solve", withLet, "--format", "json"])
        let b = try rmfg(["solve", written, "--format", "json"])
        #expect(a.status == 0, "\(a.stderr)")
        #expect(b.status == 0, "\(b.stderr)")
        let mu = try #require(numbers(try a.json(), "meanField"))
        #expect(mu.count == 12)
        #expect(abs(mu.reduce(0, +) - 1) < 1e-9)
        #expect(mu == numbers(try b.json(), "meanField"))
        // The crowd gathers towards the corner (3, 2), the last cell.
        #expect(mu[11] == mu.max())
        // A 2-D grid is its own figure layout: the solve writes the grid figures.
        let out = dir.path("out")
        let r = try rmfg(["solve", withLet, "--output", out])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(FileManager.default.fileExists(atPath: out))
    }

    static let errors: [(from: String, to: String, mention: String)] = [
        ("  target: \"if(inside(nx, ny), cell(nx, ny), s)\"", "  target: \"cell(nx, ny)\"",
         "transition: at s=0, a=down: in let 'target': cell (0, -1) is outside the 4×3 grid"),
        ("  nx: \"x + dx[a]\"", "  nx: \"x + dx[a] + ny\"", "let.nx (line 10, column 7): let 'nx' uses 'ny', which is defined after it"),
        ("  nx: \"x + dx[a]\"", "  nx: \"nx + 1\"", "let 'nx' refers to itself"),
        ("reward: \"-crowd", "reward: \"-far - crowd", "reward (line 14, column 9): column 2: unknown name `far`"),
        ("  crowd: \"mu[s] * states\"", "  crowd: \"mu[t] * states\"", "reward (line 14, column 9): uses let 'crowd', which needs t; reward may use s, a, mu, x, y"),
        ("  crowd: \"mu[s] * states\"", "  crowd: \"mu[s] * states\"\n  states: \"1\"", "let.states"),
        ("dot(mu, w)", "dot(mu, dx)", "reward (line 14, column 9): column 56: `dot` takes two arrays of the same shape, found a vector of 12 and a vector of 5"),
        ("abs(x - 3)", "abs(x - 3) + inside(x, y, 0)", "`inside` takes 2 (the grid's dimensions) arguments but was given 3"),
        ("states: {grid: [4, 3]}", "states: {grid: [4, 3]}\nlayout: {grid: [2, 6]}", "layout.grid"),
        ("states: {grid: [4, 3]}", "states: 12", "`x` exists only in grid games"),
    ]

    @Test func loadTimeErrorsAreOneLineWithExitStatus2AndNothingWritten() throws {
        for (from, to, mention) in Self.errors {
            #expect(Self.game.contains(from), "\(from)")
            let dir = try ScratchFolder()
            let path = try dir.write("bad.yaml", Self.game.replacingOccurrences(of: from, with: to))
            let out = dir.path("out")
            try expectInputError(["solve", path, "--output", out], mentioning: mention)
            #expect(!FileManager.default.fileExists(atPath: out), "\(to)")
            try expectInputError(["check", path], mentioning: mention)
        }
    }
}
