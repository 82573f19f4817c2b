import Ambiguity
@testable import MeanField
import Testing

/// The validation at the uniform mean field of a game built with every row's reward at once
/// (`MeanFieldGame.init(…rewardRows:…)`) reads the rewards from that function, and from the
/// reward function row by row only where it gives none (whose error is then reported).
@Suite struct ValidationRewardRowsTests {
    static let kernel: MeanFieldGame.KernelFunction = { s, _, _ in
        SparseDistribution(indices: [s], probabilities: [1])
    }

    @Test func theValidationReadsTheBatchRewards() throws {
        // A reward function that fails at every row: the batch's values are used instead.
        let failing: MeanFieldGame.RewardFunction = { _, _, _ throws(ModelError) in
            throw ModelError(field: "reward", message: "row by row")
        }
        let rows: MeanFieldGame.RewardRowsFunction = { mu in (0..<(mu.count * 2)).map { Double($0) * mu[0] } }
        let game = try MeanFieldGame(stateCount: 4, actionCount: 2, discount: 0.5, reward: failing, rewardRows: rows, kernel: Self.kernel)
        #expect(try game.snapshot(at: [0.25, 0.25, 0.25, 0.25]).rewards == (0..<8).map { Double($0) * 0.25 })
        // Without the batch's values, the first row's error.
        let error = try #require(throws: MeanFieldError.self) {
            try MeanFieldGame(stateCount: 4, actionCount: 2, discount: 0.5, reward: failing, rewardRows: { _ in nil }, kernel: Self.kernel)
        }
        guard case let .model(state, action, model) = error else {
            Issue.record("expected a model error, found \(error)")
            return
        }
        #expect(state == 0 && action == 0 && model.message == "row by row")
    }
}
