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
}
