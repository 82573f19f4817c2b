/// A strict JSON parser (RFC 8259) that builds the same ``DocumentNode`` tree as the
/// YAML reader, with the line and column of every value, so errors in JSON game
/// files name their position like YAML ones.
///
/// Rules: one value per document (surrounding whitespace and a leading UTF-8 byte
/// order mark allowed); objects keep their keys in file order and reject duplicate
/// keys (as the YAML reader does); strings decode every JSON escape, including
/// surrogate pairs, and reject raw control characters and lone surrogates; numbers
/// follow JSON's grammar exactly (no leading `+`, no leading zeros, no `.5`, no
/// `NaN`); nesting is limited to ``maximumDepth`` levels.
///
/// Speed: one pass over the UTF-8 bytes, no exceptions for control flow. A
/// 10,000-state garnet file (23 MB) parses in well under a second, where
/// Foundation's `JSONDecoder` through a `Decodable` tree took ≈ 7 s.
///
/// Packed arrays: a non-empty rectangular array of finite numbers (the shape taken from the
/// first entry at each depth, as ``FieldReader/numericArray(_:_:)`` reads it) becomes one
/// ``DocumentValue/numbers(_:)`` node holding the numbers flat, instead of a node per number
/// and an array per row (about 7 bytes of memory per byte of text before, whose page faults
/// dominated the reading of large games). Every array is first tried that way; on anything
/// else (a string, an object, a ragged row, a number out of range, a syntax error) the
/// reader goes back to the `[` and reads the array node by node, so errors and the tree are
/// exactly those of the per-node reader. The bytes read again after failed tries are
/// bounded by the text's size plus ``packingAllowance`` (then no more tries): reading stays
/// linear in the text.
struct JSONParser {
    /// The deepest nesting accepted.
    static let maximumDepth = 200
    /// Bytes that failed packing tries may read again beyond the text's own size (1 MiB):
    /// small documents are never cut short of packing, large ones read at most twice.
    static let packingAllowance = 1 << 20

    /// The text's UTF-8 bytes, read in place (no copy of the text).
    private let bytes: UnsafeBufferPointer<UInt8>
    /// The text, kept by packed blocks to rebuild their nodes; `nil`: pack nothing.
    private let source: JSONText?
    private var index = 0
    private var line = 1
    private var lineStart = 0
    /// Bytes that failed tries to pack may still read again before packing stops.
    private var packingBudget: Int

    private init(_ bytes: UnsafeBufferPointer<UInt8>, source: JSONText?) {
        self.bytes = bytes
        self.source = source
        self.packingBudget = source == nil ? 0 : bytes.count + Self.packingAllowance
    }

    /// Parses `text`; `nil` when it holds only whitespace. Rectangular numeric arrays are
    /// packed (``DocumentValue/numbers(_:)``) unless `packing` is `false`.
    static func parse(_ text: String, packing: Bool = true) throws(DocumentError) -> DocumentNode? {
        let source = JSONText(text)
        return try source.withBytes { buffer throws(DocumentError) in
            var parser = JSONParser(buffer, source: packing ? source : nil)
            return try parser.document()
        }
    }

    /// The outermost entries of the packed block at `origin`, read node by node from its text
    /// (`nil` only if the text no longer reads as a list there, which cannot happen).
    static func items(of origin: NumberBlock.Origin) -> [DocumentNode]? {
        try? origin.text.withBytes { buffer throws(DocumentError) -> [DocumentNode]? in
            var parser = JSONParser(buffer, source: nil)
            parser.index = origin.offset
            parser.line = origin.line
            parser.lineStart = origin.lineStart
            guard origin.offset < buffer.count, case let .array(items) = try parser.value(depth: origin.depth).value else { return nil }
            return items
        }
    }

    /// The document's one value, after an optional byte order mark.
    private mutating func document() throws(DocumentError) -> DocumentNode? {
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) {
            index = 3
            lineStart = 3
        }
        skipWhitespace()
        guard index < bytes.count else { return nil }
        let root = try value(depth: 0)
        skipWhitespace()
        guard index == bytes.count else {
            throw error("unexpected \(describeCurrent()) after the document's value")
        }
        return root
    }

    // MARK: Positions and errors

    private var position: FilePosition { FilePosition(line: line, column: index - lineStart + 1) }

    private func error(_ message: String) -> DocumentError {
        .syntax("\(position): \(message)")
    }

    private func describeCurrent() -> String {
        guard index < bytes.count else { return "end of file" }
        let b = bytes[index]
        if b >= 0x20, b < 0x7F { return "'\(Character(Unicode.Scalar(b)))'" }
        return "byte 0x\(String(b, radix: 16, uppercase: true))"
    }

    private mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0D:
                index += 1
            case 0x0A:
                index += 1
                line += 1
                lineStart = index
            default:
                return
            }
        }
    }

    // MARK: Values

    private mutating func value(depth: Int) throws(DocumentError) -> DocumentNode {
        guard depth < Self.maximumDepth else { throw error("nesting deeper than \(Self.maximumDepth) levels") }
        let at = position
        guard index < bytes.count else { throw error("expected a value, found the end of the file") }
        switch bytes[index] {
        case UInt8(ascii: "{"): return DocumentNode(try object(depth: depth), at: at)
        case UInt8(ascii: "["):
            if packingBudget > 0, let block = packedArray(depth: depth) { return DocumentNode(.numbers(block), at: at) }
            return DocumentNode(try array(depth: depth), at: at)
        case UInt8(ascii: "\""): return DocumentNode(.string(try string()), at: at)
        case UInt8(ascii: "t"): try literal("true"); return DocumentNode(.bool(true), at: at)
        case UInt8(ascii: "f"): try literal("false"); return DocumentNode(.bool(false), at: at)
        case UInt8(ascii: "n"): try literal("null"); return DocumentNode(.null, at: at)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return DocumentNode(.number(try number()), at: at)
        default: throw error("expected a value, found \(describeCurrent())")
        }
    }

    private mutating func literal(_ word: String) throws(DocumentError) {
        let w = Array(word.utf8)
        guard index + w.count <= bytes.count, bytes[index..<(index + w.count)].elementsEqual(w) else {
            throw error("expected '\(word)', found \(describeCurrent())")
        }
        index += w.count
    }

    private mutating func object(depth: Int) throws(DocumentError) -> DocumentValue {
        index += 1  // {
        var pairs: [(key: String, value: DocumentNode)] = []
        var seen = Set<String>()
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
            index += 1
            return .object(pairs)
        }
        while true {
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else {
                throw error("expected a key in double quotes, found \(describeCurrent())")
            }
            let keyPosition = position
            let key = try string()
            guard seen.insert(key).inserted else {
                throw DocumentError.syntax("\(keyPosition): duplicate key '\(key)'")
            }
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else {
                throw error("expected ':' after the key '\(key)', found \(describeCurrent())")
            }
            index += 1
            skipWhitespace()
            pairs.append((key, try value(depth: depth + 1)))
            skipWhitespace()
            guard index < bytes.count else { throw error("expected ',' or '}', found the end of the file") }
            switch bytes[index] {
            case UInt8(ascii: ","):
                index += 1
                skipWhitespace()
            case UInt8(ascii: "}"):
                index += 1
                return .object(pairs)
            default:
                throw error("expected ',' or '}' after the value of '\(key)', found \(describeCurrent())")
            }
        }
    }

    private mutating func array(depth: Int) throws(DocumentError) -> DocumentValue {
        index += 1  // [
        var items: [DocumentNode] = []
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
            index += 1
            return .array(items)
        }
        while true {
            items.append(try value(depth: depth + 1))
            skipWhitespace()
            guard index < bytes.count else { throw error("expected ',' or ']', found the end of the file") }
            switch bytes[index] {
            case UInt8(ascii: ","):
                index += 1
                skipWhitespace()
            case UInt8(ascii: "]"):
                index += 1
                return .array(items)
            default:
                throw error("expected ',' or ']' after a list entry, found \(describeCurrent())")
            }
        }
    }

    // MARK: Packed arrays

    /// The array at `index` (its `[`, at nesting `depth`) as a packed block, or `nil` with the
    /// position restored when it is not a non-empty rectangular array of finite numbers
    /// within ``maximumDepth`` (the bytes read count against `packingBudget`).
    private mutating func packedArray(depth: Int) -> NumberBlock? {
        let (start, startLine, startLineStart) = (index, line, lineStart)
        let packed = withUnsafeTemporaryAllocation(of: Double.self, capacity: Pack.chunkSize) { chunk -> (shape: [Int], elements: [Double])? in
            guard let base = chunk.baseAddress else { return nil }
            var pack = Pack(chunk: base, start: start)
            guard packLevel(0, depth: depth, &pack) else { return nil }
            pack.flush(consumed: index - start, remaining: bytes.count - index)
            return (pack.shape, pack.elements)
        }
        if let packed, let source {
            let origin = NumberBlock.Origin(text: source, offset: start, line: startLine, lineStart: startLineStart, depth: depth)
            return NumberBlock(shape: packed.shape, elements: packed.elements, origin: origin)
        }
        packingBudget -= index - start + 1
        (index, line, lineStart) = (start, startLine, startLineStart)
        return nil
    }

    /// What a packing try has read: each level's length (`-1` until its first list closes),
    /// the number of levels once the first number is met (`-1` before), and the numbers.
    ///
    /// The numbers go first into `chunk` (``chunkSize`` numbers on the stack of
    /// ``JSONParser/packedArray(depth:)``), written through a pointer, and from there into
    /// ``elements`` a chunk at a time: an array's `append` checked the array's uniqueness at every
    /// number (a call into the runtime, since the array is reached through the recursion's
    /// `inout`); now once per chunk.
    private struct Pack {
        /// The numbers a chunk holds.
        static let chunkSize = 256
        var shape: [Int] = []
        var levels = -1
        /// Where the block's text starts (for ``JSONParser/grownCapacity(count:consumed:remaining:)``).
        var start = 0
        /// The numbers moved out of the chunk so far.
        private(set) var elements: [Double] = []
        private let chunk: UnsafeMutablePointer<Double>
        private var pending = 0

        init(chunk: UnsafeMutablePointer<Double>, start: Int) {
            self.chunk = chunk
            self.start = start
        }

        /// Appends `x`; `consumed` and `remaining` are the bytes of the text read since the
        /// block's start and left after `x`, for the capacity's estimate.
        @inline(__always)
        mutating func append(_ x: Double, consumed: Int, remaining: Int) {
            if pending == Self.chunkSize { flush(consumed: consumed, remaining: remaining) }
            (chunk + pending).initialize(to: x)
            pending += 1
        }

        /// Moves the chunk's numbers to ``elements``. Once the array holds 4,096 numbers, a
        /// full array grows to ``JSONParser/grownCapacity(count:consumed:remaining:)`` instead
        /// of doubling.
        mutating func flush(consumed: Int, remaining: Int) {
            guard pending > 0 else { return }
            let count = elements.count
            if count + pending > elements.capacity, count >= 4096 {
                elements.reserveCapacity(JSONParser.grownCapacity(count: count, consumed: consumed, remaining: remaining))
            }
            elements.append(contentsOf: UnsafeBufferPointer(start: chunk, count: pending))
            pending = 0
        }
    }

    /// The capacity a packed block grows to once its `count` numbers (at least 4,096) fill it:
    /// room for as many numbers as the `remaining` bytes hold at the density of the `consumed`
    /// ones, and at least twice the count. A large block then grows about once instead of
    /// doubling five or more times, each time copying its numbers into fresh pages (about
    /// 150 page faults and 0.5 MB of copying for the 200-state garnet's rows;
    /// Docs/Performance.md, "The process around the solve"). The estimate can exceed what
    /// the block needs only by the numbers that the rest of the text holds.
    static func grownCapacity(count: Int, consumed: Int, remaining: Int) -> Int {
        let bytesPerNumber = max(2, consumed / max(1, count))
        return max(2 * count, count + remaining / bytesPerNumber + 1)
    }

    /// One list at `level` of a packing try (`index` at its `[`); `false` at the first thing
    /// that does not fit. Lists of the same level must have the same length, and every number
    /// must sit at the same depth.
    private mutating func packLevel(_ level: Int, depth: Int, _ pack: inout Pack) -> Bool {
        guard depth < Self.maximumDepth, depth + 1 < Self.maximumDepth else { return false }
        if level == pack.shape.count { pack.shape.append(-1) }
        index += 1  // [
        skipWhitespace()
        var count = 0
        while true {
            guard index < bytes.count else { return false }
            let b = bytes[index]
            if b == UInt8(ascii: "[") {
                guard pack.levels == -1 || pack.levels > level + 1, packLevel(level + 1, depth: depth + 1, &pack) else { return false }
            } else if b == UInt8(ascii: "-") || Self.isDigit(b) {
                if pack.levels == -1 { pack.levels = level + 1 }
                guard pack.levels == level + 1, let x = try? number(), x.isFinite else { return false }
                pack.append(x, consumed: index - pack.start, remaining: bytes.count - index)
            } else {
                return false
            }
            count += 1
            skipWhitespace()
            guard index < bytes.count else { return false }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
                skipWhitespace()
            } else if bytes[index] == UInt8(ascii: "]") {
                index += 1
                break
            } else {
                return false
            }
        }
        if pack.shape[level] == -1 { pack.shape[level] = count }
        return pack.shape[level] == count
    }

    private static func isDigit(_ b: UInt8) -> Bool { b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") }

    /// The value of the eight bytes at `index` when all are ASCII digits (`"12345678"` is
    /// 12,345,678), else `nil` (also when fewer than eight bytes are left): one load, one test
    /// and three multiplications instead of eight turns of a loop (Docs/Performance.md, section 4,
    /// "Fifth round"; the technique of simdjson's `parse_eight_digits_unrolled`).
    @inline(__always)
    static func eightDigits(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int) -> UInt64? {
        guard index >= 0, bytes.count - index >= 8, let base = bytes.baseAddress else { return nil }
        let word = UInt64(littleEndian: UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self))
        // Every byte in 0x30…0x39: its high nibble is 3, and adding 6 keeps it 3.
        let high: UInt64 = 0xF0F0_F0F0_F0F0_F0F0
        guard (word & high) | (((word &+ 0x0606_0606_0606_0606) & high) >> 4) == 0x3333_3333_3333_3333 else { return nil }
        var v = word & 0x0F0F_0F0F_0F0F_0F0F
        v = (v &* 2561) >> 8                                          // pairs: 10·d₀ + d₁
        v = ((v & 0x00FF_00FF_00FF_00FF) &* 6_553_601) >> 16           // quads: 100·p₀ + p₁
        return ((v & 0x0000_FFFF_0000_FFFF) &* 42_949_672_960_001) >> 32  // 10⁴·q₀ + q₁
    }

    /// `10^k` for `k` in `0…22`, each exactly representable.
    private static let powersOfTen: [Double] = (0...22).map { k in (0..<k).reduce(1.0) { x, _ in x * 10 } }

    /// `10^k` for `k` in `0…19`, as integers.
    private static let integerPowersOfTen: [UInt64] = (0...19).map { k in (0..<k).reduce(1) { x, _ in x * 10 } }

    /// `m / 10^scale` correctly rounded (to nearest, ties to even), for `m > 0` and `scale` in
    /// `1…19`: `m` is shifted to 117–118 bits and divided exactly by `10^scale` (< 2⁶⁴), which
    /// leaves a quotient of at least 54 bits; its top 53 bits are rounded by the bits below and
    /// the remainder (sticky), and the result is scaled by a power of two (exact: it is at
    /// least 10⁻¹⁹, far from the subnormals).
    static func quotient(_ m: UInt64, scale: Int) -> Double {
        let shift = 118 - (64 - m.leadingZeroBitCount)
        let (q, r) = (UInt128(m) << shift).quotientAndRemainder(dividingBy: UInt128(integerPowersOfTen[scale]))
        var drop = (128 - q.leadingZeroBitCount) - 53
        var significand = UInt64(truncatingIfNeeded: q >> drop)
        let rest = q & ((1 << drop) - 1), half = UInt128(1) << (drop - 1)
        if rest > half || (rest == half && (r != 0 || significand & 1 == 1)) { significand += 1 }
        if significand == 1 << 53 {
            significand >>= 1
            drop += 1
        }
        return Double(sign: .plus, exponent: drop - shift, significand: Double(significand))
    }

    /// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`, converted by the standard
    /// library's correctly rounded decimal conversion.
    ///
    /// Fast path (Clinger's): when the digits form an integer `M ≤ 2⁵³` and the decimal
    /// exponent `e` is in `-22…22`, `M·10^e` is one correctly rounded operation on exact
    /// operands (every power of ten up to 10²² is a `Double`). Integers and short decimals
    /// take it. Other numbers of at most 19 digits without an exponent (the 17 significant
    /// digits of printed doubles) take ``quotient(_:scale:)``; anything else goes through the
    /// standard library's conversion.
    private mutating func number() throws(DocumentError) -> Double {
        let start = index
        let negative = bytes[index] == UInt8(ascii: "-")
        if negative { index += 1 }
        guard index < bytes.count, Self.isDigit(bytes[index]) else { throw error("expected a digit after '-'") }
        var mantissa: UInt64 = 0
        var digits = 0
        var scale = 0  // digits after the point
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
            if index < bytes.count, Self.isDigit(bytes[index]) { throw error("a number cannot have a leading zero") }
        } else {
            while index < bytes.count, Self.isDigit(bytes[index]) {
                mantissa = mantissa &* 10 &+ UInt64(bytes[index] &- UInt8(ascii: "0"))
                digits += 1
                index += 1
            }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            guard index < bytes.count, Self.isDigit(bytes[index]) else { throw error("expected a digit after '.'") }
            // Eight digits at a time while there are (the 17 of a printed probability: two steps and one
            // digit), the same wrapped mantissa as eight steps of the loop below (m·10⁸ + d mod 2⁶⁴).
            while let eight = Self.eightDigits(bytes, at: index) {
                mantissa = mantissa &* 100_000_000 &+ eight
                digits += 8
                scale += 8
                index += 8
            }
            while index < bytes.count, Self.isDigit(bytes[index]) {
                mantissa = mantissa &* 10 &+ UInt64(bytes[index] &- UInt8(ascii: "0"))
                digits += 1
                scale += 1
                index += 1
            }
        }
        var exponentGiven = false
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            exponentGiven = true
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard index < bytes.count, Self.isDigit(bytes[index]) else { throw error("expected a digit in the exponent") }
            while index < bytes.count, Self.isDigit(bytes[index]) { index += 1 }
        }
        // 19 digits cannot overflow a UInt64 (leading zeros of a fraction count too, harmlessly).
        if !exponentGiven, digits <= 19, mantissa <= 1 << 53, scale <= 22 {
            let magnitude = scale == 0 ? Double(mantissa) : Double(mantissa) / Self.powersOfTen[scale]
            return negative ? -magnitude : magnitude
        }
        // Up to 19 digits, at most 19 after the point (printed doubles: 17 significant digits):
        // an exact integer division, rounded once.
        if !exponentGiven, digits <= 19 {
            let magnitude = scale == 0 ? Double(mantissa) : Self.quotient(mantissa, scale: scale)
            return negative ? -magnitude : magnitude
        }
        let text = String(decoding: bytes[start..<index], as: UTF8.self)
        // Valid grammar always converts (overflow gives ±infinity, rejected later by the field that reads it).
        guard let x = Double(text) else { throw error("cannot read the number \(text)") }
        return x
    }

    /// A JSON string at `index` (the opening quote), escapes decoded.
    ///
    /// A documented hot kernel (Docs/Development.md): the reader's byte loop, about half of a
    /// large game's load time, kept whole with its escape-free fast path.
    private mutating func string() throws(DocumentError) -> String {
        index += 1  // opening quote
        let start = index
        // Fast path: no escapes.
        while index < bytes.count {
            let b = bytes[index]
            if b == UInt8(ascii: "\"") {
                let s = try decodeUTF8(start..<index)
                index += 1
                return s
            }
            if b == UInt8(ascii: "\\") { break }
            if b < 0x20 { throw error("a control character (0x\(String(b, radix: 16, uppercase: true))) must be escaped inside a string") }
            index += 1
        }
        // Slow path: escapes.
        var scalars = Array(bytes[start..<index])
        while true {
            guard index < bytes.count else { throw error("unterminated string") }
            let b = bytes[index]
            switch b {
            case UInt8(ascii: "\""):
                index += 1
                return try decodeUTF8Bytes(scalars)
            case UInt8(ascii: "\\"):
                index += 1
                guard index < bytes.count else { throw error("unterminated string") }
                let e = bytes[index]
                index += 1
                switch e {
                case UInt8(ascii: "\""): scalars.append(0x22)
                case UInt8(ascii: "\\"): scalars.append(0x5C)
                case UInt8(ascii: "/"): scalars.append(0x2F)
                case UInt8(ascii: "b"): scalars.append(0x08)
                case UInt8(ascii: "f"): scalars.append(0x0C)
                case UInt8(ascii: "n"): scalars.append(0x0A)
                case UInt8(ascii: "r"): scalars.append(0x0D)
                case UInt8(ascii: "t"): scalars.append(0x09)
                case UInt8(ascii: "u"):
                    var code = try hex4()
                    if code >= 0xD800, code < 0xDC00 {
                        guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else {
                            throw error("a high surrogate \\u\(String(code, radix: 16)) must be followed by a low one")
                        }
                        index += 2
                        let low = try hex4()
                        guard low >= 0xDC00, low < 0xE000 else { throw error("expected a low surrogate, found \\u\(String(low, radix: 16))") }
                        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                    } else if code >= 0xDC00, code < 0xE000 {
                        throw error("a lone low surrogate \\u\(String(code, radix: 16))")
                    }
                    guard let scalar = Unicode.Scalar(code) else { throw error("invalid code point") }
                    scalars.append(contentsOf: Array(String(Character(scalar)).utf8))
                default:
                    index -= 1
                    throw error("unknown escape '\\\(Character(Unicode.Scalar(e)))'")
                }
            default:
                if b < 0x20 { throw error("a control character (0x\(String(b, radix: 16, uppercase: true))) must be escaped inside a string") }
                scalars.append(b)
                index += 1
            }
        }
    }

    private mutating func hex4() throws(DocumentError) -> UInt32 {
        guard index + 4 <= bytes.count else { throw error("expected 4 hexadecimal digits after \\u") }
        var code: UInt32 = 0
        for _ in 0..<4 {
            let b = bytes[index]
            let digit: UInt32
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(b - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(b - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(b - UInt8(ascii: "A") + 10)
            default: throw error("expected 4 hexadecimal digits after \\u")
            }
            code = code << 4 | digit
            index += 1
        }
        return code
    }

    private func decodeUTF8(_ range: Range<Int>) throws(DocumentError) -> String {
        try decodeUTF8Bytes(bytes[range])
    }

    /// The input came from a Swift `String`, so it is valid UTF-8, strings are cut at
    /// ASCII delimiters and escapes add whole scalars: decoding never repairs anything.
    private func decodeUTF8Bytes<C: Collection>(_ utf8: C) throws(DocumentError) -> String where C.Element == UInt8 {
        String(decoding: utf8, as: UTF8.self)
    }
}
