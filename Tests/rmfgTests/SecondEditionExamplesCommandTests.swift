import Foundation
import Testing
import TestSupport

/// The second-edition examples (Examples/bench-mfg/*.yaml, Examples/crowd-grid.yaml) solve
/// from the command line with their own solver blocks, each returned pair re-checked by
/// `rmfg evaluate`; the crowd grid's size follows `--param width=… --param height=…`.
@Suite("second-edition examples from the CLI")
struct SecondEditionExamplesCommandTests {
    static func example(_ name: String) -> String { repositoryRoot.appendingPathComponent("Examples/" + name).path }

    /// Each example with its own `solver.tolerance`.
    @Test(arguments: [
        ("bench-mfg/lasry-lions.yaml", 1e-9), ("bench-mfg/sis-epidemic.yaml", 1e-9),
        ("bench-mfg/kinetic-congestion.yaml", 1e-9), ("bench-mfg/four-rooms.yaml", 1e-9),
        ("bench-mfg/mf-garnet.yaml", 1e-9), ("crowd-grid.yaml", 1e-8),
    ])
    func solvesWithItsOwnSettings(file: String, tolerance: Double) throws {
        let dir = try ScratchFolder()
        let r = try rmfg(["solve", Self.example(file), "--quiet", "--format", "json", "--output", dir.path("out")])
        #expect(r.status == 0, "\(file): \(r.stderr)")
        let j = try r.json()
        #expect(j["converged"] as? Bool == true, "\(file)")
        #expect((number(j, "exploitability") ?? .nan) <= tolerance, "\(file)")
        #expect((number(j, "stationarityResidual") ?? .nan) <= tolerance, "\(file)")
        let e = try rmfg(["evaluate", Self.example(file), "--policy", dir.path("out/policy.csv"),
                          "--mean-field", dir.path("out/meanfield.csv"), "--format", "json"])
        #expect(e.status == 0, "\(file): \(e.stderr)")
        let check = try e.json()
        #expect((number(check, "exploitability") ?? .nan) <= tolerance + 1e-10, "\(file)")
        #expect((number(check, "stationarityResidual") ?? .nan) <= tolerance + 1e-10, "\(file)")
    }

    /// `--param width=W --param height=H` sets the grid: W·H states, from 1×1 to 300 cells
    /// wide or high. (300×300, 90,000 states, took 25 s of CPU in a debug build;
    /// 300×20 and 20×300 reach the same widths and heights with 6,000 states.)
    @Test(arguments: [(24, 16), (7, 5), (1, 1), (1, 9), (300, 20), (20, 300)])
    func crowdGridSizeFollowsParameters(width: Int, height: Int) throws {
        var args = ["check", Self.example("crowd-grid.yaml"), "--format", "json"]
        if (width, height) != (24, 16) { args += ["--param", "width=\(width)", "--param", "height=\(height)"] }
        let r = try rmfg(args)
        #expect(r.status == 0, "\(width)×\(height): \(r.stderr)")
        let j = try r.json()
        #expect(j["stateCount"] as? Int == width * height)
        #expect(j["actionCount"] as? Int == 5)
        #expect(j["kernelDependsOnMeanField"] as? Bool == true)
        #expect(j["rowsChecked"] as? Int == width * height * 5)
        #expect((j["maxRowSupport"] as? Int ?? 0) <= 2)
    }

    /// A small crowd grid set on the command line solves, and the classical game's
    /// equilibrium is symmetric under the half turn that swaps the two exits. (The robust
    /// game's is only nearly so, ~6e-5: nature breaks ties between equal values by index.)
    @Test func smallCrowdGridSolvesSymmetrically() throws {
        let dir = try ScratchFolder()
        let r = try rmfg(["solve", Self.example("crowd-grid.yaml"), "--param", "width=9", "--param", "height=6",
                          "--set", "none", "--population", "nominal",
                          "--quiet", "--format", "json", "--output", dir.path("out")])
        #expect(r.status == 0, "\(r.stderr)")
        let j = try r.json()
        #expect((number(j, "exploitability") ?? .nan) <= 1e-8)
        let mu = try #require(j["meanField"] as? [Double])
        try #require(mu.count == 54)
        for s in 0..<54 {
            #expect(abs(mu[s] - mu[53 - s]) <= 1e-9, "μ(\(s)) = \(mu[s]), μ(\(53 - s)) = \(mu[53 - s])")
        }
    }
}
