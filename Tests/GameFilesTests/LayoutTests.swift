import Ambiguity
import Foundation
@testable import GameFiles
import MeanField
import Testing

/// The optional `layout: {grid: [width, height], origin}` block.
@Suite("Game-file layout")
struct GameLayoutTests {
    static func game(states: Int, layout: String) -> String {
        """
        name: g
        states: \(states)
        actions: [left, right]
        discount: 0.5
        reward: "0"
        transition: "t == s"
        \(layout)
        """
    }

    @Test func gridIsReadWithItsOrigin() throws {
        let plain = try loadGame(Self.game(states: 6, layout: ""))
        #expect(plain.file.layout == nil)
        let grid = try loadGame(Self.game(states: 6, layout: "layout: {grid: [3, 2]}"))
        #expect(grid.file.layout == GameLayout(width: 3, height: 2, origin: .topLeft))
        let up = try loadGame(Self.game(states: 6, layout: "layout:\n  grid: [2, 3]\n  origin: bottom-left"))
        #expect(up.file.layout == GameLayout(width: 2, height: 3, origin: .bottomLeft))
        let json = try loadGame(#"{"name": "g", "states": 4, "actions": 1, "discount": 0, "reward": "0", "transition": "t == s", "layout": {"grid": [4, 1]}}"#, json: true)
        #expect(json.file.layout?.width == 4)
        #expect(GameLayout(width: 3, height: 2).cell(5) == (x: 2, y: 1))
    }

    /// Every bad layout is a one-line load-time error naming the field.
    @Test(arguments: [
        ("layout: {grid: [3, 3]}", "layout.grid", "(9 cells), expected width · height = states (6)"),
        ("layout: {grid: [6]}", "layout.grid", "expected a list [width, height]"),
        ("layout: {grid: [1, 2, 3]}", "layout.grid", "expected a list [width, height]"),
        ("layout: {grid: 6}", "layout.grid", "expected a list [width, height]"),
        ("layout: {grid: [0, 6]}", "layout.grid[0]", "expected a whole number in 1...1000000"),
        ("layout: {grid: [2, -3]}", "layout.grid[1]", "expected a whole number"),
        ("layout: {grid: [1.5, 4]}", "layout.grid[0]", "expected a whole number"),
        ("layout: {grid: [two, 3]}", "layout.grid[0]", "expected a number"),
        ("layout: {origin: top-left}", "layout.grid", "missing"),
        ("layout: {grid: [3, 2], origin: middle}", "layout.origin", "expected one of: top-left, bottom-left"),
        ("layout: {grid: [3, 2], cells: 6}", "layout.cells", "unknown key 'cells'"),
        ("layout: 6", "layout", "expected a mapping"),
    ])
    func badLayoutsAreRefused(layout: String, field: String, message: String) throws {
        let error = try #require(loadError(Self.game(states: 6, layout: layout)))
        #expect(error.field == field, "\(error)")
        #expect(error.description.contains(message), "\(error)")
        #expect(!error.description.contains("\n"))
    }

    /// The preferred moves against a hand computation on a 3 × 2 grid.
    @Test func preferredMovesFollowTheKernel() throws {
        let layout = GameLayout(width: 3, height: 2)
        // Actions: 0 moves right (with probability 0.8, else stays), 1 jumps to cell 5, 2 stays.
        var kernels: [SparseDistribution] = []
        for s in 0..<6 {
            let right = s % 3 < 2 ? s + 1 : s
            kernels.append(right == s ? SparseDistribution(indices: [s], probabilities: [1])
                           : SparseDistribution(indices: [s, right], probabilities: [0.2, 0.8]))
            kernels.append(SparseDistribution(indices: [5], probabilities: [1]))
            kernels.append(SparseDistribution(indices: [s], probabilities: [1]))
        }
        let rows: [[Double]] = [[0.6, 0.2, 0.2], [0.1, 0.1, 0.8], [0.5, 0.5, 0], [0.2, 0.6, 0.2], [0.4, 0.4, 0.2], [0.2, 0.7, 0.1]]
        let moves = layout.preferredMoves(policy: try Policy(rows: rows), kernels: kernels)
        #expect(moves.count == 6)
        #expect(moves[0].map { $0.dx == 1 && $0.dy == 0 } == true)        // right, scaled to length 1
        #expect(moves[1].map { $0.dx == 0 && $0.dy == 0 } == true)        // stays
        #expect(moves[2].map { $0.dx == 0 && $0.dy == 0 } == true)        // tie: action 0 first; at the edge it stays
        #expect(moves[3] == nil)                                           // jump from (0, 1) to (2, 1): 2 > 1.5 cells
        #expect(moves[4].map { $0.dx == 1 && $0.dy == 0 } == true)        // tie between 0 and 1: action 0
        #expect(moves[5].map { $0.dx == 0 && $0.dy == 0 } == true)        // the jump lands where it is
    }
}
