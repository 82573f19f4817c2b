import Ambiguity
import MeanField
import Testing
import TestSupport

@Suite struct EquilibriumTests {
    /// Re-evaluates a returned pair with the public functions, independently of the solver.
    static func checkIndependently(_ game: MeanFieldGame, _ result: EquilibriumResult, tolerance: Double,
                                   temperature: Double, population: PopulationModel = .worstCase) throws {
        let holdsBestResponse = result.method == .anderson || result.method == .fixedPoint || result.method == .newton
        let e = try game.exploitability(policy: result.policy, meanField: result.meanField, temperature: temperature)
        let r = try game.stationarityResidual(policy: result.policy, meanField: result.meanField,
                                              temperature: temperature, population: population)
        #expect(e <= tolerance, "exploitability \(e)")
        #expect(e >= -1e-10)
        #expect(r <= tolerance, "residual \(r)")
        // Anderson and the fixed point hold (BR(μ), μ): the best response at μ is the returned
        // policy up to the value tolerance. (For the others a small exploitability bounds the
        // policy error only by about sqrt(E/τ).)
        if holdsBestResponse {
            let br = try game.bestResponse(meanField: result.meanField, temperature: temperature)
            #expect(br.maxDifference(result.policy) <= 1e-6)
        }
        #expect(result.trace.count == result.iterations)
        #expect(result.trace.last?.exploitability == result.exploitability)
    }

    @Test func lasryLionsEquilibriumChecksOut() throws {
        let game = try TestGames.lasryLions()
        let result = try game.solveEquilibrium(options: .init(temperature: 0.5))
        #expect(result.converged)
        try Self.checkIndependently(game, result, tolerance: 1e-9, temperature: 0.5)
    }

    @Test(arguments: [PopulationModel.worstCase, .nominal])
    func robustGarnetAnderson(population: PopulationModel) throws {
        let game = try TestGames.garnet(n: 40, m: 4, k: 6, set: .totalVariation(), radius: 0.1, seed: 77)
        let result = try game.solveEquilibrium(options: .init(temperature: 0.2, population: population))
        #expect(result.converged)
        #expect(result.iterations < 60)
        try Self.checkIndependently(game, result, tolerance: 1e-9, temperature: 0.2, population: population)
    }

    /// The robust game differs from the nominal one, and robustness lowers the equilibrium value.
    @Test func robustnessChangesTheEquilibrium() throws {
        let nominal = try TestGames.garnet(n: 30, m: 3, k: 5, set: .nominalOnly, radius: 0, seed: 13)
        let robust = try TestGames.garnet(n: 30, m: 3, k: 5, set: .totalVariation(), radius: 0.2, seed: 13)
        let a = try nominal.solveEquilibrium(options: .init(temperature: 0.3))
        let b = try robust.solveEquilibrium(options: .init(temperature: 0.3))
        #expect(a.converged && b.converged)
        #expect(Simplex1.l1(a.meanField, b.meanField) > 1e-3)
        let va = zip(a.meanField, a.values).map { $0 * $1 }.reduce(0, +)
        let vb = zip(b.meanField, b.values).map { $0 * $1 }.reduce(0, +)
        #expect(vb < va)
    }

    @Test func otherSolversConvergeOnAnEasyGame() throws {
        let game = try TestGames.garnet(n: 20, m: 3, k: 5, set: .totalVariation(), radius: 0.1, seed: 31)
        // Fictitious play averages at rate O(1/k) (Docs/Solvers.md) unless its pure pair
        // meets the tolerance; on this garnet it does not, so it is held to 1e-5.
        for (method, tolerance) in [(EquilibriumMethod.fixedPoint, 1e-8), (.fictitiousPlay, 1e-5), (.mirrorDescent, 1e-8)] {
            let result = try game.solveEquilibrium(options: .init(method: method, temperature: 0.3,
                                                                  tolerance: tolerance, maxIterations: 3000))
            #expect(result.converged, "\(method): \(result.message)")
            if result.converged {
                try Self.checkIndependently(game, result, tolerance: tolerance, temperature: 0.3)
            }
        }
    }

    @Test func mirrorDescentOnLasryLions() throws {
        let game = try TestGames.lasryLions()
        let result = try game.solveEquilibrium(options: .init(method: .mirrorDescent, temperature: 0.5,
                                                              damping: 0.5, learningRate: 0.1, maxIterations: 1000))
        #expect(result.converged)
        try Self.checkIndependently(game, result, tolerance: 1e-9, temperature: 0.5)
        #expect(abs(result.meanField[3] - 0.3511) < 1e-4)
    }

    /// Every method reports non-convergence honestly when the budget is tiny.
    @Test(arguments: EquilibriumMethod.allCases)
    func budgetExhaustion(method: EquilibriumMethod) throws {
        let game = try TestGames.lasryLions()
        let result = try game.solveEquilibrium(options: .init(method: method, temperature: 0.5, maxIterations: 2))
        #expect(!result.converged)
        #expect(result.iterations == 2)
        #expect(result.trace.count == 2)
        #expect(result.trace.map(\.iteration) == [0, 1])
        #expect(result.message.hasPrefix("not converged"))
        #expect(max(result.exploitability, result.stationarityResidual) > 1e-9)
        let e = try game.exploitability(policy: result.policy, meanField: result.meanField, temperature: 0.5)
        #expect(abs(e - result.exploitability) <= 1e-9)
    }

    /// Serial and parallel runs give bitwise identical results.
    @Test func serialAndParallelRunsAreIdentical() throws {
        let game = try TestGames.garnet(n: 60, m: 4, k: 6, set: .totalVariation(), radius: 0.1, seed: 5)
        var serial = EquilibriumOptions(temperature: 0.2)
        serial.execution = .serial
        var parallel = serial
        parallel.execution = .parallel
        let a = try game.solveEquilibrium(options: serial)
        let b = try game.solveEquilibrium(options: parallel)
        #expect(a.converged)
        expectIdentical(a, b)
    }

    @Test func optionsAreValidated() throws {
        let game = try TestGames.lasryLions()
        // Each names its option by a typed field; the message starts with the option's name.
        let damping = MeanFieldError.invalidOption(field: .damping, message: "0.0, expected 0 < damping <= 1")
        #expect(throws: damping) { try game.solveEquilibrium(options: .init(damping: 0)) }
        #expect(damping.description == "damping: 0.0, expected 0 < damping <= 1")
        #expect(throws: MeanFieldError.invalidOption(field: .temperature, message: "-1.0, expected a finite number >= 0")) {
            try game.solveEquilibrium(options: .init(temperature: -1))
        }
        #expect(throws: MeanFieldError.invalidOption(field: .tolerance, message: "0.0, expected a finite number > 0")) {
            try game.solveEquilibrium(options: .init(tolerance: 0))
        }
        #expect(throws: MeanFieldError.invalidOption(field: .maxIterations, message: "0, expected at least 1")) {
            try game.solveEquilibrium(options: .init(maxIterations: 0))
        }
        #expect(throws: MeanFieldError.self) {
            try game.solveEquilibrium(options: .init(initialMeanField: [1, 0, 0]))
        }
        let start = [0.0, 0, 0, 1, 0, 0, 0]
        let result = try game.solveEquilibrium(options: .init(temperature: 0.5, initialMeanField: start))
        #expect(result.converged)
        #expect(abs(result.meanField[3] - 0.3511) < 1e-4)
    }
}

enum Simplex1 {
    static func l1(_ a: [Double], _ b: [Double]) -> Double { zip(a, b).map { abs($0 - $1) }.reduce(0, +) }
}
