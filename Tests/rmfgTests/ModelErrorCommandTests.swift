import Foundation
import Testing
import TestSupport

/// Expressions that fail at a mean field visited mid-solve (not at the uniform one the
/// file is checked at): `rmfg solve` prints one exact line naming the field, the row (and
/// `t`), exits 2 and writes nothing, for small games (serial sweeps) and for games of
/// 2000 rows (parallel sweeps); the first failing row is the lowest one.
@Suite("rmfg: game expressions failing during the solve")
struct ModelErrorCommandTests {
    /// `n` states, actions `stay` and `go_home` (to state 0, which pays 10): the crowd
    /// gathers at state 0 and the other states' `μ(s)` drops below `1e-6`, where
    /// `log(mu[s] - 1e-6)` fails. Sparse kernels keep the file small.
    static func crowdGame(states n: Int, reward: String, transition: String? = nil, radius: String? = nil) -> String {
        var entries: [String] = []
        for s in 0..<n { entries += ["[\(s), 0, \(s), 1]", "[\(s), 1, 0, 1]"] }
        var text = """
        name: crowd
        states: \(n)
        actions: [stay, go_home]
        discount: 0.9
        reward: "\(reward)"

        """
        text += transition.map { "transition: \"\($0)\"\n" } ?? "transition:\n  sparse: [\(entries.joined(separator: ", "))]\n"
        if let radius { text += "ambiguity:\n  set: tv\n  radius: \"\(radius)\"\n" }
        text += "solver:\n  temperature: 0\n  maxIterations: 50\n"
        return text
    }

    static let failingReward = "10 * (s == 0) + 0.1 * log(mu[s] - 1e-6)"

    func expectOneLine(_ arguments: [String], _ line: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let r = try rmfg(arguments)
        #expect(r.status == 2, "status \(r.status): \(r.stderr)", sourceLocation: sourceLocation)
        #expect(r.stdout.isEmpty, "partial output: \(r.stdout.prefix(200))", sourceLocation: sourceLocation)
        #expect(r.stderr == "rmfg: error: \(line)\n", sourceLocation: sourceLocation)
    }

    @Test(arguments: [2, 1000])
    func rewardFailingMidSolve(states n: Int) throws {
        let dir = try ScratchFolder()
        let game = try dir.write("crowd.yaml", Self.crowdGame(states: n, reward: Self.failingReward))
        // μ(1) is exactly 0 at the first failing mean field: the stationary distribution by
        // components gives transient states exactly 0 (the lazy power iteration left ~3.6e-18).
        let at = "-1e-06"
        try expectOneLine(["solve", game], "\(game): reward: at s=1, a=stay: logarithm of a non-positive number (\(at))")
        // An output folder is not created.
        let out = dir.path("out")
        try expectOneLine(["solve", game, "--output", out], "\(game): reward: at s=1, a=stay: logarithm of a non-positive number (\(at))")
        #expect(!FileManager.default.fileExists(atPath: out))
    }

    @Test(arguments: [2, 1000])
    func radiusFailingMidSolve(states n: Int) throws {
        let dir = try ScratchFolder()
        // Fails for every s >= 1 once 90% of the crowd is home: the first failing row is (1, stay).
        let game = try dir.write("crowd.yaml", Self.crowdGame(states: n, reward: "10 * (s == 0)",
                                                             radius: "0.05 + 0 * log((s == 0) + (mu[0] < 0.9))"))
        try expectOneLine(["solve", game], "\(game): ambiguity.radius: at s=1, a=stay: logarithm of a non-positive number (0)")
    }

    @Test func kernelFailingMidSolve() throws {
        let dir = try ScratchFolder()
        let game = try dir.write("negative.yaml", negativeKernelGame)
        try expectOneLine(["solve", game],
                          "\(game): transition: at s=0, a=0, t=1: found -0.30000000000000004, expected a probability >= 0")
    }
}
