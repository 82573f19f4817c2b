import Foundation
@testable import GameFiles
import TestSupport
import Testing

/// The JSON reader's packed arrays (`DocumentValue.numbers`): on random documents (nested,
/// ragged and mixed lists, huge, tiny and overflowing numbers, random layout) and on random
/// corruptions of them, the packing reader must give exactly what the per-node reader gives —
/// the same tree once blocks are written out, positions included, the same numbers bit for
/// bit, the same syntax errors and the same field errors — and it must pack exactly the
/// non-empty rectangular arrays of finite numbers, as an independent check of the tree says.
@Suite("JSON packed arrays")
struct PackedArrayTests {
    // MARK: References

    /// The tree with every packed block written out as nodes: the per-node reader's form.
    static func expanded(_ node: DocumentNode) -> DocumentNode {
        switch node.value {
        case let .numbers(block): DocumentNode(.array(block.nodes.map(expanded)), at: node.position)
        case let .array(items): DocumentNode(.array(items.map(expanded)), at: node.position)
        case let .object(pairs): DocumentNode(.object(pairs.map { ($0.key, expanded($0.value)) }), at: node.position)
        default: node
        }
    }

    /// Whether two per-node trees are the same: kinds, keys, texts, positions, and numbers by
    /// their bit patterns (so `-0` differs from `0`).
    static func identical(_ a: DocumentNode, _ b: DocumentNode) -> Bool {
        guard a.position == b.position else { return false }
        switch (a.value, b.value) {
        case (.null, .null): return true
        case let (.bool(x), .bool(y)): return x == y
        case let (.number(x), .number(y)): return x.bitPattern == y.bitPattern
        case let (.string(x), .string(y)): return x == y
        case let (.array(x), .array(y)): return x.count == y.count && zip(x, y).allSatisfy { identical($0, $1) }
        case let (.object(x), .object(y)):
            return x.count == y.count && zip(x, y).allSatisfy { $0.key == $1.key && identical($0.value, $1.value) }
        default: return false
        }
    }

    /// Independently of the reader: the shape and numbers of a per-node list that is non-empty,
    /// rectangular at every level and holds only finite numbers, else `nil`.
    static func rectangular(_ node: DocumentNode) -> (shape: [Int], elements: [Double])? {
        guard case let .array(items) = node.value, !items.isEmpty else { return nil }
        var parts: [(shape: [Int], elements: [Double])] = []
        for item in items {
            if case let .number(x) = item.value {
                guard x.isFinite else { return nil }
                parts.append(([], [x]))
            } else if let part = rectangular(item) {
                parts.append(part)
            } else {
                return nil
            }
        }
        guard parts.allSatisfy({ $0.shape == parts[0].shape }) else { return nil }
        return ([items.count] + parts[0].shape, parts.flatMap(\.elements))
    }

    /// Walks the packing reader's tree beside the per-node reader's: a block exactly where
    /// ``rectangular(_:)`` finds one, with its shape and numbers (bit for bit); counts blocks.
    static func packsExactlyTheRectangularLists(_ packed: DocumentNode, _ plain: DocumentNode, blocks: inout Int) -> Bool {
        switch (packed.value, plain.value) {
        case let (.numbers(block), .array):
            guard let reference = rectangular(plain), reference.shape == block.shape,
                  reference.elements.map(\.bitPattern) == block.elements.map(\.bitPattern) else { return false }
            blocks += 1
            return true
        case let (.array(x), .array(y)):
            guard rectangular(plain) == nil, x.count == y.count else { return false }  // a rectangular list must be packed
            return zip(x, y).allSatisfy { packsExactlyTheRectangularLists($0, $1, blocks: &blocks) }
        case let (.object(x), .object(y)):
            return x.count == y.count && zip(x, y).allSatisfy { packsExactlyTheRectangularLists($0.value, $1.value, blocks: &blocks) }
        default:
            return identical(packed, plain)
        }
    }

    // MARK: Random documents

    /// A random number as JSON text: integers, decimals, exponents, huge, tiny, overflowing
    /// (`1e400`, read as infinity) and underflowing ones, negative zero.
    static func number(_ rng: inout SplitMix64) -> String {
        switch rng.next() % 10 {
        case 0: return ["0", "-0", "-0.0", "1e400", "-1e400", "1e-400", "5e-324", "1.7976931348623157e308",
                        "9007199254740993", "123456789012345678901234567890"][Int(rng.next() % 10)]
        case 1, 2, 3: return String(Int64(bitPattern: rng.next()) % 1000)
        case 4: return String(Int64(bitPattern: rng.next()) >> Int(rng.next() % 64))
        case 5: return "\(rng.next() % 100).\(rng.next() % 1_000_000)"
        case 6: return "\(Int(rng.next() % 9) + 1)e\(Int(rng.next() % 640) - 330)"
        case 7: return "-\(rng.next() % 10).\(rng.next() % 100)E+\(rng.next() % 30)"
        default: return String((rng.unit() - 0.5) * pow(10, Double(Int(rng.next() % 40) - 20)))
        }
    }

    /// Whitespace between tokens: mostly none or a space, sometimes newlines and tabs.
    static func space(_ rng: inout SplitMix64) -> String {
        ["", "", " ", " ", "\n", "\n  ", "\t", "\r\n "][Int(rng.next() % 8)]
    }

    /// A random list of the given shape (`levels` deep), mostly rectangular numbers; now and
    /// then a ragged row, an empty list, a string, `null`, `true`, an object or a deeper list.
    static func list(_ rng: inout SplitMix64, shape: ArraySlice<Int>) -> String {
        guard var count = shape.first else { return number(&rng) }
        if rng.next() % 25 == 0 { count = Int(rng.next() % 4) }  // ragged or empty
        let entries = (0..<count).map { _ -> String in
            switch rng.next() % 60 {
            case 0: return "\"x\\u00e9\""
            case 1: return "null"
            case 2: return "true"
            case 3: return "{\"k\": [1, 2]}"
            case 4: return "[" + number(&rng) + "]"
            default: return list(&rng, shape: shape.dropFirst())
            }
        }
        return "[" + space(&rng) + entries.joined(separator: space(&rng) + "," + space(&rng)) + space(&rng) + "]"
    }

    /// A random document: an object of random lists, or one list.
    static func document(_ rng: inout SplitMix64) -> String {
        func shape() -> [Int] { (0..<Int(rng.next() % 4)).map { _ in Int(rng.next() % 4) + 1 } }
        if rng.next() % 3 == 0 { return list(&rng, shape: shape()[...]) }
        let members = (0..<Int(rng.next() % 5)).map { k in "\"m\(k)\":" + space(&rng) + list(&rng, shape: shape()[...]) }
        return "{" + space(&rng) + members.joined(separator: "," + space(&rng)) + "}"
    }

    /// `text` with one random change: a byte deleted or inserted, or the text cut short.
    static func corrupted(_ text: String, _ rng: inout SplitMix64) -> String {
        var bytes = Array(text.utf8)
        guard !bytes.isEmpty else { return text }
        let at = Int(rng.next() % UInt64(bytes.count))
        switch rng.next() % 3 {
        case 0: bytes.remove(at: at)
        case 1:
            let inserted = Array("[],-.eE0\"x{ ".utf8)
            bytes.insert(inserted[Int(rng.next() % UInt64(inserted.count))], at: at)
        default: bytes.removeSubrange(at...)
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The result of a reader on `text`: the tree, or the error's message.
    static func read(_ text: String, packing: Bool) -> Result<DocumentNode?, DocumentError> {
        Result { () throws(DocumentError) -> DocumentNode? in try JSONParser.parse(text, packing: packing) }
    }

    /// `FieldReader.numericArray` on `node`: shape and numbers (bit patterns), or the error.
    static func numeric(_ node: DocumentNode) -> Result<[[UInt64]], GameFileError> {
        Result { () throws(GameFileError) -> [[UInt64]] in
            let array = try FieldReader(file: "f.json").numericArray(node, "field")
            return [array.shape.map { UInt64($0) }, array.elements.map(\.bitPattern)]
        }
    }

    /// Compares both readers on `text`: the same tree (positions and bits) or the same error;
    /// blocks exactly where the lists are rectangular; the same `numericArray` results for
    /// every value of the document's top level.
    static func compareReaders(_ text: String, blocks: inout Int) -> Bool {
        switch (read(text, packing: true), read(text, packing: false)) {
        case let (.failure(x), .failure(y)): return x == y
        case let (.success(x?), .success(y?)):
            guard identical(expanded(x), y), packsExactlyTheRectangularLists(x, y, blocks: &blocks) else { return false }
            let tops: [(DocumentNode, DocumentNode)]
            if case let .object(a) = x.value, case let .object(b) = y.value {
                tops = zip(a, b).map { ($0.value, $1.value) }
            } else {
                tops = [(x, y)]
            }
            return tops.allSatisfy { numeric($0.0) == numeric($0.1) }
        case (.success(nil), .success(nil)): return true
        default: return false
        }
    }

    // MARK: Tests

    @Test func packingReaderAgreesWithThePerNodeReaderOnRandomDocuments() {
        let seed = TestSeed()
        var rng = seed.generator
        var blocks = 0
        for trial in 0..<1500 {
            let text = Self.document(&rng)
            #expect(Self.compareReaders(text, blocks: &blocks), "seed \(seed), trial \(trial): \(text)")
        }
        #expect(blocks > 1000, "seed \(seed): only \(blocks) packed blocks met; the generator should mostly make rectangular lists")
    }

    @Test func corruptedDocumentsFailOrReadAlikeInBothReaders() {
        let seed = TestSeed()
        var rng = seed.generator
        var failures = 0, blocks = 0
        for trial in 0..<1500 {
            let text = Self.corrupted(Self.document(&rng), &rng)
            if case .failure = Self.read(text, packing: false) { failures += 1 }
            #expect(Self.compareReaders(text, blocks: &blocks), "seed \(seed), trial \(trial): \(text)")
        }
        #expect(failures > 500, "seed \(seed): only \(failures) corrupted documents failed")
    }

    @Test func handWrittenBlocks() throws {
        let text = "{\"a\": [[1, 2.5, -0],\n [3, 4, 5e-324]], \"b\": [1, \"x\"], \"c\": [[1], [2, 3]], \"d\": [], \"e\": [1e400]}"
        let root = try #require(try DocumentReader.parseJSON(text))
        guard case let .object(pairs) = root.value, pairs.count == 5 else { Issue.record("not five members"); return }
        guard case let .numbers(a) = pairs[0].value.value else { Issue.record("a is not packed"); return }
        #expect(a.shape == [2, 3] && a.elements.map(\.bitPattern) == [1, 2.5, -0.0, 3, 4, 5e-324].map(\.bitPattern))
        // Its nodes keep their positions: the second row starts on line 2, column 2.
        #expect(a.nodes.count == 2 && a.nodes[1].position == FilePosition(line: 2, column: 2))
        #expect(a.nodes[1].value.items?[2].position == FilePosition(line: 2, column: 9))
        #expect(pairs[0].value.value.kindDescription == "a list of 2 entries")
        guard case .array = pairs[1].value.value, case let .array(c) = pairs[2].value.value else { Issue.record("b or c packed"); return }
        // A ragged list is per-node, but its rows are packed blocks of their own.
        #expect(c.allSatisfy { if case .numbers = $0.value { true } else { false } })
        guard case .array = pairs[3].value.value, case .array = pairs[4].value.value else { Issue.record("d or e packed"); return }
        // Equality and hashing see a block as the list it stands for.
        let plain = try #require(try JSONParser.parse(text, packing: false))
        #expect(root == plain && root.hashValue == plain.hashValue)
    }

    @Test func fieldErrorsNameTheSameEntryAsBefore() throws {
        // An entry that is not a number, a ragged row, an overflowing number: the packing
        // reader leaves these lists per node, so the error names the entry and its position.
        for (text, message) in [("[[1, 2], [3, \"x\"]]", "field[1][1]"), ("[[1, 2], [3]]", "field[1]"),
                                ("[[1, 2], [3, 1e999]]", "field[1][1]"), ("[[[1]], [2]]", "field[1]")] {
            let node = try #require(try DocumentReader.parseJSON(text))
            let plain = try #require(try JSONParser.parse(text, packing: false))
            #expect(Self.numeric(node) == Self.numeric(plain), "\(text)")
            guard case let .failure(error) = Self.numeric(node) else { Issue.record("accepted \(text)"); continue }
            #expect(error.field == message && error.position != nil, "\(text): \(error)")
        }
    }

    /// Regression: the first entries of a ragged list claimed more numbers than an `Int` holds
    /// (`7000⁵`), and reserving room for them trapped on overflow; now it is an error naming
    /// the ragged entry, in YAML and JSON alike.
    @Test func raggedListsClaimingHugeShapesAreErrorsNotTraps() throws {
        var inner = "[" + Array(repeating: "1", count: 7000).joined(separator: ",") + "]"
        for _ in 0..<4 { inner = "[" + ([inner] + Array(repeating: "1", count: 6999)).joined(separator: ",") + "]" }
        for json in [true, false] {
            let node = try #require(json ? try DocumentReader.parseJSON(inner) : try DocumentReader.parseYAML(inner))
            guard case let .failure(error) = Self.numeric(node) else { Issue.record("accepted a ragged list"); continue }
            #expect(error.field == "field[0][0][0][1]" && error.message.contains("has shape []"), "\(error)")
        }
    }

    /// Blocks of 4,000 to 30,000 numbers, where a block grows to the capacity estimated from
    /// the rest of the text instead of doubling: the same tree and numbers as the per-node
    /// reader whether the estimate is short (a denser list follows), long (a list of long
    /// numbers, then text) or wasted (the try fails at its last entry).
    @Test func largeBlocksReadAlikeWhateverTheEstimate() throws {
        let seed = TestSeed()
        var rng = seed.generator
        var blocks = 0
        func finite() -> String {
            rng.next() % 2 == 0 ? String(rng.next() % 1000) : String((rng.unit() - 0.5) * pow(10, Double(Int(rng.next() % 40) - 20)))
        }
        for trial in 0..<8 {
            let rows = 1000 + Int(rng.next() % 6500)
            let wide = (0..<rows).map { _ in "[" + (0..<4).map { _ in finite() }.joined(separator: ",") + "]" }
            let narrow = (0..<(4000 + Int(rng.next() % 8000))).map { _ in String(rng.next() % 10) }
            let spoiled = trial % 2 == 0
            let text = "{\"wide\": [" + wide.joined(separator: ", ") + "], \"narrow\": [" + narrow.joined(separator: ",")
                + (spoiled ? ",\"x\"" : "") + "], \"tail\": \"" + String(repeating: "t", count: Int(rng.next() % 50_000)) + "\"}"
            #expect(Self.compareReaders(text, blocks: &blocks), "seed \(seed), trial \(trial)")
            let root = try #require(try JSONParser.parse(text, packing: true))
            guard case let .object(pairs) = root.value, case let .numbers(block) = pairs[0].value.value else {
                Issue.record("seed \(seed), trial \(trial): the wide list is not one block")
                continue
            }
            #expect(block.shape == [rows, 4], "seed \(seed), trial \(trial)")
            if case .numbers = pairs[1].value.value { #expect(!spoiled) } else { #expect(spoiled) }
        }
        for (count, consumed, remaining) in [(4096, 40_960, 0), (4096, 4096, 1 << 20), (5000, 100, 7), (4096, 1 << 30, 1 << 30)] {
            let grown = JSONParser.grownCapacity(count: count, consumed: consumed, remaining: remaining)
            #expect(grown >= 2 * count && grown > count + remaining / max(2, consumed / count), "\(count) \(consumed) \(remaining)")
        }
    }

    /// Blocks whose counts sit at the edges of the packing's chunks (256 numbers) and of the
    /// block's growth (doubling to 4,096 numbers, then the estimate), flat and in rows of 3,
    /// followed by text or by a spoiling entry: the numbers are those `Double(_:)` reads from
    /// their text, bit for bit, and the tree is the per-node reader's.
    @Test func blocksAtTheStorageGrowthEdgesHoldTheirNumbers() throws {
        var rng = SplitMix64(seed: 1818)
        var blocks = 0
        for count in [1, 2, 85, 86, 255, 256, 257, 512, 513, 4095, 4096, 4097, 8193, 12_289] {
            for (rows, spoiled) in [(false, false), (true, false), (false, true)] {
                let texts = (0..<(rows ? 3 * count : count)).map { _ in
                    String((rng.unit() - 0.5) * pow(10, Double(Int(rng.next() % 30) - 15)))
                }
                let list = rows
                    ? stride(from: 0, to: texts.count, by: 3).map { "[" + texts[$0..<($0 + 3)].joined(separator: ", ") + "]" }
                    : texts
                let text = "{\"a\": [" + list.joined(separator: ",") + (spoiled ? ", null" : "") + "], \"b\": \"text\"}"
                #expect(Self.compareReaders(text, blocks: &blocks), "\(count) \(rows) \(spoiled)")
                let root = try #require(try JSONParser.parse(text, packing: true))
                guard case let .object(pairs) = root.value else {
                    Issue.record("\(count): not an object")
                    continue
                }
                if spoiled {
                    if case .numbers = pairs[0].value.value { Issue.record("\(count): a spoiled list packed") }
                    continue
                }
                guard case let .numbers(block) = pairs[0].value.value else {
                    Issue.record("\(count) \(rows): not one block")
                    continue
                }
                #expect(block.shape == (rows ? [count, 3] : [count]), "\(count) \(rows)")
                let expected = texts.compactMap(Double.init).map(\.bitPattern)
                #expect(expected.count == texts.count && block.elements.map(\.bitPattern) == expected, "\(count) \(rows)")
            }
        }
    }

    /// A list nested 190 deep whose last entry spoils every level's try: the reader stops
    /// trying after reading the text's size again, and the tree is still the per-node one.
    @Test func failedTriesAreBoundedAndHarmless() throws {
        let numbers = Array(repeating: "0.5", count: 20_000).joined(separator: ",")
        let text = String(repeating: "[", count: 190) + numbers + ",\"x\"" + String(repeating: "]", count: 190)
        let packed = try #require(try JSONParser.parse(text, packing: true))
        let plain = try #require(try JSONParser.parse(text, packing: false))
        #expect(Self.identical(Self.expanded(packed), plain))
    }
}
