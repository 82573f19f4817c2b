// swift-tools-version: 6.1
// Benchmarks for RobustMFG, a nested package so that library users never pull
// in benchmark dependencies. Run with `make bench` (or `swift package benchmark`
// in this folder). Results are recorded in ../Docs/Performance.md.
//
// Targets:
//   Garnet        garnet games and fixtures for everything below, from Randomness'
//                 GarnetGenerator (the generator of `rmfg generate garnet`), reproduced
//                 bit for bit by compare.py
//   GarnetSolve   a small CLI: build a garnet, solve its equilibrium, print JSON
//                 (used by compare.py for the numpy comparison and the 10,000-state check)
//   InnerProblems, Sweeps, Equilibrium, Stationary, KernelEvaluation
//                 ordo-one/benchmark suites (Benchmarks/<name>)
import PackageDescription

/// A product of the RobustMFG package.
func robustMFG(_ name: String) -> Target.Dependency { .product(name: name, package: "RobustMFG") }

/// An ordo-one/benchmark suite `Benchmarks/<name>`, with the Garnet fixtures and the
/// RobustMFG products `products`.
func benchmarkTarget(_ name: String, _ products: [String]) -> Target {
    .executableTarget(
        name: name,
        dependencies: [.product(name: "Benchmark", package: "benchmark"), "Garnet"] + products.map(robustMFG),
        path: "Benchmarks/\(name)",
        plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
    )
}

let package = Package(
    name: "RobustMFGBenchmarks",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(name: "RobustMFG", path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark.git", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .target(name: "Garnet", dependencies: ["Ambiguity", "MeanField", "Randomness"].map(robustMFG), path: "Sources/Garnet"),
        .executableTarget(name: "GarnetSolve", dependencies: ["Garnet", robustMFG("MeanField")], path: "Sources/GarnetSolve"),
        benchmarkTarget("InnerProblems", ["Ambiguity", "LinearProgramming"]),
        benchmarkTarget("Sweeps", ["Ambiguity", "MeanField"]),
        benchmarkTarget("Equilibrium", ["Ambiguity", "MeanField"]),
        benchmarkTarget("Stationary", ["Ambiguity", "MeanField"]),
        benchmarkTarget("KernelEvaluation", ["Ambiguity", "MeanField", "GameFiles"]),
    ],
    swiftLanguageModes: [.v6]
)
