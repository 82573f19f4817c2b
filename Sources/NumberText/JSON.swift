/// A JSON value with ordered object keys, as `rmfg --format json` and the C ABI
/// (`librobustmfg`) write it. Numbers are written by ``numberText(_:)`` (Swift's
/// shortest round-trip form, whole numbers as integers), so every Double reads back
/// exactly; a non-finite number is written `null`.
package indirect enum JSON: Sendable, ExpressibleByStringLiteral, ExpressibleByFloatLiteral,
    ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral, ExpressibleByArrayLiteral {
    case null
    case bool(Bool)
    case int(Int)
    /// An unsigned integer written exactly (seeds up to 2⁶⁴ − 1).
    case unsigned(UInt64)
    case number(Double)
    case string(String)
    case array([JSON])
    case object([(String, JSON)])
    /// An array of numbers stored flat (``numbers(_:)``): serialized exactly as `.array` of
    /// `.number`s, without one boxed enum value per entry.
    case doubles([Double])
    /// A matrix of numbers stored as rows (``matrix(_:)``): serialized exactly as `.array` of
    /// ``numbers(_:)``.
    case doubleRows([[Double]])

    package init(stringLiteral value: String) { self = .string(value) }
    package init(floatLiteral value: Double) { self = .number(value) }
    package init(integerLiteral value: Int) { self = .int(value) }
    package init(booleanLiteral value: Bool) { self = .bool(value) }
    package init(arrayLiteral elements: JSON...) { self = .array(elements) }

    /// A vector of numbers (the text of `.array(values.map { .number($0) })`).
    package static func numbers(_ values: [Double]) -> JSON { .doubles(values) }
    /// A matrix of numbers.
    package static func matrix(_ rows: [[Double]]) -> JSON { .doubleRows(rows) }
    /// An optional number (`null` when absent).
    package static func optional(_ value: Double?) -> JSON { value.map { .number($0) } ?? .null }

    /// Compact serialization on one line.
    package var serialized: String {
        var out = ""
        write(into: &out)
        return out
    }

    private func write(into out: inout String) {
        switch self {
        case .null: out += "null"
        case let .bool(b): out += b ? "true" : "false"
        case let .int(i): out += String(i)
        case let .unsigned(u): out += String(u)
        case let .number(x):
            if x.isFinite {
                out += numberText(x)
            } else {
                out += "null"  // JSON has no NaN or infinity; validated outputs never contain them.
            }
        case let .string(s): JSON.writeString(s, into: &out)
        case let .array(items):
            out += "["
            for (k, item) in items.enumerated() {
                if k > 0 { out += "," }
                item.write(into: &out)
            }
            out += "]"
        case let .object(pairs):
            out += "{"
            for (k, (key, value)) in pairs.enumerated() {
                if k > 0 { out += "," }
                JSON.writeString(key, into: &out)
                out += ":"
                value.write(into: &out)
            }
            out += "}"
        case let .doubles(values):
            out += "["
            out += JSON.numberList(values)
            out += "]"
        case let .doubleRows(rows):
            out += "["
            out += inChunks(count: rows.count, chunk: max(1, JSON.chunk / max(1, rows.first?.count ?? 1))) { range in
                var text = ""
                for k in range {
                    text += k > 0 ? ",[" : "["
                    text += JSON.numberList(rows[k])
                    text += "]"
                }
                return text
            }
            out += "]"
        }
    }

    /// The numbers of `values` as by `.number`, separated by commas. Long lists are formatted
    /// in chunks of ``chunk`` numbers, the chunks on all cores (``inChunks(count:chunk:_:)``):
    /// the text is the same as one loop's (Docs/Performance.md, section 10).
    package static func numberList(_ values: [Double]) -> String {
        values.withUnsafeBufferPointer { v in
            inChunks(count: v.count, chunk: chunk) { range in
                var out = ""
                out.reserveCapacity(range.count * 22)
                for k in range {
                    if k > 0 { out += "," }
                    let x = v[k]
                    out += x.isFinite ? numberText(x) : "null"
                }
                return out
            }
        }
    }

    /// Numbers per chunk of ``numberList(_:)``.
    package static let chunk = 16_384

    private static func writeString(_ s: String, into out: inout String) {
        out += "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) {  // C0, DEL, C1: escaped, never raw
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        out += "\""
    }
}
