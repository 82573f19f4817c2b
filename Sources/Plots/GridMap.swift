/// A 2-D grid game drawn as a grid: a value per cell as a heat map, and optionally an
/// arrow per cell (for example the move the policy prefers). Large grids are gathered
/// into square blocks so that a file stays small at 10⁶ cells.

import Foundation

/// How a ``GridMap`` combines the cells of a block.
package enum GridAggregation: Sendable {
    /// The block's total (for a mean field: the population share in the block).
    case sum
    /// The block's mean (for probabilities).
    case mean
}

/// A heat map of a value per cell of a `columns × rows` grid, where cell `(x, y)` is
/// index `x + columns · y`, with optional arrows.
package struct GridMap: Sendable {
    /// The title.
    package var title: String
    /// Cells per row (the grid's width).
    package var columns: Int
    /// Rows (the grid's height).
    package var rows: Int
    /// One value per cell, `columns · rows` of them.
    package var values: [Double]
    /// How blocks of cells are combined.
    package var aggregation: GridAggregation
    /// The colour scale.
    package var colorScale: ColorScale
    /// The colour bar's caption.
    package var colorLabel: String
    /// One optional move per cell, `(dx, dy)` in cells along x and y (length at most 1);
    /// `(0, 0)` draws a dot (no move), `nil` nothing.
    package var arrows: [(dx: Double, dy: Double)?]?
    /// How much each cell's arrow counts when arrows are averaged over a block (for example μ);
    /// `nil`: equally.
    package var arrowWeights: [Double]?
    /// What the weights are, for the note under a grid drawn in blocks (for example "μ*").
    package var arrowWeightsName: String
    /// Sentences under the grid (the place to say what the arrows mean).
    package var notes: [String]
    /// Draw `y = 0` at the top (as rows of a matrix); otherwise at the bottom.
    package var originAtTop: Bool
    /// The most blocks along a side for the colours.
    package var maxCellsPerSide: Int
    /// The most arrows along a side.
    package var maxArrowsPerSide: Int
    /// The width the figure is laid out for.
    package var figureWidth: FigureWidth = .screen

    /// A grid map.
    package init(title: String, columns: Int, rows: Int, values: [Double], aggregation: GridAggregation = .mean,
                colorScale: ColorScale = .data, colorLabel: String = "value", arrows: [(dx: Double, dy: Double)?]? = nil,
                arrowWeights: [Double]? = nil, arrowWeightsName: String = "their weights", notes: [String] = [], originAtTop: Bool = true,
                maxCellsPerSide: Int = 80, maxArrowsPerSide: Int = 24) {
        self.title = title
        self.columns = max(columns, 1)
        self.rows = max(rows, 1)
        self.values = values
        self.aggregation = aggregation
        self.colorScale = colorScale
        self.colorLabel = colorLabel
        self.arrows = arrows
        self.arrowWeights = arrowWeights
        self.arrowWeightsName = arrowWeightsName
        self.notes = notes
        self.originAtTop = originAtTop
        self.maxCellsPerSide = max(maxCellsPerSide, 1)
        self.maxArrowsPerSide = max(maxArrowsPerSide, 1)
    }

    /// The map laid out at ``figureWidth``.
    package var document: SVGDocument { SVGDocument(drawing: GridLayout(self), inches: figureWidth.inches) }

    /// The side of the square blocks when at most `limit` may lie along a side.
    func blockSide(_ limit: Int) -> Int { max((max(columns, rows) + limit - 1) / limit, 1) }

    /// The values gathered into `side × side` blocks, row by row.
    func blockValues(side: Int) -> [[Double]] {
        let bw = (columns + side - 1) / side, bh = (rows + side - 1) / side
        var total = [[Double]](repeating: [Double](repeating: 0, count: bw), count: bh)
        var count = total
        for y in 0..<rows {
            for x in 0..<columns {
                let s = x + columns * y
                guard s < values.count, values[s].isFinite else { continue }
                total[y / side][x / side] += values[s]
                count[y / side][x / side] += 1
            }
        }
        return zip(total, count).map { t, c in
            zip(t, c).map { c.isEmpty || $1 == 0 ? .nan : (aggregation == .sum ? $0 : $0 / $1) }
        }
    }

    /// The largest finite value the colours show: the largest block value (a block's total for
    /// ``GridAggregation/sum``) at the side the colours are drawn with; `nil` when no cell has a
    /// finite value. A ``ColorScale/fixed(lower:upper:)`` scale shared by several maps should end
    /// here, not at the largest cell, or the blocks of a large grid drawn as totals saturate.
    package var largestShownValue: Double? {
        blockValues(side: blockSide(maxCellsPerSide)).joined().filter(\.isFinite).max()
    }

    /// The arrows averaged over `side × side` blocks (weighted by ``arrowWeights``); `nil` where no cell has one.
    func blockArrows(side: Int) -> [[(dx: Double, dy: Double)?]] {
        let bw = (columns + side - 1) / side, bh = (rows + side - 1) / side
        var sum = [[(Double, Double, Double)]](repeating: [(Double, Double, Double)](repeating: (0, 0, 0), count: bw), count: bh)
        guard let arrows else { return sum.map { $0.map { _ in nil } } }
        for y in 0..<rows {
            for x in 0..<columns {
                let s = x + columns * y
                guard s < arrows.count, let a = arrows[s], a.dx.isFinite, a.dy.isFinite else { continue }
                let w = arrowWeights.map { s < $0.count && $0[s].isFinite ? max($0[s], 0) : 0 } ?? 1
                sum[y / side][x / side].0 += w * a.dx
                sum[y / side][x / side].1 += w * a.dy
                sum[y / side][x / side].2 += w
            }
        }
        return sum.map { $0.map { $0.2 > 0 ? ($0.0 / $0.2, $0.1 / $0.2) : nil } }
    }
}

extension GridMap: Figure {}

/// The geometry of a ``GridMap``.
struct GridLayout: FigureLayout {
    let map: GridMap
    let cells: [[Double]]
    let arrows: [[(dx: Double, dy: Double)?]]
    let cellSide: Int, arrowSide: Int
    let bar: ColorBar
    let xTicks: [(Double, String)], yTicks: [(Double, String)]
    let titleLines: [String], noteLines: [String]
    let unit: Double
    let left: Double, top: Double, width: Double, height: Double, barH: Double

    init(_ map: GridMap) {
        self.map = map
        cellSide = map.blockSide(map.maxCellsPerSide)
        arrowSide = map.blockSide(map.maxArrowsPerSide)
        cells = map.blockValues(side: cellSide)
        arrows = map.blockArrows(side: arrowSide)
        var notes = map.notes
        if cellSide > 1 {
            let how = map.aggregation == .sum ? "total" : "mean"
            notes.insert("Colours: the \(how) over blocks of \(cellSide) × \(cellSide) cells (\(map.columns) × \(map.rows) in all).", at: 0)
        }
        if arrowSide > 1, map.arrows != nil {
            notes.append("One arrow per block of \(arrowSide) × \(arrowSide) cells: the mean of the cells' arrows\(map.arrowWeights == nil ? "" : ", weighted by \(map.arrowWeightsName)").")
        }
        bar = ColorBar(scale: map.colorScale, values: cells.flatMap { $0 }, caption: map.colorLabel)
        (xTicks, yTicks) = (GridLayout.ticks(map.columns), GridLayout.ticks(map.rows))
        let yTickWidth = yTicks.map { TextMetrics.width($0.1, size: FontSize.tick) }.max() ?? 0
        left = 6 + FontSize.axis * 1.05 + 6 + yTickWidth + 8
        let barSpace = 14 + 14 + bar.width + 10
        let target = map.figureWidth.units
        let available = (target ?? left + 480 + barSpace) - left - barSpace
        // One unit per grid cell: the grid fills the width, and at most 480 (or 1.2 widths) tall.
        let tallest = target.map { $0 * 1.2 } ?? 480
        unit = min(available / Double(map.columns), tallest / Double(map.rows), target == nil ? 40 : .infinity)
        let width = target ?? max(left + unit * Double(map.columns) + barSpace, 360)
        self.width = width
        titleLines = TextMetrics.balanced(map.title, size: FontSize.title, maxWidth: width - 16, bold: true)
        noteLines = notes.flatMap { TextMetrics.wrapped($0, size: FontSize.note, maxWidth: width - 16) }
        top = 8 + Double(titleLines.count) * 17 + 8 + 10
        let gridH = unit * Double(map.rows)
        barH = max(min(gridH, 200), 100)
        height = top + max(gridH, barH) + 8 + FontSize.tick + 8 + FontSize.axis + 6 + Double(noteLines.count) * 14 + 8
    }

    /// Whole-number ticks over `0 ..< count` (cell coordinates), at most about six.
    static func ticks(_ count: Int) -> [(Double, String)] {
        let (values, step) = linearTicks(0, Double(max(count - 1, 1)), minimumStep: 1)
        return values.filter { $0 >= 0 && $0 <= Double(count - 1) }.map { ($0, NumberFormat.tick($0, step: step)) }
    }

    /// The top-left corner of cell `(x, y)` of the full grid, in document units (fractional cells allowed).
    func point(_ x: Double, _ y: Double) -> (Double, Double) {
        let row = map.originAtTop ? y : Double(map.rows) - y
        return (left + x * unit, top + row * unit)
    }

    func draw(into doc: inout SVGDocument) {
        for (k, line) in titleLines.enumerated() {
            doc.text(line, x: width / 2, y: 21 + Double(k) * 17, size: FontSize.title, anchor: "middle", bold: true)
        }
        drawCells(into: &doc)
        drawArrows(into: &doc)
        let gridW = unit * Double(map.columns), gridH = unit * Double(map.rows)
        doc.rect(x: left, y: top, w: gridW, h: gridH, stroke: "#333", fill: "none")
        drawAxes(into: &doc)
        bar.draw(into: &doc, x: left + gridW + 14, y: top + 10, height: barH - 10)
        let notesTop = top + max(gridH, barH) + 8 + FontSize.tick + 8 + FontSize.axis + 6
        for (k, line) in noteLines.enumerated() {
            doc.text(line, x: 8, y: notesTop + 11 + Double(k) * 14, size: FontSize.note, anchor: "start", color: "#333")
        }
    }

    /// One rectangle per block, coloured by its value (grey where it has none).
    func drawCells(into doc: inout SVGDocument) {
        let side = Double(cellSide)
        for (by, row) in cells.enumerated() {
            for (bx, v) in row.enumerated() {
                let x0 = Double(bx) * side, y0 = Double(by) * side
                let w = min(side, Double(map.columns) - x0), h = min(side, Double(map.rows) - y0)
                let corner = point(x0, map.originAtTop ? y0 : y0 + h)
                doc.rect(x: corner.0, y: corner.1, w: w * unit, h: h * unit, stroke: "none",
                         fill: v.isFinite ? heatColor(bar.fraction(v)) : "#ccc")
            }
        }
    }

    /// An arrow (or a dot for no move) at the centre of each arrow block that has one.
    func drawArrows(into doc: inout SVGDocument) {
        let side = Double(arrowSide)
        for (by, row) in arrows.enumerated() {
            for (bx, a) in row.enumerated() {
                guard let a else { continue }
                let cx = min(Double(bx) * side + side / 2, Double(map.columns) - 0.5)
                let cy = min(Double(by) * side + side / 2, Double(map.rows) - 0.5)
                let c = point(cx, cy)
                let length = (a.dx * a.dx + a.dy * a.dy).squareRoot()
                let reach = side * unit * 0.42
                if length < 0.15 {
                    doc.circle(c.0, c.1, r: max(min(reach * 0.25, 3), 0.8), fill: "#d62728")
                    continue
                }
                let scale = min(length, 1) / length * reach
                let dx = a.dx * scale, dy = (map.originAtTop ? a.dy : -a.dy) * scale
                doc.arrow(from: (c.0 - dx, c.1 - dy), to: (c.0 + dx, c.1 + dy), stroke: "#d62728", width: max(min(reach * 0.12, 1.6), 0.6))
            }
        }
    }

    /// Tick labels along the bottom and the left, and the axis labels.
    func drawAxes(into doc: inout SVGDocument) {
        let gridH = unit * Double(map.rows)
        for (t, label) in xTicks {
            let x = point(t + 0.5, 0).0
            doc.line(x, top + gridH, x, top + gridH + 4, stroke: "#333")
            doc.text(label, x: x, y: top + gridH + 8 + FontSize.tick * 0.8, size: FontSize.tick, anchor: "middle")
        }
        for (t, label) in yTicks {
            let y = point(0, t + 0.5).1
            doc.line(left - 4, y, left, y, stroke: "#333")
            doc.text(label, x: left - 7, y: y + 3.5, size: FontSize.tick, anchor: "end")
        }
        doc.text("x", x: left + unit * Double(map.columns) / 2, y: top + gridH + 8 + FontSize.tick + 6 + FontSize.axis * 0.8,
                 size: FontSize.axis, anchor: "middle")
        let yLabel = TextMetrics.abbreviated(map.originAtTop ? "y (0 at the top)" : "y", size: FontSize.axis, maxWidth: max(gridH, 12))
        doc.text(yLabel, x: 6 + FontSize.axis * 0.8, y: top + gridH / 2,
                 size: FontSize.axis, anchor: "middle", rotate: true)
    }
}
