import Foundation
import Testing

/// Issue 19 ("claims that hold"): inputs that made printed statements false are refused.
@Suite struct ClaimsTests {
    /// A zero off-diagonal ground cost made σ jump between ρ = 0 and ρ > 0.
    @Test func zeroOffDiagonalCostIsRefused() throws {
        try expectInputError(["worst-case", "--set", "wasserstein", "--radius", "0", "--nominal", "0.5,0.3,0.2",
                              "--values", "3,1,2", "--cost", "if(s + t == 1, 0, abs(s - t))"], mentioning: "--cost")
        let dir = try ScratchFolder()
        let csv = try dir.write("c.csv", "0,0,1\n1,0,1\n1,1,0\n")
        try expectInputError(["worst-case", "--set", "wasserstein", "--radius", "0", "--nominal", "0.5,0.3,0.2",
                              "--values", "3,1,2", "--cost-file", csv], mentioning: "--cost-file")
        let r = try rmfg(["worst-case", "--set", "wasserstein", "--radius", "0", "--nominal", "0.5,0.3,0.2",
                          "--values", "3,1,2", "--cost-file", csv])
        #expect(r.stderr.hasPrefix("rmfg: error: ") && r.stderr.contains("expected a number > 0 off the diagonal"), "\(r.stderr)")
    }

    /// Theory.md, section 2: damping does not make a contraction. On the coordination game, damped
    /// fixed-point iteration with α = 0.001 started next to the interior equilibrium (1/2, 1/2)
    /// leaves it and ends at the equilibrium near the left corner.
    @Test func dampedIterationLeavesTheInteriorEquilibrium() throws {
        let dir = try ScratchFolder()
        let text = try String(contentsOfFile: "Examples/coordination.yaml", encoding: .utf8)
            .replacingOccurrences(of: "initial: [0.2, 0.8]", with: "initial: [0.5001, 0.4999]")
        #expect(text.contains("initial: [0.5001, 0.4999]"))
        let game = try dir.write("coordination.yaml", text)
        let r = try rmfg(["solve", game, "--method", "fixed-point", "--damping", "0.001", "--max-iterations", "100000",
                          "--format", "json"])
        #expect(r.status == 0, "\(r.stderr)")
        let j = try r.json()
        let mu = try #require(numbers(j, "meanField"))
        #expect(mu[0] > 0.9998 && mu[1] < 2e-4, "\(mu)")
    }
}
