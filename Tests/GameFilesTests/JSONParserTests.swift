import Foundation
import GameFiles
import TestSupport
import Testing

/// The JSON reader (`DocumentReader.parseJSON`, a strict RFC 8259 parser): random
/// documents written by Foundation's `JSONSerialization` must read back as the values
/// they were written from; hand-written edge cases; malformed input must fail with a
/// line and column.
@Suite("JSON reader")
struct JSONParserTests {
    /// The parsed tree as Foundation values (objects as dictionaries), for comparison.
    static func plain(_ node: DocumentNode) -> Any {
        switch node.value {
        case .null: return NSNull()
        case let .bool(b): return b
        case let .number(x): return x
        case let .string(s): return s
        case let .array(items): return items.map(plain)
        case let .numbers(block): return block.nodes.map(plain)
        case let .object(pairs): return Dictionary(uniqueKeysWithValues: pairs.map { ($0.key, plain($0.value)) })
        }
    }

    /// Compares a parsed tree (as ``plain(_:)``) with the generated value it was written
    /// from: numbers to within the writer's printed precision (1e-15 relative).
    static func same(_ parsed: Any, _ original: Any) -> Bool {
        switch (parsed, original) {
        case (is NSNull, is NSNull): return true
        case let (x as [Any], y as [Any]): return x.count == y.count && zip(x, y).allSatisfy { same($0, $1) }
        case let (x as [String: Any], y as [String: Any]):
            return x.count == y.count && x.allSatisfy { k, v in y[k].map { same(v, $0) } ?? false }
        case let (x as String, y as String): return x == y
        case let (x as Bool, y as Bool): return x == y
        case let (x as Double, y as Double): return x == y || abs(x - y) <= 1e-15 * max(abs(x), abs(y))
        default: return false
        }
    }

    /// A random JSON value with nested containers, escapes, non-ASCII text and extreme numbers.
    static func randomValue(_ rng: inout SplitMix64, depth: Int) -> Any {
        let pick = Int(rng.next() % (depth > 3 ? 5 : 7))
        switch pick {
        case 0: return NSNull()
        case 1: return rng.next() % 2 == 0
        case 2:
            let specials: [Double] = [0, 1, -1, 0.1, 1e-300, -2.5e300, 123456789.125, 5e-324, 1.7976931348623157e308]
            return rng.next() % 3 == 0 ? specials[Int(rng.next() % UInt64(specials.count))] : (rng.unit() - 0.5) * 1e6
        case 3, 4:
            let alphabet = ["a", "Z", "0", " ", "\"", "\\", "/", "\n", "\t", "\u{1}", "é", "漢", "😀", "\u{7F}"]
            return (0..<Int(rng.next() % 8)).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))] }.joined()
        case 5:
            return (0..<Int(rng.next() % 5)).map { _ in randomValue(&rng, depth: depth + 1) }
        default:
            var d: [String: Any] = [:]
            for k in 0..<Int(rng.next() % 5) { d["k\(k)\(rng.next() % 3 == 0 ? "é\"" : "")"] = randomValue(&rng, depth: depth + 1) }
            return d
        }
    }

    @Test func agreesWithFoundationOnRandomDocuments() throws {
        var rng = SplitMix64(seed: 2026)
        for trial in 0..<400 {
            let value: Any = trial % 2 == 0 ? Self.randomValue(&rng, depth: 0) : [Self.randomValue(&rng, depth: 0)]
            let options: JSONSerialization.WritingOptions = trial % 3 == 0 ? [.prettyPrinted, .fragmentsAllowed] : [.fragmentsAllowed]
            let data = try JSONSerialization.data(withJSONObject: value, options: options)
            let text = try #require(String(data: data, encoding: .utf8))
            let parsed = try #require(try DocumentReader.parseJSON(text))
            #expect(Self.same(Self.plain(parsed), value), "trial \(trial): \(text)")
        }
    }

    @Test func handWrittenDocuments() throws {
        let text = "\u{FEFF} {\"b\": [1, -0, 2.5e-3, 1E+2, 0.1],\r\n  \"a\": \"x\\u00e9\\ud83d\\ude00\\n\\/\\\"\",\n  \"c\": {\"z\": true, \"y\": null, \"x\": false}, \"d\": [], \"e\": {}}\n"
        let root = try #require(try DocumentReader.parseJSON(text))
        guard case let .object(pairs) = root.value else { Issue.record("not an object"); return }
        #expect(pairs.map(\.key) == ["b", "a", "c", "d", "e"])  // file order
        guard let numbers = pairs[0].value.value.items else { Issue.record("b is not a list"); return }
        #expect(numbers.map(\.value) == [1, -0.0, 2.5e-3, 100, 0.1].map { DocumentValue.number($0) })
        #expect(numbers[1].value == .number(-0.0) && { if case let .number(z) = numbers[1].value { z.sign == .minus } else { false } }())
        #expect(pairs[1].value.value == .string("xé😀\n/\""))
        guard case let .object(inner) = pairs[2].value.value else { Issue.record("c is not an object"); return }
        #expect(inner.map(\.key) == ["z", "y", "x"])
        #expect(inner.map(\.value.value) == [.bool(true), .null, .bool(false)])
        // Positions: "a" is on line 2, its value at column 8.
        #expect(pairs[1].value.position?.line == 2 && pairs[1].value.position?.column == 8)
        #expect(root.position?.line == 1 && root.position?.column == 2)  // after the BOM and a space
        #expect(try DocumentReader.parseJSON(" \n\t ") == nil)
        #expect(try DocumentReader.parseJSON("-12.5")?.value == .number(-12.5))
        // Correct rounding at the edges of the double range.
        for text in ["5e-324", "2.2250738585072014e-308", "1.7976931348623157e308", "0.30000000000000004", "1e400"] {
            #expect(try DocumentReader.parseJSON(text)?.value == .number(Double(text) ?? .nan), "\(text)")
        }
    }

    @Test(arguments: [
        ("{\"a\": 1,}", "line 1, column 9"),          // trailing comma
        ("[1, 2,]", "line 1, column 7"),
        ("[01]", "leading zero"),
        ("[+1]", "line 1, column 2"),
        ("[.5]", "line 1, column 2"),
        ("[1.]", "digit after '.'"),
        ("[1e]", "exponent"),
        ("[NaN]", "line 1, column 2"),
        ("{'a': 1}", "double quotes"),
        ("{\"a\" 1}", "expected ':'"),
        ("{\"a\": 1 \"b\": 2}", "expected ',' or '}'"),
        ("[1 2]", "expected ',' or ']'"),
        ("\"abc", "unterminated"),
        ("\"a\u{1}b\"", "control character"),
        ("\"\\ud800\"", "surrogate"),
        ("\"\\udc00\"", "lone low surrogate"),
        ("\"\\x\"", "unknown escape"),
        ("\"\\u12g4\"", "hexadecimal"),
        ("{\"a\": 1,\n \"a\": 2}", "line 2, column 2: duplicate key 'a'"),
        ("[1] [2]", "after the document's value"),
        ("tru", "expected 'true'"),
        ("[", "end of the file"),
        ("{\"a\": ", "end of the file"),
    ])
    func malformedInputFailsWithAPosition(text: String, mention: String) {
        do throws(DocumentError) {
            _ = try DocumentReader.parseJSON(text)
            Issue.record("accepted \(text)")
        } catch {
            guard case let .syntax(message) = error else { return }
            #expect(message.hasPrefix("line "), "\(text): \(message)")  // no prefix: each reader adds its own
            #expect(message.contains(mention), "\(text): \(message)")
        }
    }

    @Test func nestingIsLimited() throws {
        let ok = String(repeating: "[", count: 199) + String(repeating: "]", count: 199)
        #expect(try DocumentReader.parseJSON(ok) != nil)
        let deep = String(repeating: "[", count: 100_000)
        do throws(DocumentError) {
            _ = try DocumentReader.parseJSON(deep)
            Issue.record("accepted 100,000 open brackets")
        } catch {
            guard case let .syntax(message) = error else { return }
            #expect(message.contains("nesting deeper than 200 levels"))
        }
    }
}

/// The JSON reader's number fast path (exact integers and short decimals) gives the same
/// `Double` as the standard library's correctly rounded conversion, bit for bit.
@Suite("JSON numbers")
struct JSONNumberTests {
    static func parsed(_ text: String) throws -> Double? {
        guard let items = try DocumentReader.parseJSON("[\(text)]")?.value.items,
              case let .number(x)? = items.first?.value else { return nil }
        return x
    }

    @Test func fastPathMatchesTheStandardConversion() throws {
        let seed = TestSeed()
        var rng = seed.generator
        var cases = ["0", "-0", "0.0", "-0.0", "1", "9007199254740992", "9007199254740993", "18446744073709551615",
                     "18446744073709551616", "99999999999999999999", "0.1", "0.3", "-2.5", "1e22", "1.5e-7",
                     "0.0000000000000000000001", "0.00000000000000000000001", "1234567890123456789", "4503599627370496.5",
                     "0.1234567890123456", "0.12345678901234567", "5e-324", "1.7976931348623157e308",
                     "0.0028192656610077638", "9999999999999999999", "0.9999999999999999999", "0.0000000000000000001",
                     "9007199254740993.5", "1.0000000000000001110", "0.30000000000000001665", "1.0000000000000002220"]
        for _ in 0..<20_000 {
            let digits = 1 + Int(rng.next() % 20)
            var text = rng.next() % 2 == 0 ? "-" : ""
            var body = String((0..<digits).map { _ in Character(String(rng.next() % 10)) })
            while body.count > 1, body.hasPrefix("0") { body.removeFirst() }
            let point = Int(rng.next() % UInt64(body.count + 1))
            if point > 0, point < body.count {
                body.insert(".", at: body.index(body.startIndex, offsetBy: point))
            } else if point == 0, body.count > 1 {
                body = "0." + body
            }
            text += body
            cases.append(text)
            let x = Double(bitPattern: rng.next())
            if x.isFinite { cases.append("\(x)") }
            // Printed doubles of 16–17 significant digits between 1e-4 and 1e6, as game
            // files hold them (the exact-division path of up to 19 digits).
            let y = rng.unit() * [1e-4, 1e-3, 0.01, 0.1, 1, 10, 1e6][Int(rng.next() % 7)]
            cases.append("\(y)")
            cases.append(String(format: "%.19f", y).replacingOccurrences(of: "^0+(?=\\d)", with: "", options: .regularExpression))
        }
        for text in cases {
            let expected = try #require(Double(text), "\(text)")
            let x = try #require(try Self.parsed(text), "\(text)")
            #expect(x.bitPattern == expected.bitPattern, "\(text): \(x) != \(expected), \(seed)")
        }
    }
}
