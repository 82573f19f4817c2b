import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Plots

/// The text layout of an SVG document written by the Plots module: its size and the
/// box of every `<text>` element, estimated with the same font metrics the charts use.
package struct SVGLayout {
    /// The document's width and height.
    package var width = 0.0, height = 0.0
    /// One box per text element, in document order.
    package var boxes: [TextBox] = []
    /// The number of each element by name.
    package var counts: [String: Int] = [:]
    /// Every `<line>` element, in document order.
    package var lines: [SVGLine] = []
    /// Every `<rect>` element with a position (not the background), in document order.
    package var rects: [SVGRect] = []

    /// Pairs of boxes that overlap.
    package var overlaps: [(TextBox, TextBox)] {
        var out: [(TextBox, TextBox)] = []
        for i in boxes.indices { for j in boxes.indices where j > i && boxes[i].overlaps(boxes[j]) { out.append((boxes[i], boxes[j])) } }
        return out
    }

    /// Boxes that reach outside the document.
    package var outside: [TextBox] {
        boxes.filter { $0.minX < -0.01 || $0.minY < -0.01 || $0.maxX > width + 0.01 || $0.maxY > height + 0.01 }
    }
}

/// A `<line>` element: its end points, stroke and dash pattern (`nil`: solid).
package struct SVGLine: Sendable, Hashable {
    /// The first end point.
    package var x1: Double, y1: Double
    /// The second end point.
    package var x2: Double, y2: Double
    /// The `stroke` attribute.
    package var stroke: String
    /// The `stroke-dasharray` attribute, `nil` when there is none.
    package var dash: String?
}

/// A `<rect>` element with `x` and `y` attributes.
package struct SVGRect: Sendable, Hashable {
    /// The top-left corner.
    package var x: Double, y: Double
    /// The size.
    package var width: Double, height: Double
    /// The `stroke` and `fill` attributes.
    package var stroke: String, fill: String
}

/// Parses `svg` with Foundation's `XMLParser`; `nil` when it is not well-formed XML.
package func svgLayout(_ svg: String) -> SVGLayout? {
    final class Reader: NSObject, XMLParserDelegate {
        var layout = SVGLayout()
        var pending: [String: String]?
        var text = ""
        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?,
                    qualifiedName: String?, attributes: [String: String] = [:]) {
            layout.counts[name, default: 0] += 1
            if name == "svg" {
                // The viewBox gives the size in user units (the width and height may be in inches).
                let box = (attributes["viewBox"] ?? "").split(separator: " ").compactMap { Double($0) }
                layout.width = box.count == 4 ? box[2] : Double(attributes["width"] ?? "") ?? 0
                layout.height = box.count == 4 ? box[3] : Double(attributes["height"] ?? "") ?? 0
            }
            if name == "text" { pending = attributes; text = "" }
            func number(_ key: String) -> Double { Double(attributes[key] ?? "") ?? .nan }
            if name == "line" {
                layout.lines.append(SVGLine(x1: number("x1"), y1: number("y1"), x2: number("x2"), y2: number("y2"),
                                            stroke: attributes["stroke"] ?? "", dash: attributes["stroke-dasharray"]))
            }
            if name == "rect", attributes["x"] != nil {
                layout.rects.append(SVGRect(x: number("x"), y: number("y"), width: number("width"), height: number("height"),
                                            stroke: attributes["stroke"] ?? "", fill: attributes["fill"] ?? ""))
            }
        }
        func parser(_ parser: XMLParser, foundCharacters string: String) {
            if pending != nil { text += string }
        }
        func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
            guard name == "text", let a = pending else { return }
            pending = nil
            layout.boxes.append(TextBox(text: text, x: Double(a["x"] ?? "") ?? 0, y: Double(a["y"] ?? "") ?? 0,
                                        size: Double(a["font-size"] ?? "") ?? 0, anchor: a["text-anchor"] ?? "start",
                                        bold: a["font-weight"] == "bold", rotated: (a["transform"] ?? "").hasPrefix("rotate(-90")))
        }
    }
    let parser = XMLParser(data: Data(svg.utf8))
    let reader = Reader()
    parser.delegate = reader
    return parser.parse() ? reader.layout : nil
}
