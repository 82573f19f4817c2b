/// The geometry of a ``LineChart``: axes, labels, legend and margins, computed before
/// anything is drawn, then the drawing itself in phases.

import Foundation

/// The geometry of a ``LineChart``, computed before anything is drawn.
struct LineLayout: FigureLayout {
    typealias PointLabel = (text: String, x: Double, y: Double, anchor: String)
    /// A marker's tag above the plot: the marker's index, `x` relative to the plot's left
    /// edge, `row` 0 nearest the plot.
    typealias MarkerTag = (marker: Int, text: String, x: Double, row: Int, anchor: String)
    let chart: LineChart
    let plotW: Double, plotH: Double
    let xAxis: AxisMap, yAxis: AxisMap
    let hasData: Bool
    let titleLines: [String]
    let noteLines: [String]
    let legend: [LegendEntry]
    /// The legend goes under the plot (narrow figures) instead of to its right.
    let legendBelow: Bool
    let yTickLabels: [(Double, String)]
    let xTickLabels: [(Double, String)]
    let yLabelText: String
    let xLabelText: String
    /// Point labels placed, relative to the plot's top-left corner.
    let pointLabels: [PointLabel]
    /// The marker tags placed, and the rows of tags above the plot.
    let tags: [MarkerTag]
    let tagRows: Int
    let left: Double, top: Double, width: Double, height: Double

    /// Lays `chart` out at its own plot size, or to fill `targetWidth` user units.
    init(_ chart: LineChart, targetWidth: Double? = nil) {
        self.chart = chart
        let (x, y, hasData) = LineLayout.axes(chart)
        (xAxis, yAxis, self.hasData) = (x, y, hasData)
        let clipNote = LineLayout.clipNote(chart, x: x, y: y)
        yTickLabels = y.ticks.map { ($0, y.label($0)) }
        let allXTicks = x.ticks.map { ($0, x.label($0)) }
        let fullLegend = chart.showsLegend ? legendEntries(chart.series, clipped: clipNote != nil, markers: chart.verticalMarkers) : []
        // Margins: the y label and ticks on the left, the legend (or half the last x tick) on the right.
        let yTickWidth = yTickLabels.map { TextMetrics.width($0.1, size: FontSize.tick) }.max() ?? 0
        let left = 6 + (chart.yLabel.isEmpty ? 0 : FontSize.axis * 1.05 + 6) + yTickWidth + 9
        let lastTickHalf = (allXTicks.last.map { TextMetrics.width($0.1, size: FontSize.tick) / 2 } ?? 0) + 4
        let legendWidth = fullLegend.isEmpty ? 0 : 14 + 30 + (fullLegend.map(\.textWidth).max() ?? 0) + 8
        var below = false
        let plotW: Double, plotH: Double
        if let target = targetWidth {
            below = !fullLegend.isEmpty && target - left - max(legendWidth, lastTickHalf, 12) < 0.6 * target
            plotW = max(target - left - (below ? max(lastTickHalf, 12) : max(legendWidth, lastTickHalf, 12)), 60)
            // Tall enough for the y label to fit unabridged, when it can.
            let yLabelWidth = TextMetrics.width(chart.yLabel, size: FontSize.axis) + 6
            plotH = min(max((plotW * 0.62).rounded(), 110, yLabelWidth.rounded(.up)), 300)
        } else {
            (plotW, plotH) = (chart.plotWidth, chart.plotHeight)
        }
        (self.plotW, self.plotH, legendBelow) = (plotW, plotH, below)
        xTickLabels = LineLayout.thinned(allXTicks, x: x, plotW: plotW)
        pointLabels = hasData ? LineLayout.placePointLabels(chart, x: x, y: y, plotW: plotW, plotH: plotH) : []
        let width = targetWidth ?? left + plotW + max(legendWidth, lastTickHalf, 12)
        let (tags, droppedTags) = hasData ? LineLayout.placeTags(chart.verticalMarkers, x: x, plotW: plotW, left: left, width: width)
            : ([], 0)
        (self.tags, tagRows) = (tags, (tags.map(\.row).max() ?? -1) + 1)
        let tagNote = droppedTags == 0 ? [] : ["\(droppedTags) of \(droppedTags + tags.count) line tags left out where the lines are too close for them."]
        legend = below ? fullLegend.map { $0.rewrapped(width - 16 - 30) } : fullLegend
        yLabelText = TextMetrics.abbreviated(chart.yLabel, size: FontSize.axis, maxWidth: plotH)
        xLabelText = TextMetrics.abbreviated(chart.xLabel, size: FontSize.axis, maxWidth: width - 16)
        titleLines = TextMetrics.balanced(chart.title, size: FontSize.title, maxWidth: width - 16, bold: true)
        // Notes wrap 4% short of the width: a sentence of digits and narrow letters (t, r, f)
        // runs up to about 3% wider in DejaVu Sans than the estimate.
        noteLines = ((clipNote.map { [$0] } ?? []) + tagNote + chart.notes).flatMap {
            TextMetrics.wrapped($0, size: FontSize.note, maxWidth: (width - 16) * 0.96)
        }
        let top = 8 + Double(titleLines.count) * 17 + 8 + (tagRows > 0 ? Double(tagRows) * LineLayout.tagPitch + 4 : 0)
        let legendHeight = legend.map(\.height).reduce(0, +)
        let bottom = 8 + FontSize.tick + 8 + (xLabelText.isEmpty ? 0 : FontSize.axis + 6) + (below ? legendHeight + 4 : 0)
            + Double(noteLines.count) * 14 + 8
        (self.left, self.top, self.width) = (left, top, width)
        height = top + (below ? plotH : max(plotH, legendHeight)) + bottom
    }

    /// The two axes mapped to the data, and whether there is any.
    static func axes(_ chart: LineChart) -> (AxisMap, AxisMap, Bool) {
        var xs: [Double] = [], ys: [Double] = []
        for s in chart.series {
            for (k, x) in s.x.enumerated() where k < s.y.count && x.isFinite && s.y[k].isFinite {
                xs.append(x); ys.append(s.y[k])
                if let bars = s.errorBars, k < bars.count { ys += [bars[k].0, bars[k].1] }
            }
        }
        let x = AxisMap(scale: chart.xScale, values: xs, extra: chart.verticalMarkers.map(\.x))
        return (x, AxisMap(scale: chart.yScale, values: ys), !xs.isEmpty)
    }

    /// The distance between rows of marker tags.
    static let tagPitch = 12.0
    /// The baseline of tag row `row`, above the plot's top edge `top`.
    static func tagBaseline(row: Int, top: Double) -> Double { top - 5 - Double(row) * tagPitch }

    /// Places each marker's tag above the plot in the lowest of ``LineChart/maximumTagRows``
    /// rows where it keeps a gap to every tag placed and to the lines that run up through that
    /// row to higher tags, and where its own line, run up to it, crosses no tag of a lower row:
    /// centred on its line when some row has room, else beginning or ending at it; always
    /// between the y tick labels and the right edge (`left`, `width`: the document's).
    /// Returns the tags placed, in order of x, and how many were left out.
    static func placeTags(_ markers: [VerticalMarker], x: AxisMap, plotW: Double, left: Double, width: Double)
        -> (tags: [MarkerTag], dropped: Int) {
        let tagged = markers.enumerated().compactMap { k, m -> (Int, String, Double)? in
            guard let tag = m.tag, !tag.isEmpty, let a = x.transform(m.x) else { return nil }
            return (k, tag, (a.value - x.lo) / (x.hi - x.lo) * plotW)
        }.sorted { $0.2 < $1.2 }
        // Per row: the tags placed in it and the lines running up through it.
        var rows = [[TextBox]](repeating: [], count: LineChart.maximumTagRows)
        func stem(_ px: Double, row: Int) -> TextBox {
            var b = TextBox(text: "", x: left + px, y: tagBaseline(row: row, top: 0), size: FontSize.tag, anchor: "start")
            (b.minX, b.maxX) = (left + px - 1.5, left + px + 1.5)
            return b
        }
        var placed: [MarkerTag] = []
        var dropped = 0
        next: for (marker, text, px) in tagged {
            for anchor in ["middle", "start", "end"] {
                for row in rows.indices {
                    let box = TextBox(text: text, x: left + px, y: tagBaseline(row: row, top: 0), size: FontSize.tag, anchor: anchor)
                    guard box.minX >= left - 6, box.maxX <= width - 2,
                          !rows[row].contains(where: { $0.overlaps(box.inflated(2)) }),
                          !(0..<row).contains(where: { q in rows[q].contains { $0.overlaps(stem(px, row: q)) } }) else { continue }
                    rows[row].append(box)
                    for q in 0..<row { rows[q].append(stem(px, row: q)) }
                    placed.append((marker, text, px, row, anchor))
                    continue next
                }
            }
            dropped += 1
        }
        return (placed, dropped)
    }

    /// The note explaining points clipped to a log axis's floor; `nil` when there are none.
    static func clipNote(_ chart: LineChart, x: AxisMap, y: AxisMap) -> String? {
        let anyClipped = chart.series.contains { s in
            s.x.enumerated().contains { k, v in
                guard k < s.y.count, let a = x.transform(v), let b = y.transform(s.y[k]) else { return false }
                return a.clipped || b.clipped
            }
        }
        guard anyClipped else { return nil }
        let which = [x.floor != nil ? "x" : nil, y.floor != nil ? "y" : nil].compactMap { $0 }.joined(separator: " and ")
        let floors = [x.floor != nil ? x.floorText : nil, y.floor != nil ? y.floorText : nil].compactMap { $0 }
        return "Open triangles: values ≤ 0, which a log scale cannot show, drawn at the \(which) floor \(floors.joined(separator: ", "))."
    }

    /// Every k-th x tick label, the smallest k for which neighbours keep a gap.
    static func thinned(_ all: [(Double, String)], x: AxisMap, plotW: Double) -> [(Double, String)] {
        func px(_ t: Double) -> Double { (t - x.lo) / (x.hi - x.lo) * plotW }
        var every = 1
        while every < all.count {
            let kept = all.enumerated().filter { $0.offset % every == 0 }.map(\.element)
            let boxes = kept.map { TextBox(text: $0.1, x: px($0.0), y: 0, size: FontSize.tick, anchor: "middle").inflated(3) }
            if zip(boxes, boxes.dropFirst()).allSatisfy({ !$0.overlaps($1) }) { break }
            every += 1
        }
        return all.enumerated().filter { $0.offset % every == 0 }.map(\.element)
    }

    /// Chooses a position for each point label: beside, above or below its marker,
    /// inside the plot, clear of every marker and of the labels already placed.
    static func placePointLabels(_ chart: LineChart, x: AxisMap, y: AxisMap, plotW: Double, plotH: Double) -> [PointLabel] {
        var (obstacles, requests) = labelRequests(chart, x: x, y: y, plotW: plotW, plotH: plotH)
        let size = FontSize.pointLabel
        let candidates: [(Double, Double, String)] = [(6, 3.5, "start"), (-6, 3.5, "end"), (0, -7, "middle"), (0, 14, "middle"),
                                                      (5, -5, "start"), (5, 13, "start"), (-5, -5, "end"), (-5, 13, "end")]
        var placed: [PointLabel] = []
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

    /// The markers (as obstacles) and the labels asked for, points drawn at the same place
    /// (within 2 px) sharing one label that lists them all.
    static func labelRequests(_ chart: LineChart, x: AxisMap, y: AxisMap, plotW: Double, plotH: Double)
        -> (obstacles: [TextBox], requests: [(String, Double, Double)]) {
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
                guard let labels = s.pointLabels, k < labels.count, !labels[k].isEmpty else { continue }
                if let j = requests.firstIndex(where: { abs($0.1 - p.0) <= 2 && abs($0.2 - p.1) <= 2 }) {
                    requests[j].0 += ", " + labels[k]
                } else {
                    requests.append((labels[k], p.0, p.1))
                }
            }
        }
        return (obstacles, requests)
    }

    func px(_ t: Double) -> Double { left + (t - xAxis.lo) / (xAxis.hi - xAxis.lo) * plotW }
    func py(_ t: Double) -> Double { top + plotH - (t - yAxis.lo) / (yAxis.hi - yAxis.lo) * plotH }

    /// Draws the chart: frame and ticks, labels and notes, the series, then the legend.
    func draw(into doc: inout SVGDocument) {
        for (k, line) in titleLines.enumerated() {
            doc.text(line, x: width / 2, y: 8 + 13 + Double(k) * 17, size: FontSize.title, anchor: "middle", bold: true)
        }
        guard hasData else {
            doc.text("no data", x: left + plotW / 2, y: top + plotH / 2, size: 13, anchor: "middle")
            return
        }
        drawFrame(into: &doc)
        let legendTop = drawAxisLabels(into: &doc)
        drawMarkers(into: &doc)
        for (k, s) in chart.series.enumerated() { drawSeries(s, color: palette[k % palette.count], into: &doc) }
        for label in pointLabels {
            doc.text(label.text, x: left + label.x, y: top + label.y, size: FontSize.pointLabel, anchor: label.anchor, color: "#333")
        }
        var ly = legendBelow ? legendTop : top
        for entry in legend {
            entry.draw(into: &doc, x: legendBelow ? 8 : left + plotW + 14, y: ly)
            ly += entry.height
        }
        let notesTop = legendBelow ? ly + 4 : legendTop
        for (k, line) in noteLines.enumerated() {
            doc.text(line, x: 8, y: notesTop + 11 + Double(k) * 14, size: FontSize.note, anchor: "start", color: "#333")
        }
    }

    /// The vertical markers, each run up to just under its tag when it has one placed, and the tags.
    func drawMarkers(into doc: inout SVGDocument) {
        for (k, m) in chart.verticalMarkers.enumerated() {
            guard let a = xAxis.transform(m.x) else { continue }
            let tag = tags.first { $0.marker == k }
            let upper = tag.map { LineLayout.tagBaseline(row: $0.row, top: top) + 3 } ?? top
            doc.line(px(a.value), upper, px(a.value), top + plotH, stroke: markerStroke, dash: m.style, width: 1.5)
        }
        for tag in tags {
            doc.text(tag.text, x: left + tag.x, y: LineLayout.tagBaseline(row: tag.row, top: top), size: FontSize.tag,
                     anchor: tag.anchor, color: "#444")
        }
    }

    /// The plot's frame, grid lines and tick labels.
    func drawFrame(into doc: inout SVGDocument) {
        doc.rect(x: left, y: top, w: plotW, h: plotH, stroke: "#333", fill: "none")
        for t in xAxis.ticks {
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
    }

    /// The axis labels; returns the top of what goes under them.
    func drawAxisLabels(into doc: inout SVGDocument) -> Double {
        var below = top + plotH + 8 + FontSize.tick + 6
        if !xLabelText.isEmpty {
            doc.text(xLabelText, x: left + plotW / 2, y: below + FontSize.axis * 0.8, size: FontSize.axis, anchor: "middle")
            below += FontSize.axis + 6
        }
        if !yLabelText.isEmpty {
            doc.text(yLabelText, x: 6 + FontSize.axis * 0.8, y: top + plotH / 2, size: FontSize.axis, anchor: "middle", rotate: true)
        }
        return below
    }

    /// `points` (in drawing order, x increasing) with at most a few per unit of width, so that a
    /// trace of 10⁵ iterations stays a small file: per unit-wide column the first and last point,
    /// and with `keepExtremes` the lowest and highest too (so spikes survive); without, one point
    /// per column (markers). Short lists are returned as they are.
    static func decimated(_ points: [(Double, Double)], keepExtremes: Bool = true) -> [(Double, Double)] {
        guard points.count > 500 else { return points }
        var out: [(Double, Double)] = []
        var column: [(Double, Double)] = []
        func flush() {
            guard let first = column.first, let last = column.last else { return }
            defer { column = [] }
            guard keepExtremes else { out.append(first); return }
            let low = column.min { $0.1 < $1.1 } ?? first, high = column.max { $0.1 < $1.1 } ?? first
            let kept = [first, low, high, last].enumerated().filter { k, p in
                ![first, low, high, last].prefix(k).contains { $0 == p }
            }.map(\.element)
            out += kept.sorted { $0.0 < $1.0 }
        }
        for p in points {
            if let c = column.first, p.0.rounded(.down) != c.0.rounded(.down) { flush() }
            column.append(p)
        }
        flush()
        return out
    }

    /// One series: its line (broken at undrawable and clipped points), markers, clipped
    /// points as open triangles, and error bars.
    func drawSeries(_ s: Series, color: String, into doc: inout SVGDocument) {
        var segment: [(Double, Double)] = [], segments: [[(Double, Double)]] = []
        var clippedPoints: [(Double, Double)] = [], points: [(Double, Double)] = []
        for (i, v) in s.x.enumerated() where i < s.y.count {
            guard let a = xAxis.transform(v), let b = yAxis.transform(s.y[i]) else {
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
        if s.line { for seg in segments where seg.count > 1 { doc.polyline(LineLayout.decimated(seg), stroke: color, dashed: s.dashed) } }
        if s.markers { for p in LineLayout.decimated(points, keepExtremes: false) { doc.circle(p.0, p.1, r: 3, fill: color) } }
        for p in LineLayout.decimated(clippedPoints, keepExtremes: false) { doc.triangle(p.0, p.1, size: 4, stroke: color) }
        guard let bars = s.errorBars else { return }
        for (i, v) in s.x.enumerated() where i < bars.count {
            guard let a = xAxis.transform(v), let lo = yAxis.transform(bars[i].0), let hi = yAxis.transform(bars[i].1) else { continue }
            let x = px(a.value)
            doc.line(x, py(lo.value), x, py(hi.value), stroke: color)
            doc.line(x - 3, py(lo.value), x + 3, py(lo.value), stroke: color)
            doc.line(x - 3, py(hi.value), x + 3, py(hi.value), stroke: color)
        }
    }
}
