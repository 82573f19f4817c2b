// End-to-end equilibrium solves of the robust TV garnet (Garnet.game): A = 5,
// 10 successors per row, TV radius ρ = 0.1, τ = 0.2, reward R[s][a] − 0.5·μ(s), γ = 0.9,
// seed 1 (the game compare.py checks against numpy).
//
//   equilibrium/S=200/auto         default method (anderson at τ > 0), tolerance 1e-9
//   equilibrium/S=200/fixed-point  damped fixed point α = 0.5 (numpy's algorithm), 1e-9
//   equilibrium/S=10000/auto       default method, tolerance 1e-8 (few iterations)
//
// Game construction is outside the timed region; each iteration is one full solve.

import Benchmark
import Garnet
import MeanField

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .mallocCountTotal, .peakMemoryResident],
        timeUnits: .milliseconds,
        warmupIterations: 1,
        maxDuration: .seconds(10),
        maxIterations: 100,
        // `make bench-check`: a median more than 25 % above the stored baseline fails.
        thresholds: [.wallClock: .init(relative: [.p50: 25]), .mallocCountTotal: .init(relative: [.p50: 25])])

    let small = Lazy { try! Garnet(states: 200, actions: 5, branching: 10, seed: 1).game() }
    let large = Lazy { try! Garnet(states: 10_000, actions: 5, branching: 10, seed: 1).game() }

    func solve(_ benchmark: Benchmark, _ game: MeanFieldGame, _ options: EquilibriumOptions) throws {
        benchmark.startMeasurement()
        let result = try game.solveEquilibrium(options: options)
        benchmark.stopMeasurement()
        if !result.converged { benchmark.error("not converged: \(result.message)") }
        blackHole(result)
    }

    Benchmark("equilibrium/S=200/auto") { benchmark in
        try solve(benchmark, small.get(), EquilibriumOptions(temperature: 0.2, tolerance: 1e-9))
    }
    Benchmark("equilibrium/S=200/fixed-point") { benchmark in
        try solve(benchmark, small.get(), EquilibriumOptions(method: .fixedPoint, temperature: 0.2, damping: 0.5, tolerance: 1e-9))
    }
    Benchmark("equilibrium/S=10000/auto",
              configuration: .init(warmupIterations: 0, maxDuration: .seconds(60), maxIterations: 3)) { benchmark in
        try solve(benchmark, large.get(), EquilibriumOptions(temperature: 0.2, tolerance: 1e-8))
    }
}
