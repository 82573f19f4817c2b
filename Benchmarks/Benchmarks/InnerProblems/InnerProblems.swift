// Inner problems σ_U(V) = min_{q∈U} q·V for every ambiguity set, on a dense nominal
// row with full support (InnerInstance, fixed seed), at n = 10, 100, 1000:
//
//   <set>/fast/n=…        worstCaseValue on a SparseDistribution with a SortedValues
//                         built outside the timed region (as a Bellman sweep does)
//   <set>/certified/n=…   the validated dense worstCase(nominal:values:radius:)
//                         (includes the sort of V, validation and the dual certificate)
//   <set>/lp/n=…          worstCaseLP (GLPK simplex; polyhedral sets only;
//                         wasserstein only up to n = 200: its LP has n² plan variables)
//
// Each measured value is per call (fast/certified loop `scaledIterations` times).

import Ambiguity
import Benchmark
import Garnet
import LinearProgramming

struct Fixture: Sendable {
    let set: AmbiguitySet
    let radius: Double
    let dense: InnerInstance
    let nominal: SparseDistribution
    let sorted: SortedValues
}

/// The radius used for each set at size `n` (each ball binds: it moves mass but does not
/// reach the unconstrained minimum).
func radius(_ kind: AmbiguityKind, _ n: Int) -> Double {
    switch kind {
    case .tv, .kl, .chi2: 0.1
    case .l1: 0.2
    case .linf: 0.5 / Double(n)
    case .wasserstein: 0.05 * Double(n)
    case .none: 0
    }
}

func makeFixture(_ kind: AmbiguityKind, _ n: Int) -> Fixture {
    let inst = InnerInstance(count: n, seed: 20_240_000 + UInt64(n))
    let set: AmbiguitySet
    switch kind {
    case .l1:
        set = try! AmbiguitySet(kind: .l1, weights: inst.weights)
    case .wasserstein:
        let cost = try! GroundCost((0..<n).map { s in (0..<n).map { t in Double(abs(s - t)) } })
        set = try! AmbiguitySet(kind: .wasserstein, cost: cost)
    default:
        set = try! AmbiguitySet(kind: kind)
    }
    return Fixture(set: set, radius: radius(kind, n), dense: inst,
                   nominal: SparseDistribution(dense: inst.nominal), sorted: SortedValues(inst.values))
}

/// The fast, certified and (polyhedral sets) LP benchmarks of one set at size `n`.
func registerInnerProblems(_ kind: AmbiguityKind, _ n: Int) {
    let fixture = Lazy { makeFixture(kind, n) }
    // Per-call medians: fast calls are looped `scaledIterations` times.
    let scale: BenchmarkScalingFactor = n >= 1000 ? .one : .kilo

    Benchmark("\(kind.rawValue)/fast/n=\(n)", configuration: .init(scalingFactor: scale)) { benchmark in
        let f = fixture.get()
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            blackHole(f.set.worstCaseValue(nominal: f.nominal, values: f.sorted, radius: f.radius))
        }
        benchmark.stopMeasurement()
    }

    Benchmark("\(kind.rawValue)/certified/n=\(n)",
              configuration: .init(scalingFactor: scale)) { benchmark in
        let f = fixture.get()
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            blackHole(try f.set.worstCase(nominal: f.dense.nominal, values: f.dense.values, radius: f.radius))
        }
        benchmark.stopMeasurement()
    }

    if kind.isPolyhedral, kind != .wasserstein || n <= 200 {
        Benchmark("\(kind.rawValue)/lp/n=\(n)", configuration: .init(maxIterations: 1000)) { benchmark in
            let f = fixture.get()
            benchmark.startMeasurement()
            blackHole(try f.set.worstCaseLP(nominal: f.dense.nominal, values: f.dense.values, radius: f.radius))
            benchmark.stopMeasurement()
        }
    }
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .mallocCountTotal, .throughput],
        timeUnits: .nanoseconds,
        warmupIterations: 3,
        maxDuration: .seconds(1),
        maxIterations: 10_000,
        // `make bench-check`: a median more than 25 % above the stored baseline fails.
        thresholds: [.wallClock: .init(relative: [.p50: 25]), .mallocCountTotal: .init(relative: [.p50: 25])])

    let kinds: [AmbiguityKind] = [.tv, .l1, .linf, .wasserstein, .kl, .chi2]
    for kind in kinds {
        for n in [10, 100, 1000] { registerInnerProblems(kind, n) }
    }
    // The wasserstein LP at its documented upper size.
    let w200 = Lazy { makeFixture(.wasserstein, 200) }
    Benchmark("wasserstein/fast/n=200", configuration: .init(scalingFactor: .one)) { benchmark in
        let f = w200.get()
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            blackHole(f.set.worstCaseValue(nominal: f.nominal, values: f.sorted, radius: f.radius))
        }
        benchmark.stopMeasurement()
    }
    Benchmark("wasserstein/lp/n=200", configuration: .init(maxDuration: .seconds(5), maxIterations: 20)) { benchmark in
        let f = w200.get()
        benchmark.startMeasurement()
        blackHole(try f.set.worstCaseLP(nominal: f.dense.nominal, values: f.dense.values, radius: f.radius))
        benchmark.stopMeasurement()
    }
}
