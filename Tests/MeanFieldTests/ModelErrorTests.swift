import Ambiguity
import MeanField
import Testing

/// A game's reward, kernel or radius function that throws a `ModelError` at some mean
/// field visited mid-solve stops every solver with `MeanFieldError.model`, naming the
/// lowest failing row `(s, a)` whatever the execution mode.
@Suite struct ModelErrorTests {
    enum Failing: CaseIterable { case reward, kernel, radius }

    /// `n` states, actions `stay` (0) and `home` (1, to state 0); state 0 pays 10, so the
    /// crowd gathers there. Valid at the uniform mean field; once `μ(0) > 0.9`, the chosen
    /// function throws for every row with `s ≥ 1` (so the first failing row is `(1, 0)`).
    static func crowdGame(states n: Int, failing: Failing) throws -> MeanFieldGame {
        let crowded: @Sendable (Int, [Double]) -> Bool = { s, mu in s >= 1 && mu[0] > 0.9 }
        return try MeanFieldGame(
            stateCount: n, actionCount: 2, discount: 0.8, ambiguity: .totalVariation(),
            reward: { s, _, mu throws(ModelError) in
                if failing == .reward, crowded(s, mu) { throw ModelError(field: "reward", message: "the crowd left") }
                return s == 0 ? 10 : 0
            },
            kernel: { s, a, mu throws(ModelError) in
                if failing == .kernel, crowded(s, mu) {
                    throw ModelError(field: "transition", message: "no road home", successor: 0)
                }
                return SparseDistribution(indices: [a == 1 ? 0 : s], probabilities: [1])
            },
            radius: { s, _, mu throws(ModelError) in
                if failing == .radius, crowded(s, mu) { throw ModelError(field: "ambiguity.radius", message: "no data") }
                return 0.05
            })
    }

    static func expected(_ failing: Failing) -> MeanFieldError {
        switch failing {
        case .reward: .model(state: 1, action: 0, error: ModelError(field: "reward", message: "the crowd left"))
        case .kernel: .model(state: 1, action: 0, error: ModelError(field: "transition", message: "no road home", successor: 0))
        case .radius: .model(state: 1, action: 0, error: ModelError(field: "ambiguity.radius", message: "no data"))
        }
    }

    @Test(arguments: Failing.allCases, [ExecutionMode.serial, .parallel])
    func everySolverStopsWithTheLowestFailingRow(failing: Failing, execution: ExecutionMode) throws {
        for n in [2, 1000] {
            let game = try Self.crowdGame(states: n, failing: failing)
            for method in EquilibriumMethod.allCases {
                var options = EquilibriumOptions(method: method, temperature: 0.01, maxIterations: 300)
                options.execution = execution
                do {
                    let result = try game.solveEquilibrium(options: options)
                    Issue.record("\(method), n = \(n): the solve should fail, but returned \(result.message)")
                } catch {
                    #expect(error == Self.expected(failing), "\(method), n = \(n), \(execution)")
                }
            }
        }
    }

    @Test func descriptionNamesTheFieldRowAndSuccessor() {
        #expect(Self.expected(.kernel).description == "transition at s=1, a=0, t=0: no road home")
        #expect(Self.expected(.reward).description == "reward at s=1, a=0: the crowd left")
        #expect(ModelError(field: "transition", message: "no road home", successor: 0).description == "transition: t=0: no road home")
    }

    /// A game that throws at the uniform mean field is refused on construction, and
    /// `reward(_:_:_:)` / `radius(_:_:_:)` pass the function's error through.
    @Test func constructionAndDirectCallsThrowTheModelError() throws {
        let error = ModelError(field: "reward", message: "broken")
        #expect(throws: MeanFieldError.model(state: 0, action: 0, error: error)) {
            try MeanFieldGame(stateCount: 2, actionCount: 1, discount: 0.5,
                              reward: { _, _, _ throws(ModelError) in throw error },
                              kernel: { _, _, _ in SparseDistribution(indices: [0], probabilities: [1]) })
        }
        let game = try Self.crowdGame(states: 2, failing: .radius)
        #expect(throws: ModelError(field: "ambiguity.radius", message: "no data")) { try game.radius(1, 0, [1, 0]) }
        #expect(try game.radius(0, 0, [1, 0]) == 0.05)
        #expect(throws: MeanFieldError.model(state: 1, action: 0, error: ModelError(field: "ambiguity.radius", message: "no data"))) {
            try game.snapshot(at: [1, 0])
        }
    }
}
