import Foundation
import GameFiles
import MeanField
import Testing
import TestSupport

/// Values that become invalid only while solving: the solve throws, and
/// `GameFile.explain(_:)` names the field and the `(s, a)` in one line.
@Suite struct RuntimeErrorTests {
    /// The error of a solve that must fail; `nil`, with an issue recorded, when it returns.
    static func solveError(_ game: MeanFieldGame, _ options: EquilibriumOptions) -> MeanFieldError? {
        do {
            let result = try game.solveEquilibrium(options: options)
            Issue.record("the solve should fail, but returned \(result.message)")
            return nil
        } catch {
            return error
        }
    }

    /// Going to state 0 pays 10; with τ = 0 everyone goes there, state 1 empties
    /// and `log(mu[s])` fails at `s = 1` (valid at the uniform mean field).
    static let logOfZero = """
    name: log-zero
    states: [home, away]
    actions: [go_home, go_away]
    discount: 0.9
    reward: "10 * (s == home) + 0.1 * log(mu[s])"
    transition: "t == a"
    solver:
      temperature: 0
      maxIterations: 50
    """

    @Test func logOfZeroDuringSolvingIsExplained() throws {
        let (file, game) = try loadGame(Self.logOfZero)
        if let error = Self.solveError(game, file.equilibriumOptions) {
            let explained = file.explain(error)
            #expect(explained.field == "reward")
            #expect(explained.message.contains("s=away"), "\(explained)")
            #expect(explained.message.contains("log"), "\(explained)")
            #expect(!explained.message.contains("\n") && !explained.description.contains("\n"))
            #expect(explained.file == "test.yaml")
        }
    }

    @Test func negativeProbabilityDuringSolvingIsExplained() throws {
        let (file, game) = try loadGame(negativeKernelGame)
        #expect(game.kernelsDependOnMeanField)
        if let error = Self.solveError(game, file.equilibriumOptions) {
            let explained = file.explain(error)
            #expect(explained.field == "transition")
            #expect(explained.message.contains("s=0") && explained.message.contains("a=0") && explained.message.contains("t=1"),
                    "\(explained)")
            #expect(explained.message.contains("expected a probability >= 0"))
            #expect(!explained.message.contains("\n"))
        }
    }

    @Test func radiusTurningNegativeIsExplained() throws {
        let (file, game) = try loadGame("""
        name: radius
        states: 2
        actions: 2
        discount: 0.9
        reward: "3 * (s == 0)"
        transition: "t == a"
        ambiguity:
          set: tv
          radius: "mu[1] - 0.3"
        population: nominal
        solver:
          temperature: 0.1
          maxIterations: 20
        """)
        if let error = Self.solveError(game, file.equilibriumOptions) {
            let explained = file.explain(error)
            #expect(explained.field == "ambiguity.radius", "\(explained)")
            #expect(explained.message.contains("s=") && explained.message.contains("a="))
        }
    }

    @Test func snapshotAtAnInvalidMeanFieldIsExplained() throws {
        let (file, game) = try loadGame(Self.logOfZero)
        #expect(throws: MeanFieldError.self) { try game.snapshot(at: [1, 0]) }
        do {
            _ = try game.snapshot(at: [1, 0])
        } catch {
            let explained = file.explain(error)
            #expect(explained.field == "reward" && explained.message.contains("s=away"))
        }
    }

    /// Errors that do not come from an expression are explained from the solver's own description.
    @Test func solverOptionErrorsAreExplained() throws {
        let (file, game) = try loadGame(negativeKernelGame.replacingOccurrences(of: "initial: [0.7, 0.3]\n", with: ""))
        var options = file.equilibriumOptions
        options.andersonMemory = 0
        if let error = Self.solveError(game, options) {
            let explained = file.explain(error)
            #expect(explained.field == "solver.andersonMemory")
        }
    }

    /// A game evaluated at an invalid mean field once (say by a caller probing it)
    /// must not make every later, unrelated error be explained as that old failure
    /// (errors travel with the thrown `MeanFieldError.model`, nothing is recorded).
    @Test func explainDoesNotReturnAStaleFailure() throws {
        let (file, game) = try loadGame(Self.logOfZero)
        _ = try? game.snapshot(at: [1, 0])  // fails with the log(0) at s=away
        var options = file.equilibriumOptions
        options.tolerance = -1
        if let error = Self.solveError(game, options) {
            #expect(error == .invalidOption(field: .tolerance, message: "-1.0, expected a finite number > 0"))
            let explained = file.explain(error)
            #expect(explained.field == "solver.tolerance", "explained as: \(explained)")
        }
    }

    /// The game's functions throw a typed `ModelError`; the solver wraps it with the row,
    /// and `explain` gives the exact one-line message (serial and parallel sweeps alike).
    @Test(arguments: [ExecutionMode.serial, .parallel])
    func functionsThrowTypedErrorsWithExactMessages(execution: ExecutionMode) throws {
        let cases: [(text: String, error: MeanFieldError, line: String)] = [
            (Self.logOfZero,
             .model(state: 1, action: 0, error: ModelError(field: "reward", message: "logarithm of a non-positive number (0)")),
             "test.yaml: reward: at s=away, a=go_home: logarithm of a non-positive number (0)"),
            (negativeKernelGame,
             .model(state: 0, action: 0, error: ModelError(field: "transition", message: "found -0.30000000000000004, expected a probability >= 0", successor: 1)),
             "test.yaml: transition: at s=0, a=0, t=1: found -0.30000000000000004, expected a probability >= 0"),
        ]
        for (text, expected, line) in cases {
            let (file, game) = try loadGame(text)
            var options = file.equilibriumOptions
            options.execution = execution
            if let error = Self.solveError(game, options) {
                #expect(error == expected)
                #expect(file.explain(error).description == line)
            }
        }
    }

    /// `transition.expr` with `normalize: true` whose row sums to 0 at a visited μ.
    @Test func normalizedRowSummingToZeroDuringSolvingIsExplained() throws {
        let (file, game) = try loadGame("""
        name: normalize-zero
        states: 2
        actions: 2
        discount: 0.9
        reward: "3 * (s == 0)"
        transition:
          expr: "(t == a) * (mu[1] > 0.2)"
          normalize: true
        solver:
          temperature: 0.1
          maxIterations: 20
        """)
        if let error = Self.solveError(game, file.equilibriumOptions) {
            #expect(file.explain(error).description
                    == "test.yaml: transition.expr: at s=0, a=0: the row sums to 0, expected a positive sum to normalize")
        }
    }
}
