#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// A plain-text table with right-aligned numeric columns.
struct TextTable {
    var header: [String]
    var rows: [[String]] = []

    init(header: [String]) { self.header = header }

    mutating func add(_ row: [String]) { rows.append(row) }

    var rendered: String {
        let all = [header] + rows
        let widths = header.indices.map { c in all.map { $0.count > c ? $0[c].count : 0 }.max() ?? 0 }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { c, cell in
                let pad = String(repeating: " ", count: widths[c] - cell.count)
                return c == 0 ? cell + pad : pad + cell
            }.joined(separator: "  ")
        }
        let rule = widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ")
        return ([line(header), rule] + rows.map(line)).joined(separator: "\n")
    }
}

/// One number formatted by the C library's `vsnprintf` with a `%f`/`%e` conversion of
/// `format` (one argument): the text `String(format:)` gives (checked equal on 3·10⁶
/// values of five formats, NaN, infinities and subnormals among them), without
/// Foundation's format parser, which cost `rmfg solve` on the 200-state garnet about
/// 15·10⁶ of its instructions for the table (Docs/Performance.md, "The process around
/// the solve").
func cFormat(_ format: String, _ x: Double) -> String {
    var capacity = 64
    while true {
        let (count, text) = withUnsafeTemporaryAllocation(of: CChar.self, capacity: capacity) { buffer -> (Int, String) in
            guard let base = buffer.baseAddress else { return (-1, "") }
            let n = Int(withVaList([x]) { vsnprintf(base, capacity, format, $0) })
            return (n, n >= 0 && n < capacity ? String(cString: base) : "")
        }
        if count < capacity { return count < 0 ? String(format: format, x) : text }
        capacity = count + 1
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
