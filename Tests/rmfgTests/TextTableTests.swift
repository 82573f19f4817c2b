@testable import rmfg
import Testing

/// `TextTable.rendered`, built in one string, against the padding-and-joining it replaced.
@Suite struct TextTableTests {
    /// The previous implementation, kept as the reference.
    static func reference(_ table: TextTable) -> String {
        let all = [table.header] + table.rows
        let widths = table.header.indices.map { c in all.map { $0.count > c ? $0[c].count : 0 }.max() ?? 0 }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { c, cell in
                let pad = String(repeating: " ", count: widths[c] - cell.count)
                return c == 0 ? cell + pad : pad + cell
            }.joined(separator: "  ")
        }
        let rule = widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ")
        return ([line(table.header), rule] + table.rows.map(line)).joined(separator: "\n")
    }

    static let pieces = ["", "0", "μ*", "state", "π(0)", "e\u{301}", "👩‍👩‍👧", "a\r\nb", "\r", "\n", "x\ty", "-0.000000",
                         "8.961095", "🇫🇷", "ü", "long-state-name", "日本"]

    @Test func sameTextAsPaddingAndJoining() {
        var seed: UInt64 = 0x5EED
        func next(_ n: Int) -> Int {
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            return Int((seed >> 33) % UInt64(n))
        }
        for _ in 0..<300 {
            let columns = 1 + next(5)
            let cell = { () -> String in (0..<next(3)).map { _ in Self.pieces[next(Self.pieces.count)] }.joined() }
            var table = TextTable(header: (0..<columns).map { _ in cell() })
            for _ in 0..<next(6) { table.add((0..<(1 + next(columns))).map { _ in cell() }) }
            #expect(Array(table.rendered.utf8) == Array(Self.reference(table).utf8))
        }
        var empty = TextTable(header: [])
        #expect(Array(empty.rendered.utf8) == Array(Self.reference(empty).utf8))
        empty.add([])
        #expect(Array(empty.rendered.utf8) == Array(Self.reference(empty).utf8))
    }
}
