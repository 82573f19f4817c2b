import Foundation
@testable import Plots
import Testing
import TestSupport

/// Checks that `svg` is well-formed, that no two texts overlap and that none is cut off
/// at the edge, and that the boxes read back from the document are the ones the chart placed.
func expectLegible(_ svg: String, placed: [TextBox], _ what: String = "",
                   sourceLocation: SourceLocation = #_sourceLocation) -> SVGLayout? {
    guard let layout = svgLayout(svg) else {
        Issue.record("\(what): not well-formed XML", sourceLocation: sourceLocation)
        return nil
    }
    for (a, b) in layout.overlaps {
        Issue.record("\(what): '\(a.text)' overlaps '\(b.text)'", sourceLocation: sourceLocation)
    }
    for b in layout.outside {
        Issue.record("\(what): '\(b.text)' reaches outside the \(layout.width)×\(layout.height) figure", sourceLocation: sourceLocation)
    }
    #expect(layout.boxes.count == placed.count, "\(what)", sourceLocation: sourceLocation)
    for (a, b) in zip(layout.boxes, placed) {
        #expect(abs(a.minX - b.minX) < 0.02 && abs(a.maxY - b.maxY) < 0.02 && a.text == b.text,
                "\(what): parsed \(a) placed \(b)", sourceLocation: sourceLocation)
    }
    return layout
}

@Suite("Figure layout")
struct LayoutTests {
    @Test func numberFormats() {
        // The colour bar's minimum was printed as 7.6399091019163.
        #expect(NumberFormat.significant(7.6399091019163) == "7.64")
        #expect(NumberFormat.significant(-0.000123456) == "-1.23e-4")
        #expect(NumberFormat.significant(123456) == "1.23e5")
        #expect(NumberFormat.significant(0.1) == "0.1")
        #expect(NumberFormat.significant(0) == "0")
        #expect(NumberFormat.tick(0.25, step: 0.25) == "0.25")
        #expect(NumberFormat.tick(0.5, step: 0.25) == "0.50")
        #expect(NumberFormat.tick(-0.0, step: 0.1) == "0")
        #expect(NumberFormat.tick(3, step: 1) == "3")
        #expect(NumberFormat.power(-7) == "1e-7")
        #expect(NumberFormat.power(2) == "100")
        // Ticks of a narrow range far from zero are distinct.
        let (ticks, step) = linearTicks(7.6399, 7.6402)
        let labels = ticks.map { NumberFormat.tick($0, step: step) }
        #expect(Set(labels).count == labels.count, "\(labels)")
    }

    @Test func textMetrics() {
        #expect(TextMetrics.width("", size: 10) == 0)
        #expect(TextMetrics.width("WWW", size: 10) > TextMetrics.width("iii", size: 10))
        #expect(TextMetrics.width("ab", size: 20) == 2 * TextMetrics.width("ab", size: 10))
        let short = TextMetrics.abbreviated("a very long name indeed", size: 10, maxWidth: 50)
        #expect(short.hasSuffix("…") && TextMetrics.width(short, size: 10) <= 50)
        let lines = TextMetrics.wrapped("one two three four five six seven", size: 10, maxWidth: 60)
        #expect(lines.count > 1 && lines.allSatisfy { TextMetrics.width($0, size: 10) <= 60 })
        // A title that just overflows is split in two halves, not one word on its own.
        let title = "threshold: Nash gap against the number k of observed agents (n = 4)"
        let full = TextMetrics.width(title, size: 14, bold: true)
        let halves = TextMetrics.balanced(title, size: 14, maxWidth: full - 10, bold: true)
        #expect(halves.count == 2 && halves.allSatisfy { $0.count > 20 }, "\(halves)")
        // A rotated box is the upright one turned: tall and narrow.
        let upright = TextBox(text: "label", x: 0, y: 0, size: 10, anchor: "start")
        let turned = TextBox(text: "label", x: 0, y: 0, size: 10, anchor: "start", rotated: true)
        #expect(abs((upright.maxX - upright.minX) - (turned.maxY - turned.minY)) < 1e-9)
        #expect(turned.maxY <= 1e-9, "reads upwards from the anchor")
    }

    /// The restaurants' column labels ran together ("go_bistrogo_diner…") and the
    /// colour bar went from the smallest to the largest probability.
    @Test func heatMapLabelsAndFixedScale() throws {
        let heat = HeatMap(title: "restaurants: equilibrium policy π*(a|s)", rowLabels: ["bistro", "diner", "trattoria"],
                           columnLabels: ["go_bistro", "go_diner", "go_trattoria"],
                           values: [[0.45, 0.20, 0.35], [0.45, 0.21, 0.34], [0.46, 0.20, 0.34]],
                           colorScale: .fixed(lower: 0, upper: 1), colorLabel: "probability π(a|s)")
        let layout = try #require(expectLegible(heat.svg, placed: heat.textBoxes, "policy"))
        let texts = layout.boxes.map(\.text)
        for label in ["go_bistro", "go_diner", "go_trattoria", "0", "0.25", "1.00", "probability π(a|s)"] {
            #expect(texts.contains(label), "\(label) in \(texts)")
        }
        // On the 0–1 scale 0.45 is a middle colour, not the darkest.
        #expect(heat.svg.contains("fill=\"\(heatColor(0.45))\""))
        #expect(!heat.svg.contains(heatColor(1)), "the largest probability is not drawn as 1")
        // Many short labels: upright, none overlapping.
        let moves = HeatMap(title: "grid", rowLabels: (0..<9).map { "s\($0)" },
                            columnLabels: ["up", "down", "left", "right", "stay"],
                            values: (0..<9).map { _ in [0.2, 0.2, 0.2, 0.2, 0.2] }, colorScale: .fixed(lower: 0, upper: 1))
        _ = expectLegible(moves.svg, placed: moves.textBoxes, "moves")
        // Data scale: the colour bar's ends are formatted.
        let values = HeatMap(title: "values", rowLabels: ["a", "b"], columnLabels: ["x"], values: [[7.6399091019163], [9.1]])
        let bar = try #require(expectLegible(values.svg, placed: values.textBoxes, "values"))
        #expect(!bar.boxes.contains { $0.text.count > 6 && Double($0.text) != nil }, "\(bar.boxes.map(\.text))")
    }

    /// A 20,000-state policy wrote an 8.5 MB heat map.
    @Test func largeHeatMapIsAggregated() throws {
        let n = 20_000
        let heat = HeatMap(title: "garnet", rowLabels: (0..<n).map { "state\($0)" }, columnLabels: ["a", "b", "c", "d", "e"],
                           values: (0..<n).map { s in (0..<5).map { a in a == s % 5 ? 1 : 0 } },
                           colorScale: .fixed(lower: 0, upper: 1))
        let svg = heat.svg
        #expect(svg.utf8.count < 150_000, "\(svg.utf8.count) bytes")
        #expect(svg.contains("Each row is the mean over a block of 100 consecutive rows (20000 in all)."))
        #expect(svg.contains("state0 – state99"))
        _ = expectLegible(svg, placed: heat.textBoxes, "large")
        // Every block averages to 0.2 per action.
        #expect(svg.contains("fill=\"\(heatColor(0.2))\""))
        let bars = BarChart(title: "mu", categories: (0..<n).map { "state\($0)" }, yLabel: "share",
                            groups: [("robust", [Double](repeating: 1 / Double(n), count: n))])
        #expect(bars.svg.utf8.count < 1_000_000)
        #expect(bars.svg.contains("Each bar sums a block of 100 consecutive categories (20000 in all)."))
        _ = expectLegible(bars.svg, placed: bars.textBoxes, "bars")
    }

    /// Non-positive values on a log scale were left off, the final one included.
    @Test func logScaleClipsToAFloorWithANote() throws {
        let chart = LineChart(title: "convergence", xLabel: "iteration", yLabel: "value", yScale: .log, series: [
            Series(label: "exploitability", x: [0, 1, 2, 3], y: [1e-3, 1e-9, -1e-17, 0], markers: true),
        ])
        let layout = try #require(expectLegible(chart.svg, placed: chart.textBoxes, "log"))
        #expect(layout.counts["polygon"] == 2 + 1, "two clipped points and the legend's")
        let text = layout.boxes.map(\.text).joined(separator: " ")
        #expect(text.contains("floor 1e-10"), "\(text)")
        #expect(text.contains("value ≤ 0, drawn at the axis floor"))
    }

    /// The convergence plot did not show where the solver switched method.
    @Test func verticalMarkersAreInTheLegend() throws {
        let chart = LineChart(title: "lasry-lions: convergence (anderson, then fixed-point)", xLabel: "iteration",
                              yLabel: "value", yScale: .log,
                              series: [Series(label: "residual", x: [0, 1, 2, 3], y: [1, 0.1, 0.01, 0.001])],
                              verticalMarkers: [VerticalMarker(x: 1.5, label: "switch from anderson to fixed-point before iteration 2")])
        let layout = try #require(expectLegible(chart.svg, placed: chart.textBoxes, "switch"))
        #expect(chart.svg.contains("stroke=\"#777\" stroke-width=\"1.5\" stroke-dasharray=\"5,4\""))
        #expect(layout.boxes.map(\.text).joined(separator: " ").contains("switch from anderson to fixed-point"))
    }

    /// A continuation solve's convergence plot had a legend entry per stage and method switch
    /// (11 on two-state). Markers with one label and style share a legend entry however many
    /// there are; each tag stands above the plot at its own line (centred on it, or beginning
    /// or ending there), in up to three rows, overlapping nothing; a tag that finds no room is
    /// left out and the note under the chart counts it.
    @Test(arguments: [(count: 6, spacing: 60.0, iterations: 520), (count: 10, spacing: 1.0, iterations: 2000)])
    func taggedMarkersShareALegendEntry(count: Int, spacing: Double, iterations: Int) throws {
        let stages = (0..<count).map { k in
            VerticalMarker(x: 200 + spacing * Double(k) - 0.5, label: "a new temperature (tagged τ)",
                           tag: "τ = " + NumberFormat.significant(pow(10, -Double(k))))
        }
        let switches = [(40.0, "mirror-descent"), (140.0, "fictitious-play")].map {
            VerticalMarker(x: $0.0 - 0.5, label: "the method changes (tagged)", style: .dotted, tag: $0.1)
        }
        let xs = (0..<iterations).map(Double.init)
        let chart = LineChart(title: "two-state: convergence (anderson, then mirror-descent, then fictitious-play)",
                              xLabel: "iteration", yLabel: "value (log scale)", yScale: .log, series: [
                                  Series(label: "exploitability", x: xs, y: xs.map { exp(-$0 / 30) }, markers: true),
                                  Series(label: "stationarity residual", x: xs, y: xs.map { exp(-$0 / 40) }, markers: true),
                              ], verticalMarkers: switches + stages)
        let layout = try #require(expectLegible(chart.svg, placed: chart.textBoxes, "tags \(spacing)"))
        let texts = layout.boxes.map(\.text)
        // One legend entry per kind of marker, with its glyph drawn once more in the legend.
        #expect(texts.filter { $0 == "a new temperature (tagged τ)" }.count == 1, "\(texts)")
        #expect(texts.filter { $0 == "the method changes (tagged)" }.count == 1, "\(texts)")
        let frame = try #require(layout.rects.first { $0.stroke == "#333" && $0.fill == "none" })
        let dashed = layout.lines.filter { $0.dash == "5,4" }, dotted = layout.lines.filter { $0.dash == "1.5,3" }
        #expect(dashed.count == stages.count + 1 && dotted.count == switches.count + 1)
        // The plot's markers span the plot, in order of x.
        let inPlot = (dashed + dotted).filter { abs($0.y2 - (frame.y + frame.height)) < 0.01 }.sorted { $0.x1 < $1.x1 }
        #expect(inPlot.count == stages.count + switches.count)
        #expect(inPlot.allSatisfy { $0.x1 == $0.x2 && $0.y1 <= frame.y + 0.01 })
        #expect(inPlot.map(\.dash) == [dotted[0].dash, dotted[0].dash] + stages.map { _ in dashed[0].dash })
        // Each tag printed stands above the plot at its own line, which runs up to just under it
        // (a line without a tag stops at the plot); the others are counted in the note.
        let tagTexts = (switches + stages).compactMap(\.tag)
        let printed = layout.boxes.filter { tagTexts.contains($0.text) }
        for (k, text) in tagTexts.enumerated() {
            guard let box = printed.first(where: { $0.text == text }) else {
                #expect(abs(inPlot[k].y1 - frame.y) < 0.01, "\(text) left out: its line stops at the plot")
                continue
            }
            let x = inPlot[k].x1
            #expect(abs(inPlot[k].y1 - (box.maxY + 0.8)) < 0.02, "\(text): line \(inPlot[k]), tag \(box)")
            #expect(box.maxY <= frame.y - 2.5 && box.minY >= frame.y - 5 - 12 * 3 - 8, "\(text): \(box)")
            let width = box.maxX - box.minX
            #expect([box.minX, box.maxX, box.minX + width / 2].contains { abs($0 - x) < 0.02 }, "\(text) at \(x): \(box)")
        }
        #expect(Set(printed.map(\.text)).count == printed.count, "each tag once")
        let left = tagTexts.count - printed.count
        let note = "\(left) of \(tagTexts.count) line tags left out where the lines are too close for them."
        #expect(left == 0 ? !texts.joined(separator: " ").contains("left out") : texts.joined(separator: " ").contains(note),
                "\(texts)")
        #expect(spacing < 2 ? left > 0 : left == 0, "spread-out tags all fit, crowded ones do not: \(left) left out")
    }

    /// Price–protection points were joined in radius order and carried no radius.
    @Test func panelsLabelEveryPointWithoutLines() throws {
        let panels = ["tv", "kl"].map { set in
            LineChart(title: set, xLabel: "price", yLabel: "protection", series: [
                Series(label: set, x: set == "tv" ? [0, 1, 0.5, 2] : [0, 0.001, 0.002, 0.0005],
                       y: set == "tv" ? [0, 0.5, -0.2, 1] : [0, 2e-4, 1e-4, 3e-4], markers: true, line: false,
                       pointLabels: ["ρ=0", "ρ=0.1", "ρ=0.2", "ρ=0.4"]),
            ], plotWidth: 240, plotHeight: 200, showsLegend: false)
        }
        let figure = PanelChart(title: "price against protection", notes: ["Each dot is one radius ρ."], panels: panels)
        let layout = try #require(expectLegible(figure.svg, placed: figure.textBoxes, "panels"))
        #expect(layout.counts["polyline", default: 0] == 0)
        let texts = layout.boxes.map(\.text)
        #expect(texts.filter { $0 == "ρ=0.4" }.count == 2, "\(texts)")
        // Points at the same place share a label.
        let same = LineChart(title: "kl", xLabel: "price", yLabel: "protection", series: [
            Series(label: "kl", x: [0, 0, 0], y: [0, 0, 0], markers: true, line: false, pointLabels: ["ρ=0", "ρ=0.1", "ρ=0.2"]),
        ], showsLegend: false)
        let one = try #require(expectLegible(same.svg, placed: same.textBoxes, "coincident"))
        #expect(one.boxes.map(\.text).contains("ρ=0, ρ=0.1, ρ=0.2"))
    }

    /// The value plot's whisker was not explained.
    @Test func errorBarsAreExplainedInTheLegend() throws {
        let chart = LineChart(title: "value", xLabel: "ρ", yLabel: "value", series: [
            Series(label: "random kernels: mean", x: [0, 0.1], y: [1, 0.9], errorBars: [(0.8, 1), (0.7, 0.9)],
                   markers: true, line: false, errorBarLabel: "bar from the 5th percentile up to the mean"),
        ])
        let layout = try #require(expectLegible(chart.svg, placed: chart.textBoxes, "whisker"))
        #expect(layout.boxes.map(\.text).joined(separator: " ").contains("5th percentile"))
    }

    /// The alternating gap plot put ticks at k = 1.5, 2.5 for whole numbers of agents.
    @Test func wholeNumbersGetWholeTicks() throws {
        let chart = LineChart(title: "gap", xLabel: "k", yLabel: "gap", series: [
            Series(label: "learned", x: [1, 2, 4], y: [0.2, 0.05, 0.01], markers: true),
        ])
        let layout = try #require(expectLegible(chart.svg, placed: chart.textBoxes, "whole"))
        let texts = layout.boxes.map(\.text)
        #expect(texts.contains("1") && texts.contains("4") && !texts.contains("1.5"), "\(texts)")
    }

    /// Long tick labels and category names do not run together.
    @Test func crowdedAxes() throws {
        let chart = LineChart(title: String(repeating: "a long title ", count: 12), xLabel: "x", yLabel: "y", series: [
            Series(label: "s", x: [100_000, 100_001], y: [1e-7, 3e-7], markers: true),
        ])
        _ = expectLegible(chart.svg, placed: chart.textBoxes, "ticks")
        let bars = BarChart(title: "mean field", categories: (0..<60).map { "state_number_\($0)" }, yLabel: "share",
                            groups: [("robust", (0..<60).map { Double($0) }), ("nominal", (0..<60).map { 60 - Double($0) })])
        _ = expectLegible(bars.svg, placed: bars.textBoxes, "bars")
        let blocks = Plots.blocks(count: 10, limit: 3)
        #expect(blocks == [0..<4, 4..<8, 8..<10])
        #expect(Plots.blocks(count: 3, limit: 5) == [0..<1, 1..<2, 2..<3])
    }
}
