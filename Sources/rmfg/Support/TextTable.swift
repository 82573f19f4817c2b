#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import NumberText

/// A plain-text table with right-aligned numeric columns.
struct TextTable {
    var header: [String]
    var rows: [[String]] = []

    init(header: [String]) { self.header = header }

    mutating func add(_ row: [String]) { rows.append(row) }

    /// The table: the first column left-aligned, the others right-aligned, each as wide as its
    /// widest cell in characters, two spaces between columns, a rule of `-` under the header.
    /// Built in one string (a cell's width in characters is its UTF-8 length when it is ASCII,
    /// counted without breaking it into characters: a fifth of the instructions of padding
    /// strings and joining them, for the same text; `TextTableTests`).
    ///
    /// The cells' widths and the rows' lines are computed by chunks of rows on all cores
    /// (``inChunks(count:chunk:_:)``), the same text as one loop's (Docs/Performance.md, section 10).
    var rendered: String {
        let rows = rows
        let headerLengths = header.map(Self.width)
        let rowLengths: [[Int]] = inChunks(count: rows.count, chunk: Self.chunk) { range in range.map { rows[$0].map(Self.width) } }
        let widths = header.indices.map { c in max(headerLengths[c], rowLengths.lazy.map { $0.count > c ? $0[c] : 0 }.max() ?? 0) }
        var text = ""
        Self.line(header, widths, headerLengths, into: &text)
        text += "\n"
        for (c, width) in widths.enumerated() {
            if c > 0 { text += "  " }
            Self.pad(width, "-", into: &text)
        }
        text += inChunks(count: rows.count, chunk: Self.chunk) { range in
            var part = ""
            for r in range {
                part += "\n"
                Self.line(rows[r], widths, rowLengths[r], into: &part)
            }
            return part
        }
        return text
    }

    /// Rows per chunk of ``rendered``.
    static let chunk = 4_096

    /// `count` copies of `character` (none when `count ≤ 0`).
    private static func pad(_ count: Int, _ character: String, into text: inout String) {
        for _ in 0..<max(count, 0) { text += character }
    }

    /// One line: the first cell left-aligned, the others right-aligned, two spaces between.
    private static func line(_ cells: [String], _ widths: [Int], _ lengths: [Int], into text: inout String) {
        for (c, cell) in cells.enumerated() {
            if c > 0 { text += "  " }
            if c == 0 {
                text += cell
                pad(widths[c] - lengths[c], " ", into: &text)
            } else {
                pad(widths[c] - lengths[c], " ", into: &text)
                text += cell
            }
        }
    }

    /// `cell.count`, through its UTF-8 length when every byte is ASCII other than a carriage
    /// return (then each byte is one character; `\r\n` is one).
    static func width(_ cell: String) -> Int {
        var ascii = true
        for byte in cell.utf8 where byte >= 0x80 || byte == 0x0D {
            ascii = false
            break
        }
        return ascii ? cell.utf8.count : cell.count
    }
}

/// One number formatted by the C library with a `%f`/`%e` conversion of `format` (one
/// argument): the text `String(format:)` gives (checked equal on 3·10⁶ values of five
/// formats, NaN, infinities and subnormals among them), without Foundation's format parser,
/// which cost `rmfg solve` on the 200-state garnet about 15·10⁶ of its instructions for the
/// table (Docs/Performance.md, "The process around the solve"). A format of the form
/// `%.Nc` goes to glibc's `strfromd`, which formats as `vsnprintf` does but takes the
/// number itself: Swift's `withVaList` casts its argument to find how to pass it, and the
/// first such cast in a process scans every protocol conformance record of the binary
/// (about 10⁶ instructions; Docs/Performance.md, "Sixth round"). Other formats, and
/// systems without `strfromd`, go through `vsnprintf`.
func cFormat(_ format: String, _ x: Double) -> String {
    let plain = CNumberFormat.hasStrfromd && CNumberFormat.isPlain(format)
    var capacity = 64
    while true {
        let (count, text) = withUnsafeTemporaryAllocation(of: CChar.self, capacity: capacity) { buffer -> (Int, String) in
            guard let base = buffer.baseAddress else { return (-1, "") }
            let n = plain ? CNumberFormat.viaStrfromd(base, capacity, format, x) : CNumberFormat.viaVaList(base, capacity, format, x)
            return (n, n >= 0 && n < capacity ? String(cString: base) : "")
        }
        if count < capacity { return count < 0 ? String(format: format, x) : text }
        capacity = count + 1
    }
}

/// The two ways ``cFormat(_:_:)`` calls the C library.
enum CNumberFormat {
    private typealias StrFromD = @convention(c) (UnsafeMutablePointer<CChar>?, Int, UnsafePointer<CChar>?, Double) -> Int32

    /// glibc's `strfromd` (since 2.25; `stdlib.h` declares it only under feature macros that
    /// Swift's Glibc module does not set, so it is looked up), or `nil` off glibc.
    private static let function = glibcFunction("strfromd", as: StrFromD.self)

    /// Whether `strfromd` is there.
    static var hasStrfromd: Bool { function != nil }

    /// Whether `format` is `%`, optionally `.` and decimal digits, then one of `aAeEfFgG`:
    /// the only formats `strfromd` takes (no flags, no width, no length modifier).
    static func isPlain(_ format: String) -> Bool {
        var bytes = format.utf8.makeIterator()
        guard bytes.next() == UInt8(ascii: "%"), var c = bytes.next() else { return false }
        if c == UInt8(ascii: ".") {
            guard let first = bytes.next() else { return false }
            c = first
            while (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(c) {
                guard let next = bytes.next() else { return false }
                c = next
            }
        }
        return "aAeEfFgG".utf8.contains(c) && bytes.next() == nil
    }

    /// `strfromd(base, capacity, format, x)`: the length of the whole text, or −1.
    static func viaStrfromd(_ base: UnsafeMutablePointer<CChar>, _ capacity: Int, _ format: String, _ x: Double) -> Int {
        guard let function else { return -1 }
        return Int(function(base, capacity, format, x))
    }

    /// `vsnprintf(base, capacity, format, x)`: the length of the whole text, or −1.
    static func viaVaList(_ base: UnsafeMutablePointer<CChar>, _ capacity: Int, _ format: String, _ x: Double) -> Int {
        Int(withVaList([x]) { vsnprintf(base, capacity, format, $0) })
    }
}

/// `cFormat("%.6f", x)`, the same text, without the C library's formatter for finite
/// `|x| < 10¹²`: `x = ±m·2^e` exactly, `m·10⁶·2^e` is rounded to an integer as `printf` rounds
/// the exact binary value (to nearest, ties to even), and printed with six decimals and the
/// sign of `x` (`-0.000000` for negative values that round to 0). Checked equal to
/// `vsnprintf` on random values of every magnitude and on exact ties (`NumberFormatTests`);
/// about a tenth of its instructions, a table of `rmfg solve` prints thousands of them.
/// The text is written into one buffer (Docs/Performance.md, section 4, "Seventh round").
func fixedSix(_ x: Double) -> String {
    guard x.isFinite, abs(x) < 1e12 else { return cFormat("%.6f", x) }
    let biased = Int((x.bitPattern >> 52) & 0x7FF)
    let fraction = x.bitPattern & ((1 << 52) - 1)
    let m = biased == 0 ? fraction : fraction | (1 << 52)
    // |x| < 10¹² < 2⁴⁰ with m < 2⁵³: e < -12, so x·10⁶ = m·10⁶ / 2^shift, m·10⁶ < 2⁷³.
    let shift = biased == 0 ? 1074 : 1075 - biased
    let scaled = UInt128(m) * 1_000_000
    var n: UInt64 = 0
    if shift < 128 {
        let quotient = scaled >> shift, rest = scaled & ((UInt128(1) << shift) - 1), half = UInt128(1) << (shift - 1)
        n = UInt64(truncatingIfNeeded: quotient)
        if rest > half || (rest == half && n & 1 == 1) { n += 1 }
    }  // else x·10⁶ < 2⁻⁵⁵: rounds to 0
    // The text written backwards into one buffer (at most `-999999999999.999999`, 20 bytes):
    // one string, inline when it has at most 15 bytes, instead of five joined.
    return String(unsafeUninitializedCapacity: 24) { buffer in
        var end = 24, rest = n
        for _ in 0..<6 {
            end -= 1
            buffer[end] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: rest % 10)
            rest /= 10
        }
        end -= 1
        buffer[end] = UInt8(ascii: ".")
        repeat {
            end -= 1
            buffer[end] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: rest % 10)
            rest /= 10
        } while rest > 0
        if x.sign == .minus {
            end -= 1
            buffer[end] = UInt8(ascii: "-")
        }
        let count = 24 - end
        for i in 0..<count { buffer[i] = buffer[end + i] }
        return count
    }
}

/// A number for text output: up to 10 significant digits.
func fmt(_ x: Double) -> String {
    if x == 0 { return "0" }
    if x == x.rounded(), abs(x) < 1e12 { return String(Int(x)) }
    let a = abs(x)
    if a >= 1e-4, a < 1e9 {
        var s = String(format10(x))
        while s.contains("."), s.hasSuffix("0") { s.removeLast() }
        if s.hasSuffix(".") { s.removeLast() }
        return s
    }
    return "\(x)"
}

private func format10(_ x: Double) -> String {
    // 10 significant digits without Foundation's String(format:).
    let a = abs(x)
    var digitsBefore = 1
    var p = 10.0
    while a >= p { digitsBefore += 1; p *= 10 }
    let decimals = max(0, 10 - digitsBefore)
    let scale = pow10(decimals)
    let rounded = (a * scale).rounded() / scale
    var whole = rounded.rounded(.down)
    var frac = ((rounded - whole) * scale).rounded()
    if frac >= scale { whole += 1; frac -= scale }
    var fracString = decimals > 0 ? String(Int(frac)) : ""
    while fracString.count < decimals { fracString = "0" + fracString }
    return (x < 0 ? "-" : "") + String(Int(whole)) + (decimals > 0 ? "." + fracString : "")
}

private func pow10(_ k: Int) -> Double {
    var r = 1.0
    for _ in 0..<k { r *= 10 }
    return r
}
