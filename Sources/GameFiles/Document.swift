#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#elseif canImport(Musl)
import Musl
#endif
import Foundation
import NumberText
import Yams

/// A position in a game file (1-based line and column), when known.
public struct FilePosition: Sendable, Hashable, CustomStringConvertible {
    /// 1-based line.
    public var line: Int
    /// 1-based column.
    public var column: Int
    /// `line L, column C`.
    public var description: String { "line \(line), column \(column)" }
}

/// A parsed YAML or JSON document before interpretation: the same tree for
/// both syntaxes, with positions where the parser gives them (YAML).
///
/// Not `indirect`: the recursion goes through arrays, so a scalar is stored inline in its
/// parent's array instead of in a heap box of its own (one allocation less per number).
package enum DocumentValue: Sendable, Hashable {
    /// `null` / `~` / an empty value.
    case null
    /// `true` / `false`.
    case bool(Bool)
    /// A number.
    case number(Double)
    /// A string (an unquoted YAML scalar that is not a number, bool or null, or a quoted one).
    case string(String)
    /// A sequence.
    case array([DocumentNode])
    /// A non-empty rectangular array of finite numbers (at any depth), read from JSON and
    /// stored flat: the same list as ``array(_:)`` would hold, at 8 bytes a number instead of
    /// a node (and an array) per entry. ``items`` gives its entries as nodes, with their
    /// positions; ``NumberBlock/shape`` and ``NumberBlock/elements`` give the numbers.
    case numbers(NumberBlock)
    /// A mapping with string keys, in file order.
    case object([(key: String, value: DocumentNode)])

    /// Equal kinds with equal contents.
    package static func == (a: DocumentValue, b: DocumentValue) -> Bool {
        switch (a, b) {
        case (.null, .null): true
        case let (.bool(x), .bool(y)): x == y
        case let (.number(x), .number(y)): x == y
        case let (.string(x), .string(y)): x == y
        case let (.array(x), .array(y)): x == y
        case let (.numbers(x), .numbers(y)) where x === y: true
        case (.array, .numbers), (.numbers, .array), (.numbers, .numbers): a.items == b.items
        case let (.object(x), .object(y)): x.map(\.key) == y.map(\.key) && x.map(\.value) == y.map(\.value)
        default: false
        }
    }

    /// Hashes what `==` compares.
    package func hash(into h: inout Hasher) {
        switch self {
        case .null: h.combine(0)
        case let .bool(x): h.combine(x)
        case let .number(x): h.combine(x)
        case let .string(x): h.combine(x)
        case let .array(x): h.combine(x)
        case let .numbers(x): h.combine(x.nodes)  // as the same list written out, so equal values hash alike
        case let .object(x): for (k, v) in x { h.combine(k); h.combine(v) }
        }
    }

    /// A short description of the kind of value, for error messages.
    package var kindDescription: String {
        switch self {
        case .null: "nothing (null)"
        case let .bool(b): "the boolean \(b)"
        case let .number(x): "the number \(DocumentValue.format(x))"
        case let .string(s): "the text '\(s.count > 40 ? String(s.prefix(40)) + "…" : s)'"
        case let .array(a): "a list of \(a.count) entries"
        case let .numbers(b): "a list of \(b.shape[0]) entries"
        case let .object(o): "a mapping with \(o.count) keys"
        }
    }

    static func format(_ x: Double) -> String { numberText(x) }

    /// The entries of a list (``array(_:)``, or ``numbers(_:)`` written out as nodes with
    /// their positions); `nil` for anything else.
    package var items: [DocumentNode]? {
        switch self {
        case let .array(items): items
        case let .numbers(block): block.nodes
        default: nil
        }
    }
}

/// A non-empty rectangular array of finite numbers read from JSON in one pass, stored flat
/// (``DocumentValue/numbers(_:)``): its shape, its entries in row-major order, and where its
/// text starts, so that its entries can be rebuilt as nodes with the positions the per-node
/// reader gives them (``nodes``) when a reader needs them one by one (error messages, short
/// lists such as a grid's sides). Immutable, behind one reference: a node stays 32 bytes.
package final class NumberBlock: Sendable {
    /// The length of each level, outermost first (at least one level, none empty).
    package let shape: [Int]
    /// The entries in row-major order (`shape`'s product of them), all finite.
    package let elements: [Double]
    /// The text the block was read from, and where its `[` is (byte offset, line, the byte
    /// offset of that line's start, nesting depth); `nil` for a block made in code.
    let origin: Origin?

    /// Where a block's text is.
    struct Origin: Sendable {
        let text: JSONText
        let offset: Int
        let line: Int
        let lineStart: Int
        let depth: Int
    }

    init(shape: [Int], elements: [Double], origin: Origin?) {
        self.shape = shape
        self.elements = elements
        self.origin = origin
    }

    /// A block of `elements` with `shape`, without positions; `nil` unless `shape` has at least
    /// one level, none empty, its product is `elements.count` and every entry is finite.
    package convenience init?(shape: [Int], elements: [Double]) {
        var product = 1
        for side in shape {
            let (p, overflow) = product.multipliedReportingOverflow(by: side)
            guard side > 0, !overflow else { return nil }
            product = p
        }
        guard !shape.isEmpty, product == elements.count, elements.allSatisfy(\.isFinite) else { return nil }
        self.init(shape: shape, elements: elements, origin: nil)
    }

    /// The entries of the outermost level as nodes, exactly as the per-node JSON reader
    /// builds them (nested lists of numbers, each with its line and column); the text is
    /// read again from the block's start. Costs a node per number: for errors and short lists.
    package var nodes: [DocumentNode] {
        if let origin, let items = JSONParser.items(of: origin) { return items }
        return Self.nodes(shape: shape[...], elements: elements[...])
    }

    /// Nodes without positions (a block made in code).
    private static func nodes(shape: ArraySlice<Int>, elements: ArraySlice<Double>) -> [DocumentNode] {
        guard let count = shape.first else { return [] }
        let inner = shape.dropFirst()
        let stride = inner.reduce(1, *)
        return (0..<count).map { i in
            let part = elements[(elements.startIndex + i * stride)..<(elements.startIndex + (i + 1) * stride)]
            if inner.isEmpty { return DocumentNode(.number(part[part.startIndex])) }
            return DocumentNode(.array(nodes(shape: inner, elements: part)))
        }
    }
}

/// The text of a JSON document, kept by the ``NumberBlock``s read from it (one reference
/// for all of them) so that their nodes can be rebuilt with positions.
final class JSONText: Sendable {
    /// The text, in contiguous UTF-8.
    let text: String

    init(_ text: String) {
        var contiguous = text
        contiguous.makeContiguousUTF8()
        self.text = contiguous
    }

    /// Calls `body` with the text's UTF-8 bytes, in place.
    func withBytes<R>(_ body: (UnsafeBufferPointer<UInt8>) throws(DocumentError) -> R) throws(DocumentError) -> R {
        let run = { (buffer: UnsafeBufferPointer<UInt8>) in Result { () throws(DocumentError) -> R in try body(buffer) } }
        if let result = text.utf8.withContiguousStorageIfAvailable(run) { return try result.get() }
        var copy = text  // not reached: the text was made contiguous
        return try copy.withUTF8(run).get()
    }
}

/// A value with its position in the file.
package struct DocumentNode: Sendable, Hashable {
    /// The value.
    package var value: DocumentValue
    /// Where it starts, when known: bit 63 set, the line in bits 32…62 and the column in
    /// bits 0…31 (each saturated), so a node takes 32 bytes instead of 48.
    private var packedPosition: UInt64

    /// Where it starts, when known.
    package var position: FilePosition? {
        get {
            guard packedPosition >> 63 == 1 else { return nil }
            return FilePosition(line: Int((packedPosition >> 32) & 0x7FFF_FFFF), column: Int(packedPosition & 0xFFFF_FFFF))
        }
        set { packedPosition = Self.pack(newValue) }
    }

    /// A node.
    package init(_ value: DocumentValue, at position: FilePosition? = nil) {
        self.value = value
        self.packedPosition = Self.pack(position)
    }

    private static func pack(_ position: FilePosition?) -> UInt64 {
        guard let position else { return 0 }
        let line = UInt64(min(max(position.line, 0), 0x7FFF_FFFF))
        let column = UInt64(min(max(position.column, 0), 0xFFFF_FFFF))
        return 1 << 63 | line << 32 | column
    }
}

/// Reads documents from text.
package enum DocumentReader {
    /// The largest file accepted, in bytes (4 GiB: more than the all-inline JSON of a
    /// 10⁶-state game; large arrays read faster from `.npy` files, see `{file: PATH}`).
    /// Memory grows in proportion to the file: the text, then its document tree.
    package static let maximumSize = 4 << 30

    /// Reads a UTF-8 text file of at most ``maximumSize`` bytes.
    ///
    /// - Throws: ``GameFileError`` naming the file (missing, unreadable, too large, not UTF-8).
    package static func readText(path: String) throws(GameFileError) -> String {
        // lstat, as FileManager's attributesOfItem(atPath:) did: the same size (of a link
        // itself), without the owner and group look-ups through NSS that it also made (four
        // failed connections to nscd and about 2·10⁶ instructions per process start;
        // Docs/Performance.md, "The process around the solve").
        if let problem = InputFileKind.specialFileProblem(path) ?? InputFileKind.folderProblem(path) {
            throw GameFileError(file: path, field: "", message: problem)
        }
        var info = stat()
        if lstat(path, &info) == 0, Int(info.st_size) > maximumSize {
            let size = Int(info.st_size)
            throw GameFileError(file: path, field: "", message: "file is \(size) bytes, expected at most \(maximumSize)")
        }
        let fd: Int32
        switch InputFileKind.open(path) {
        case let .descriptor(opened): fd = opened
        case .special: throw GameFileError(file: path, field: "", message: InputFileKind.specialText)
        case .folder: throw GameFileError(file: path, field: "", message: InputFileKind.folderText)
        case let .failed(code):
            let reason = code == ENOENT ? "no such file" : code == EACCES ? "permission denied" : String(cString: strerror(code))
            throw GameFileError(file: path, field: "", message: "cannot read the file (\(reason))")
        }
        defer { close(fd) }
        if let text = readRegularText(fd) { return text }
        // Not read in place (not a regular file, empty, changing, not all UTF-8): from the start
        // of the same descriptor where it can seek, else (a pipe) from where it is.
        _ = lseek(fd, 0, SEEK_SET)
        let bytes: [UInt8]
        switch InputFileKind.readAll(fd, limit: maximumSize) {
        case let .success(read): bytes = read
        case let .failure(failure): throw GameFileError(file: path, field: "", message: "cannot read the file (\(failure.text))")
        }
        guard bytes.count <= maximumSize else {
            throw GameFileError(file: path, field: "", message: "file is more than \(maximumSize) bytes, expected at most \(maximumSize)")
        }
        guard let text = bytes.withUnsafeBufferPointer({ String(validating: $0, as: UTF8.self) }) else {
            throw GameFileError(file: path, field: "", message: "not UTF-8 text")
        }
        return text
    }

    /// Why ``readRegularText(_:)`` hands a file back to the general path.
    private struct NotReadInPlace: Error {}

    /// A regular file of at most ``maximumSize`` bytes that is valid UTF-8, read straight into
    /// the string's storage: one copy of the text instead of two (`Data`, then `String`), so
    /// half the page faults of a large file (Docs/Performance.md, "The process around the
    /// solve"). `nil` for anything else (not regular, empty, changing size while read, not
    /// UTF-8): ``readText(path:)`` then reads the same descriptor again from its start and
    /// reports the error. The string's initializer would repair invalid UTF-8, so text that is not all
    /// ASCII is validated here first.
    private static func readRegularText(_ fd: Int32) -> String? {
        var info = stat()
        guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
        let size = Int(info.st_size)
        guard size > 0, size <= maximumSize else { return nil }
        return try? String(unsafeUninitializedCapacity: size) { buffer in
            guard let base = buffer.baseAddress else { throw NotReadInPlace() }
            var count = 0
            while count < size {
                let got = read(fd, base + count, size - count)
                if got < 0, errno == EINTR { continue }
                guard got > 0 else { throw NotReadInPlace() }  // an error, or the file shrank
                count += got
            }
            var probe: UInt8 = 0
            guard read(fd, &probe, 1) == 0 else { throw NotReadInPlace() }  // the file grew
            let bytes = UnsafeBufferPointer(start: base, count: count)
            guard isASCII(bytes) || String(validating: bytes, as: UTF8.self) != nil else { throw NotReadInPlace() }
            return count
        }
    }

    /// Whether every byte is below 0x80 (eight at a time).
    private static func isASCII(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = bytes.baseAddress else { return true }
        let words = bytes.count / 8
        var high: UInt64 = 0
        let raw = UnsafeRawPointer(base)
        for w in 0..<words { high |= raw.loadUnaligned(fromByteOffset: w * 8, as: UInt64.self) }
        for i in (words * 8)..<bytes.count { high |= UInt64(base[i]) }
        return high & 0x8080_8080_8080_8080 == 0
    }

    /// Parses a game file's text (JSON when `json`, else YAML) into its root node.
    ///
    /// - Parameters:
    ///   - text: the file's contents.
    ///   - path: the file named in errors.
    ///   - json: read as JSON instead of YAML.
    ///   - reference: the document describing the format, named when the file is empty.
    /// - Throws: ``GameFileError`` for a syntax error (with line and column) or an empty file.
    package static func parseRoot(text: String, path: String, json: Bool, reference: String) throws(GameFileError) -> DocumentNode {
        let root: DocumentNode?
        do {
            root = json ? try parseJSON(text) : try parseYAML(text)
        } catch {
            switch error {
            case let .syntax(message):
                throw GameFileError(file: path, field: "", message: "\(json ? "JSON" : "YAML") syntax error: \(message)")
            }
        }
        guard let root else {
            throw GameFileError(file: path, field: "", message: "the file is empty, expected a game (see \(reference))")
        }
        return root
    }

    /// The most nodes a small YAML document may stand for once its aliases are expanded, keys
    /// included (5,000,000); a larger text may stand for as many nodes as it has bytes
    /// (``expansionLimit(forTextOfSize:)``), so the tree stays proportional to the file, and
    /// the expansion is refused before it is built.
    package static let maximumExpandedValues = 5_000_000

    /// The node limit for a YAML text of `bytes` bytes: ``maximumExpandedValues`` or the
    /// byte count, whichever is larger (without aliases a document has fewer nodes than bytes).
    package static func expansionLimit(forTextOfSize bytes: Int) -> Int { max(maximumExpandedValues, bytes) }

    /// The deepest nesting accepted.
    package static let maximumDepth = 200

    /// Parses YAML text. `nil` for an empty document.
    ///
    /// Aliases are bounded before anything is built: a first pass over the event stream counts
    /// the nodes the document stands for once every alias is expanded (each anchor's size is
    /// counted once and reused), in time proportional to the text, and a document above
    /// ``expansionLimit(forTextOfSize:)`` or deeper than ``maximumDepth`` is refused there. A
    /// "billion laughs" document costs no more than its text. The pass runs only when the text
    /// has both an anchor (`&`) and an alias (`*`) character; without aliases the tree has the
    /// text's size.
    ///
    /// A leading UTF-8 byte order mark is dropped first, as JSON's reader drops it (left in,
    /// it made many documents fail: `line 2, column 1: did not find expected <document start>`).
    package static func parseYAML(_ text: String) throws(DocumentError) -> DocumentNode? {
        if text.unicodeScalars.first == "\u{FEFF}" { return try parseYAML(String(text.unicodeScalars.dropFirst())) }
        let limit = expansionLimit(forTextOfSize: text.utf8.count)
        if text.utf8.contains(UInt8(ascii: "&")), text.utf8.contains(UInt8(ascii: "*")) {
            switch YAMLScan.scan(text, limit: limit, maximumDepth: maximumDepth).outcome {
            case .fine: break
            case .tooLarge: throw .syntax(tooLarge(limit))
            case .tooDeep: throw .syntax(tooDeep)
            }
        }
        let node: Node?
        do {
            node = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw DocumentError.syntax(describe(error))
        } catch {
            throw DocumentError.syntax("\(error)")
        }
        guard let node else { return nil }
        var budget = limit + 1
        return try convert(node, budget: &budget, limit: limit)
    }

    static func tooLarge(_ limit: Int) -> String {
        "document too large (more than \(groupedDigits(limit)) values after expanding aliases)"
    }
    static let tooDeep = "nesting deeper than 200 levels"

    /// `5000000` as `5,000,000`.
    static func groupedDigits(_ x: Int) -> String {
        var digits = Array(String(x))
        var k = digits.count - 3
        while k > 0 { digits.insert(",", at: k); k -= 3 }
        return String(digits)
    }

    /// Parses JSON text (strict RFC 8259, positions for every value,
    /// keys in file order, duplicate keys rejected). `nil` for an empty document.
    package static func parseJSON(_ text: String) throws(DocumentError) -> DocumentNode? {
        try JSONParser.parse(text)
    }

    static func describe(_ error: YamlError) -> String {
        switch error {
        case let .scanner(context, problem, mark, _), let .parser(context, problem, mark, _),
             let .composer(context, problem, mark, _):
            let ctx = context.map { " \($0.text)" } ?? ""
            return "line \(mark.line), column \(mark.column): \(problem)\(ctx)"
        case let .reader(problem, offset, _, _):
            return "\(problem)\(offset.map { " at byte \($0)" } ?? "")"
        case let .duplicatedKeysInMapping(duplicates, context):
            return "line \(context.mark.line): duplicate keys \(duplicates.joined(separator: ", "))"
        default:
            return "\(error)"
        }
    }

    static func position(_ node: Node) -> FilePosition? {
        node.mark.map { FilePosition(line: $0.line, column: $0.column) }  // Yams marks are 1-based
    }

    static func convert(_ node: Node, depth: Int = 0, budget: inout Int, limit: Int) throws(DocumentError) -> DocumentNode {
        budget -= 1
        guard budget > 0 else { throw .syntax(tooLarge(limit)) }
        guard depth < maximumDepth else { throw .syntax(tooDeep) }
        let pos = position(node)
        switch node {
        case let .scalar(scalar):
            let text = scalar.string
            if scalar.style == .plain {
                switch text {
                case "", "~", "null", "Null", "NULL": return DocumentNode(.null, at: pos)
                case "true", "True", "TRUE": return DocumentNode(.bool(true), at: pos)
                case "false", "False", "FALSE": return DocumentNode(.bool(false), at: pos)
                default: break
                }
                if let x = parseNumber(text) { return DocumentNode(.number(x), at: pos) }
            }
            return DocumentNode(.string(text), at: pos)
        case let .sequence(seq):
            var items: [DocumentNode] = []
            for child in seq { items.append(try convert(child, depth: depth + 1, budget: &budget, limit: limit)) }
            return DocumentNode(.array(items), at: pos)
        case let .mapping(map):
            var pairs: [(key: String, value: DocumentNode)] = []
            var seen = Set<String>()
            for (k, v) in map {
                guard case let .scalar(ks) = k else {
                    throw .syntax("\(position(k).map { "\($0): " } ?? "")a key must be plain text")
                }
                guard seen.insert(ks.string).inserted else {
                    throw .syntax("\(position(k).map { "\($0): " } ?? "")duplicate key '\(ks.string)'")
                }
                pairs.append((ks.string, try convert(v, depth: depth + 1, budget: &budget, limit: limit)))
            }
            return DocumentNode(.object(pairs), at: pos)
        case .alias:
            throw .syntax("\(pos.map { "\($0): " } ?? "")unresolved alias")
        }
    }

    /// Decimal and scientific numbers (YAML 1.2 core schema, plus `.inf`/`.nan`
    /// which are read and later rejected as non-finite by the field that uses them).
    static func parseNumber(_ text: String) -> Double? {
        switch text {
        case ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF": return .infinity
        case "-.inf", "-.Inf", "-.INF": return -.infinity
        case ".nan", ".NaN", ".NAN": return .nan
        default: break
        }
        guard let first = text.first, first.isNumber || first == "-" || first == "+" || first == "." else { return nil }
        guard text.allSatisfy({ $0.isNumber || "+-.eE_".contains($0) }) else { return nil }
        return Double(text.replacingOccurrences(of: "_", with: ""))
    }

}

/// A syntax-level problem with a document.
package enum DocumentError: Error, Sendable, Equatable {
    /// The text is not valid YAML/JSON; the message says where (`line 2, column 1: …`),
    /// without a prefix such as "invalid JSON": each reader adds its own.
    case syntax(String)
}
