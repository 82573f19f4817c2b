import Foundation
import Testing
import TestSupport

/// Every SVG in `folder`: well-formed XML, under 1 MB, no two texts overlapping (by the
/// Plots module's font-metric estimate), none cut off at the figure's edge. Returns the
/// names checked.
@discardableResult
func expectReadableFigures(in folder: String, _ what: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> [String] {
    let names = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".svg") }.sorted()
    for name in names {
        let data = try Data(contentsOf: URL(fileURLWithPath: folder + "/" + name))
        #expect(data.count < 1_000_000, "\(what) \(name): \(data.count) bytes", sourceLocation: sourceLocation)
        guard let layout = svgLayout(String(decoding: data, as: UTF8.self)) else {
            Issue.record("\(what) \(name): not well-formed XML", sourceLocation: sourceLocation)
            continue
        }
        #expect(!layout.boxes.isEmpty, "\(what) \(name) has no text", sourceLocation: sourceLocation)
        for (a, b) in layout.overlaps {
            Issue.record("\(what) \(name): '\(a.text)' overlaps '\(b.text)'", sourceLocation: sourceLocation)
        }
        for b in layout.outside {
            Issue.record("\(what) \(name): '\(b.text)' is cut off at the edge", sourceLocation: sourceLocation)
        }
    }
    return names
}

/// The bundled game files (not the alternating games, which have their own command).
let bundledGames = ["Examples/beach-bar.yaml", "Examples/congestion.yaml", "Examples/coordination.yaml",
                    "Examples/four-rooms.yaml", "Examples/lasry-lions.yaml", "Examples/rock-paper-scissors.yaml",
                    "Examples/sis-epidemic.yaml", "Examples/two-state.json", "Examples/guide/restaurants.yaml"]

/// Renders every figure `rmfg` writes for every bundled example, with small settings.
@Suite("Figures of the bundled examples")
struct FigureTests {
    @Test func theListCoversEveryExample() throws {
        let top = try FileManager.default.contentsOfDirectory(atPath: repositoryRoot.path + "/Examples")
            .filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".json") }.map { "Examples/" + $0 }
        let guide = try FileManager.default.contentsOfDirectory(atPath: repositoryRoot.path + "/Examples/guide")
            .filter { $0.hasSuffix(".yaml") }.map { "Examples/guide/" + $0 }
        #expect(Set(top + guide) == Set(bundledGames))
    }

    @Test(arguments: bundledGames)
    func solveFigures(game: String) throws {
        let dir = try ScratchFolder()
        let small = game.contains("four-rooms") ? ["--tolerance", "1e-3", "--max-iterations", "3"] : []
        let r = try rmfg(["solve", game, "--output", dir.path("out"), "--quiet", "--compare-nominal"] + small)
        #expect(r.status == 0 || r.status == 1, "\(game): \(r.stderr)")
        let names = try expectReadableFigures(in: dir.path("out"), game)
        #expect(names == ["convergence.svg", "meanfield.svg", "policy.svg"])
    }

    @Test(arguments: bundledGames)
    func sweepFigures(game: String) throws {
        let dir = try ScratchFolder()
        let small = game.contains("four-rooms")
            ? ["--sets", "tv,chi2", "--radii", "0,0.1", "--tolerance", "1e-3", "--max-iterations", "2"]
            : ["--sets", "tv,kl,chi2", "--radii", "0,0.1,0.3"]
        let r = try rmfg(["sweep", game, "--output", dir.path("out"), "--quiet", "--test-radius", "0.1",
                          "--samples", "1", "--seed", "3"] + small)
        #expect(r.status == 0 || r.status == 1, "\(game): \(r.stderr)")
        let names = try expectReadableFigures(in: dir.path("out"), game)
        #expect(names.contains("price-protection.svg") && names.contains("value-tv.svg"), "\(names)")
    }

    /// A solve whose Anderson phase runs out: the convergence plot names both methods
    /// and marks the switch.
    @Test func fallbackIsMarked() throws {
        let dir = try ScratchFolder()
        let r = try rmfg(["solve", "Examples/lasry-lions.yaml", "--output", dir.path("out"), "--quiet", "--method", "anderson",
                          "--tolerance", "1e-14", "--max-iterations", "6"])
        #expect(r.status == 1, "\(r.stderr)")
        try expectReadableFigures(in: dir.path("out"), "fallback")
        let svg = try String(contentsOfFile: dir.path("out") + "/convergence.svg", encoding: .utf8)
        #expect(svg.contains("convergence (anderson, then fixed-point)"))
        // The legend entry (wrapped over two lines) and the dashed line.
        #expect(svg.contains(">switch from anderson to fixed-point</text>") && svg.contains(">before iteration 3</text>"))
        #expect(svg.contains("stroke=\"#777\" stroke-width=\"1.5\" stroke-dasharray"))
    }

    @Test func populationFigure() throws {
        let dir = try ScratchFolder()
        let r = try rmfg(["population", "Examples/sis-epidemic.yaml", "--agents", "10,40", "--episodes", "60",
                          "--steps", "30", "--samples", "4", "--output", dir.path("out")])
        #expect(r.status == 0 || r.status == 1, "\(r.stderr)")
        #expect(try expectReadableFigures(in: dir.path("out"), "population") == ["population.svg"])
    }

    @Test(arguments: ["Examples/alternating/federated.yaml", "Examples/alternating/multi-robot.yaml",
                      "Examples/alternating/threshold.yaml"])
    func alternatingFigure(game: String) throws {
        let dir = try ScratchFolder()
        let r = try rmfg(["alternating", game, "--agents", "4", "--observed", "1,4", "--episodes", "200",
                          "--output", dir.path("out")])
        #expect(r.status == 0 || r.status == 1, "\(game): \(r.stderr)")
        #expect(try expectReadableFigures(in: dir.path("out"), game) == ["gap.svg"])
    }
}
