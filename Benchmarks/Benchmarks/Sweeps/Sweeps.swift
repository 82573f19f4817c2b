// One robust Bellman sweep, GameSnapshot.bellman(values:temperature:execution:)
// (τ = 0.2): sort V once, n·m TV inner problems, soft maximum over actions.
//
//   bellman/tv-sparse/S=1000|10000/serial|parallel   garnet, A = 5, 10 successors per row
//   bellman/tv-dense/S=200/serial|parallel           garnet, A = 5, full rows (200 successors)
//   bellman/wasserstein-sparse/S=1000/serial         garnet, A = 5, 10 successors, cost |s − t|/n, ρ = 0.05
//   wasserstein-rows/S=1000/per-row-envelopes         baseline: the same 5,000 rows solved one by one,
//                                                     each rebuilding its donors' envelopes
//
// TV radius 0.1 on the simplex, γ = 0.9; V uniform in [0, 10) from a fixed seed.

import Ambiguity
import Benchmark
import Garnet
import MeanField

struct SweepFixture: Sendable {
    let snapshot: GameSnapshot
    let values: [Double]
}

func makeSweepFixture(states: Int, branching: Int, wasserstein: Bool = false) -> SweepFixture {
    let garnet = Garnet(states: states, actions: 5, branching: branching, seed: 7)
    let ambiguity: AmbiguitySet = wasserstein
        ? try! AmbiguitySet(kind: .wasserstein, cost: GroundCost((0..<states).map { s in
            (0..<states).map { t in Double(abs(s - t)) / Double(states) } }))
        : .totalVariation()
    let game = try! garnet.tableGame(radius: wasserstein ? 0.05 : 0.1, discount: 0.9, ambiguity: ambiguity)
    let snapshot = try! game.snapshot(at: [Double](repeating: 1 / Double(states), count: states))
    var rng = SplitMix64(seed: 99)
    let values = (0..<states).map { _ in 10 * rng.unit() }
    return SweepFixture(snapshot: snapshot, values: values)
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .mallocCountTotal, .throughput, .peakMemoryResident],
        timeUnits: .microseconds,
        warmupIterations: 3,
        maxDuration: .seconds(2),
        maxIterations: 2000,
        // `make bench-check`: a median more than 25 % above the stored baseline fails.
        thresholds: [.wallClock: .init(relative: [.p50: 25]), .mallocCountTotal: .init(relative: [.p50: 25])])

    let cases: [(name: String, states: Int, branching: Int)] = [
        ("tv-sparse/S=1000", 1000, 10),
        ("tv-sparse/S=10000", 10_000, 10),
        ("tv-dense/S=200", 200, 200),
    ]
    for c in cases {
        let fixture = Lazy { makeSweepFixture(states: c.states, branching: c.branching) }
        for mode in [ExecutionMode.serial, .parallel] {
            Benchmark("bellman/\(c.name)/\(mode.rawValue)") { benchmark in
                let f = fixture.get()
                benchmark.startMeasurement()
                blackHole(try f.snapshot.bellman(values: f.values, temperature: 0.2, execution: mode))
                benchmark.stopMeasurement()
            }
        }
    }

    // Wasserstein on the simplex: the sweep builds every state's envelope once and
    // shares it between rows; the baseline solves each row on its own.
    let wasserstein = Lazy { makeSweepFixture(states: 1000, branching: 10, wasserstein: true) }
    Benchmark("bellman/wasserstein-sparse/S=1000/serial") { benchmark in
        let f = wasserstein.get()
        benchmark.startMeasurement()
        blackHole(try f.snapshot.bellman(values: f.values, temperature: 0.2, execution: .serial))
        benchmark.stopMeasurement()
    }
    Benchmark("wasserstein-rows/S=1000/per-row-envelopes") { benchmark in
        let f = wasserstein.get()
        let snap = f.snapshot
        benchmark.startMeasurement()
        let sorted = SortedValues(f.values)
        var total = 0.0
        for i in 0..<snap.kernels.count {
            total += snap.ambiguity.worstCaseValue(nominal: snap.kernels[i], values: sorted, radius: snap.radii[i])
        }
        benchmark.stopMeasurement()
        blackHole(total)
    }
}
