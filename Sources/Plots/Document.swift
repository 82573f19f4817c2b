import NumberText
import Foundation

/// A chart laid out for one size: the document's width and height, and what it draws.
protocol FigureLayout {
    /// The document's width in user units.
    var width: Double { get }
    /// The document's height in user units.
    var height: Double { get }
    /// Draws the chart into `doc`.
    func draw(into doc: inout SVGDocument)
}

/// A minimal SVG writer that remembers the box of every text it places.
package struct SVGDocument {
    var width: Double
    var height: Double
    var body: [String] = []
    /// The estimated box of every text element, in document coordinates.
    var boxes: [TextBox] = []
    /// Added to every coordinate (for panels drawn into a larger document).
    var dx = 0.0, dy = 0.0
    /// The printed width in inches (``FigureWidth/column`` or ``FigureWidth/page``); `nil` for
    /// a screen figure whose user units are CSS pixels.
    var inches: Double?

    init(width: Double, height: Double) {
        self.width = width
        self.height = height
    }

    /// A document of `layout`'s size with `layout` drawn into it, printed at `inches`
    /// (`nil`: a screen figure).
    init(drawing layout: some FigureLayout, inches: Double?) {
        self.init(width: layout.width, height: layout.height)
        self.inches = inches
        layout.draw(into: &self)
    }

    mutating func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, stroke: String,
                       dashed: Bool = false, width: Double = 1) {
        line(x1, y1, x2, y2, stroke: stroke, dash: dashed ? .dashed : nil, width: width)
    }
    /// A line, solid when `dash` is `nil`.
    mutating func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, stroke: String,
                       dash: VerticalMarker.Style?, width: Double = 1) {
        let pattern: String
        switch dash {
        case nil: pattern = ""
        case .dashed: pattern = " stroke-dasharray=\"5,4\""
        case .dotted: pattern = " stroke-dasharray=\"1.5,3\""
        }
        body.append("<line x1=\"\(n(x1 + dx))\" y1=\"\(n(y1 + dy))\" x2=\"\(n(x2 + dx))\" y2=\"\(n(y2 + dy))\" stroke=\"\(stroke)\" stroke-width=\"\(n(width))\"\(pattern)/>")
    }
    mutating func rect(x: Double, y: Double, w: Double, h: Double, stroke: String, fill: String) {
        body.append("<rect x=\"\(n(x + dx))\" y=\"\(n(y + dy))\" width=\"\(n(w))\" height=\"\(n(h))\" stroke=\"\(stroke)\" fill=\"\(fill)\"/>")
    }
    mutating func circle(_ x: Double, _ y: Double, r: Double, fill: String) {
        body.append("<circle cx=\"\(n(x + dx))\" cy=\"\(n(y + dy))\" r=\"\(n(r))\" fill=\"\(fill)\"/>")
    }
    /// An open downward triangle centred on `(x, y)`: the mark of a value clipped to a log axis's floor.
    mutating func triangle(_ x: Double, _ y: Double, size: Double, stroke: String) {
        let pts = [(x - size, y - size * 0.6), (x + size, y - size * 0.6), (x, y + size * 0.9)]
            .map { "\(n($0.0 + dx)),\(n($0.1 + dy))" }.joined(separator: " ")
        body.append("<polygon points=\"\(pts)\" fill=\"white\" stroke=\"\(stroke)\" stroke-width=\"1.5\"/>")
    }
    /// A line from `from` to `to` with a filled head at `to`.
    mutating func arrow(from: (Double, Double), to: (Double, Double), stroke: String, width: Double) {
        let (ux, uy) = (to.0 - from.0, to.1 - from.1)
        let length = (ux * ux + uy * uy).squareRoot()
        guard length > 0 else { return }
        let head = min(length * 0.45, max(width * 3.2, 2.5))
        let (ex, ey) = (ux / length, uy / length)
        let base = (to.0 - ex * head, to.1 - ey * head)
        line(from.0, from.1, base.0, base.1, stroke: stroke, width: width)
        let pts = [to, (base.0 - ey * head * 0.55, base.1 + ex * head * 0.55), (base.0 + ey * head * 0.55, base.1 - ex * head * 0.55)]
            .map { "\(n($0.0 + dx)),\(n($0.1 + dy))" }.joined(separator: " ")
        body.append("<polygon points=\"\(pts)\" fill=\"\(stroke)\"/>")
    }
    mutating func polyline(_ points: [(Double, Double)], stroke: String, dashed: Bool) {
        let pts = points.map { "\(n($0.0 + dx)),\(n($0.1 + dy))" }.joined(separator: " ")
        body.append("<polyline points=\"\(pts)\" fill=\"none\" stroke=\"\(stroke)\" stroke-width=\"2\"\(dashed ? " stroke-dasharray=\"6,4\"" : "")/>")
    }
    mutating func text(_ s: String, x: Double, y: Double, size: Double, anchor: String, bold: Bool = false,
                       rotate: Bool = false, color: String = "#000") {
        let X = x + dx, Y = y + dy
        let transform = rotate ? " transform=\"rotate(-90 \(n(X)) \(n(Y)))\"" : ""
        body.append("<text x=\"\(n(X))\" y=\"\(n(Y))\" font-size=\"\(n(size))\" text-anchor=\"\(anchor)\" fill=\"\(color)\"\(bold ? " font-weight=\"bold\"" : "")\(transform)>\(escape(s))</text>")
        boxes.append(TextBox(text: s, x: X, y: Y, size: size, anchor: anchor, bold: bold, rotated: rotate))
    }
    /// The document's `width` and `height` attributes: pixels, or inches for a printed figure.
    var sizeAttributes: (width: String, height: String) {
        guard let inches, width > 0 else { return (n(width), n(height)) }
        let scale = inches / width
        return (trim((inches * 1000).rounded() / 1000) + "in", trim((height * scale * 1000).rounded() / 1000) + "in")
    }
    /// The complete document. Text asks for the generic `sans-serif` family (the layout leaves
    /// room for the widest common face, DejaVu Sans; see ``TextMetrics``).
    var rendered: String {
        let size = sizeAttributes
        return "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(size.width)\" height=\"\(size.height)\" viewBox=\"0 0 \(n(width)) \(n(height))\" font-family=\"sans-serif\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
            + body.joined(separator: "\n") + "\n</svg>\n"
    }
    /// The document with its size, for ``FigureRenderer``.
    var figure: RenderedFigure { RenderedFigure(svg: rendered, width: width, height: height, inches: inches) }
    func n(_ v: Double) -> String { v.isFinite ? trim((v * 100).rounded() / 100) : "0" }
    func trim(_ v: Double) -> String { numberText(v) }
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

