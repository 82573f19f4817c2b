import RobustMFG
import Testing

/// The library example of README.md ("As a library"), kept compiling and true.
@Suite("README library example")
struct ReadmeExampleTests {
    @Test func readmeExample() throws {
        // One inner problem with its certificate.
        let tv = try AmbiguitySet(kind: .tv)
        let worst = try tv.worstCase(nominal: [0.2, 0.3, 0.5], values: [1, 2, 3], radius: 0.1)
        #expect(abs(worst.value - 2.1) < 1e-12 && abs(worst.certificate.gap) < 1e-12)

        // A game file, solved and checked independently.
        let path = Paths.example("lasry-lions.yaml")
        let file = try GameFile.load(path: path)
        let game = try file.makeGame()
        let result = try game.solveEquilibrium(options: file.equilibriumOptions)
        let check = try game.evaluate(policy: result.policy, meanField: result.meanField,
                                      temperature: file.solver.temperature, population: file.population)
        #expect(result.converged)
        #expect(check.exploitability <= 1e-9 && check.stationarityResidual <= 1e-9)
    }
}
