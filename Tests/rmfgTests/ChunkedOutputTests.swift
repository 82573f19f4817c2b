import Foundation
import NumberText
@testable import rmfg
import Testing

/// The large-output paths of `rmfg solve --output` (Docs/Performance.md, section 10): the CSV
/// quoting test by bytes, the JSON number arrays stored flat, and the text built in chunks on
/// all cores, each against the plain form it replaced.
@Suite("Chunked output: the same text as the plain loops")
struct ChunkedOutputTests {
    /// The quoting test of `csvLine` before: Foundation's `contains`.
    static func foundationNeedsQuotes(_ f: String) -> Bool {
        f.contains(",") || f.contains("\"") || f.contains("\n")
    }

    @Test func csvQuotingMatchesFoundation() {
        let fields = ["", "a", "0.25", "-1e-05", "a,b", "say \"hi\"", "line\nbreak", "crlf\r\n", "état", "🙂,x", "tab\t",
                      "\"", ",", "\n", "x\u{301}", "名前", "a;b", "no quotes 'here'"]
        for f in fields {
            #expect(csvNeedsQuotes(f) == Self.foundationNeedsQuotes(f), "\(f.debugDescription)")
        }
        #expect(csvLine(["s,1", "a\"b", "2.5"]) == "\"s,1\",\"a\"\"b\",2.5")
    }

    /// `inChunks` concatenates the chunks in order: the same text as one call for every chunk
    /// length, including lengths that do not divide the count and a single chunk.
    @Test func chunksConcatenateInOrder() {
        let words = (0..<1_000).map { "w\($0 * 7919 % 1_000)" }
        let whole = words.joined(separator: " ")
        for chunk in [1, 2, 3, 7, 64, 999, 1_000, 5_000] {
            let text = inChunks(count: words.count, chunk: chunk) { range in
                range.map { ($0 > 0 ? " " : "") + words[$0] }.joined()
            }
            #expect(text == whole, "chunk \(chunk)")
        }
        #expect(inChunks(count: 0, chunk: 4) { _ in "" } == "")
    }

    /// The array form of `inChunks`: the chunks' arrays concatenated in order.
    @Test func arrayChunksConcatenateInOrder() {
        let whole = (0..<5_000).map { $0 * 31 % 977 }
        for chunk in [1, 3, 64, 4_999, 5_000, 9_000] {
            #expect(inChunks(count: whole.count, chunk: chunk) { range in range.map { whole[$0] } } == whole, "chunk \(chunk)")
        }
        #expect(inChunks(count: 0, chunk: 8) { range in range.map { $0 } }.isEmpty)
    }

    /// A table of more rows than a chunk (rows of uneven widths and lengths, multi-byte cells)
    /// renders as the padding-and-joining reference of `TextTableTests`.
    @Test func longTablesRenderAsTheReference() {
        let pieces = ["0.125000", "-1.000000", "s", "μ", "état", "👩‍👩‍👧", "long-state-name-42", ""]
        for count in [TextTable.chunk - 1, TextTable.chunk, 2 * TextTable.chunk + 7] {
            var table = TextTable(header: ["state", "μ*", "π(a)", "V"])
            for r in 0..<count {
                table.add((0..<(1 + r % 4)).map { c in pieces[(r * 7 + c * 3) % pieces.count] + (r % 101 == 0 ? "x" : "") })
            }
            #expect(Array(table.rendered.utf8) == Array(TextTableTests.reference(table).utf8), "\(count) rows")
        }
    }

    /// `.numbers` and `.matrix` (flat, chunked) serialize exactly as arrays of `.number`
    /// values did, non-finite entries included, above and below the chunk length.
    @Test func numberArraysSerializeAsBoxedArrays() {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> Double {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Double(bitPattern: state >> 2 | 0x3000_0000_0000_0000) * (state & 1 == 0 ? 1 : -1)
        }
        for count in [0, 1, 5, JSON.chunk - 1, JSON.chunk, JSON.chunk + 1, 3 * JSON.chunk + 17] {
            var values = (0..<count).map { _ in next() }
            if count > 3 {
                values[1] = .nan
                values[2] = .infinity
                values[3] = 3
            }
            let boxed = JSON.array(values.map { .number($0) })
            #expect(JSON.numbers(values).serialized == boxed.serialized, "\(count) numbers")
            let rows = stride(from: 0, to: count, by: 5).map { Array(values[$0..<min(count, $0 + 5)]) }
            let boxedRows = JSON.array(rows.map { .array($0.map { .number($0) }) })
            #expect(JSON.matrix(rows).serialized == boxedRows.serialized, "\(rows.count) rows")
            let object = JSON.object([("a", .numbers(values)), ("b", .matrix(rows))])
            #expect(object.serialized == JSON.object([("a", boxed), ("b", boxedRows)]).serialized)
        }
    }
}
