import Foundation
import GameFiles
import MeanField
import Randomness
import Testing
import TestSupport

/// The rewards of a game file's snapshot, computed for every row at once per mean field
/// (`MeanFieldGame.withRewardRows`): bit for bit the reward function's values row by row, and
/// a row that fails reports the same error as before.
@Suite struct RewardRowsGameTests {
    static let examples = ["beach-bar.yaml", "congestion.yaml", "coordination.yaml", "crowd-grid-small.yaml",
                           "four-rooms.yaml", "lasry-lions.yaml", "moment-crowd.yaml", "rock-paper-scissors.yaml",
                           "sis-epidemic.yaml", "two-state.json"]

    @Test(arguments: examples) func snapshotRewardsAreTheRowByRowRewards(name: String) throws {
        let file = try GameFile.load(path: Paths.example(name))
        let game = try file.makeGame()
        let n = game.stateCount, m = game.actionCount
        for mu in LetMemoGameTests.meanFields(n) {
            let snapshot = try game.snapshot(at: mu)
            let rows = try (0..<(n * m)).map { row in try game.reward(row / m, row % m, mu) }
            #expect(snapshot.rewards.map(\.bitPattern) == rows.map(\.bitPattern), "\(name)")
        }
    }

    /// The validation at the uniform mean field (`makeGame`) takes the batch rewards; where a row
    /// fails there, the error is the one the row-by-row rewards reported (main `3c5a8df`'s
    /// `rmfg check` of these files): the lowest failing row, a non-finite value, and the lowest
    /// failing row of a game whose rewards are computed in chunks (6,000 rows).
    @Test func theValidationReportsTheRowByRowErrors() throws {
        let cases = [
            (12, "a + log(4.5 - s + mu[0])", "reward: at s=5, a=0: logarithm of a non-positive number (-0.4166666666666667)"),
            (12, "-exp(100 * s * (a + 1)) + mu[s]", "reward: at s=4, a=1: the value is not finite (inf)"),
            (3000, "a + log(2100.5 - s + mu[0])", "reward: at s=2101, a=0: logarithm of a non-positive number (-0.49966666666666665)"),
        ]
        for (n, reward, expected) in cases {
            let text = "name: failing\nstates: \(n)\nactions: 2\ndiscount: 0.9\nreward: \"\(reward)\"\ntransition: \"t == s\"\n"
            let file = try GameFile.parse(text: text, path: "test.yaml")
            let error = try #require(throws: GameFileError.self) { try file.makeGame() }
            #expect(error.description == "test.yaml: " + expected, "\(reward)")
        }
    }

    /// Games of at least `ExecutionMode.parallelRowThreshold` rows compute the rewards in chunks
    /// on both cores: still the row-by-row rewards bit for bit (the crowd grid at 30 × 30, 4,500
    /// rows, and 100 × 20, 10,000 rows, at three mean fields).
    @Test(arguments: [(30, 30), (100, 20)]) func largeGamesInChunksGiveTheRowByRowRewards(width: Int, height: Int) throws {
        let file = try KernelRowsBatchTests.load("crowd-grid.yaml", ["width": Double(width), "height": Double(height)])
        let game = try file.makeGame()
        let n = game.stateCount, m = game.actionCount
        #expect(n * m >= ExecutionMode.parallelRowThreshold)
        for mu in KernelRowsBatchTests.meanFields(n) {
            let snapshot = try game.snapshot(at: mu)
            let rows = try (0..<(n * m)).map { row in try game.reward(row / m, row % m, mu) }
            #expect(snapshot.rewards.map(\.bitPattern) == rows.map(\.bitPattern), "\(width)×\(height)")
        }
    }

    /// In chunks too, the lowest failing row is reported with the reward function's message
    /// (3,000 states, rows failing from `s = 2,100` on, in several chunks).
    @Test func aFailingRowOfALargeGameReportsItsError() throws {
        let (_, game) = try loadGame("""
        name: failing
        states: 3000
        actions: 2
        discount: 0.9
        reward: "a + log(1.5 - (s >= 2100) * (1 + 1000 * mu[0]))"
        transition: "t == s"
        """)
        var mu = [Double](repeating: 0.5 / 2999, count: 3000)
        mu[0] = 0.5
        let rowError = try #require(throws: ModelError.self) { try game.reward(2100, 0, mu) }
        let error = try #require(throws: MeanFieldError.self) { try game.snapshot(at: mu) }
        guard case let .model(state, action, modelError) = error else {
            Issue.record("expected a model error, found \(error)")
            return
        }
        #expect(state == 2100 && action == 0)
        #expect(modelError.description == rowError.description)
        // Valid everywhere at the uniform law: the row-by-row rewards.
        let uniformMu = uniform(3000)
        let snapshot = try game.snapshot(at: uniformMu)
        let rows = try (0..<6000).map { row in try game.reward(row / 2, row % 2, uniformMu) }
        #expect(snapshot.rewards.map(\.bitPattern) == rows.map(\.bitPattern))
    }

    /// The garnet of `compare.py --cli` (through a generated file, as `rmfg solve` reads it).
    @Test func garnetRewardsAreTheRowByRowRewards() throws {
        let text = GarnetSpecification(states: 20, actions: 5, branching: 4, seed: 3).fileText(json: true)
        let (_, game) = try loadGame(text, json: true)
        var rng = SplitMix64(seed: 16)
        let x = (0..<20).map { _ in Double.random(in: 0.01..<1, using: &rng) }
        let mu = x.map { $0 / x.reduce(0, +) }
        let snapshot = try game.snapshot(at: mu)
        let rows = try (0..<100).map { row in try game.reward(row / 5, row % 5, mu) }
        #expect(snapshot.rewards.map(\.bitPattern) == rows.map(\.bitPattern))
    }

    /// `log(mu[s] - 0.01)` is valid at the uniform mean field and fails at `s = 2` here: the
    /// snapshot reports that row, with the reward function's own message.
    @Test func aFailingRowReportsItsError() throws {
        let (_, game) = try loadGame("""
        name: failing
        states: 3
        actions: 2
        discount: 0.9
        reward: "a + log(mu[s] - 0.01)"
        transition: "t == a"
        """)
        let mu = [0.5, 0.495, 0.005]
        let rowError = try #require(throws: ModelError.self) { try game.reward(2, 0, mu) }
        let error = try #require(throws: MeanFieldError.self) { try game.snapshot(at: mu) }
        guard case let .model(state, action, modelError) = error else {
            Issue.record("expected a model error, found \(error)")
            return
        }
        #expect(state == 2 && action == 0)
        #expect(modelError.description == rowError.description)
        // A non-finite reward is refused as before.
        let (_, infinite) = try loadGame("""
        name: infinite
        states: 2
        actions: 2
        discount: 0.9
        reward: "exp(1000 * mu[s])"
        transition: "t == a"
        """)
        #expect(throws: MeanFieldError.self) { try infinite.snapshot(at: [1, 0]) }
    }
}
