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

let benchmarkTarget: (String, [Target.Dependency]) -> Target = { name, deps in
    .executableTarget(
        name: name,
        dependencies: [.product(name: "Benchmark", package: "benchmark"), "Garnet"] + deps,
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
        .target(
            name: "Garnet",
            dependencies: [
                .product(name: "Ambiguity", package: "RobustMFG"),
                .product(name: "MeanField", package: "RobustMFG"),
                .product(name: "Randomness", package: "RobustMFG"),
            ],
            path: "Sources/Garnet"
        ),
        .executableTarget(
            name: "GarnetSolve",
            dependencies: [
                "Garnet",
                .product(name: "MeanField", package: "RobustMFG"),
            ],
            path: "Sources/GarnetSolve"
        ),
        benchmarkTarget("InnerProblems", [
            .product(name: "Ambiguity", package: "RobustMFG"),
            .product(name: "LinearProgramming", package: "RobustMFG"),
        ]),
        benchmarkTarget("Sweeps", [
            .product(name: "Ambiguity", package: "RobustMFG"),
            .product(name: "MeanField", package: "RobustMFG"),
        ]),
        benchmarkTarget("Equilibrium", [
            .product(name: "Ambiguity", package: "RobustMFG"),
            .product(name: "MeanField", package: "RobustMFG"),
        ]),
        benchmarkTarget("Stationary", [
            .product(name: "Ambiguity", package: "RobustMFG"),
            .product(name: "MeanField", package: "RobustMFG"),
        ]),
        benchmarkTarget("KernelEvaluation", [
            .product(name: "Ambiguity", package: "RobustMFG"),
            .product(name: "MeanField", package: "RobustMFG"),
            .product(name: "GameFiles", package: "RobustMFG"),
        ]),
    ],
    swiftLanguageModes: [.v6]
)
