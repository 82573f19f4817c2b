/// Small, dependency-free SVG charts for `rmfg --output` directories:
/// line charts (linear or log₁₀ axes), panels of line charts, grouped bar charts and
/// heat maps. Every chart is a complete standalone SVG document whose text is laid out
/// with ``TextMetrics`` so that no two labels overlap.

import Foundation

/// One set of points of a ``LineChart``.
public struct Series: Sendable {
    /// The legend label.
    public var label: String
    /// The x coordinates.
    public var x: [Double]
    /// The y coordinates (same length as `x`).
    public var y: [Double]
    /// Optional vertical error bars `(low, high)` per point.
    public var errorBars: [(Double, Double)]?
    /// Draw markers instead of (or in addition to) a polyline.
    public var markers: Bool
    /// Draw the polyline.
    public var line: Bool
    /// Dashed line (for bounds and references).
    public var dashed: Bool
    /// Optional text beside each point (for example the parameter that produced it);
    /// points drawn at the same place share one label listing theirs, and a label is
    /// left out where it would overlap another label or a marker.
    public var pointLabels: [String]?
    /// What the error bars span, for the legend (for example "bar: 5th percentile to mean").
    public var errorBarLabel: String?

    /// A series; by default a solid line without markers.
    public init(label: String, x: [Double], y: [Double], errorBars: [(Double, Double)]? = nil,
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
public enum AxisScale: Sendable {
    /// Linear.
    case linear
    /// Base-10 logarithmic, with a tick at each power of ten (at least two). Non-positive values are drawn at a
    /// floor one decade below the smallest positive value, with an open triangle, and a
    /// note under the chart says so.
    case log
}

/// A dashed vertical line across a ``LineChart`` at `x`, explained by `label` in the legend
/// (for example the iteration where a solver switched method).
public struct VerticalMarker: Sendable {
    /// The x coordinate.
    public var x: Double
    /// The legend text.
    public var label: String

    /// A marker.
    public init(x: Double, label: String) {
        self.x = x
        self.label = label
    }
}

let palette = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"]

/// Font sizes shared by the charts.
enum FontSize {
    static let title = 14.0, axis = 12.0, tick = 11.0, legend = 11.0, note = 11.0, pointLabel = 10.0
}

/// A line chart with axes, ticks, labels and a legend.
public struct LineChart: Sendable {
    /// The title above the plot (wrapped when wider than the chart).
    public var title: String
    /// The x-axis label.
    public var xLabel: String
    /// The y-axis label.
    public var yLabel: String
    /// The x scale.
    public var xScale: AxisScale
    /// The y scale.
    public var yScale: AxisScale
    /// The lines.
    public var series: [Series]
    /// Dashed vertical lines, each explained in the legend.
    public var verticalMarkers: [VerticalMarker]
    /// Sentences printed under the chart.
    public var notes: [String]
    /// Width of the plotting area.
    public var plotWidth: Double
    /// Height of the plotting area.
    public var plotHeight: Double
    /// Draw the legend to the right of the plot.
    public var showsLegend: Bool

    /// A chart.
    public init(title: String, xLabel: String, yLabel: String, xScale: AxisScale = .linear,
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

    /// The SVG document.
    public var svg: String { document.rendered }

    /// The estimated box of every text the chart places (for layout tests).
    package var textBoxes: [TextBox] { document.boxes }

    var document: SVGDocument {
        let layout = LineLayout(self)
        var doc = SVGDocument(width: layout.width, height: layout.height)
        layout.draw(into: &doc)
        return doc
    }
}

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
                 whisker(color: String), clipped, vertical, swatch(color: String) }
    let glyph: Glyph
    let lines: [String]
    static let maxTextWidth = 210.0

    init(glyph: Glyph, text: String) {
        self.glyph = glyph
        lines = TextMetrics.wrapped(text, size: FontSize.legend, maxWidth: LegendEntry.maxTextWidth)
    }

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
        case .vertical:
            doc.line(x + 12, gy - 7, x + 12, gy + 7, stroke: "#777", dashed: true, width: 1.5)
        case let .swatch(color):
            doc.rect(x: x + 5, y: gy - 5, w: 14, h: 10, stroke: "none", fill: color)
        }
        for (k, line) in lines.enumerated() {
            doc.text(line, x: x + 30, y: y + 12 + Double(k) * 13, size: FontSize.legend, anchor: "start")
        }
    }
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
    var seen = Set<String>()
    for m in markers where seen.insert(m.label).inserted {
        entries.append(LegendEntry(glyph: .vertical, text: m.label))
    }
    return entries
}

/// The geometry of a ``LineChart``, computed before anything is drawn.
struct LineLayout {
    let chart: LineChart
    let xAxis: AxisMap, yAxis: AxisMap
    let hasData: Bool
    let clipped: Bool
    let titleLines: [String]
    let noteLines: [String]
    let legend: [LegendEntry]
    let yTickLabels: [(Double, String)]
    let xTickLabels: [(Double, String)]
    let yLabelText: String
    let xLabelText: String
    /// Point labels placed, relative to the plot's top-left corner.
    let pointLabels: [(text: String, x: Double, y: Double, anchor: String)]
    let left: Double, top: Double, width: Double, height: Double

    init(_ chart: LineChart) {
        self.chart = chart
        let plotW = chart.plotWidth, plotH = chart.plotHeight
        var xs: [Double] = [], ys: [Double] = []
        for s in chart.series {
            for (k, x) in s.x.enumerated() where k < s.y.count && x.isFinite && s.y[k].isFinite {
                xs.append(x); ys.append(s.y[k])
                if let bars = s.errorBars, k < bars.count { ys += [bars[k].0, bars[k].1] }
            }
        }
        let x = AxisMap(scale: chart.xScale, values: xs, extra: chart.verticalMarkers.map(\.x))
        let y = AxisMap(scale: chart.yScale, values: ys)
        xAxis = x
        yAxis = y
        hasData = !xs.isEmpty
        // Which points are clipped to a floor, for the note and the legend.
        var anyClipped = false
        for s in chart.series {
            for (k, v) in s.x.enumerated() where k < s.y.count {
                if let a = x.transform(v), let b = y.transform(s.y[k]), a.clipped || b.clipped { anyClipped = true }
            }
        }
        clipped = anyClipped
        var notes = chart.notes
        if anyClipped {
            let which = [x.floor != nil ? "x" : nil, y.floor != nil ? "y" : nil].compactMap { $0 }.joined(separator: " and ")
            let floors = [x.floor != nil ? x.floorText : nil, y.floor != nil ? y.floorText : nil].compactMap { $0 }
            notes.insert("Open triangles: values ≤ 0, which a log scale cannot show, drawn at the \(which) floor \(floors.joined(separator: ", ")).", at: 0)
        }
        yTickLabels = y.ticks.map { ($0, y.label($0)) }
        // x tick labels: every k-th, so that neighbours keep a gap.
        func px(_ t: Double) -> Double { (t - x.lo) / (x.hi - x.lo) * plotW }
        var every = 1
        let all = x.ticks.map { ($0, x.label($0)) }
        while every < all.count {
            let kept = all.enumerated().filter { $0.offset % every == 0 }.map(\.element)
            let boxes = kept.map { TextBox(text: $0.1, x: px($0.0), y: 0, size: FontSize.tick, anchor: "middle").inflated(3) }
            if zip(boxes, boxes.dropFirst()).allSatisfy({ !$0.overlaps($1) }) { break }
            every += 1
        }
        xTickLabels = all.enumerated().filter { $0.offset % every == 0 }.map(\.element)
        legend = chart.showsLegend ? legendEntries(chart.series, clipped: anyClipped, markers: chart.verticalMarkers) : []
        pointLabels = hasData ? LineLayout.placePointLabels(chart, x: x, y: y, plotW: plotW, plotH: plotH) : []

        let yTickWidth = yTickLabels.map { TextMetrics.width($0.1, size: FontSize.tick) }.max() ?? 0
        yLabelText = TextMetrics.abbreviated(chart.yLabel, size: FontSize.axis, maxWidth: plotH)
        let left = 6 + (yLabelText.isEmpty ? 0 : FontSize.axis * 1.05 + 6) + yTickWidth + 9
        let legendWidth = legend.isEmpty ? 0 : 14 + 30 + (legend.map(\.textWidth).max() ?? 0) + 8
        let lastTickHalf = (xTickLabels.last.map { TextMetrics.width($0.1, size: FontSize.tick) / 2 } ?? 0) + 4
        let right = max(legendWidth, lastTickHalf, 12)
        let width = left + plotW + right
        xLabelText = TextMetrics.abbreviated(chart.xLabel, size: FontSize.axis, maxWidth: width - 16)
        titleLines = TextMetrics.balanced(chart.title, size: FontSize.title, maxWidth: width - 16, bold: true)
        noteLines = notes.flatMap { TextMetrics.wrapped($0, size: FontSize.note, maxWidth: width - 16) }
        let top = 8 + Double(titleLines.count) * 17 + 8
        let bottom = 8 + FontSize.tick + 8 + (xLabelText.isEmpty ? 0 : FontSize.axis + 6) + Double(noteLines.count) * 14 + 8
        let legendHeight = legend.map(\.height).reduce(0, +)
        self.left = left
        self.top = top
        self.width = width
        height = top + max(plotH, legendHeight) + bottom
    }

    /// Chooses a position for each point label: beside, above or below its marker,
    /// inside the plot, clear of every marker and of the labels already placed.
    static func placePointLabels(_ chart: LineChart, x: AxisMap, y: AxisMap, plotW: Double, plotH: Double)
        -> [(text: String, x: Double, y: Double, anchor: String)] {
        func px(_ t: Double) -> Double { (t - x.lo) / (x.hi - x.lo) * plotW }
        func py(_ t: Double) -> Double { plotH - (t - y.lo) / (y.hi - y.lo) * plotH }
        var obstacles: [TextBox] = []
        var requests: [(String, Double, Double)] = []
        for s in chart.series {
            for (k, v) in s.x.enumerated() where k < s.y.count {
                guard let a = x.transform(v), let b = y.transform(s.y[k]) else { continue }
                let p = (px(a.value), py(b.value))
                var marker = TextBox(text: "", x: p.0, y: p.1, size: 0, anchor: "start")
                marker.minX = p.0 - 4; marker.maxX = p.0 + 4; marker.minY = p.1 - 4; marker.maxY = p.1 + 4
                obstacles.append(marker)
                if let labels = s.pointLabels, k < labels.count, !labels[k].isEmpty { requests.append((labels[k], p.0, p.1)) }
            }
        }
        // Points drawn at the same place (within 2 px) share one label listing them all.
        var merged: [(String, Double, Double)] = []
        for r in requests {
            if let k = merged.firstIndex(where: { abs($0.1 - r.1) <= 2 && abs($0.2 - r.2) <= 2 }) {
                merged[k].0 += ", " + r.0
            } else {
                merged.append(r)
            }
        }
        requests = merged
        let size = FontSize.pointLabel
        let candidates: [(Double, Double, String)] = [(6, 3.5, "start"), (-6, 3.5, "end"), (0, -7, "middle"), (0, 14, "middle"),
                                                      (5, -5, "start"), (5, 13, "start"), (-5, -5, "end"), (-5, 13, "end")]
        var placed: [(text: String, x: Double, y: Double, anchor: String)] = []
        for (text, x0, y0) in requests {
            for (ox, oy, anchor) in candidates {
                let box = TextBox(text: text, x: x0 + ox, y: y0 + oy, size: size, anchor: anchor)
                guard box.minX >= 1, box.maxX <= plotW - 1, box.minY >= 1, box.maxY <= plotH - 1 else { continue }
                if obstacles.contains(where: { $0.overlaps(box) }) { continue }
                obstacles.append(box.inflated(1))
                placed.append((text, x0 + ox, y0 + oy, anchor))
                break
            }
        }
        return placed
    }

    func draw(into doc: inout SVGDocument) {
        let plotW = chart.plotWidth, plotH = chart.plotHeight
        for (k, line) in titleLines.enumerated() {
            doc.text(line, x: width / 2, y: 8 + 13 + Double(k) * 17, size: FontSize.title, anchor: "middle", bold: true)
        }
        guard hasData else {
            doc.text("no data", x: left + plotW / 2, y: top + plotH / 2, size: 13, anchor: "middle")
            return
        }
        let x = xAxis, y = yAxis
        func px(_ t: Double) -> Double { left + (t - x.lo) / (x.hi - x.lo) * plotW }
        func py(_ t: Double) -> Double { top + plotH - (t - y.lo) / (y.hi - y.lo) * plotH }
        doc.rect(x: left, y: top, w: plotW, h: plotH, stroke: "#333", fill: "none")
        for t in x.ticks {
            doc.line(px(t), top + plotH, px(t), top + plotH + 5, stroke: "#333")
            doc.line(px(t), top, px(t), top + plotH, stroke: "#eee")
        }
        for (t, label) in xTickLabels {
            doc.text(label, x: px(t), y: top + plotH + 8 + FontSize.tick * 0.8, size: FontSize.tick, anchor: "middle")
        }
        for (t, label) in yTickLabels {
            doc.line(left - 5, py(t), left, py(t), stroke: "#333")
            doc.line(left, py(t), left + plotW, py(t), stroke: "#eee")
            doc.text(label, x: left - 8, y: py(t) + 3.5, size: FontSize.tick, anchor: "end")
        }
        var below = top + plotH + 8 + FontSize.tick + 6
        if !xLabelText.isEmpty {
            doc.text(xLabelText, x: left + plotW / 2, y: below + FontSize.axis * 0.8, size: FontSize.axis, anchor: "middle")
            below += FontSize.axis + 6
        }
        if !yLabelText.isEmpty {
            doc.text(yLabelText, x: 6 + FontSize.axis * 0.8, y: top + plotH / 2, size: FontSize.axis, anchor: "middle", rotate: true)
        }
        for (k, line) in noteLines.enumerated() {
            doc.text(line, x: 8, y: below + 11 + Double(k) * 14, size: FontSize.note, anchor: "start", color: "#333")
        }
        for m in chart.verticalMarkers {
            if let a = x.transform(m.x) { doc.line(px(a.value), top, px(a.value), top + plotH, stroke: "#777", dashed: true, width: 1.5) }
        }
        for (k, s) in chart.series.enumerated() {
            let color = palette[k % palette.count]
            var segment: [(Double, Double)] = []
            var segments: [[(Double, Double)]] = []
            var clippedPoints: [(Double, Double)] = []
            var points: [(Double, Double)] = []
            for (i, v) in s.x.enumerated() where i < s.y.count {
                guard let a = x.transform(v), let b = y.transform(s.y[i]) else {
                    if !segment.isEmpty { segments.append(segment); segment = [] }
                    continue
                }
                let p = (px(a.value), py(b.value))
                if a.clipped || b.clipped {
                    clippedPoints.append(p)
                    if !segment.isEmpty { segments.append(segment); segment = [] }
                } else {
                    points.append(p)
                    segment.append(p)
                }
            }
            if !segment.isEmpty { segments.append(segment) }
            if s.line { for seg in segments where seg.count > 1 { doc.polyline(seg, stroke: color, dashed: s.dashed) } }
            if s.markers { for p in points { doc.circle(p.0, p.1, r: 3, fill: color) } }
            for p in clippedPoints { doc.triangle(p.0, p.1, size: 4, stroke: color) }
            if let bars = s.errorBars {
                for (i, v) in s.x.enumerated() where i < bars.count {
                    if let a = x.transform(v), let lo = y.transform(bars[i].0), let hi = y.transform(bars[i].1) {
                        doc.line(px(a.value), py(lo.value), px(a.value), py(hi.value), stroke: color)
                        doc.line(px(a.value) - 3, py(lo.value), px(a.value) + 3, py(lo.value), stroke: color)
                        doc.line(px(a.value) - 3, py(hi.value), px(a.value) + 3, py(hi.value), stroke: color)
                    }
                }
            }
        }
        for label in pointLabels {
            doc.text(label.text, x: left + label.x, y: top + label.y, size: FontSize.pointLabel, anchor: label.anchor, color: "#333")
        }
        var ly = top
        for entry in legend {
            entry.draw(into: &doc, x: left + plotW + 14, y: ly)
            ly += entry.height
        }
    }
}

/// Line charts side by side under one title, each with its own axes (for data whose
/// ranges differ by orders of magnitude between panels).
public struct PanelChart: Sendable {
    /// The title above all panels.
    public var title: String
    /// Sentences under the title (the place to explain the marks, since panels have no legend).
    public var notes: [String]
    /// The panels, drawn left to right, then in further rows.
    public var panels: [LineChart]
    /// Panels per row.
    public var columns: Int

    /// A figure of panels.
    public init(title: String, notes: [String] = [], panels: [LineChart], columns: Int = 3) {
        self.title = title
        self.notes = notes
        self.panels = panels
        self.columns = max(columns, 1)
    }

    /// The SVG document.
    public var svg: String { document.rendered }

    /// The estimated box of every text the chart places (for layout tests).
    package var textBoxes: [TextBox] { document.boxes }

    var document: SVGDocument {
        let layouts = panels.map(LineLayout.init)
        let cellW = layouts.map(\.width).max() ?? 300, cellH = layouts.map(\.height).max() ?? 200
        let perRow = min(columns, max(layouts.count, 1))
        let rows = (layouts.count + perRow - 1) / perRow
        let width = max(cellW * Double(perRow), 360)
        let titleLines = TextMetrics.balanced(title, size: FontSize.title, maxWidth: width - 16, bold: true)
        let noteLines = notes.flatMap { TextMetrics.wrapped($0, size: FontSize.note, maxWidth: width - 16) }
        let head = 8 + Double(titleLines.count) * 17 + Double(noteLines.count) * 14 + 6
        var doc = SVGDocument(width: width, height: head + cellH * Double(max(rows, 1)) + 4)
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
