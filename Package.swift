// swift-tools-version: 6.1
// RobustMFG: stationary robust mean-field ε-equilibria with certified inner problems.
//
// Module graph (dependencies point one way; `rmfg` uses every library but Expressions):
//   CGLPK → LinearProgramming → Ambiguity → MeanField
//   Ambiguity, MeanField, Randomness → Population, Experiments
//   Randomness → Subsampling (the global/local model; reads no files)
//   Ambiguity, MeanField, Expressions, NumberText, Randomness, Subsampling, Yams → GameFiles (reads every game document)
//   NumberText → Expressions, Plots; NumberText and Randomness have no dependencies
//   every library → RobustMFG (the umbrella module, re-exports them)
//   Ambiguity, LinearProgramming, MeanField, GameFiles, Experiments, NumberText → RobustMFGC (the C ABI)
//   rmfg → RMFGMain (the executable `rmfg`; the release link flags of `fastStart`)
//   GameFiles → rmfg-fuzz (Fuzz/)
import PackageDescription
#if os(Linux)
import Foundation
#endif

let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

/// Whether GLPK's static archive and those it needs (Debian's libglpk-dev installs them all)
/// and the C++ library's archive are installed: then the release link of `rmfg` takes them
/// instead of the shared libraries (`fastStart`); elsewhere it links them dynamically as before.
let staticArchivesInstalled: Bool = {
    #if os(Linux)
    let files = FileManager.default
    let glpk = ["libglpk.a", "libcolamd.a", "libamd.a", "libsuitesparseconfig.a", "libz.a", "libgmp.a"]
    let glpkFound = ["/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/usr/lib64", "/usr/lib"].contains { folder in
        glpk.allSatisfy { files.fileExists(atPath: "\(folder)/\($0)") }
    }
    let compilers = (try? files.contentsOfDirectory(atPath: "/usr/lib/gcc")) ?? []
    let cxxFound = compilers.contains { triple in
        let versions = (try? files.contentsOfDirectory(atPath: "/usr/lib/gcc/\(triple)")) ?? []
        return versions.contains { files.fileExists(atPath: "/usr/lib/gcc/\(triple)/\($0)/libstdc++.a") }
    }
    return glpkFound && cxxFound
    #else
    return false
    #endif
}()

/// Link flags of the `rmfg` executable in release builds on Linux: the Swift runtime and
/// Foundation inside the binary (`-static-stdlib` and Foundation's static archives) and a position-dependent executable (`-no-pie`), so that the dynamic loader binds no
/// Swift symbols and relocates no Swift metadata at every start: about 15 ms of CPU time of
/// a small solve's process (Docs/Performance.md, "The process around the solve"). Where the
/// archives are installed, GLPK (with its dependencies but libltdl), the C++ library and
/// libgcc are linked statically too, through the linker scripts in `scripts/static-link`
/// (searched first, they turn `-lglpk` and `-lstdc++` into the archives), and the binary
/// exports no dynamic symbols (`--no-export-dynamic`, which `-static-stdlib` turns on): the
/// loader then maps three libraries instead of eleven, about 1 ms of CPU time a process
/// (Docs/Performance.md, "Sixth round"). Only the
/// thin target `RMFGMain` carries them; the test bundle links the `rmfg` module, which has
/// no link flags, and there are no static archives of Testing and XCTest
/// (Docs/Development.md, "How `rmfg` is linked"). A package that depends on this one uses
/// its library products, which carry no unsafe flags.
let fastStart: [LinkerSetting] = [
    .unsafeFlags(["-static-stdlib", "-Xclang-linker", "-no-pie",
                  // The archives the Foundation archives need, after them (the link resolves
                  // left to right, and the modules' autolink entries do not name them all).
                  "-lFoundation", "-lFoundationInternationalization", "-lFoundationEssentials",
                  "-lCoreFoundation", "-l_FoundationICU", "-l_FoundationCShims", "-l_FoundationCollections",
                  "-lswiftSynchronization", "-lswiftDispatch", "-ldispatch", "-lBlocksRuntime", "-lswiftCore", "-lstdc++",
                  "-Xlinker", "--no-export-dynamic"]
                 + (staticArchivesInstalled
                    ? ["-L", "\(Context.packageDirectory)/scripts/static-link", "-Xclang-linker", "-static-libgcc"] : []),
                 .when(platforms: [.linux], configuration: .release)),
]

let package = Package(
    name: "RobustMFG",
    platforms: [.macOS(.v14)],
    products: [
        // Everything below in one import (`import RobustMFG`).
        .library(name: "RobustMFG", targets: ["RobustMFG"]),
        .library(name: "GameFiles", targets: ["GameFiles"]),
        .library(name: "Population", targets: ["Population"]),
        .library(name: "Experiments", targets: ["Experiments"]),
        .library(name: "Subsampling", targets: ["Subsampling"]),
        .library(name: "Randomness", targets: ["Randomness"]),
        .library(name: "LinearProgramming", targets: ["LinearProgramming"]),
        .library(name: "Expressions", targets: ["Expressions"]),
        .library(name: "Ambiguity", targets: ["Ambiguity"]),
        .library(name: "MeanField", targets: ["MeanField"]),
        // The command line: the thin target RMFGMain over the `rmfg` module.
        .executable(name: "rmfg", targets: ["RMFGMain"]),
        // The C ABI (`include/robustmfg.h`): librobustmfg, loaded by the Python package in python/.
        .library(name: "robustmfg", type: .dynamic, targets: ["RobustMFGC"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.5.0"),
        .package(url: "https://github.com/x-sheep/swift-property-based.git", from: "2.0.1"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.0.0"),
        // Documentation only (`make docs`); adds nothing to builds.
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.4.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CGLPK",
            providers: [.apt(["libglpk-dev"]), .brew(["glpk"])]
        ),
        .target(name: "LinearProgramming", dependencies: ["CGLPK"], swiftSettings: strict),
        // Package-internal helpers (no product): how numbers and JSON are printed.
        .target(name: "NumberText", swiftSettings: strict),
        .target(name: "Expressions", dependencies: ["NumberText"], swiftSettings: strict),
        .target(name: "Plots", dependencies: ["NumberText"], swiftSettings: strict),
        .target(name: "Randomness", swiftSettings: strict),
        .target(name: "Population", dependencies: ["MeanField", "Ambiguity", "Randomness"], swiftSettings: strict),
        .target(name: "Experiments", dependencies: ["MeanField", "Ambiguity", "Randomness"], swiftSettings: strict),
        .target(name: "Subsampling", dependencies: ["Randomness"], swiftSettings: strict),
        .target(
            name: "GameFiles",
            dependencies: ["MeanField", "Ambiguity", "Expressions", "NumberText", "Randomness", "Subsampling", .product(name: "Yams", package: "Yams")],
            swiftSettings: strict
        ),
        .target(name: "Ambiguity", dependencies: ["LinearProgramming"], swiftSettings: strict),
        // The umbrella module: re-exports every library module.
        .target(
            name: "RobustMFG",
            dependencies: ["LinearProgramming", "Expressions", "Ambiguity", "MeanField", "GameFiles",
                           "Population", "Experiments", "Subsampling", "Randomness"],
            swiftSettings: strict
        ),
        .target(name: "MeanField", dependencies: ["Ambiguity"], swiftSettings: strict),
        // The commands of `rmfg` (a library module, so that rmfgTests can link it), and the
        // executable, which only calls `RMFG.main()` and carries the release link flags.
        .target(
            name: "rmfg",
            dependencies: [
                "LinearProgramming", "Ambiguity", "MeanField", "GameFiles", "Plots",
                "Population", "Experiments", "Subsampling", "Randomness", "NumberText",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(name: "RMFGMain", dependencies: ["rmfg"], swiftSettings: strict, linkerSettings: fastStart),
        // The C ABI over the libraries (@_cdecl functions declared in include/robustmfg.h).
        .target(
            name: "RobustMFGC",
            dependencies: ["Ambiguity", "LinearProgramming", "MeanField", "GameFiles", "Experiments", "NumberText"],
            swiftSettings: strict
        ),
        // Corpus replayer by default; a libFuzzer target when built by `make fuzz`.
        .executableTarget(name: "rmfg-fuzz", dependencies: ["GameFiles"], path: "Fuzz/GameFileFuzzer", swiftSettings: strict),
        // Shared, tolerance-aware helpers for the test targets (not a product).
        .target(name: "TestSupport", dependencies: ["Randomness", "Plots"], path: "Tests/TestSupport", swiftSettings: strict),
        .testTarget(
            name: "LinearProgrammingTests",
            dependencies: ["LinearProgramming", "TestSupport"]
        ),
        .testTarget(
            name: "ExpressionsTests",
            dependencies: ["Expressions", "TestSupport",
                           .product(name: "PropertyBased", package: "swift-property-based")]
        ),
        .testTarget(
            name: "AmbiguityTests",
            dependencies: ["Ambiguity", "LinearProgramming", "TestSupport",
                           .product(name: "PropertyBased", package: "swift-property-based")]
        ),
        .testTarget(
            name: "MeanFieldTests",
            dependencies: ["MeanField", "Ambiguity", "TestSupport"]
        ),
        .testTarget(name: "PlotsTests", dependencies: ["Plots", "Randomness", "TestSupport"]),
        .testTarget(
            name: "PopulationTests",
            dependencies: ["Population", "MeanField", "Ambiguity", "GameFiles", "Randomness", "TestSupport"]
        ),
        .testTarget(
            name: "ExperimentsTests",
            dependencies: ["Experiments", "MeanField", "Ambiguity", "TestSupport"]
        ),
        .testTarget(
            name: "SubsamplingTests",
            dependencies: ["Subsampling", "GameFiles", "Randomness", "TestSupport"]
        ),
        .testTarget(
            name: "GameFilesTests",
            dependencies: ["GameFiles", "MeanField", "Ambiguity", "Expressions", "RobustMFG", "Subsampling", "TestSupport"],
            exclude: ["Malformed"]
        ),
        .testTarget(name: "RobustMFGCTests", dependencies: ["RobustMFGC", "TestSupport"]),
        .testTarget(
            name: "rmfgTests",
            dependencies: ["rmfg", "TestSupport"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
