import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Plots
import Testing

/// Parses an SVG document as XML and counts its elements by name.
func elementCounts(_ svg: String) throws -> [String: Int] {
    final class Counter: NSObject, XMLParserDelegate {
        var counts: [String: Int] = [:]
        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?,
                    qualifiedName: String?, attributes: [String: String] = [:]) {
            counts[name, default: 0] += 1
        }
    }
    let parser = XMLParser(data: Data(svg.utf8))
    let counter = Counter()
    parser.delegate = counter
    #expect(parser.parse(), "SVG is not well-formed XML: \(parser.parserError.map { "\($0)" } ?? "")")
    return counter.counts
}

@Suite("SVG charts")
struct PlotsTests {
    @Test func logLineChartIsWellFormed() throws {
        let chart = LineChart(title: "Convergence <test> & more", xLabel: "iteration", yLabel: "residual",
                              yScale: .log, series: [
                                  Series(label: "exploitability", x: [1, 2, 3, 4], y: [1, 1e-3, 1e-6, 0], markers: true),
                                  Series(label: "bound", x: [1, 4], y: [2, 2e-6], dashed: true),
                              ])
        let counts = try elementCounts(chart.svg)
        #expect(counts["svg"] == 1)
        // The zero breaks the exploitability line: one segment, plus the bound's line.
        #expect(counts["polyline"] == 2)
        // Three markers and the legend's; the zero is an open triangle, explained in the legend.
        #expect(counts["circle"] == 3 + 1)
        #expect(counts["polygon"] == 1 + 1)
        #expect(chart.svg.contains("&lt;test&gt; &amp; more"))
    }

    @Test func errorBarsAndEmptyChart() throws {
        let chart = LineChart(title: "gain", xLabel: "N", yLabel: "gain", xScale: .log, yScale: .log, series: [
            Series(label: "measured", x: [10, 100], y: [0.1, 0.03], errorBars: [(0.05, 0.2), (0.02, 0.04)], markers: true, line: false),
        ])
        let counts = try elementCounts(chart.svg)
        #expect(counts["line", default: 0] >= 6)
        let empty = LineChart(title: "none", xLabel: "x", yLabel: "y", series: [])
        #expect(try elementCounts(empty.svg)["text", default: 0] >= 2)
    }

    @Test func barsAndHeatMap() throws {
        let bars = BarChart(title: "mu", categories: ["S", "I"], yLabel: "mass",
                            groups: [("robust", [0.7, 0.3]), ("nominal", [0.6, 0.4])])
        #expect(try elementCounts(bars.svg)["rect", default: 0] >= 4 + 2)
        let heat = HeatMap(title: "policy", rowLabels: ["S", "I"], columnLabels: ["a", "b", "c"],
                           values: [[1, 0, 0], [0.2, 0.3, 0.5]])
        // Background, 6 cells, 20 colour-scale steps and the scale frame.
        #expect(try elementCounts(heat.svg)["rect", default: 0] == 1 + 6 + 20 + 1)
    }
}

/// Names an attacker or a careless generator can put into a game file: every C0 control,
/// ANSI escape sequences, markup characters, DEL, C1 controls and the XML non-characters.
let hostileNames: [String] = {
    var names = (0..<0x20).map { "s\(String(UnicodeScalar(UInt8($0))))t" }
    names += ["\u{1B}[31mred\u{1B}[0m", "\u{1B}]0;title\u{07}", "a & b", "<x>", "</text>", "\"q\"", "'q'",
              "&amp;", "]]>", "<!--", "a\u{7F}b", "c\u{85}d\u{9B}e", "f\u{FFFE}g\u{FFFF}", "tab\tnl\ncr\rend", ""]
    return names
}()

@Suite("SVG escaping of names")
struct SVGEscapingTests {
    @Test func hostileNamesGiveWellFormedDocuments() throws {
        for name in hostileNames {
            let line = LineChart(title: name, xLabel: name, yLabel: name,
                                 series: [Series(label: name, x: [1, 2], y: [1, 2], markers: true)])
            let bars = BarChart(title: name, categories: [name, "ok"], yLabel: name, groups: [(name, [0.5, 0.5])])
            let heat = HeatMap(title: name, rowLabels: [name], columnLabels: [name, "b"], values: [[0.1, 0.9]])
            for svg in [line.svg, bars.svg, heat.svg] {
                let counts = try elementCounts(svg)
                #expect(counts["svg"] == 1, "name \(name.unicodeScalars.map { $0.value })")
                for u in svg.unicodeScalars {
                    let v = u.value
                    let allowed = v == 0x9 || v == 0xA || (v >= 0x20 && v < 0x7F) || v >= 0xA0 && v != 0xFFFE && v != 0xFFFF
                    #expect(allowed, "character U+\(String(v, radix: 16)) written for name \(name.unicodeScalars.map { $0.value })")
                }
            }
        }
    }

    @Test func textIsEscapedAndKeptVisible() throws {
        let chart = LineChart(title: "a\u{1B}[31m&<b>\"'\u{0}", xLabel: "x", yLabel: "y", series: [])
        #expect(chart.svg.contains("a\u{FFFD}[31m&amp;&lt;b&gt;&quot;&apos;\u{FFFD}"))
        // The parsed text is the name with the controls made visible.
        final class Texts: NSObject, XMLParserDelegate {
            var text = ""
            func parser(_ parser: XMLParser, foundCharacters string: String) { text += string }
        }
        let parser = XMLParser(data: Data(chart.svg.utf8))
        let texts = Texts()
        parser.delegate = texts
        #expect(parser.parse())
        #expect(texts.text.contains("a\u{FFFD}[31m&<b>\"'\u{FFFD}"))
    }
}
