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
