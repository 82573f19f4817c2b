import Expressions
import Foundation
import GameFiles
import MeanField
import Testing
import TestSupport

/// Every example game file compiled with superinstructions (the default) and without
/// (`CompilationOptions.fusesConstants` false: every constant pushed, then a `binary`): the same
/// rewards, kernel rows (the batch rows of the row scopes, their aliases included) and radii, bit
/// for bit, at three mean fields.
@Suite struct SuperinstructionExamplesTests {
    /// The game files of `Examples/` and `Examples/bench-mfg/`, the crowd grid also above the
    /// parallel threshold (30×30).
    static var cases: [(file: String, params: [String: Double])] {
        let top = ExamplesTests.gameFiles.map { ($0, [String: Double]()) }
        let bench = ((try? FileManager.default.contentsOfDirectory(atPath: Paths.example("bench-mfg"))) ?? [])
            .filter { $0.hasSuffix(".yaml") }.sorted().map { ("bench-mfg/" + $0, [String: Double]()) }
        return top + bench + [("crowd-grid.yaml", ["width": 30, "height": 30])]
    }

    /// The snapshots of `file` at `meanFields`, its expressions compiled with `fusing`.
    static func snapshots(_ file: String, _ params: [String: Double], fusing: Bool) throws -> [GameSnapshot] {
        try CompilationOptions.$fusesConstants.withValue(fusing) {
            let game = try KernelRowsBatchTests.load(file, params).makeGame()
            return try KernelRowsBatchTests.meanFields(game.stateCount).map { mu in try game.snapshot(at: mu) }
        }
    }

    @Test func examplesGiveThePlainProgramsRowsBitForBit() throws {
        var compared = 0
        for (file, params) in Self.cases {
            let fused = try Self.snapshots(file, params, fusing: true), plain = try Self.snapshots(file, params, fusing: false)
            #expect(fused.count == 3 && plain.count == 3, "\(file)")
            for (f, p) in zip(fused, plain) {
                #expect(!f.rewards.isEmpty && f.rewards.map(\.bitPattern) == p.rewards.map(\.bitPattern), "\(file) rewards")
                #expect(f.radii.map(\.bitPattern) == p.radii.map(\.bitPattern), "\(file) radii")
                #expect(f.kernels.count == f.stateCount * f.actionCount, "\(file)")
                for (u, v) in zip(f.kernels, p.kernels) {
                    #expect(u.indices == v.indices && u.probabilities.map(\.bitPattern) == v.probabilities.map(\.bitPattern),
                            "\(file) \(params) kernels")
                }
                compared += 1
            }
        }
        #expect(compared >= 3 * 12, "\(compared) snapshots")
    }
}
