// One evaluation of a game at a mean field (MeanFieldGame.snapshot) whose kernel depends
// on μ, so every row is rebuilt at every snapshot: compiled `{successors}` expressions of
// a game file against a table lookup of the same rows (issue 16).
//
//   kernel/successors/n=N   a chain of N states, 3 actions, 3 successors per row given as
//                           `{successors}` expressions (weights read μ, targets clamp/mod)
//   kernel/table/n=N        the same rows, precomputed, returned by a closure (a lookup)
//   kernel/fixed/n=N        the same game as {sparse}: the kernel does not depend on μ and
//                           is reused; only the rewards are evaluated (the floor)
//
// The reward is 0 in every game, so the difference is the kernel's. Game construction is
// outside the timed region; each iteration is one snapshot at a fixed non-uniform μ.

import Ambiguity
import Benchmark
import Garnet
import GameFiles
import MeanField

/// `mu[s]`-dependent weights that sum to 1: a move, a jump of 7 and a stay.
func successorsFile(_ n: Int) -> String {
    """
    name: chain
    states: \(n)
    actions: 3
    discount: 0.9
    reward: "0"
    transition:
      successors:
        - {to: "clamp(s + a - 1, 0, states - 1)", p: "0.6 - 0.5 * mu[s]"}
        - {to: "mod(s + 7, states)", p: 0.3}
        - {to: s, p: "0.1 + 0.5 * mu[s]"}
    """
}

/// A fixed mean field (no zero entries, not uniform).
func meanField(_ n: Int) -> [Double] {
    let raw = (0..<n).map { 1 + Double($0 % 10) }
    let total = raw.reduce(0, +)
    return raw.map { $0 / total }
}

func successorsGame(_ n: Int) throws -> MeanFieldGame {
    try GameFile.parse(text: successorsFile(n), path: "chain.yaml").makeGame()
}

/// The successors game's rows at `mu`, returned by a lookup closure (re-validated per snapshot).
func tableGame(_ n: Int, fixed: Bool) throws -> MeanFieldGame {
    let rows = try successorsGame(n).snapshot(at: meanField(n)).kernels
    return try MeanFieldGame(stateCount: n, actionCount: 3, discount: 0.9,
                             reward: { _, _, _ in 0 },
                             kernel: { s, a, _ in rows[s * 3 + a] }, kernelDependsOnMeanField: !fixed)
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .mallocCountTotal],
        timeUnits: .milliseconds,
        warmupIterations: 1,
        maxDuration: .seconds(10),
        maxIterations: 50,
        thresholds: [.wallClock: .init(relative: [.p50: 25])])

    for n in [10_000, 100_000] {
        let successors = Lazy { try! successorsGame(n) }
        let table = Lazy { try! tableGame(n, fixed: false) }
        let fixed = Lazy { try! tableGame(n, fixed: true) }
        let mu = meanField(n)
        Benchmark("kernel/successors/n=\(n)") { benchmark in
            let game = successors.get()
            benchmark.startMeasurement()
            blackHole(try game.snapshot(at: mu))
        }
        Benchmark("kernel/table/n=\(n)") { benchmark in
            let game = table.get()
            benchmark.startMeasurement()
            blackHole(try game.snapshot(at: mu))
        }
        Benchmark("kernel/fixed/n=\(n)") { benchmark in
            let game = fixed.get()
            benchmark.startMeasurement()
            blackHole(try game.snapshot(at: mu))
        }
    }
}
