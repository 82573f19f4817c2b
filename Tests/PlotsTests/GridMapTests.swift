import Foundation
@testable import Plots
import Randomness
import Testing
import TestSupport

/// Grid games drawn on the grid, and figures laid out at printed widths.
@Suite("Grid maps and printed widths")
struct GridMapTests {
    /// Independent block totals: every cell's value added to the block its coordinates fall in.
    static func bruteBlocks(_ values: [Double], columns: Int, rows: Int, side: Int, mean: Bool) -> [[Double]] {
        var out: [[Double]] = []
        for by in stride(from: 0, to: rows, by: side) {
            var line: [Double] = []
            for bx in stride(from: 0, to: columns, by: side) {
                var cells: [Double] = []
                for s in values.indices where (s % columns) / side == bx / side && (s / columns) / side == by / side { cells.append(values[s]) }
                line.append(mean ? cells.reduce(0, +) / Double(cells.count) : cells.reduce(0, +))
            }
            out.append(line)
        }
        return out
    }

    @Test(arguments: [(37, 23, 5), (10, 10, 1), (1, 9, 4), (12, 7, 12)])
    func blocksMatchABruteForceSum(columns: Int, rows: Int, side: Int) {
        var rng = SplitMix64(seed: UInt64(columns * 1000 + rows))
        let values = (0..<(columns * rows)).map { _ in rng.unit() }
        for aggregation in [GridAggregation.sum, .mean] {
            let map = GridMap(title: "t", columns: columns, rows: rows, values: values, aggregation: aggregation)
            let got = map.blockValues(side: side)
            let want = Self.bruteBlocks(values, columns: columns, rows: rows, side: side, mean: aggregation == .mean)
            #expect(got.count == want.count && zip(got, want).allSatisfy { $0.count == $1.count })
            for (g, w) in zip(got.flatMap { $0 }, want.flatMap { $0 }) {
                #expect(abs(g - w) <= 1e-12 * (1 + abs(w)), "\(g) vs \(w)")
            }
        }
    }

    /// The largest value drawn is the largest block total of a grid drawn in blocks (and the
    /// largest cell of one drawn cell by cell), against the brute-force blocks; NaN cells skipped.
    @Test(arguments: [(100, 100, 80), (90, 4, 80), (37, 23, 10), (20, 14, 80)])
    func largestShownValueIsTheLargestBlock(columns: Int, rows: Int, limit: Int) {
        var rng = SplitMix64(seed: UInt64(columns * 7 + rows))
        var values = (0..<(columns * rows)).map { _ in rng.unit() * 1e-4 }
        values[3] = .nan
        let map = GridMap(title: "t", columns: columns, rows: rows, values: values, aggregation: .sum, maxCellsPerSide: limit)
        let side = max((max(columns, rows) + limit - 1) / limit, 1)
        let clean = values.map { $0.isFinite ? $0 : 0 }
        let want = Self.bruteBlocks(clean, columns: columns, rows: rows, side: side, mean: false).joined().max() ?? 0
        let got = map.largestShownValue ?? -1
        #expect(abs(got - want) <= 1e-15 * want, "\(got) vs \(want)")
        if side > 1 { #expect(got > (values.filter(\.isFinite).max() ?? 0) * 1.5) }
        #expect(GridMap(title: "t", columns: 2, rows: 1, values: [.nan, .nan]).largestShownValue == nil)
    }

    @Test func arrowsAreWeightedMeansOverBlocks() {
        let columns = 4, rows = 2
        let arrows: [(dx: Double, dy: Double)?] = [(1, 0), (0, 1), nil, (-1, 0), (0, 0), (0, -1), (1, 0), nil]
        let weights = [1.0, 3, 5, 0, 2, 2, 1, 1]
        let map = GridMap(title: "t", columns: columns, rows: rows, values: weights, arrows: arrows, arrowWeights: weights)
        let got = map.blockArrows(side: 2)
        // Block (0, 0): cells 0, 1, 4, 5 with weights 1, 3, 2, 2.
        let a = got[0][0]
        #expect(a.map { abs($0.dx - 1.0 / 8) < 1e-15 && abs($0.dy - (3.0 - 2) / 8) < 1e-15 } == true)
        // Block (1, 0): cells 2 (no arrow), 3 (weight 0), 6 (1, 0) weight 1, 7 (no arrow).
        #expect(got[0][1].map { $0.dx == 1 && $0.dy == 0 } == true)
        let none = GridMap(title: "t", columns: 2, rows: 1, values: [1, 1], arrows: [nil, (1, 0)], arrowWeights: [1, 0])
        #expect(none.blockArrows(side: 1)[0][0] == nil && none.blockArrows(side: 1)[0][1] == nil)
    }

    /// 10⁶ cells stay under 1 MB, with a note saying how they were gathered.
    @Test func aMillionCellsStayUnderOneMegabyte() throws {
        let columns = 1000, rows = 1000
        var rng = SplitMix64(seed: 7)
        let values = (0..<(columns * rows)).map { _ in rng.unit() }
        let arrows: [(dx: Double, dy: Double)?] = (0..<(columns * rows)).map { s in s % 3 == 0 ? (1, 0) : s % 3 == 1 ? (0, 1) : (0, 0) }
        for width in FigureWidth.allCases {
            var map = GridMap(title: "a 1000 × 1000 crowd", columns: columns, rows: rows, values: values, aggregation: .sum,
                              colorLabel: "population share", arrows: arrows, arrowWeights: values)
            map.figureWidth = width
            let svg = map.svg
            #expect(svg.utf8.count < 1_000_000, "\(width): \(svg.utf8.count) bytes")
            #expect(svg.contains("blocks of 13 × 13 cells"))
            #expect(svg.contains("One arrow per block of 42 × 42 cells"))
            let layout = expectLegible(svg, placed: map.textBoxes, "1000×1000 \(width)")
            #expect((layout?.counts["rect"] ?? 0) >= 77 * 77)
        }
    }

    /// With `origin: bottom-left` the cell (0, 0) is drawn at the bottom; with top-left, at the top.
    @Test func originPutsTheFirstRowAtTheTopOrTheBottom() throws {
        let values = [1.0] + [Double](repeating: 0, count: 11)
        for top in [true, false] {
            let map = GridMap(title: "t", columns: 4, rows: 3, values: values, colorScale: .fixed(lower: 0, upper: 1), originAtTop: top)
            let svg = map.svg
            let hot = "fill=\"\(heatColor(1))\""
            let line = try #require(svg.split(separator: "\n").first { $0.contains("<rect") && $0.contains(hot) && !$0.contains("width=\"14\"") })
            let y = Double(line.split(separator: "\"")[3]) ?? -1
            let layout = GridLayout(map)
            #expect(top ? abs(y - layout.top) < 0.01 : abs(y - (layout.top + 2 * layout.unit)) < 0.01, "\(line)")
        }
    }

    /// Every chart type at column and page width: the declared size in inches, the layout
    /// filling the width in user units, no overlapping or cut-off text.
    @Test(arguments: [FigureWidth.column, .page])
    func printedWidths(width: FigureWidth) throws {
        var line = LineChart(title: "a convergence plot with a title long enough to wrap at a column's width",
                             xLabel: "iteration", yLabel: "value (log scale)", yScale: .log, series: [
                                 Series(label: "exploitability", x: [0, 1, 2, 3], y: [1, 1e-3, 0, 1e-9], markers: true),
                                 Series(label: "stationarity residual", x: [0, 1, 2, 3], y: [1, 0.1, 0.01, 1e-3], markers: true),
                             ], verticalMarkers: [VerticalMarker(x: 1.5, label: "switch from anderson to fixed-point before iteration 2")])
        var bars = BarChart(title: "mean field", categories: (0..<21).map { "spot\($0)" }, yLabel: "population share",
                            groups: [("robust (tv)", (0..<21).map { Double($0) / 210 }), ("nominal", (0..<21).map { Double(21 - $0) / 231 })])
        var heat = HeatMap(title: "policy", rowLabels: ["S", "I"], columnLabels: ["go_bistro", "go_diner", "stay_home"],
                           values: [[0.2, 0.3, 0.5], [1, 0, 0]], colorScale: .fixed(lower: 0, upper: 1), colorLabel: "probability π(a|s)")
        var grid = GridMap(title: "grid", columns: 11, rows: 11, values: (0..<121).map { Double($0) / 121 },
                           arrows: (0..<121).map { _ in (1, 0) }, notes: ["Arrows: the preferred move."])
        var panels = PanelChart(title: "price against protection", notes: ["One panel per set."], panels: ["tv", "kl", "chi2"].map {
            LineChart(title: $0, xLabel: "price", yLabel: "protection", series: [
                Series(label: $0, x: [0, 0.01, 0.02], y: [0, 0.1, 0.3], markers: true, line: false, pointLabels: ["ρ=0", "ρ=0.1", "ρ=0.3"]),
            ], showsLegend: false)
        })
        line.figureWidth = width; bars.figureWidth = width; heat.figureWidth = width; grid.figureWidth = width; panels.figureWidth = width
        let inches = try #require(width.inches)
        let figures: [(String, RenderedFigure, [TextBox])] = [
            ("line", line.rendered, line.textBoxes), ("bars", bars.rendered, bars.textBoxes), ("heat", heat.rendered, heat.textBoxes),
            ("grid", grid.rendered, grid.textBoxes), ("panels", panels.rendered, panels.textBoxes),
        ]
        for (name, figure, boxes) in figures {
            #expect(figure.svg.contains("width=\"\(NumberFormat.significant(inches))in\""), "\(name)")
            #expect(figure.svg.contains("font-family=\"sans-serif\""))
            #expect(abs(figure.width - inches * FigureWidth.unitsPerInch) < 1e-9, "\(name): \(figure.width)")
            #expect(figure.pixelWidth == Int(inches * 300))
            let layout = expectLegible(figure.svg, placed: boxes, "\(name) at \(width)")
            #expect(layout.map { abs($0.width - figure.width) < 0.01 } == true)
        }
    }

    /// PNG and PDF from rsvg-convert: the right magic bytes, and the PNG as wide as asked.
    @Test func rendererWritesPNGAndPDF() throws {
        guard let renderer = FigureRenderer.locate() else {
            Issue.record("rsvg-convert is missing: run 'make rsvg'")
            return
        }
        var chart = LineChart(title: "t", xLabel: "x", yLabel: "y", series: [Series(label: "s", x: [0, 1], y: [0, 1])])
        for width in FigureWidth.allCases {
            chart.figureWidth = width
            let figure = chart.rendered
            let png = try renderer.render(figure, as: .png)
            #expect(pngSize(png)?.width == figure.pixelWidth, "\(width)")
            #expect(looksLikePDF(try renderer.render(figure, as: .pdf)))
            #expect(try renderer.render(figure, as: .svg) == Data(figure.svg.utf8))
        }
        #expect(FigureRenderer.locate(environment: ["PATH": "/nonexistent"]) == nil)
        #expect(FigureRenderer.locate(environment: ["RMFG_RSVG_CONVERT": "/nonexistent/rsvg-convert"]) == nil)
        #expect(throws: FigureRenderError.self) { try FigureRenderer(executable: "/bin/false").render(chart.rendered, as: .png) }
    }
}

/// Long traces (10⁵ iterations) stay small files, and keep their spikes.
@Suite("Long line charts")
struct LongLineChartTests {
    @Test func aLongTraceIsDecimated() throws {
        let n = 100_000
        let x = (0..<n).map(Double.init)
        var y = x.map { exp(-$0 / 20_000) }
        y[54_321] = 1e3  // a spike
        y[77_777] = 0    // a value the log scale clips
        let chart = LineChart(title: "a long trace", xLabel: "iteration", yLabel: "residual", yScale: .log, series: [
            Series(label: "residual", x: x, y: y, markers: true),
        ])
        let svg = chart.svg
        #expect(svg.utf8.count < 200_000, "\(svg.utf8.count) bytes \(svg.split(separator: "\n").map { $0.prefix(6) }.reduce(into: [String: Int]()) { $0[String($1), default: 0] += 1 })")
        _ = expectLegible(svg, placed: chart.textBoxes, "long")
        // The spike is the highest point of the polyline: its y is the plot's top region.
        let layout = LineLayout(chart)
        let spikeY = layout.py(log10(1e3))
        #expect(svg.contains(",\(SVGDocument(width: 1, height: 1).n(spikeY))"), "spike at \(spikeY) kept")
        #expect(svg.contains("<polygon"))  // the clipped zero
        // Short series are untouched.
        let few = (0..<400).map { (Double($0), Double($0 * $0)) }
        #expect(LineLayout.decimated(few).count == 400)
    }
}
