/// Small, dependency-free SVG charts for `rmfg --output` directories:
/// line charts (linear or log₁₀ axes), panels of line charts, grouped bar charts and
/// heat maps. Every chart is a complete standalone SVG document whose text is laid out
/// with ``TextMetrics`` so that no two labels overlap.

import Foundation

/// One set of points of a ``LineChart``.
package struct Series: Sendable {
    /// The legend label.
    package var label: String
    /// The x coordinates.
    package var x: [Double]
    /// The y coordinates (same length as `x`).
    package var y: [Double]
    /// Optional vertical error bars `(low, high)` per point.
    package var errorBars: [(Double, Double)]?
    /// Draw markers instead of (or in addition to) a polyline.
    package var markers: Bool
    /// Draw the polyline.
    package var line: Bool
    /// Dashed line (for bounds and references).
    package var dashed: Bool
    /// Optional text beside each point (for example the parameter that produced it);
    /// points drawn at the same place share one label listing theirs, and a label is
    /// left out where it would overlap another label or a marker.
    package var pointLabels: [String]?
    /// What the error bars span, for the legend (for example "bar: 5th percentile to mean").
    package var errorBarLabel: String?

    /// A series; by default a solid line without markers.
    package init(label: String, x: [Double], y: [Double], errorBars: [(Double, Double)]? = nil,
                markers: Bool = false, line: Bool = true, dashed: Bool = false, pointLabels: [String]? = nil,
                errorBarLabel: String? = nil) {
        self.label = label
        self.x = x
        self.y = y
        self.errorBars = errorBars
        self.markers = markers
        self.line = line
        self.dashed = dashed
        self.pointLabels = pointLabels
        self.errorBarLabel = errorBarLabel
    }
}

/// Axis scale.
package enum AxisScale: Sendable {
    /// Linear.
    case linear
    /// Base-10 logarithmic, with a tick at each power of ten (at least two). Non-positive values are drawn at a
    /// floor one decade below the smallest positive value, with an open triangle, and a
    /// note under the chart says so.
    case log
}

/// A vertical line across a ``LineChart`` at `x`, dashed or dotted, explained in the legend:
/// markers with the same `label` and `style` share one legend entry, so a group of lines (the
/// starts of a solver's continuation stages, say) costs one entry however many there are.
/// A short `tag` (the stage's temperature, the method that takes over) is printed above the
/// plot at the line.
package struct VerticalMarker: Sendable {
    /// How a marker's line is drawn.
    package enum Style: Sendable, Hashable {
        /// Dashed (`5,4`).
        case dashed
        /// Dotted (`1.5,3`): a second kind of marker beside dashed ones.
        case dotted
    }

    /// The x coordinate.
    package var x: Double
    /// The legend text, shared by every marker with the same text and style.
    package var label: String
    /// How the line is drawn.
    package var style: Style
    /// Text printed above the plot at the line (`nil`: none). Tags are stacked in up to
    /// ``LineChart/maximumTagRows`` rows so that none overlaps another; one that still
    /// does not fit is left out, and a note under the chart says how many were.
    package var tag: String?

    /// A marker.
    package init(x: Double, label: String, style: Style = .dashed, tag: String? = nil) {
        self.x = x
        self.label = label
        self.style = style
        self.tag = tag
    }
}

let palette = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"]

/// Font sizes shared by the charts.
enum FontSize {
    static let title = 14.0, axis = 12.0, tick = 11.0, legend = 11.0, note = 11.0, pointLabel = 10.0, tag = 10.0
}

/// A line chart with axes, ticks, labels and a legend.
package struct LineChart: Sendable {
    /// The title above the plot (wrapped when wider than the chart).
    package var title: String
    /// The x-axis label.
    package var xLabel: String
    /// The y-axis label.
    package var yLabel: String
    /// The x scale.
    package var xScale: AxisScale
    /// The y scale.
    package var yScale: AxisScale
    /// The lines.
    package var series: [Series]
    /// Vertical lines, explained in the legend (one entry per label and style) and tagged above the plot.
    package var verticalMarkers: [VerticalMarker]
    /// Sentences printed under the chart.
    package var notes: [String]
    /// Width of the plotting area.
    package var plotWidth: Double
    /// Height of the plotting area.
    package var plotHeight: Double
    /// Draw the legend to the right of the plot (under it when a printed width leaves too little room).
    package var showsLegend: Bool
    /// The width the chart is laid out for; at ``FigureWidth/column`` or ``FigureWidth/page``
    /// the plot fills the width and `plotWidth`/`plotHeight` are ignored.
    package var figureWidth: FigureWidth = .screen

    /// A chart.
    package init(title: String, xLabel: String, yLabel: String, xScale: AxisScale = .linear,
                yScale: AxisScale = .linear, series: [Series], verticalMarkers: [VerticalMarker] = [],
                notes: [String] = [], plotWidth: Double = 400, plotHeight: Double = 280, showsLegend: Bool = true) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.xScale = xScale
        self.yScale = yScale
        self.series = series
        self.verticalMarkers = verticalMarkers
        self.notes = notes
        self.plotWidth = plotWidth
        self.plotHeight = plotHeight
        self.showsLegend = showsLegend
    }

    /// The most rows of marker tags stacked above the plot.
    package static let maximumTagRows = 3

    /// The chart laid out at ``figureWidth``.
    package var document: SVGDocument { SVGDocument(drawing: LineLayout(self, targetWidth: figureWidth.units), inches: figureWidth.inches) }
}

extension LineChart: Figure {}

/// A scale mapped to data: transformed bounds, the log floor, the ticks.
struct AxisMap {
    let scale: AxisScale
    /// The log₁₀ floor where non-positive values go (log scale with such values only).
    let floor: Double?
    var lo = 0.0, hi = 1.0
    var ticks: [Double] = []
    var step = 1.0

    init(scale: AxisScale, values: [Double], extra: [Double] = []) {
        self.scale = scale
        let finite = values.filter(\.isFinite)
        if scale == .log, finite.contains(where: { $0 <= 0 }) {
            let smallest = finite.filter { $0 > 0 }.min()
            floor = smallest.map { log10($0).rounded(.down) - 1 } ?? 0
        } else {
            floor = nil
        }
        var ts = finite.compactMap { transform($0)?.value }
        ts += extra.filter(\.isFinite).compactMap { transform($0)?.value }
        guard let a = ts.min(), let b = ts.max() else { return }
        switch scale {
        case .log:
            // 5% of the span on each side, widened to whole decades when that would
            // leave fewer than two decade ticks.
            let pad = max((b - a) * 0.05, 0.05)
            (lo, hi) = (a - pad, b + pad)
            if hi.rounded(.down) - lo.rounded(.up) < 1 {
                lo = a.rounded(.down)
                hi = max(b.rounded(.up), lo + 1)
            }
            let lowE = Int(lo.rounded(.up)), highE = Int(hi.rounded(.down))
            let every = max(1, (highE - lowE + 7) / 8)
            ticks = stride(from: lowE, through: highE, by: every).map(Double.init)
            step = Double(every)
        case .linear:
            (lo, hi) = padded(a, b)
            // Whole numbers (iterations, agent counts) get whole-number ticks.
            let whole = ts.allSatisfy { $0 == $0.rounded() && abs($0) < 1e15 }
            (ticks, step) = linearTicks(lo, hi, minimumStep: whole ? 1 : 0)
        }
    }

    /// The transformed coordinate of `v`, and whether it was clipped to the floor; `nil` when not drawable.
    func transform(_ v: Double) -> (value: Double, clipped: Bool)? {
        guard v.isFinite else { return nil }
        switch scale {
        case .linear: return (v, false)
        case .log:
            if v > 0 { return (log10(v), false) }
            guard let floor else { return nil }
            return (floor, true)
        }
    }

    func label(_ t: Double) -> String {
        switch scale {
        case .log: return NumberFormat.power(Int(t.rounded()))
        case .linear: return NumberFormat.tick(t, step: step)
        }
    }

    /// The floor as a number, for notes.
    var floorText: String { floor.map { NumberFormat.power(Int($0)) } ?? "" }
}

func padded(_ a: Double, _ b: Double) -> (Double, Double) {
    if a == b { return (a - max(abs(a) * 0.1, 0.5), b + max(abs(b) * 0.1, 0.5)) }
    let pad = (b - a) * 0.05
    return (a - pad, b + pad)
}

/// Ticks at 1, 2 or 5 times a power of ten (at least `minimumStep` apart), about six
/// over `[a, b]`, and their step.
func linearTicks(_ a: Double, _ b: Double, minimumStep: Double = 0) -> ([Double], Double) {
    let span = b - a
    guard span > 0, span.isFinite else { return ([a], 1) }
    let raw = span / 6
    let mag = pow(10, log10(raw).rounded(.down))
    let norm = raw / mag
    let step = max((norm < 1.5 ? 1 : norm < 3 ? 2 : norm < 7 ? 5 : 10) * mag, minimumStep)
    var k = (a / step).rounded(.up)
    var out: [Double] = []
    while k * step <= b + step * 1e-9, out.count < 20 {
        let t = k * step
        out.append(abs(t) < step * 1e-9 ? 0 : t)
        k += 1
    }
    return (out, step)
}

/// One legend entry: a glyph and wrapped text.
struct LegendEntry {
    enum Glyph { case line(color: String, dashed: Bool), marker(color: String), lineAndMarker(color: String, dashed: Bool),
                 whisker(color: String), clipped, vertical(dotted: Bool), swatch(color: String) }
    let glyph: Glyph
    let text: String
    let lines: [String]
    static let maxTextWidth = 210.0

    init(glyph: Glyph, text: String, maxWidth: Double = LegendEntry.maxTextWidth) {
        self.glyph = glyph
        self.text = text
        lines = TextMetrics.wrapped(text, size: FontSize.legend, maxWidth: maxWidth)
    }

    /// The entry with its text wrapped to `maxWidth`.
    func rewrapped(_ maxWidth: Double) -> LegendEntry { LegendEntry(glyph: glyph, text: text, maxWidth: maxWidth) }

    var height: Double { Double(lines.count) * 13 + 6 }
    var textWidth: Double { lines.map { TextMetrics.width($0, size: FontSize.legend) }.max() ?? 0 }

    /// Draws the entry with its top at `y`; the glyph occupies `[x, x + 24]`.
    func draw(into doc: inout SVGDocument, x: Double, y: Double) {
        let gy = y + 8
        switch glyph {
        case let .line(color, dashed):
            doc.line(x, gy, x + 24, gy, stroke: color, dashed: dashed, width: 2)
        case let .marker(color):
            doc.circle(x + 12, gy, r: 3.5, fill: color)
        case let .lineAndMarker(color, dashed):
            doc.line(x, gy, x + 24, gy, stroke: color, dashed: dashed, width: 2)
            doc.circle(x + 12, gy, r: 3.5, fill: color)
        case let .whisker(color):
            doc.line(x + 18, gy - 6, x + 18, gy + 6, stroke: color)
            doc.line(x + 15, gy - 6, x + 21, gy - 6, stroke: color)
            doc.line(x + 15, gy + 6, x + 21, gy + 6, stroke: color)
        case .clipped:
            doc.triangle(x + 12, gy - 1, size: 4, stroke: "#555")
        case let .vertical(dotted):
            doc.line(x + 12, gy - 7, x + 12, gy + 7, stroke: markerStroke, dash: dotted ? .dotted : .dashed, width: 1.5)
        case let .swatch(color):
            doc.rect(x: x + 5, y: gy - 5, w: 14, h: 10, stroke: "none", fill: color)
        }
        for (k, line) in lines.enumerated() {
            doc.text(line, x: x + 30, y: y + 12 + Double(k) * 13, size: FontSize.legend, anchor: "start")
        }
    }
}

/// The colour of vertical markers and their tags.
let markerStroke = "#777"

/// What makes two vertical markers share a legend entry.
struct MarkerKey: Hashable {
    let label: String
    let style: VerticalMarker.Style
}

/// The legend entries of a set of series.
func legendEntries(_ series: [Series], clipped: Bool, markers: [VerticalMarker]) -> [LegendEntry] {
    var entries: [LegendEntry] = []
    for (k, s) in series.enumerated() where !s.label.isEmpty {
        let color = palette[k % palette.count]
        if s.line && s.markers {
            entries.append(LegendEntry(glyph: .lineAndMarker(color: color, dashed: s.dashed), text: s.label))
        } else if s.line {
            entries.append(LegendEntry(glyph: .line(color: color, dashed: s.dashed), text: s.label))
        } else {
            entries.append(LegendEntry(glyph: .marker(color: color), text: s.label))
        }
        if s.errorBars != nil {
            entries.append(LegendEntry(glyph: .whisker(color: color), text: s.errorBarLabel ?? "bar: range of \(s.label)"))
        }
    }
    if clipped { entries.append(LegendEntry(glyph: .clipped, text: "value ≤ 0, drawn at the axis floor")) }
    var seen = Set<MarkerKey>()
    for m in markers where seen.insert(MarkerKey(label: m.label, style: m.style)).inserted {
        entries.append(LegendEntry(glyph: .vertical(dotted: m.style == .dotted), text: m.label))
    }
    return entries
}

/// Line charts side by side under one title, each with its own axes (for data whose
/// ranges differ by orders of magnitude between panels).
package struct PanelChart: Sendable {
    /// The title above all panels.
    package var title: String
    /// Sentences under the title (the place to explain the marks, since panels have no legend).
    package var notes: [String]
    /// The panels, drawn left to right, then in further rows.
    package var panels: [LineChart]
    /// Panels per row (fewer in a printed figure too narrow for them).
    package var columns: Int
    /// The width the figure is laid out for.
    package var figureWidth: FigureWidth = .screen

    /// A figure of panels.
    package init(title: String, notes: [String] = [], panels: [LineChart], columns: Int = 3) {
        self.title = title
        self.notes = notes
        self.panels = panels
        self.columns = max(columns, 1)
    }

    /// The figure laid out at ``figureWidth``: the title, the notes, and the panels in rows.
    package var document: SVGDocument {
        // A printed figure: as many panels per row as leave each at least 230 units (one per row in a column).
        let target = figureWidth.units
        let perRow = min(target.map { max(Int($0 / 230), 1) } ?? columns, columns, max(panels.count, 1))
        let layouts = panels.map { LineLayout($0, targetWidth: target.map { $0 / Double(perRow) }) }
        let cellW = layouts.map(\.width).max() ?? 300, cellH = layouts.map(\.height).max() ?? 200
        let rows = (layouts.count + perRow - 1) / perRow
        let width = target ?? max(cellW * Double(perRow), 360)
        let titleLines = TextMetrics.balanced(title, size: FontSize.title, maxWidth: width - 16, bold: true)
        let noteLines = notes.flatMap { TextMetrics.wrapped($0, size: FontSize.note, maxWidth: width - 16) }
        let head = 8 + Double(titleLines.count) * 17 + Double(noteLines.count) * 14 + 6
        var doc = SVGDocument(width: width, height: head + cellH * Double(max(rows, 1)) + 4)
        doc.inches = figureWidth.inches
        for (k, line) in titleLines.enumerated() {
            doc.text(line, x: width / 2, y: 8 + 13 + Double(k) * 17, size: FontSize.title, anchor: "middle", bold: true)
        }
        for (k, line) in noteLines.enumerated() {
            doc.text(line, x: 8, y: 8 + Double(titleLines.count) * 17 + 11 + Double(k) * 14, size: FontSize.note,
                     anchor: "start", color: "#333")
        }
        for (k, layout) in layouts.enumerated() {
            doc.dx = Double(k % perRow) * cellW
            doc.dy = head + Double(k / perRow) * cellH
            layout.draw(into: &doc)
        }
        return doc
    }
}

extension PanelChart: Figure {}
