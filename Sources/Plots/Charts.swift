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
        // Whole numbers (state indices) may skip labels and stay horizontal: every k-th, k ≤ 4.
        let numeric = labels.allSatisfy { Int($0) != nil }
        let widest = widths.max() ?? 0
        if let k = (1...(numeric ? 4 : 1)).first(where: { widest <= slot * Double($0) - 3 }) {
            texts = labels
            rotated = false
            every = k
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
package struct BarChart: Sendable {
    /// The title.
    package var title: String
    /// The category labels (x axis).
    package var categories: [String]
    /// The y-axis label.
    package var yLabel: String
    /// One `(label, values)` per group; values has one entry per category.
    package var groups: [(label: String, values: [Double])]
    /// The most bars per group drawn; beyond it categories are summed in blocks.
    package var maxCategories: Int

    /// A chart.
    package init(title: String, categories: [String], yLabel: String, groups: [(label: String, values: [Double])],
                maxCategories: Int = 200) {
        self.title = title
        self.categories = categories
        self.yLabel = yLabel
        self.groups = groups
        self.maxCategories = max(maxCategories, 1)
    }

    /// The width the chart is laid out for; at a printed width the bars fill it.
    package var figureWidth: FigureWidth = .screen

    /// The chart laid out at ``figureWidth``.
    package var document: SVGDocument { SVGDocument(drawing: BarLayout(self), inches: figureWidth.inches) }
}

extension BarChart: Figure {}

/// The geometry of a ``BarChart``.
struct BarLayout: FigureLayout {
    let names: [String]
    let values: [[Double]]
    let labels: CategoryLabels
    let lo: Double, hi: Double
    let ticks: [(Double, String)]
    let legend: [LegendEntry]
    let legendBelow: Bool
    let yText: String
    let titleLines: [String], noteLines: [String]
    let left: Double, top: Double, plotW: Double, plotH: Double, width: Double, height: Double

    init(_ chart: BarChart) {
        let parts = blocks(count: chart.categories.count, limit: chart.maxCategories)
        names = parts.map { blockLabel(chart.categories, $0) }
        values = chart.groups.map { g in
            parts.map { b in b.reduce(0.0) { $0 + ($1 < g.values.count && g.values[$1].isFinite ? g.values[$1] : 0) } }
        }
        let notes = parts.count < chart.categories.count
            ? ["Each bar sums a block of \(parts.first?.count ?? 1) consecutive categories (\(chart.categories.count) in all)."] : []
        let all = values.flatMap { $0 }
        let ymax = max(all.max() ?? 1, 0), ymin = min(all.min() ?? 0, 0)
        let (ya, yb) = padded(ymin, ymax == ymin ? ymin + 1 : ymax)
        (lo, hi) = (min(ya, 0), yb)
        let (tickValues, step) = linearTicks(lo, hi)
        ticks = tickValues.map { ($0, NumberFormat.tick($0, step: step)) }
        let fullLegend = chart.groups.enumerated().map {
            LegendEntry(glyph: .swatch(color: palette[$0.offset % palette.count]), text: $0.element.label)
        }
        let left = 6 + FontSize.axis * 1.05 + 6 + (ticks.map { TextMetrics.width($0.1, size: FontSize.tick) }.max() ?? 0) + 9
        let legendWidth = fullLegend.isEmpty ? 12 : 14 + 30 + (fullLegend.map(\.textWidth).max() ?? 0) + 8
        let cats = Double(max(names.count, 1))
        let below: Bool, plotW: Double, plotH: Double, width: Double
        if let target = chart.figureWidth.units {
            below = fullLegend.count > 0 && target - left - legendWidth < 0.6 * target
            plotW = max(target - left - (below ? 12 : legendWidth), 60)
            plotH = min(max((plotW * 0.55).rounded(), 110), 260)
            width = target
        } else {
            below = false
            plotW = max(max(4, min(60, 520 / cats)) * cats, 240)
            plotH = 260
            width = left + plotW + legendWidth
        }
        (legendBelow, self.plotW, self.plotH, self.width) = (below, plotW, plotH, width)
        legend = below ? fullLegend.map { $0.rewrapped(width - 16 - 30) } : fullLegend
        labels = CategoryLabels(names, slot: plotW / cats)
        yText = TextMetrics.abbreviated(chart.yLabel, size: FontSize.axis, maxWidth: plotH)
        let titleLines = TextMetrics.balanced(chart.title, size: FontSize.title, maxWidth: width - 16, bold: true)
        let noteLines = notes.flatMap { TextMetrics.wrapped($0, size: FontSize.note, maxWidth: width - 16) }
        (self.titleLines, self.noteLines) = (titleLines, noteLines)
        top = 8 + Double(titleLines.count) * 17 + 8
        self.left = left
        let legendHeight = legend.map(\.height).reduce(0, +)
        let body = below ? plotH + 8 + labels.extent + 8 + legendHeight : max(plotH, legendHeight) + 8 + labels.extent + 8
        height = top + body + Double(noteLines.count) * 14 + 6
    }

    func py(_ v: Double) -> Double { top + plotH - (v - lo) / (hi - lo) * plotH }

    /// Title, frame, ticks, bars and category labels, then the legend and notes.
    func draw(into doc: inout SVGDocument) {
        for (k, line) in titleLines.enumerated() {
            doc.text(line, x: width / 2, y: 21 + Double(k) * 17, size: FontSize.title, anchor: "middle", bold: true)
        }
        doc.rect(x: left, y: top, w: plotW, h: plotH, stroke: "#333", fill: "none")
        for (t, text) in ticks {
            doc.line(left - 5, py(t), left, py(t), stroke: "#333")
            doc.line(left, py(t), left + plotW, py(t), stroke: "#eee")
            doc.text(text, x: left - 8, y: py(t) + 3.5, size: FontSize.tick, anchor: "end")
        }
        if !yText.isEmpty {
            doc.text(yText, x: 6 + FontSize.axis * 0.8, y: top + plotH / 2, size: FontSize.axis, anchor: "middle", rotate: true)
        }
        drawBars(into: &doc)
        var ly = legendBelow ? top + plotH + 8 + labels.extent + 8 : top
        for entry in legend {
            entry.draw(into: &doc, x: legendBelow ? 8 : left + plotW + 14, y: ly)
            ly += entry.height
        }
        let notesTop = legendBelow ? ly : top + max(plotH, ly - top) + 8 + labels.extent + 8
        for (k, line) in noteLines.enumerated() {
            doc.text(line, x: 8, y: notesTop + 11 + Double(k) * 14, size: FontSize.note, anchor: "start", color: "#333")
        }
    }

    /// The bars of every group and the category labels under them.
    func drawBars(into doc: inout SVGDocument) {
        let slotW = plotW / Double(max(names.count, 1))
        let barW = slotW * 0.8 / Double(max(values.count, 1))
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
    }
}

/// The colour scale of a ``HeatMap``.
package enum ColorScale: Sendable {
    /// A fixed range, for example `0…1` for probabilities, so that equal colours mean
    /// equal values in every figure.
    case fixed(lower: Double, upper: Double)
    /// From the smallest to the largest finite value of the matrix.
    case data
}

/// A heat map of a matrix (rows × columns), white (low) to dark blue (high), with a
/// colour bar, and the value printed in each cell when the cells are large enough.
/// More than ``maxRows`` rows are averaged in consecutive blocks, and a note says so.
package struct HeatMap: Sendable {
    /// The title.
    package var title: String
    /// Row labels.
    package var rowLabels: [String]
    /// Column labels.
    package var columnLabels: [String]
    /// `values[row][column]`.
    package var values: [[Double]]
    /// The colour scale.
    package var colorScale: ColorScale
    /// The colour bar's caption (what a colour means).
    package var colorLabel: String
    /// The most rows drawn; beyond it rows are averaged in blocks.
    package var maxRows: Int

    /// A heat map.
    package init(title: String, rowLabels: [String], columnLabels: [String], values: [[Double]],
                colorScale: ColorScale = .data, colorLabel: String = "value", maxRows: Int = 200) {
        self.title = title
        self.rowLabels = rowLabels
        self.columnLabels = columnLabels
        self.values = values
        self.colorScale = colorScale
        self.colorLabel = colorLabel
        self.maxRows = max(maxRows, 1)
    }

    /// The width the chart is laid out for; at a printed width the cells fill it.
    package var figureWidth: FigureWidth = .screen

    /// The chart laid out at ``figureWidth``.
    package var document: SVGDocument { SVGDocument(drawing: HeatLayout(self), inches: figureWidth.inches) }

    /// The rows averaged in blocks of consecutive rows (at most ``maxRows``), their labels, and the note saying so.
    func aggregated() -> (grid: [[Double]], names: [String], note: String?) {
        let parts = blocks(count: values.count, limit: maxRows)
        let grid: [[Double]] = parts.map { b in
            (0..<columnLabels.count).map { c in
                let cells = b.compactMap { r in c < values[r].count ? values[r][c] : nil }.filter(\.isFinite)
                return cells.isEmpty ? .nan : cells.reduce(0, +) / Double(cells.count)
            }
        }
        let note = parts.count < values.count
            ? "Each row is the mean over a block of \(parts.first?.count ?? 1) consecutive rows (\(values.count) in all)." : nil
        return (grid, parts.map { blockLabel(rowLabels, $0) }, note)
    }
}

extension HeatMap: Figure {}

/// A colour bar: the range, its ticks and caption.
struct ColorBar {
    let lo: Double, hi: Double
    let ticks: [(Double, String)]
    let caption: String
    /// The width of the bar with its tick labels and caption.
    let width: Double

    init(scale: ColorScale, values: [Double], caption: String) {
        switch scale {
        case let .fixed(lower, upper):
            (lo, hi) = upper > lower ? (lower, upper) : (lower, lower + 1)
        case .data:
            let flat = values.filter(\.isFinite)
            let a = flat.min() ?? 0, b = flat.max() ?? 1
            (lo, hi) = b > a ? (a, b) : padded(a, b)
        }
        let (lo, hi) = (lo, hi)
        let (values, step): ([Double], Double) = {
            if case .fixed = scale, lo == 0, hi == 1 { return ([0, 0.25, 0.5, 0.75, 1], 0.25) }
            let (t, s) = linearTicks(lo, hi)
            return (t.filter { $0 >= lo - s * 1e-9 && $0 <= hi + s * 1e-9 }, s)
        }()
        ticks = values.map { ($0, NumberFormat.tick($0, step: step)) }
        self.caption = TextMetrics.abbreviated(caption, size: 10, maxWidth: 140)
        width = max(14 + 6 + (ticks.map { TextMetrics.width($0.1, size: 10) }.max() ?? 0), TextMetrics.width(self.caption, size: 10))
    }

    /// The position of `v` on the scale, 0 (lowest) to 1.
    func fraction(_ v: Double) -> Double { (v - lo) / (hi - lo) }

    /// Draws the bar with its top-left corner at `(x, y)`, `height` tall: lowest value at the bottom.
    func draw(into doc: inout SVGDocument, x: Double, y: Double, height: Double) {
        for k in 0..<20 {
            let t0 = Double(k) / 20
            doc.rect(x: x, y: y + height * (1 - t0 - 0.05), w: 14, h: height * 0.05 + 0.5, stroke: "none", fill: heatColor(t0 + 0.025))
        }
        doc.rect(x: x, y: y, w: 14, h: height, stroke: "#333", fill: "none")
        doc.text(caption, x: x, y: y - 9, size: 10, anchor: "start")
        for (t, text) in ticks {
            let ty = y + height * (1 - fraction(t))
            doc.line(x + 14, ty, x + 18, ty, stroke: "#333")
            doc.text(text, x: x + 20, y: ty + 3.5, size: 10, anchor: "start")
        }
    }
}

/// The geometry of a ``HeatMap``.
struct HeatLayout: FigureLayout {
    let grid: [[Double]]
    let rowTexts: [String]
    let rowEvery: Int
    let columns: CategoryLabels
    let cellTexts: [[String]]
    let showValues: Bool
    let bar: ColorBar
    let titleLines: [String], noteLines: [String]
    let cellW: Double, cellH: Double, left: Double, top: Double, barH: Double, width: Double, height: Double
    static let rowSize = 10.0, cellSize = 9.0

    init(_ chart: HeatMap) {
        let (grid, names, note) = chart.aggregated()
        self.grid = grid
        let rows = Double(max(grid.count, 1)), cols = Double(max(chart.columnLabels.count, 1))
        let bar = ColorBar(scale: chart.colorScale, values: grid.flatMap { $0 }, caption: chart.colorLabel)
        self.bar = bar
        let target = chart.figureWidth.units
        let cellH = min(40, max(3, min(560, (target ?? 560) * 1.3) / rows))
        let rowEvery = max(1, Int((HeatLayout.rowSize * 1.15 / cellH).rounded(.up)))
        let rowTexts = names.map { TextMetrics.abbreviated($0, size: HeatLayout.rowSize, maxWidth: target.map { $0 * 0.3 } ?? 150) }
        let rowWidth = rowTexts.enumerated().filter { $0.offset % rowEvery == 0 }
            .map { TextMetrics.width($0.element, size: HeatLayout.rowSize) }.max() ?? 0
        let left = 8 + rowWidth + 6
        let cellW = target.map { max(($0 - left - 14 - bar.width - 10) / cols, 4) } ?? min(64, max(cellH, 320 / cols, 16))
        (self.cellH, self.rowEvery, self.rowTexts, self.left, self.cellW) = (cellH, rowEvery, rowTexts, left, cellW)
        columns = CategoryLabels(chart.columnLabels, slot: cellW, size: 11)
        let fixed: Bool = { if case .fixed = chart.colorScale { return true } else { return false } }()
        let cellTexts = grid.map { row in row.map { v in v.isFinite ? (fixed ? String(format: "%.2f", v) : NumberFormat.significant(v)) : "" } }
        self.cellTexts = cellTexts
        showValues = cellH >= 16 && cellTexts.allSatisfy { $0.allSatisfy { TextMetrics.width($0, size: HeatLayout.cellSize) <= cellW - 4 } }
        let gridH = rows * cellH
        let width = target ?? max(left + cols * cellW + 14 + bar.width + 10, 360)
        self.width = width
        let titleLines = TextMetrics.balanced(chart.title, size: FontSize.title, maxWidth: width - 16, bold: true)
        let noteLines = (note.map { [$0] } ?? []).flatMap { TextMetrics.wrapped($0, size: FontSize.note, maxWidth: width - 16) }
        (self.titleLines, self.noteLines) = (titleLines, noteLines)
        let head = 8 + Double(titleLines.count) * 17 + Double(noteLines.count) * 14 + 6
        top = head + max(columns.extent + 10, 20)
        barH = max(min(gridH, 200), 100)
        height = top + max(gridH, barH + 6) + 10
    }

    /// Title and notes, column labels, the cells with their row labels, and the colour bar.
    func draw(into doc: inout SVGDocument) {
        for (k, line) in titleLines.enumerated() {
            doc.text(line, x: width / 2, y: 21 + Double(k) * 17, size: FontSize.title, anchor: "middle", bold: true)
        }
        for (k, line) in noteLines.enumerated() {
            doc.text(line, x: 8, y: 8 + Double(titleLines.count) * 17 + 11 + Double(k) * 14, size: FontSize.note,
                     anchor: "start", color: "#333")
        }
        for c in columns.texts.indices where c % columns.every == 0 {
            let cx = left + (Double(c) + 0.5) * cellW
            if columns.rotated {
                doc.text(columns.texts[c], x: cx + columns.size * 0.3, y: top - 6, size: columns.size, anchor: "start", rotate: true)
            } else {
                doc.text(columns.texts[c], x: cx, y: top - 6, size: columns.size, anchor: "middle")
            }
        }
        drawCells(into: &doc)
        bar.draw(into: &doc, x: left + Double(columns.texts.count) * cellW + 14, y: top, height: barH)
    }

    /// The cells, their values when they fit, and every `rowEvery`-th row label.
    func drawCells(into doc: inout SVGDocument) {
        let stroke = cellH >= 8 ? "#fff" : "none"
        for (r, row) in grid.enumerated() {
            if r % rowEvery == 0 {
                doc.text(rowTexts[r], x: left - 6, y: top + (Double(r) + 0.5) * cellH + 3.5, size: HeatLayout.rowSize, anchor: "end")
            }
            for (c, v) in row.enumerated() {
                let t = v.isFinite ? bar.fraction(v) : 0
                doc.rect(x: left + Double(c) * cellW, y: top + Double(r) * cellH, w: cellW, h: cellH,
                         stroke: stroke, fill: v.isFinite ? heatColor(t) : "#ccc")
                if showValues {
                    doc.text(cellTexts[r][c], x: left + (Double(c) + 0.5) * cellW, y: top + (Double(r) + 0.5) * cellH + 3,
                             size: HeatLayout.cellSize, anchor: "middle", color: t > 0.55 ? "#fff" : "#000")
                }
            }
        }
    }
}

func heatColor(_ t: Double) -> String {
    let u = min(max(t, 0), 1)
    let r = Int(247 - u * (247 - 8)), g = Int(251 - u * (251 - 48)), b = Int(255 - u * (255 - 107))
    return "rgb(\(r),\(g),\(b))"
}
