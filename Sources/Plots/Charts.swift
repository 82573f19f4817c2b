/// Bar charts and heat maps, with labels rotated, thinned or abbreviated to fit and
/// long category lists gathered into blocks so that files stay small.

import Foundation

/// Consecutive blocks covering `0..<count`, at most `limit` of them, all of the same
/// length except possibly the last.
package func blocks(count: Int, limit: Int) -> [Range<Int>] {
    guard count > 0 else { return [] }
    let size = count > limit ? (count + max(limit, 1) - 1) / max(limit, 1) : 1
    return stride(from: 0, to: count, by: size).map { $0..<min($0 + size, count) }
}

/// The label of a block of named items: the name, or "first – last".
func blockLabel(_ names: [String], _ block: Range<Int>) -> String {
    func name(_ i: Int) -> String { i < names.count ? names[i] : "\(i)" }
    return block.count == 1 ? name(block.lowerBound) : "\(name(block.lowerBound)) – \(name(block.upperBound - 1))"
}

/// Category labels along a horizontal axis: horizontal when they fit their slots,
/// otherwise rotated to read upwards, abbreviated, and thinned so that neighbours do not touch.
struct CategoryLabels {
    let texts: [String]
    let rotated: Bool
    let every: Int
    let size: Double
    /// The height the labels need (below or above the axis).
    let extent: Double

    init(_ labels: [String], slot: Double, size: Double = 10, maxLength: Double = 110) {
        self.size = size
        let widths = labels.map { TextMetrics.width($0, size: size) }
        if (widths.max() ?? 0) <= slot - 3 {
            texts = labels
            rotated = false
            every = 1
            extent = size * 1.1
        } else {
            let shortened = labels.map { TextMetrics.abbreviated($0, size: size, maxWidth: maxLength) }
            texts = shortened
            rotated = true
            let lineHeight = size * (TextMetrics.ascent + TextMetrics.descent) + 1.5
            every = max(1, Int((lineHeight / slot).rounded(.up)))
            let step = every
            extent = shortened.enumerated().filter { $0.offset % step == 0 }
                .map { TextMetrics.width($0.element, size: size) }.max() ?? 0
        }
    }
}

/// A bar chart with one or more groups of bars per category. More than
/// ``maxCategories`` categories are summed into consecutive blocks, and a note says so.
public struct BarChart: Sendable {
    /// The title.
    public var title: String
    /// The category labels (x axis).
    public var categories: [String]
    /// The y-axis label.
    public var yLabel: String
    /// One `(label, values)` per group; values has one entry per category.
    public var groups: [(label: String, values: [Double])]
    /// The most bars per group drawn; beyond it categories are summed in blocks.
    public var maxCategories: Int

    /// A chart.
    public init(title: String, categories: [String], yLabel: String, groups: [(label: String, values: [Double])],
                maxCategories: Int = 200) {
        self.title = title
        self.categories = categories
        self.yLabel = yLabel
        self.groups = groups
        self.maxCategories = max(maxCategories, 1)
    }

    /// The SVG document.
    public var svg: String { document.rendered }

    /// The estimated box of every text the chart places (for layout tests).
    package var textBoxes: [TextBox] { document.boxes }

    var document: SVGDocument {
        let parts = blocks(count: categories.count, limit: maxCategories)
        let names = parts.map { blockLabel(categories, $0) }
        let values: [[Double]] = groups.map { g in
            parts.map { b in b.reduce(0.0) { $0 + ($1 < g.values.count && g.values[$1].isFinite ? g.values[$1] : 0) } }
        }
        var notes: [String] = []
        if parts.count < categories.count {
            notes.append("Each bar sums a block of \(parts.first?.count ?? 1) consecutive categories (\(categories.count) in all).")
        }
        let cats = max(names.count, 1)
        let slot = max(4, min(60, 520 / Double(cats)))
        let plotW = max(slot * Double(cats), 240), plotH = 260.0
        let labels = CategoryLabels(names, slot: plotW / Double(cats))
        let all = values.flatMap { $0 }
        let ymax = max(all.max() ?? 1, 0), ymin = min(all.min() ?? 0, 0)
        let (ya, yb) = padded(ymin, ymax == ymin ? ymin + 1 : ymax)
        let lo = min(ya, 0)
        let (ticks, step) = linearTicks(lo, yb)
        let tickTexts = ticks.map { NumberFormat.tick($0, step: step) }
        let legend = groups.enumerated().map { LegendEntry(glyph: .swatch(color: palette[$0.offset % palette.count]), text: $0.element.label) }
        let yText = TextMetrics.abbreviated(yLabel, size: FontSize.axis, maxWidth: plotH)
        let left = 6 + FontSize.axis * 1.05 + 6 + (tickTexts.map { TextMetrics.width($0, size: FontSize.tick) }.max() ?? 0) + 9
        let right = legend.isEmpty ? 12 : 14 + 30 + (legend.map(\.textWidth).max() ?? 0) + 8
        let width = left + plotW + right
        let titleLines = TextMetrics.balanced(title, size: FontSize.title, maxWidth: width - 16, bold: true)
        let noteLines = notes.flatMap { TextMetrics.wrapped($0, size: FontSize.note, maxWidth: width - 16) }
        let top = 8 + Double(titleLines.count) * 17 + 8
        let height = top + max(plotH, legend.map(\.height).reduce(0, +)) + 8 + labels.extent + 8 + Double(noteLines.count) * 14 + 6
        var doc = SVGDocument(width: width, height: height)
        for (k, line) in titleLines.enumerated() {
            doc.text(line, x: width / 2, y: 21 + Double(k) * 17, size: FontSize.title, anchor: "middle", bold: true)
        }
        func py(_ v: Double) -> Double { top + plotH - (v - lo) / (yb - lo) * plotH }
        doc.rect(x: left, y: top, w: plotW, h: plotH, stroke: "#333", fill: "none")
        for (t, text) in zip(ticks, tickTexts) {
            doc.line(left - 5, py(t), left, py(t), stroke: "#333")
            doc.line(left, py(t), left + plotW, py(t), stroke: "#eee")
            doc.text(text, x: left - 8, y: py(t) + 3.5, size: FontSize.tick, anchor: "end")
        }
        if !yText.isEmpty {
            doc.text(yText, x: 6 + FontSize.axis * 0.8, y: top + plotH / 2, size: FontSize.axis, anchor: "middle", rotate: true)
        }
        let slotW = plotW / Double(cats)
        let barW = slotW * 0.8 / Double(max(groups.count, 1))
        for c in 0..<names.count {
            let x0 = left + Double(c) * slotW + slotW * 0.1
            for (g, group) in values.enumerated() {
                let v = group[c]
                let yTop = py(max(v, 0)), yBottom = py(min(v, 0))
                doc.rect(x: x0 + Double(g) * barW, y: yTop, w: barW * 0.95, h: max(yBottom - yTop, 0.5),
                         stroke: "none", fill: palette[g % palette.count])
            }
            guard c % labels.every == 0 else { continue }
            let cx = left + (Double(c) + 0.5) * slotW
            if labels.rotated {
                doc.text(labels.texts[c], x: cx + labels.size * 0.3, y: top + plotH + 6, size: labels.size, anchor: "end", rotate: true)
            } else {
                doc.text(labels.texts[c], x: cx, y: top + plotH + 6 + labels.size * 0.8, size: labels.size, anchor: "middle")
            }
        }
        var ly = top
        for entry in legend {
            entry.draw(into: &doc, x: left + plotW + 14, y: ly)
            ly += entry.height
        }
        let notesTop = top + max(plotH, ly - top) + 8 + labels.extent + 8
        for (k, line) in noteLines.enumerated() {
            doc.text(line, x: 8, y: notesTop + 11 + Double(k) * 14, size: FontSize.note, anchor: "start", color: "#333")
        }
        return doc
    }
}

/// The colour scale of a ``HeatMap``.
public enum ColorScale: Sendable {
    /// A fixed range, for example `0…1` for probabilities, so that equal colours mean
    /// equal values in every figure.
    case fixed(lower: Double, upper: Double)
    /// From the smallest to the largest finite value of the matrix.
    case data
}

/// A heat map of a matrix (rows × columns), white (low) to dark blue (high), with a
/// colour bar, and the value printed in each cell when the cells are large enough.
/// More than ``maxRows`` rows are averaged in consecutive blocks, and a note says so.
public struct HeatMap: Sendable {
    /// The title.
    public var title: String
    /// Row labels.
    public var rowLabels: [String]
    /// Column labels.
    public var columnLabels: [String]
    /// `values[row][column]`.
    public var values: [[Double]]
    /// The colour scale.
    public var colorScale: ColorScale
    /// The colour bar's caption (what a colour means).
    public var colorLabel: String
    /// The most rows drawn; beyond it rows are averaged in blocks.
    public var maxRows: Int

    /// A heat map.
    public init(title: String, rowLabels: [String], columnLabels: [String], values: [[Double]],
                colorScale: ColorScale = .data, colorLabel: String = "value", maxRows: Int = 200) {
        self.title = title
        self.rowLabels = rowLabels
        self.columnLabels = columnLabels
        self.values = values
        self.colorScale = colorScale
        self.colorLabel = colorLabel
        self.maxRows = max(maxRows, 1)
    }

    /// The SVG document.
    public var svg: String { document.rendered }

    /// The estimated box of every text the chart places (for layout tests).
    package var textBoxes: [TextBox] { document.boxes }

    var document: SVGDocument {
        let cols = columnLabels.count
        let parts = blocks(count: values.count, limit: maxRows)
        let rows = parts.count
        let grid: [[Double]] = parts.map { b in
            (0..<cols).map { c in
                let cells = b.compactMap { r in c < values[r].count ? values[r][c] : nil }.filter(\.isFinite)
                return cells.isEmpty ? .nan : cells.reduce(0, +) / Double(cells.count)
            }
        }
        let names = parts.map { blockLabel(rowLabels, $0) }
        var notes: [String] = []
        if rows < values.count {
            notes.append("Each row is the mean over a block of \(parts.first?.count ?? 1) consecutive rows (\(values.count) in all).")
        }
        let lo: Double, hi: Double
        switch colorScale {
        case let .fixed(lower, upper):
            (lo, hi) = upper > lower ? (lower, upper) : (lower, lower + 1)
        case .data:
            let flat = grid.flatMap { $0 }.filter(\.isFinite)
            let a = flat.min() ?? 0, b = flat.max() ?? 1
            (lo, hi) = b > a ? (a, b) : padded(a, b)
        }
        let cellH = min(40, max(3, 560 / Double(max(rows, 1))))
        let cellW = min(64, max(cellH, 320 / Double(max(cols, 1)), 16))
        let columns = CategoryLabels(columnLabels, slot: cellW, size: 11)
        // Row labels: every k-th, so that neighbours keep a gap.
        let rowSize = 10.0
        let rowEvery = max(1, Int((rowSize * 1.15 / cellH).rounded(.up)))
        let rowTexts = names.map { TextMetrics.abbreviated($0, size: rowSize, maxWidth: 150) }
        let rowWidth = rowTexts.enumerated().filter { $0.offset % rowEvery == 0 }
            .map { TextMetrics.width($0.element, size: rowSize) }.max() ?? 0
        // Cell values, when every one fits its cell.
        let cellTexts: [[String]] = grid.map { row in row.map { v in
            guard v.isFinite else { return "" }
            if case .fixed = colorScale { return String(format: "%.2f", v) }
            return NumberFormat.significant(v)
        } }
        let cellSize = 9.0
        let showValues = cellH >= 16 && cellTexts.allSatisfy { $0.allSatisfy { TextMetrics.width($0, size: cellSize) <= cellW - 4 } }
        // Colour bar ticks.
        let (barTicks, barStep): ([Double], Double) = {
            if case .fixed = colorScale, lo == 0, hi == 1 { return ([0, 0.25, 0.5, 0.75, 1], 0.25) }
            let (t, s) = linearTicks(lo, hi)
            return (t.filter { $0 >= lo - s * 1e-9 && $0 <= hi + s * 1e-9 }, s)
        }()
        let barTexts = barTicks.map { NumberFormat.tick($0, step: barStep) }
        let gridW = Double(cols) * cellW, gridH = Double(rows) * cellH
        let left = 8 + rowWidth + 6
        let barX = left + gridW + 14
        let caption = TextMetrics.abbreviated(colorLabel, size: 10, maxWidth: 140)
        let barRight = barX + max(14 + 6 + (barTexts.map { TextMetrics.width($0, size: 10) }.max() ?? 0),
                                  TextMetrics.width(caption, size: 10)) + 10
        let width = max(barRight, 360)
        let titleLines = TextMetrics.balanced(title, size: FontSize.title, maxWidth: width - 16, bold: true)
        let noteLines = notes.flatMap { TextMetrics.wrapped($0, size: FontSize.note, maxWidth: width - 16) }
        let head = 8 + Double(titleLines.count) * 17 + Double(noteLines.count) * 14 + 6
        let columnBand = columns.extent + 10
        let top = head + max(columnBand, 20)
        let barH = max(min(gridH, 200), 100)
        let height = top + max(gridH, barH + 6) + 10
        var doc = SVGDocument(width: width, height: height)
        for (k, line) in titleLines.enumerated() {
            doc.text(line, x: width / 2, y: 21 + Double(k) * 17, size: FontSize.title, anchor: "middle", bold: true)
        }
        for (k, line) in noteLines.enumerated() {
            doc.text(line, x: 8, y: 8 + Double(titleLines.count) * 17 + 11 + Double(k) * 14, size: FontSize.note,
                     anchor: "start", color: "#333")
        }
        for c in 0..<cols where c % columns.every == 0 {
            let cx = left + (Double(c) + 0.5) * cellW
            if columns.rotated {
                doc.text(columns.texts[c], x: cx + columns.size * 0.3, y: top - 6, size: columns.size, anchor: "start", rotate: true)
            } else {
                doc.text(columns.texts[c], x: cx, y: top - 6, size: columns.size, anchor: "middle")
            }
        }
        let stroke = cellH >= 8 ? "#fff" : "none"
        for (r, row) in grid.enumerated() {
            if r % rowEvery == 0 {
                doc.text(rowTexts[r], x: left - 6, y: top + (Double(r) + 0.5) * cellH + 3.5, size: rowSize, anchor: "end")
            }
            for (c, v) in row.enumerated() {
                let t = v.isFinite ? (v - lo) / (hi - lo) : 0
                doc.rect(x: left + Double(c) * cellW, y: top + Double(r) * cellH, w: cellW, h: cellH,
                         stroke: stroke, fill: v.isFinite ? heatColor(t) : "#ccc")
                if showValues {
                    doc.text(cellTexts[r][c], x: left + (Double(c) + 0.5) * cellW, y: top + (Double(r) + 0.5) * cellH + 3,
                             size: cellSize, anchor: "middle", color: t > 0.55 ? "#fff" : "#000")
                }
            }
        }
        // Colour bar: lowest value at the bottom, highest at the top.
        let barTop = top
        for k in 0..<20 {
            let t0 = Double(k) / 20
            doc.rect(x: barX, y: barTop + barH * (1 - t0 - 0.05), w: 14, h: barH * 0.05 + 0.5, stroke: "none", fill: heatColor(t0 + 0.025))
        }
        doc.rect(x: barX, y: barTop, w: 14, h: barH, stroke: "#333", fill: "none")
        doc.text(caption, x: barX, y: barTop - 9, size: 10, anchor: "start")
        for (t, text) in zip(barTicks, barTexts) {
            let y = barTop + barH * (1 - (t - lo) / (hi - lo))
            doc.line(barX + 14, y, barX + 18, y, stroke: "#333")
            doc.text(text, x: barX + 20, y: y + 3.5, size: 10, anchor: "start")
        }
        return doc
    }
}

func heatColor(_ t: Double) -> String {
    let u = min(max(t, 0), 1)
    let r = Int(247 - u * (247 - 8)), g = Int(251 - u * (251 - 48)), b = Int(255 - u * (255 - 107))
    return "rgb(\(r),\(g),\(b))"
}
