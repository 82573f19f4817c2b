/// Small, dependency-free SVG charts for `rmfg --output` directories:
/// line charts (linear or log₁₀ axes), grouped bar charts and heat maps.
/// Every chart is a complete standalone SVG document.

import Foundation

/// One line of a ``LineChart``.
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

    /// A series; by default a solid line without markers.
    public init(label: String, x: [Double], y: [Double], errorBars: [(Double, Double)]? = nil,
                markers: Bool = false, line: Bool = true, dashed: Bool = false) {
        self.label = label
        self.x = x
        self.y = y
        self.errorBars = errorBars
        self.markers = markers
        self.line = line
        self.dashed = dashed
    }
}

/// Axis scale.
public enum AxisScale: Sendable {
    /// Linear.
    case linear
    /// Base-10 logarithmic; non-positive values are dropped.
    case log
}

let palette = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"]

/// A line chart with axes, ticks, labels and a legend.
public struct LineChart: Sendable {
    /// The title above the plot.
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

    /// A chart.
    public init(title: String, xLabel: String, yLabel: String, xScale: AxisScale = .linear,
                yScale: AxisScale = .linear, series: [Series]) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.xScale = xScale
        self.yScale = yScale
        self.series = series
    }

    /// The SVG document.
    public var svg: String {
        // The legend column grows with the longest label (≈ 6.6 px a character at 11 px).
        let right = max(170.0, 50 + 6.6 * Double(series.map(\.label.count).max() ?? 0))
        let width = 470.0 + right, height = 420.0
        let left = 72.0, top = 40.0, bottom = 56.0
        let plotW = width - left - right, plotH = height - top - bottom
        func tx(_ v: Double, _ scale: AxisScale) -> Double? {
            switch scale {
            case .linear: return v.isFinite ? v : nil
            case .log: return v > 0 && v.isFinite ? log10(v) : nil
            }
        }
        var xs: [Double] = [], ys: [Double] = []
        for s in series {
            for (k, x) in s.x.enumerated() where k < s.y.count {
                if let a = tx(x, xScale), let b = tx(s.y[k], yScale) { xs.append(a); ys.append(b) }
                if let bars = s.errorBars, k < bars.count {
                    for e in [bars[k].0, bars[k].1] { if let b = tx(e, yScale) { ys.append(b) } }
                }
            }
        }
        var doc = SVGDocument(width: width, height: height)
        doc.text(title, x: width / 2, y: 22, size: 15, anchor: "middle", bold: true)
        guard let x0 = xs.min(), let x1 = xs.max(), let y0 = ys.min(), let y1 = ys.max() else {
            doc.text("no data", x: width / 2, y: height / 2, size: 13, anchor: "middle")
            return doc.rendered
        }
        let (xa, xb) = padded(x0, x1, scale: xScale)
        let (ya, yb) = padded(y0, y1, scale: yScale)
        func px(_ v: Double) -> Double { left + (v - xa) / (xb - xa) * plotW }
        func py(_ v: Double) -> Double { top + plotH - (v - ya) / (yb - ya) * plotH }
        doc.rect(x: left, y: top, w: plotW, h: plotH, stroke: "#333", fill: "none")
        for t in ticks(xa, xb, scale: xScale) {
            doc.line(px(t), top + plotH, px(t), top + plotH + 5, stroke: "#333")
            doc.line(px(t), top, px(t), top + plotH, stroke: "#eee")
            doc.text(tickLabel(t, xScale), x: px(t), y: top + plotH + 18, size: 11, anchor: "middle")
        }
        for t in ticks(ya, yb, scale: yScale) {
            doc.line(left - 5, py(t), left, py(t), stroke: "#333")
            doc.line(left, py(t), left + plotW, py(t), stroke: "#eee")
            doc.text(tickLabel(t, yScale), x: left - 8, y: py(t) + 4, size: 11, anchor: "end")
        }
        doc.text(xLabel, x: left + plotW / 2, y: height - 14, size: 12, anchor: "middle")
        doc.text(yLabel, x: 18, y: top + plotH / 2, size: 12, anchor: "middle", rotate: true)
        for (k, s) in series.enumerated() {
            let color = palette[k % palette.count]
            var points: [(Double, Double)] = []
            for (i, x) in s.x.enumerated() where i < s.y.count {
                if let a = tx(x, xScale), let b = tx(s.y[i], yScale) { points.append((px(a), py(b))) }
            }
            if s.line, points.count > 1 { doc.polyline(points, stroke: color, dashed: s.dashed) }
            if s.markers { for p in points { doc.circle(p.0, p.1, r: 3, fill: color) } }
            if let bars = s.errorBars {
                for (i, x) in s.x.enumerated() where i < bars.count {
                    if let a = tx(x, xScale), let lo = tx(bars[i].0, yScale), let hi = tx(bars[i].1, yScale) {
                        doc.line(px(a), py(lo), px(a), py(hi), stroke: color)
                        doc.line(px(a) - 3, py(lo), px(a) + 3, py(lo), stroke: color)
                        doc.line(px(a) - 3, py(hi), px(a) + 3, py(hi), stroke: color)
                    }
                }
            }
            let ly = top + 14 + Double(k) * 18
            if s.line {
                doc.line(left + plotW + 12, ly - 4, left + plotW + 34, ly - 4, stroke: color, dashed: s.dashed, width: 2)
            } else {
                doc.circle(left + plotW + 23, ly - 4, r: 3.5, fill: color)
            }
            doc.text(s.label, x: left + plotW + 40, y: ly, size: 11, anchor: "start")
        }
        return doc.rendered
    }
}

/// A bar chart with one or more groups of bars per category.
public struct BarChart: Sendable {
    /// The title.
    public var title: String
    /// The category labels (x axis).
    public var categories: [String]
    /// The y-axis label.
    public var yLabel: String
    /// One `(label, values)` per group; values has one entry per category.
    public var groups: [(label: String, values: [Double])]

    /// A chart.
    public init(title: String, categories: [String], yLabel: String, groups: [(label: String, values: [Double])]) {
        self.title = title
        self.categories = categories
        self.yLabel = yLabel
        self.groups = groups
    }

    /// The SVG document.
    public var svg: String {
        let right = max(170.0, 50 + 6.6 * Double(groups.map(\.label.count).max() ?? 0))
        let width = max(480.0, 90 + right + Double(categories.count) * (12 + 14 * Double(max(groups.count, 1))))
        let height = 400.0, left = 72.0, top = 40.0, bottom = 70.0
        let plotW = width - left - right, plotH = height - top - bottom
        var doc = SVGDocument(width: width, height: height)
        doc.text(title, x: width / 2, y: 22, size: 15, anchor: "middle", bold: true)
        let all = groups.flatMap(\.values).filter(\.isFinite)
        let ymax = max(all.max() ?? 1, 0), ymin = min(all.min() ?? 0, 0)
        let (ya, yb) = padded(ymin, ymax == ymin ? ymin + 1 : ymax, scale: .linear)
        let lo = min(ya, 0)
        func py(_ v: Double) -> Double { top + plotH - (v - lo) / (yb - lo) * plotH }
        doc.rect(x: left, y: top, w: plotW, h: plotH, stroke: "#333", fill: "none")
        for t in ticks(lo, yb, scale: .linear) {
            doc.line(left - 5, py(t), left, py(t), stroke: "#333")
            doc.line(left, py(t), left + plotW, py(t), stroke: "#eee")
            doc.text(tickLabel(t, .linear), x: left - 8, y: py(t) + 4, size: 11, anchor: "end")
        }
        doc.text(yLabel, x: 18, y: top + plotH / 2, size: 12, anchor: "middle", rotate: true)
        let slot = plotW / Double(max(categories.count, 1))
        let barW = slot * 0.8 / Double(max(groups.count, 1))
        for (c, name) in categories.enumerated() {
            let x0 = left + Double(c) * slot + slot * 0.1
            for (g, group) in groups.enumerated() where c < group.values.count && group.values[c].isFinite {
                let v = group.values[c]
                let yTop = py(max(v, 0)), yBottom = py(min(v, 0))
                doc.rect(x: x0 + Double(g) * barW, y: yTop, w: barW * 0.95, h: max(yBottom - yTop, 0.5),
                         stroke: "none", fill: palette[g % palette.count])
            }
            if categories.count <= 40 || c % ((categories.count + 39) / 40) == 0 {
                doc.text(name, x: x0 + slot * 0.4, y: top + plotH + 16, size: 10, anchor: "middle")
            }
        }
        for (g, group) in groups.enumerated() {
            let ly = top + 14 + Double(g) * 18
            doc.rect(x: left + plotW + 12, y: ly - 10, w: 14, h: 10, stroke: "none", fill: palette[g % palette.count])
            doc.text(group.label, x: left + plotW + 32, y: ly, size: 11, anchor: "start")
        }
        return doc.rendered
    }
}

/// A heat map of a matrix (rows × columns), white (low) to dark blue (high),
/// with the value printed in each cell when the grid is small.
public struct HeatMap: Sendable {
    /// The title.
    public var title: String
    /// Row labels.
    public var rowLabels: [String]
    /// Column labels.
    public var columnLabels: [String]
    /// `values[row][column]`.
    public var values: [[Double]]

    /// A heat map.
    public init(title: String, rowLabels: [String], columnLabels: [String], values: [[Double]]) {
        self.title = title
        self.rowLabels = rowLabels
        self.columnLabels = columnLabels
        self.values = values
    }

    /// The SVG document.
    public var svg: String {
        let rows = values.count, cols = columnLabels.count
        let cell = max(8.0, min(48.0, 560.0 / Double(max(rows, cols, 1))))
        let left = 110.0, top = 70.0
        let gridRight = left + Double(cols) * cell
        let width = max(gridRight + 110, Double(title.count) * 8.5 + 40), height = max(top + Double(rows) * cell + 30, 200)
        var doc = SVGDocument(width: width, height: height)
        doc.text(title, x: width / 2, y: 22, size: 15, anchor: "middle", bold: true)
        let flat = values.flatMap { $0 }.filter(\.isFinite)
        let lo = flat.min() ?? 0, hi = flat.max() ?? 1
        // Colour scale: a vertical bar from the lowest (bottom) to the highest value (top).
        let barX = gridRight + 30, barH = 120.0
        for k in 0..<20 {
            let t0 = Double(k) / 20
            doc.rect(x: barX, y: top + barH * (1 - t0 - 0.05), w: 14, h: barH * 0.05 + 0.5, stroke: "none", fill: heatColor(t0 + 0.025))
        }
        doc.rect(x: barX, y: top, w: 14, h: barH, stroke: "#333", fill: "none")
        doc.text(tickLabel(hi, .linear), x: barX + 20, y: top + 8, size: 10, anchor: "start")
        doc.text(tickLabel(lo, .linear), x: barX + 20, y: top + barH, size: 10, anchor: "start")
        for (c, name) in columnLabels.enumerated() {
            doc.text(name, x: left + (Double(c) + 0.5) * cell, y: top - 8, size: 11, anchor: "middle")
        }
        for (r, row) in values.enumerated() {
            if rows <= 60 || r % ((rows + 59) / 60) == 0 {
                doc.text(r < rowLabels.count ? rowLabels[r] : "\(r)", x: left - 6, y: top + (Double(r) + 0.7) * cell,
                         size: min(11, cell * 0.8), anchor: "end")
            }
            for (c, v) in row.enumerated() where c < cols {
                let t = hi > lo ? (v - lo) / (hi - lo) : 0.5
                doc.rect(x: left + Double(c) * cell, y: top + Double(r) * cell, w: cell, h: cell,
                         stroke: "#fff", fill: heatColor(v.isFinite ? t : 0))
                if cell >= 30 {
                    doc.text(tickLabel(v, .linear), x: left + (Double(c) + 0.5) * cell, y: top + (Double(r) + 0.6) * cell,
                             size: 9, anchor: "middle", color: t > 0.55 ? "#fff" : "#000")
                }
            }
        }
        return doc.rendered
    }
}

func heatColor(_ t: Double) -> String {
    let u = min(max(t, 0), 1)
    let r = Int(247 - u * (247 - 8)), g = Int(251 - u * (251 - 48)), b = Int(255 - u * (255 - 107))
    return "rgb(\(r),\(g),\(b))"
}

func padded(_ a: Double, _ b: Double, scale: AxisScale) -> (Double, Double) {
    if a == b { return (a - (scale == .log ? 0.5 : max(abs(a) * 0.1, 0.5)), b + (scale == .log ? 0.5 : max(abs(b) * 0.1, 0.5))) }
    let pad = (b - a) * 0.05
    return (a - pad, b + pad)
}

func ticks(_ a: Double, _ b: Double, scale: AxisScale) -> [Double] {
    switch scale {
    case .log:
        let lo = Int((a).rounded(.up)), hi = Int((b).rounded(.down))
        if hi < lo { return [(a + b) / 2] }
        let step = max(1, (hi - lo + 7) / 8)
        return stride(from: lo, through: hi, by: step).map(Double.init)
    case .linear:
        let span = b - a
        let raw = span / 6
        let mag = pow(10, (log10(raw)).rounded(.down))
        let norm = raw / mag
        let step = (norm < 1.5 ? 1 : norm < 3 ? 2 : norm < 7 ? 5 : 10) * mag
        var t = (a / step).rounded(.up) * step
        var out: [Double] = []
        while t <= b + step * 1e-9, out.count < 20 {
            out.append(abs(t) < step * 1e-9 ? 0 : t)
            t += step
        }
        return out
    }
}

func tickLabel(_ v: Double, _ scale: AxisScale) -> String {
    switch scale {
    case .log:
        let e = Int(v.rounded())
        return "1e\(e)"
    case .linear:
        if v == 0 { return "0" }
        let a = abs(v)
        if a >= 1e-3, a < 1e6 {
            var s = String(format: "%.3f", v)
            if s.contains(".") { while s.hasSuffix("0") { s.removeLast() }; if s.hasSuffix(".") { s.removeLast() } }
            return s
        }
        return "\(v)"
    }
}

/// A minimal SVG writer.
struct SVGDocument {
    var width: Double
    var height: Double
    var body: [String] = []

    mutating func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, stroke: String,
                       dashed: Bool = false, width: Double = 1) {
        body.append("<line x1=\"\(n(x1))\" y1=\"\(n(y1))\" x2=\"\(n(x2))\" y2=\"\(n(y2))\" stroke=\"\(stroke)\" stroke-width=\"\(n(width))\"\(dashed ? " stroke-dasharray=\"5,4\"" : "")/>")
    }
    mutating func rect(x: Double, y: Double, w: Double, h: Double, stroke: String, fill: String) {
        body.append("<rect x=\"\(n(x))\" y=\"\(n(y))\" width=\"\(n(w))\" height=\"\(n(h))\" stroke=\"\(stroke)\" fill=\"\(fill)\"/>")
    }
    mutating func circle(_ x: Double, _ y: Double, r: Double, fill: String) {
        body.append("<circle cx=\"\(n(x))\" cy=\"\(n(y))\" r=\"\(n(r))\" fill=\"\(fill)\"/>")
    }
    mutating func polyline(_ points: [(Double, Double)], stroke: String, dashed: Bool) {
        let pts = points.map { "\(n($0.0)),\(n($0.1))" }.joined(separator: " ")
        body.append("<polyline points=\"\(pts)\" fill=\"none\" stroke=\"\(stroke)\" stroke-width=\"2\"\(dashed ? " stroke-dasharray=\"6,4\"" : "")/>")
    }
    mutating func text(_ s: String, x: Double, y: Double, size: Double, anchor: String, bold: Bool = false,
                       rotate: Bool = false, color: String = "#000") {
        let transform = rotate ? " transform=\"rotate(-90 \(n(x)) \(n(y)))\"" : ""
        body.append("<text x=\"\(n(x))\" y=\"\(n(y))\" font-size=\"\(n(size))\" text-anchor=\"\(anchor)\" fill=\"\(color)\"\(bold ? " font-weight=\"bold\"" : "")\(transform)>\(escape(s))</text>")
    }
    var rendered: String {
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(n(width))\" height=\"\(n(height))\" viewBox=\"0 0 \(n(width)) \(n(height))\" font-family=\"Helvetica, Arial, sans-serif\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
            + body.joined(separator: "\n") + "\n</svg>\n"
    }
    func n(_ v: Double) -> String { v.isFinite ? trim((v * 100).rounded() / 100) : "0" }
    func trim(_ v: Double) -> String {
        if v == v.rounded() { return String(Int(v)) }
        return "\(v)"
    }
    func escape(_ s: String) -> String { xmlEscaped(s) }
}

/// `s` as XML 1.0 character data, safe in element content and in quoted attribute values.
///
/// `&`, `<`, `>`, `"` and `'` become entity references. Characters XML 1.0 does not allow
/// (C0 controls other than tab, line feed and carriage return, and U+FFFE/U+FFFF) and the
/// characters it discourages as invisible controls (DEL and the C1 range U+0080–U+009F) become
/// U+FFFD, the replacement character, so a name like `"a\u{1B}[31mb"` stays visible and the
/// document stays well-formed. Carriage return is written as `&#13;`, which a parser keeps
/// (a literal one would be normalised to a line feed).
func xmlEscaped(_ s: String) -> String {
    var out = ""
    out.unicodeScalars.reserveCapacity(s.unicodeScalars.count)
    for u in s.unicodeScalars {
        switch u.value {
        case 0x26: out += "&amp;"
        case 0x3C: out += "&lt;"
        case 0x3E: out += "&gt;"
        case 0x22: out += "&quot;"
        case 0x27: out += "&apos;"
        case 0x0D: out += "&#13;"
        case 0x09, 0x0A: out.unicodeScalars.append(u)
        case 0x00...0x1F, 0x7F...0x9F, 0xFFFE, 0xFFFF: out.unicodeScalars.append("\u{FFFD}")
        default: out.unicodeScalars.append(u)
        }
    }
    return out
}

