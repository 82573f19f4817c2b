import Ambiguity
import MeanField
import Testing
import TestSupport

@Suite struct ModelTests {
    @Test func kernelValidationNamesTheRow() throws {
        #expect(throws: MeanFieldError.invalidKernel(state: 1, action: 0, message: "entries sum to 0.9, expected 1 within 1e-09")) {
            try MeanFieldGame(stateCount: 2, actionCount: 1, discount: 0.5, reward: { _, _, _ in 0 },
                              kernel: { s, _, _ in SparseDistribution(indices: [0], probabilities: [s == 1 ? 0.9 : 1]) })
        }
        #expect(throws: MeanFieldError.self) {
            try MeanFieldGame(stateCount: 2, actionCount: 1, discount: 0.5, reward: { _, _, _ in 0 },
                              kernel: { _, _, _ in SparseDistribution(indices: [0, 2], probabilities: [0.5, 0.5]) })
        }
        let discount = MeanFieldError.invalidGame(field: .discount, message: "1.0, expected 0 <= discount < 1")
        #expect(throws: discount) {
            try MeanFieldGame(stateCount: 2, actionCount: 1, discount: 1, reward: { _, _, _ in 0 },
                              kernel: { _, _, _ in SparseDistribution(indices: [0], probabilities: [1]) })
        }
        #expect(discount.description == "discount: 1.0, expected 0 <= discount < 1")
        // A structural field is named by a typed case; the message uses the game file's name.
        let weights = MeanFieldError.invalidGame(field: .ambiguityWeights, message: "1 weights, expected one per state (2)")
        #expect(throws: weights) {
            try MeanFieldGame(stateCount: 2, actionCount: 1, discount: 0.5, ambiguity: try AmbiguitySet(kind: .l1, weights: [1]),
                              reward: { _, _, _ in 0 },
                              kernel: { _, _, _ in SparseDistribution(indices: [0], probabilities: [1]) },
                              radius: { _, _, _ in 0.1 })
        }
        #expect(weights.description == "ambiguity.weights: 1 weights, expected one per state (2)")
        #expect(throws: MeanFieldError.invalidRadius(state: 0, action: 0, value: -0.1)) {
            try MeanFieldGame(stateCount: 1, actionCount: 1, discount: 0.5, ambiguity: .totalVariation(),
                              reward: { _, _, _ in 0 },
                              kernel: { _, _, _ in SparseDistribution(indices: [0], probabilities: [1]) },
                              radius: { _, _, _ in -0.1 })
        }
    }

    /// Data that become invalid only at some visited mean field stop the solve with a typed error.
    @Test func invalidAtAVisitedMeanField() throws {
        let game = try MeanFieldGame(stateCount: 2, actionCount: 2, discount: 0.5,
                                     reward: { s, _, mu in mu[s] > 0.9 ? .nan : Double(s) },
                                     kernel: { _, a, _ in SparseDistribution(indices: [a], probabilities: [1]) })
        do {
            _ = try game.solveEquilibrium(options: .init(method: .fixedPoint, temperature: 0.01, damping: 1))
            Issue.record("expected a reward error")
        } catch let error {
            guard case .invalidReward(_, _, let value) = error else {
                Issue.record("unexpected \(error)")
                return
            }
            #expect(value.isNaN)
        }
    }

    @Test func zeroEntriesAreDroppedAndTablesReused() throws {
        let game = try MeanFieldGame(rewards: [[1, 2], [3, 4]],
                                     kernels: [[SparseDistribution(indices: [0, 1], probabilities: [0, 1]),
                                                SparseDistribution(indices: [0], probabilities: [1])],
                                               [SparseDistribution(indices: [1], probabilities: [1]),
                                                SparseDistribution(indices: [0, 1], probabilities: [0.5, 0.5])]],
                                     discount: 0.9)
        #expect(!game.kernelsDependOnMeanField && !game.radiiDependOnMeanField)
        let snap = try game.snapshot(at: [0.3, 0.7])
        #expect(snap.kernels[0] == SparseDistribution(indices: [1], probabilities: [1]))
        #expect(snap.rewards == [1, 2, 3, 4])
        #expect(snap.radii == [0, 0, 0, 0])
        #expect(throws: MeanFieldError.self) { try game.snapshot(at: [0.3, 0.6]) }
        #expect(throws: MeanFieldError.self) { try game.snapshot(at: [-0.1, 1.1]) }
    }

    @Test func stationaryDistributions() throws {
        // Periodic two-cycle: the lazy chain still converges.
        let swapPolicy = Policy.uniform(stateCount: 2, actionCount: 1)
        let cycle = try TransitionMatrix(policy: swapPolicy, kernels: [
            SparseDistribution(indices: [1], probabilities: [1]),
            SparseDistribution(indices: [0], probabilities: [1]),
        ])
        #expect(cycle.closedClassCount == 1)
        let nu = cycle.stationaryDistribution(from: [1, 0])
        #expect(isApproximatelyEqual(nu, [0.5, 0.5], absolute: 1e-12, relative: 1e-12))

        // Reducible: two absorbing states and a transient one splitting 1/4 : 3/4.
        let p3 = Policy.uniform(stateCount: 3, actionCount: 1)
        let split = try TransitionMatrix(policy: p3, kernels: [
            SparseDistribution(indices: [0], probabilities: [1]),
            SparseDistribution(indices: [0, 2], probabilities: [0.25, 0.75]),
            SparseDistribution(indices: [2], probabilities: [1]),
        ])
        #expect(split.closedClassCount == 2)
        let limit = split.stationaryDistribution(from: [0.2, 0.4, 0.4])
        #expect(isApproximatelyEqual(limit, [0.3, 0, 0.7], absolute: 1e-12, relative: 1e-12))

        // Irreducible with a transient state: the direct solve.
        let chain = try TransitionMatrix(policy: p3, kernels: [
            SparseDistribution(indices: [0, 1], probabilities: [0.5, 0.5]),
            SparseDistribution(indices: [0], probabilities: [1]),
            SparseDistribution(indices: [0, 1], probabilities: [0.5, 0.5]),
        ])
        let direct = chain.stationaryDistribution(from: [0, 0, 1])
        #expect(isApproximatelyEqual(direct, [2.0 / 3, 1.0 / 3, 0], absolute: 1e-12, relative: 1e-12))
        #expect(isApproximatelyEqual(chain.step(direct), direct, absolute: 1e-14, relative: 1e-14))
    }

    @Test func populationUpdateUsesTheWorstCase() throws {
        // One action; from either state the nominal kernel is (1/2, 1/2); state 0 pays 1, state 1 pays 0.
        // Nature (tv, ρ = 0.2) moves 0.2 of the mass to the low-value state 1.
        let game = try MeanFieldGame(stateCount: 2, actionCount: 1, discount: 0.5, ambiguity: .totalVariation(),
                                     reward: { s, _, _ in s == 0 ? 1 : 0 },
                                     kernel: { _, _, _ in SparseDistribution(indices: [0, 1], probabilities: [0.5, 0.5]) },
                                     kernelDependsOnMeanField: false,
                                     radius: { _, _, _ in 0.2 }, radiusDependsOnMeanField: false)
        let pol = Policy.uniform(stateCount: 2, actionCount: 1)
        let worst = try game.populationUpdate(meanField: [1, 0], policy: pol, temperature: 0)
        #expect(isApproximatelyEqual(worst, [0.3, 0.7], absolute: 1e-12, relative: 1e-12))
        let nominal = try game.populationUpdate(meanField: [1, 0], policy: pol, temperature: 0, population: .nominal)
        #expect(isApproximatelyEqual(nominal, [0.5, 0.5], absolute: 1e-12, relative: 1e-12))
        // V = r + γ·(0.3 V0 + 0.7 V1): V0 − V1 = 1, V1 = 0.5(0.3 + V1) → V1 = 0.3, V0 = 1.3.
        let v = try game.policyValues(policy: pol, meanField: [1, 0], temperature: 0)
        #expect(isApproximatelyEqual(v.values, [1.3, 0.3], absolute: 1e-12, relative: 1e-12))
    }
}
