import GameFiles
@testable import MeanField
import Testing
import TestSupport

/// Anderson's updated QR factors (``AndersonFactors``, used from 2¹⁶ states) inside whole solves,
/// on crowd grids small enough for a test: with the factors forced on, the solve converges to the
/// equilibrium that the factorization from scratch finds, in about as many iterations, and the
/// public evaluation confirms the pair.
@Suite struct AndersonFactorsSolveTests {
    func solve(width: Int, height: Int, temperature: Double, updated: Bool) throws -> (EquilibriumResult, MeanFieldGame) {
        var overrides = GameOverrides()
        overrides.parameters = [ParameterOverride(name: "width", shape: [], elements: [Double(width)]),
                                ParameterOverride(name: "height", shape: [], elements: [Double(height)])]
        let file = try GameFile.load(path: Paths.example("crowd-grid.yaml"), overrides: overrides)
        let game = try file.makeGame()
        var options = file.equilibriumOptions
        options.temperature = temperature
        let result = try AndersonFactors.$testMinimumStates.withValue(updated ? 0 : Int.max) {
            try game.solveEquilibrium(options: options)
        }
        return (result, game)
    }

    /// The 24×16 grid (Anderson on lazy steps, 30 columns) and the 50×40 grid (2,000 states: the
    /// frozen-policy stage with 60 columns), each with the factors updated and from scratch.
    @Test(arguments: [(24, 16, 0.2), (24, 16, 0.05), (50, 40, 0.2)])
    func updatedFactorsFindTheSameEquilibrium(width: Int, height: Int, temperature: Double) throws {
        let (updated, game) = try solve(width: width, height: height, temperature: temperature, updated: true)
        let (scratch, _) = try solve(width: width, height: height, temperature: temperature, updated: false)
        #expect(updated.converged && scratch.converged, "\(updated.message) / \(scratch.message)")
        let check = try game.evaluate(policy: updated.policy, meanField: updated.meanField, temperature: temperature)
        #expect(check.exploitability <= 1e-8 && check.stationarityResidual <= 1e-8)
        let distance = zip(updated.meanField, scratch.meanField).map { abs($0 - $1) }.reduce(0, +)
        #expect(distance <= 1e-6, "ℓ1 distance \(distance)")
        // The updated factors took part: rounding differs from the scratch path's.
        #expect(updated.meanField.map(\.bitPattern) != scratch.meanField.map(\.bitPattern))
        #expect(abs(updated.iterations - scratch.iterations) <= max(3, scratch.iterations / 5),
                "\(updated.iterations) against \(scratch.iterations) iterations")
    }
}
