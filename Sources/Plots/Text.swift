/// Text measurement and number formatting shared by every chart.
///
/// SVG viewers choose the font, so the charts lay text out with an estimate: the
/// advance widths of Helvetica (Arial has the same widths), widened by
/// ``TextMetrics/allowance`` for the wider sans-serif faces a viewer may substitute
/// (DejaVu Sans on Linux). The same estimate gives the boxes the tests check for overlaps.

import Foundation

/// Font-metric estimate for the generic sans-serif the charts ask for.
package enum TextMetrics {
    /// Factor applied to Helvetica's widths to cover wider fallback faces.
    package static let allowance = 1.12
    /// Factor for bold text (DejaVu Sans Bold is about 12% wider than DejaVu Sans).
    package static let boldFactor = 1.14
    /// Ascent and descent of a line, as fractions of the font size.
    package static let ascent = 0.80, descent = 0.22

    /// Helvetica advance widths (1/1000 em) for U+0020…U+007E.
    static let ascii: [Int] = [
        278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, // space … /
        556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556, // 0 … ?
        1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778, // @ … O
        667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556, // P … _
        333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556, // ` … o
        556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584,      // p … ~
    ]

    /// The estimated advance width of `s` at font size `size` (pixels).
    package static func width(_ s: String, size: Double, bold: Bool = false) -> Double {
        var total = 0
        for u in s.unicodeScalars {
            let v = Int(u.value)
            if v >= 0x20, v <= 0x7E {
                total += ascii[v - 0x20]
            } else if v >= 0x1100 && (v <= 0x115F || (v >= 0x2E80 && v <= 0xA4CF) || (v >= 0xAC00 && v <= 0xD7A3)
                                        || (v >= 0xF900 && v <= 0xFAFF) || (v >= 0xFF00 && v <= 0xFF60)) {
                total += 1000 // East Asian wide characters
            } else if v == 0x2014 || v == 0x2192 || v == 0x2212 {
                total += 1000 // em dash, arrow, minus sign
            } else if v < 0x20 {
                total += 0
            } else {
                total += 640 // Greek, accented Latin, symbols: a typical width
            }
        }
        return Double(total) / 1000 * size * allowance * (bold ? boldFactor : 1)
    }

    /// `s` shortened with a trailing "…" so that it is at most `maxWidth` wide.
    package static func abbreviated(_ s: String, size: Double, maxWidth: Double, bold: Bool = false) -> String {
        if width(s, size: size, bold: bold) <= maxWidth { return s }
        var chars = Array(s)
        while !chars.isEmpty, width(String(chars) + "…", size: size, bold: bold) > maxWidth { chars.removeLast() }
        return chars.isEmpty ? "" : String(chars) + "…"
    }

    /// `s` broken at spaces into lines at most `maxWidth` wide (a word longer than
    /// that is abbreviated).
    package static func wrapped(_ s: String, size: Double, maxWidth: Double, bold: Bool = false) -> [String] {
        var lines: [String] = []
        var current = ""
        for word in s.split(separator: " ", omittingEmptySubsequences: true).map(String.init) {
            let candidate = current.isEmpty ? word : current + " " + word
            if width(candidate, size: size, bold: bold) <= maxWidth {
                current = candidate
            } else {
                if !current.isEmpty { lines.append(current) }
                current = abbreviated(word, size: size, maxWidth: maxWidth, bold: bold)
            }
        }
        if !current.isEmpty || lines.isEmpty { lines.append(current) }
        return lines
    }

    /// `s` wrapped like ``wrapped(_:size:maxWidth:bold:)`` into as few lines, but with
    /// lines of similar length (no orphan word on the last line).
    package static func balanced(_ s: String, size: Double, maxWidth: Double, bold: Bool = false) -> [String] {
        let greedy = wrapped(s, size: size, maxWidth: maxWidth, bold: bold)
        guard greedy.count > 1 else { return greedy }
        var lo = 0.0, hi = maxWidth
        for _ in 0..<20 {
            let mid = (lo + hi) / 2
            if wrapped(s, size: size, maxWidth: mid, bold: bold).count <= greedy.count
                && !wrapped(s, size: size, maxWidth: mid, bold: bold).contains(where: { $0.hasSuffix("…") }) {
                hi = mid
            } else {
                lo = mid
            }
        }
        return wrapped(s, size: size, maxWidth: hi, bold: bold)
    }
}

/// The rectangle a piece of text is estimated to cover, in SVG user units.
package struct TextBox: Sendable, Hashable {
    /// The text.
    package var text: String
    /// Left edge.
    package var minX: Double
    /// Top edge.
    package var minY: Double
    /// Right edge.
    package var maxX: Double
    /// Bottom edge.
    package var maxY: Double

    /// The box of `text` drawn at `(x, y)` (the baseline point) with SVG's
    /// `text-anchor` `anchor` ("start", "middle" or "end"), optionally rotated by −90°
    /// about `(x, y)` (reading upwards).
    package init(text: String, x: Double, y: Double, size: Double, anchor: String, bold: Bool = false,
                 rotated: Bool = false) {
        self.text = text
        let w = TextMetrics.width(text, size: size, bold: bold)
        let start: Double
        switch anchor {
        case "middle": start = -w / 2
        case "end": start = -w
        default: start = 0
        }
        let up = TextMetrics.ascent * size, down = TextMetrics.descent * size
        if rotated {
            // rotate(-90): the text's direction (1, 0) becomes (0, −1), its "up" (0, −1) becomes (−1, 0).
            minX = x - up
            maxX = x + down
            minY = y - (start + w)
            maxY = y - start
        } else {
            minX = x + start
            maxX = x + start + w
            minY = y - up
            maxY = y + down
        }
    }

    /// Whether the two boxes share interior area (touching edges do not count).
    package func overlaps(_ other: TextBox, tolerance: Double = 0.01) -> Bool {
        minX < other.maxX - tolerance && other.minX < maxX - tolerance
            && minY < other.maxY - tolerance && other.minY < maxY - tolerance
    }

    /// The box grown by `d` on every side.
    func inflated(_ d: Double) -> TextBox {
        var b = self
        b.minX -= d; b.minY -= d; b.maxX += d; b.maxY += d
        return b
    }
}

/// The number formats of every axis, colour bar and label.
package enum NumberFormat {
    /// `v` with `digits` significant digits, trailing zeros removed: fixed notation for
    /// `1e-3 ≤ |v| < 1e5`, otherwise `1.23e-7`.
    package static func significant(_ v: Double, digits: Int = 3) -> String {
        guard v.isFinite else { return v.isNaN ? "NaN" : (v > 0 ? "∞" : "−∞") }
        if v == 0 { return "0" }
        let a = abs(v)
        let exponent = Int(log10(a).rounded(.down))
        if a >= 1e-3, a < 1e5 {
            let decimals = max(0, digits - 1 - exponent)
            return clean(trimmed(String(format: "%.\(decimals)f", v)))
        }
        return scientific(v, digits: digits)
    }

    /// The label of tick `v` on a linear axis whose ticks are `step` apart: as many
    /// decimals as the step needs, so neighbouring labels differ.
    package static func tick(_ v: Double, step: Double) -> String {
        guard v.isFinite, step.isFinite, step > 0 else { return significant(v) }
        if abs(v) < step * 1e-9 { return "0" }
        let largest = max(abs(v), step)
        let stepExponent = Int(log10(step).rounded(.down))
        if largest < 1e5, step >= 1e-4 {
            // The fewest decimals that write the step exactly (0.25 needs 2, 0.2 needs 1).
            var decimals = max(0, -stepExponent)
            while decimals < 12, abs((step * pow(10, Double(decimals))).rounded() - step * pow(10, Double(decimals)))
                    > 1e-6 * step * pow(10, Double(decimals)) {
                decimals += 1
            }
            return clean(String(format: "%.\(decimals)f", v))
        }
        let valueExponent = Int(log10(abs(v)).rounded(.down))
        return scientific(v, digits: max(1, valueExponent - stepExponent + 1))
    }

    /// The label of `10^e` on a log axis.
    package static func power(_ e: Int) -> String {
        if e >= -3, e <= 4 { return significant(pow(10, Double(e))) }
        return "1e\(e)"
    }

    static func scientific(_ v: Double, digits: Int) -> String {
        let s = String(format: "%.\(max(digits - 1, 0))e", v)
        guard let e = s.firstIndex(of: "e") else { return s }
        let mantissa = trimmed(String(s[..<e]))
        let exponent = Int(s[s.index(after: e)...]) ?? 0
        return clean(mantissa + "e\(exponent)")
    }

    static func trimmed(_ s: String) -> String {
        guard s.contains(".") else { return s }
        var t = s
        while t.hasSuffix("0") { t.removeLast() }
        if t.hasSuffix(".") { t.removeLast() }
        return t
    }

    /// "-0" becomes "0".
    static func clean(_ s: String) -> String { s == "-0" ? "0" : s }
}
