#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// A numeric array read from a file: its shape and its entries in row-major
/// (C) order, converted to `Double`.
public struct NumericArray: Sendable, Hashable {
    /// The dimensions (`[]` for a 0-dimensional array holding one entry).
    public var shape: [Int]
    /// The entries, row-major, `shape.reduce(1, *)` of them.
    public var values: [Double]

    /// An array. The caller keeps `values.count == shape.reduce(1, *)`.
    public init(shape: [Int], values: [Double]) {
        self.shape = shape
        self.values = values
    }
}

/// Readers for numeric arrays stored in files: NumPy `.npy` files and CSV text.
///
/// **NumPy.** Format versions 1.0, 2.0 and 3.0 (the `\x93NUMPY` magic, a
/// little-endian header length, a Python-literal header dictionary with exactly
/// the keys `descr`, `fortran_order` and `shape`, then the raw data). The
/// element types read are little-endian (`<`, or `|` for one byte) float64,
/// float32 and signed or unsigned integers of 1, 2, 4 or 8 bytes, all converted
/// to `Double`; an integer whose magnitude exceeds 2⁵³ is refused because it has
/// no exact `Double`. Fortran-order data are reordered to row-major, or refused
/// (``FortranOrder/refuse``, game-file parameters). Big-endian,
/// boolean, complex, string, object (pickled) and structured types are refused
/// with a message saying how to convert the array.
///
/// **Safety.** Nothing is allocated from the header's claims: the header is at
/// most ``maximumHeaderSize`` bytes, the entry count (with overflow checks) at
/// most ``maximumEntries``, and the data must be exactly `count × itemsize`
/// bytes — a file whose header claims more data than it holds, or that has
/// trailing bytes, is refused before its data are allocated (a regular file's
/// size is known first; other files are read in chunks, so memory follows the
/// bytes that actually arrive). The data are read straight into the result
/// (float64) or through a 1 MiB buffer (other types): reading runs at disk speed.
///
/// **CSV.** Comma-separated numbers, blank lines and `#` comments (whole lines
/// or line ends) ignored: one row or one column (``readVector(path:)``), or a
/// matrix whose rows all have the same length (``readArray(path:)``).
public enum NumericArrayFile {
    /// The largest number of entries accepted (2³¹, 16 GiB of `Double`s: a sanity
    /// bound; what is allocated is bounded by the file's actual size).
    public static let maximumEntries = 1 << 31
    /// The largest NumPy header accepted, in bytes (NumPy itself writes well under 1 KiB).
    public static let maximumHeaderSize = 1 << 20
    /// The largest CSV file accepted, in bytes (4 GiB; large arrays read faster from `.npy` files).
    public static let maximumTextSize = 4 << 30

    /// What a reader does with a `.npy` file stored in Fortran (column-major) order.
    public enum FortranOrder: Sendable, Hashable {
        /// Reorder the entries to row-major (C) order.
        case reorder
        /// Refuse the file, saying how to convert it (`numpy.ascontiguousarray`).
        case refuse
    }

    /// The first six bytes of every `.npy` file.
    package static let npyMagic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]  // \x93NUMPY

    // MARK: Files

    /// Reads a vector from a `.npy` file (recognized by its magic bytes) or a CSV file.
    ///
    /// A NumPy array must be 1-dimensional, or 2-dimensional with one row or one
    /// column; a CSV file must hold one row or one column. Entries are not checked
    /// for finiteness (the caller names the flag or field that reads them).
    ///
    /// - Throws: ``GameFileError`` naming `path` (unreadable, malformed, unsupported type or shape).
    public static func readVector(path: String) throws(GameFileError) -> [Double] {
        let handle = try open(path)
        defer { try? handle.close() }
        let start = try read(handle, upTo: npyMagic.count, path: path)
        if start == npyMagic {
            return try vector(of: readNPY(handle: handle, path: path, fortranOrder: .reorder), path: path)
        }
        if path.lowercased().hasSuffix(".npy") {
            throw GameFileError(file: path, field: "", message: "not a NumPy file (it does not start with the \\x93NUMPY magic)")
        }
        return try parseCSVVector(try readText(handle, start: start, path: path), path: path)
    }

    /// The rest of a text file whose first bytes are `start`, as UTF-8 (a leading byte order mark dropped).
    private static func readText(_ handle: FileHandle, start: [UInt8], path: String) throws(GameFileError) -> String {
        let rest = try read(handle, upTo: maximumTextSize + 1 - start.count, path: path)
        guard start.count + rest.count <= maximumTextSize else {
            throw GameFileError(file: path, field: "", message: "the file is larger than \(maximumTextSize) bytes")
        }
        let bytes = start + rest
        let body = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? bytes.dropFirst(3) : bytes[...]
        guard let text = String(validating: body, as: UTF8.self) else {
            throw GameFileError(file: path, field: "", message: "neither a NumPy file nor UTF-8 text")
        }
        return text
    }

    /// Reads a `.npy` file.
    ///
    /// - Parameters:
    ///   - path: the file.
    ///   - fortranOrder: reorder a column-major file (the default) or refuse it.
    /// - Throws: ``GameFileError`` naming `path`.
    public static func readNPY(path: String, fortranOrder: FortranOrder = .reorder) throws(GameFileError) -> NumericArray {
        let handle = try open(path)
        defer { try? handle.close() }
        let magic = try read(handle, upTo: npyMagic.count, path: path)
        guard magic == npyMagic else {
            throw GameFileError(file: path, field: "", message: "not a NumPy file (it does not start with the \\x93NUMPY magic)")
        }
        return try readNPY(handle: handle, path: path, fortranOrder: fortranOrder)
    }

    /// Reads an array of any shape from a regular file: a `.npy` file (recognized by its
    /// magic bytes; C order only) or CSV text (``parseCSV(_:path:)``: 1-D or 2-D).
    ///
    /// Entries are not checked for finiteness (the caller names the field that reads them).
    ///
    /// - Throws: ``GameFileError`` naming `path` (unreadable, malformed, Fortran-ordered,
    ///   unsupported type, ragged CSV row).
    public static func readArray(path: String) throws(GameFileError) -> NumericArray {
        let handle = try open(path)
        defer { try? handle.close() }
        var info = stat()
        guard fstat(handle.fileDescriptor, &info) == 0, info.st_mode & S_IFMT == S_IFREG else {
            throw GameFileError(file: path, field: "", message: "not a regular file (a device, FIFO or socket cannot hold an array)")
        }
        let start = try read(handle, upTo: npyMagic.count, path: path)
        if start == npyMagic {
            return try readNPY(handle: handle, path: path, fortranOrder: .refuse)
        }
        if path.lowercased().hasSuffix(".npy") {
            throw GameFileError(file: path, field: "", message: "not a NumPy file (it does not start with the \\x93NUMPY magic)")
        }
        return try parseCSV(try readText(handle, start: start, path: path), path: path)
    }

    /// Parses the bytes of a whole `.npy` file.
    ///
    /// - Parameters:
    ///   - bytes: the whole file.
    ///   - path: the name used in errors.
    /// - Throws: ``GameFileError`` naming `path`.
    public static func parseNPY(_ bytes: [UInt8], path: String) throws(GameFileError) -> NumericArray {
        guard bytes.starts(with: npyMagic) else {
            throw GameFileError(file: path, field: "", message: "not a NumPy file (it does not start with the \\x93NUMPY magic)")
        }
        var offset = npyMagic.count
        let header = try NPYHeader.read(path: path) { (count: Int) throws(GameFileError) -> [UInt8] in
            let end = min(bytes.count, offset + count)
            defer { offset = end }
            return Array(bytes[offset..<end])
        }
        return try header.decode(Array(bytes[offset...]), path: path)
    }

    /// The entries of a 1-dimensional array, or of a 2-dimensional one with one row or one column.
    ///
    /// - Throws: ``GameFileError`` naming `path` for any other shape.
    public static func vector(of array: NumericArray, path: String) throws(GameFileError) -> [Double] {
        let shape = array.shape
        switch shape.count {
        case 1:
            return array.values
        case 2 where shape[0] == 1 || shape[1] == 1:
            return array.values
        default:
            throw GameFileError(file: path, field: "", message: "an array of shape \(NPYHeader.describe(shape)), expected a vector (1-dimensional, or 2-dimensional with one row or one column)")
        }
    }

    // MARK: Writing

    /// The header of a `.npy` file (format 1.0, as `numpy.save` writes it: the dictionary
    /// padded with spaces to a multiple of 64 bytes and ended by a newline), C order.
    ///
    /// - Parameters:
    ///   - descr: the dtype, e.g. `<f8` or `<i4`.
    ///   - shape: the dimensions.
    package static func npyHeader(descr: String, shape: [Int]) -> [UInt8] {
        var dict = "{'descr': '\(descr)', 'fortran_order': False, 'shape': \(NPYHeader.describe(shape)), }"
        while (npyMagic.count + 4 + dict.utf8.count + 1) % 64 != 0 { dict += " " }
        dict += "\n"
        let length = dict.utf8.count
        return npyMagic + [1, 0, UInt8(length & 0xFF), UInt8(length >> 8)] + Array(dict.utf8)
    }

    // MARK: CSV

    /// A CSV number: a decimal number as `Double(_:)` reads it (`1`, `-0`, `.5`, `2.5e-3`; `nan`
    /// and `inf` too, refused later as not finite), but not a hexadecimal float (`0x1p3`),
    /// which `Double(_:)` also reads (Docs/Format.md, "Arrays from files"). `nil` otherwise.
    package static func csvNumber(_ text: some StringProtocol) -> Double? {
        isHexadecimal(text) ? nil : Double(text)
    }

    /// Whether `text` is written in hexadecimal: `0x` or `0X` after an optional sign.
    package static func isHexadecimal(_ text: some StringProtocol) -> Bool {
        var digits = text.utf8[...]
        if let sign = digits.first, sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") { digits = digits.dropFirst() }
        return digits.starts(with: [UInt8(ascii: "0"), UInt8(ascii: "x")]) || digits.starts(with: [UInt8(ascii: "0"), UInt8(ascii: "X")])
    }

    /// What a CSV entry `text` that is not a number is told (`'x' is not a number`; a
    /// hexadecimal float: `'0x1p3' is not a decimal number (hexadecimal is not read)`).
    package static func notANumber(_ text: String) -> String {
        let shown = text.count > 40 ? String(text.prefix(40)) + "…" : text
        return isHexadecimal(text) ? "'\(shown)' is not a decimal number (hexadecimal is not read)" : "'\(shown)' is not a number"
    }

    /// Parses CSV text holding one row or one column of numbers.
    ///
    /// Blank lines and everything from a `#` to the end of its line are ignored;
    /// entries are separated by commas and may be surrounded by blanks. Entries are
    /// read by `csvNumber(_:)`, so `1`, `-0`, `2.5e-3` and `inf` all parse, and `0x1p3` does not.
    ///
    /// - Throws: ``GameFileError`` naming `path` and the line of a bad entry, or
    ///   saying that the numbers form neither one row nor one column.
    public static func parseCSVVector(_ text: String, path: String) throws(GameFileError) -> [Double] {
        let rows = try csvRows(text, path: path)
        guard let first = rows.first else {
            throw GameFileError(file: path, field: "", message: "no numbers (only blank or comment lines)")
        }
        if rows.count == 1 { return first.entries }
        if let wide = rows.first(where: { $0.entries.count != 1 }) {
            throw GameFileError(file: path, field: "", message: "line \(wide.line) has \(wide.entries.count) entries, but the file has \(rows.count) lines of numbers: expected one row or one column")
        }
        return rows.map { $0.entries[0] }
    }

    /// Parses CSV text holding a vector or a matrix.
    ///
    /// The same syntax as ``parseCSVVector(_:path:)``. One line of numbers gives a
    /// 1-D array of shape `[k]`; lines of one number each give shape `[r]`; otherwise
    /// every line must have the same number `k` of entries and the shape is `[r, k]`.
    ///
    /// - Throws: ``GameFileError`` naming `path` and the line of a bad entry or of a
    ///   ragged row (one whose length differs from the first row's).
    public static func parseCSV(_ text: String, path: String) throws(GameFileError) -> NumericArray {
        let rows = try csvRows(text, path: path)
        guard let first = rows.first else {
            throw GameFileError(file: path, field: "", message: "no numbers (only blank or comment lines)")
        }
        if rows.count == 1 { return NumericArray(shape: [first.entries.count], values: first.entries) }
        let width = first.entries.count
        if let ragged = rows.first(where: { $0.entries.count != width }) {
            throw GameFileError(file: path, field: "", message: "line \(ragged.line) has \(ragged.entries.count) entries, expected \(width) like line \(first.line) (a ragged row: every row of a CSV matrix has the same length)")
        }
        var values: [Double] = []
        values.reserveCapacity(rows.count * width)
        for row in rows { values.append(contentsOf: row.entries) }
        return NumericArray(shape: width == 1 ? [rows.count] : [rows.count, width], values: values)
    }

    /// The lines of numbers of CSV text, with their 1-based line numbers.
    private static func csvRows(_ text: String, path: String) throws(GameFileError) -> [(line: Int, entries: [Double])] {
        // One pass over the UTF-8 bytes: "\n", "\r\n" and "\r" end lines.
        var rows: [(line: Int, entries: [Double])] = []
        let bytes = Array(text.utf8)
        var lineNumber = 0
        var lineStart = 0
        var total = 0
        while lineStart <= bytes.count {
            var lineEnd = lineStart
            while lineEnd < bytes.count, bytes[lineEnd] != 0x0A, bytes[lineEnd] != 0x0D { lineEnd += 1 }
            lineNumber += 1
            var next = lineEnd + 1
            if lineEnd + 1 < bytes.count, bytes[lineEnd] == 0x0D, bytes[lineEnd + 1] == 0x0A { next += 1 }
            defer { lineStart = next }
            var end = lineStart
            while end < lineEnd, bytes[end] != UInt8(ascii: "#") { end += 1 }
            guard bytes[lineStart..<end].contains(where: { !isBlank($0) }) else { continue }
            let entries = try csvFields(bytes, lineStart..<end, line: lineNumber, path: path)
            total += entries.count
            rows.append((lineNumber, entries))
            if total > maximumEntries {
                throw GameFileError(file: path, field: "", message: "more than \(maximumEntries) entries")
            }
        }
        return rows
    }

    /// The comma-separated numbers of one line (`range` excludes any comment).
    private static func csvFields(_ bytes: [UInt8], _ range: Range<Int>, line: Int, path: String) throws(GameFileError) -> [Double] {
        var entries: [Double] = []
        var k = 0
        var fieldStart = range.lowerBound
        let end = range.upperBound
        while fieldStart <= end {
            var fieldEnd = fieldStart
            while fieldEnd < end, bytes[fieldEnd] != UInt8(ascii: ",") { fieldEnd += 1 }
            k += 1
            var a = fieldStart, b = fieldEnd
            while a < b, isBlank(bytes[a]) { a += 1 }
            while b > a, isBlank(bytes[b - 1]) { b -= 1 }
            fieldStart = fieldEnd + 1
            let s = String(decoding: bytes[a..<b], as: UTF8.self)
            guard let x = csvNumber(s) else {
                throw GameFileError(file: path, field: "", message: "line \(line), entry \(k): \(notANumber(s))")
            }
            entries.append(x)
        }
        return entries
    }

    // MARK: Private

    private static func isBlank(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 }

    private static func open(_ path: String) throws(GameFileError) -> FileHandle {
        guard !path.isEmpty, !path.utf8.contains(0) else {
            throw GameFileError(file: path, field: "", message: "invalid file name")
        }
        if InputFileKind.specialFileProblem(path) != nil {  // before open(2), which waits on a FIFO
            throw GameFileError(file: path, field: "", message: "not a regular file (a device, FIFO or socket cannot hold an array)")
        }
        // A folder is refused on the opened descriptor (`InputFileKind.open`).
        switch InputFileKind.open(path) {
        case let .descriptor(fd): return FileHandle(fileDescriptor: fd, closeOnDealloc: true)
        case .folder:
            throw GameFileError(file: path, field: "", message: InputFileKind.folderText)
        case .special:
            throw GameFileError(file: path, field: "", message: "not a regular file (a device, FIFO or socket cannot hold an array)")
        case let .failed(code):
            throw GameFileError(file: path, field: "", message: "cannot read the file (\(code == ENOENT ? "no such file" : "permission denied"))")
        }
    }

    /// Up to `count` bytes (fewer only at the end of the file).
    private static func read(_ handle: FileHandle, upTo count: Int, path: String) throws(GameFileError) -> [UInt8] {
        guard count > 0 else { return [] }
        var out: [UInt8] = []
        // In chunks, so a short read (pipes) does not end the file early.
        while out.count < count {
            let chunk: Data?
            do { chunk = try handle.read(upToCount: min(count - out.count, 1 << 24)) } catch {
                throw GameFileError(file: path, field: "", message: "cannot read the file (\(error.localizedDescription))")
            }
            guard let chunk, !chunk.isEmpty else { break }
            out.append(contentsOf: chunk)
        }
        return out
    }

    private static func readNPY(handle: FileHandle, path: String, fortranOrder: FortranOrder) throws(GameFileError) -> NumericArray {
        var consumed = npyMagic.count
        let header = try NPYHeader.read(path: path) { (count: Int) throws(GameFileError) -> [UInt8] in
            let bytes = try read(handle, upTo: count, path: path)
            consumed += bytes.count
            return bytes
        }
        if fortranOrder == .refuse { try header.checkCOrder(path: path) }
        let fd = handle.fileDescriptor
        var info = stat()
        if fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG {
            // A regular file: its size is known, so the data are checked before anything is allocated.
            try header.checkDataSize(Int(info.st_size) - consumed, path: path)
            return try header.decode(fd: fd, offset: consumed, path: path)
        }
        // A pipe or device: exactly the data the header announces, plus one byte to detect trailing data.
        let data = try read(handle, upTo: header.dataSize + 1, path: path)
        return try header.decode(data, path: path)
    }
}

/// The validated header of a `.npy` file.
struct NPYHeader {
    enum Kind { case float, signed, unsigned }

    let version: UInt8
    let kind: Kind
    let itemSize: Int
    let fortranOrder: Bool
    let shape: [Int]
    let count: Int

    var dataSize: Int { count * itemSize }  // count ≤ 2^31, itemSize ≤ 8: no overflow

    /// Reads the version, the header length and the header after the magic bytes,
    /// asking `next(n)` for the following `n` bytes (fewer at the end of the file).
    static func read(path: String, next: (Int) throws(GameFileError) -> [UInt8]) throws(GameFileError) -> NPYHeader {
        func fail(_ message: String) -> GameFileError { GameFileError(file: path, field: "", message: "NumPy header: \(message)") }
        let version = try next(2)
        guard version.count == 2 else { throw fail("the file ends inside the header") }
        let major = version[0]
        let lengthBytes: Int
        switch major {
        case 1: lengthBytes = 2
        case 2, 3: lengthBytes = 4
        default: throw fail("format version \(major).\(version[1]), expected 1.0, 2.0 or 3.0")
        }
        let lengthField = try next(lengthBytes)
        guard lengthField.count == lengthBytes else { throw fail("the file ends inside the header") }
        var length = 0
        for (k, b) in lengthField.enumerated() { length |= Int(b) << (8 * k) }
        guard length <= NumericArrayFile.maximumHeaderSize else {
            throw fail("\(length) bytes, expected at most \(NumericArrayFile.maximumHeaderSize)")
        }
        let text = try next(length)
        guard text.count == length else { throw fail("the file ends inside the header (\(text.count) of \(length) bytes)") }
        var parser = HeaderParser(bytes: text, path: path)
        let dict = try parser.parse()
        return try make(version: major, dict: dict, path: path)
    }

    private static func make(version: UInt8, dict: [String: HeaderParser.Value], path: String) throws(GameFileError) -> NPYHeader {
        func fail(_ message: String) -> GameFileError { GameFileError(file: path, field: "", message: "NumPy header: \(message)") }
        let keys = Set(dict.keys)
        guard keys == ["descr", "fortran_order", "shape"] else {
            throw fail("keys \(keys.sorted().map { "'\($0)'" }.joined(separator: ", ")), expected exactly 'descr', 'fortran_order' and 'shape'")
        }
        guard case let .string(descr)? = dict["descr"] else {
            throw fail("'descr' is not a string (structured arrays are not supported; expected a dtype such as '<f8')")
        }
        guard case let .bool(fortran)? = dict["fortran_order"] else { throw fail("'fortran_order' is not True or False") }
        guard case let .tuple(shape)? = dict["shape"] else { throw fail("'shape' is not a tuple of integers") }
        let (kind, size) = try dtype(descr, path: path)
        var count = 1
        for d in shape {
            let (product, overflow) = count.multipliedReportingOverflow(by: d)
            guard !overflow, product <= NumericArrayFile.maximumEntries else {
                throw GameFileError(file: path, field: "", message: "an array of shape \(describe(shape)) has more than \(NumericArrayFile.maximumEntries) entries")
            }
            count = product
        }
        return NPYHeader(version: version, kind: kind, itemSize: size, fortranOrder: fortran, shape: shape, count: count)
    }

    /// The element kind and size of a dtype string, or an error saying how to convert it.
    static func dtype(_ descr: String, path: String) throws(GameFileError) -> (Kind, Int) {
        let convert = "convert it with numpy, e.g. np.save(f, a.astype('<f8'))"
        func refuse(_ what: String) -> GameFileError {
            GameFileError(file: path, field: "", message: "dtype '\(descr)' (\(what)) is not supported; expected float64, float32 or an integer type, little-endian: \(convert)")
        }
        let chars = Array(descr)
        guard chars.count >= 2 else { throw refuse("unknown") }
        let order = chars[0]
        let code = chars[1]
        let size = Int(String(chars[2...])) ?? 0
        switch code {
        case "O": throw refuse("Python objects")
        case "b", "?": throw refuse("boolean")
        case "c": throw refuse("complex")
        case "U", "S", "a": throw refuse("text")
        case "V": throw refuse("raw or structured")
        case "M", "m": throw refuse("dates or times")
        default: break
        }
        let kind: Kind
        switch (code, size) {
        case ("f", 8), ("f", 4): kind = .float
        case ("i", 1), ("i", 2), ("i", 4), ("i", 8): kind = .signed
        case ("u", 1), ("u", 2), ("u", 4), ("u", 8): kind = .unsigned
        case ("f", _): throw refuse((1...64).contains(size) ? "a \(size * 8)-bit float" : "a \(size)-byte float")  // no overflow on a hostile size
        default: throw refuse("unknown")
        }
        switch order {
        case "<": break
        case "|" where size == 1: break
        case "=" where 1.littleEndian == 1: break
        case ">": throw refuse("big-endian")
        default: throw refuse("byte order '\(order)'")
        }
        return (kind, size)
    }

    static func describe(_ shape: [Int]) -> String {
        shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
    }

    /// Refuses a multi-dimensional array stored in Fortran (column-major) order.
    func checkCOrder(path: String) throws(GameFileError) {
        guard fortranOrder, shape.filter({ $0 > 1 }).count > 1 else { return }
        throw GameFileError(file: path, field: "", message: "the array of shape \(Self.describe(shape)) is stored in Fortran (column-major) order, expected C (row-major) order: save it with np.save(f, np.ascontiguousarray(a))")
    }

    /// Refuses data of the wrong size: `available` bytes follow the header.
    func checkDataSize(_ available: Int, path: String) throws(GameFileError) {
        guard available >= dataSize else {
            throw GameFileError(file: path, field: "", message: "the file is truncated: the header announces \(count) entries (\(dataSize) bytes of data) but the file holds \(max(0, available)) bytes after the header")
        }
        guard available == dataSize else {
            throw GameFileError(file: path, field: "", message: "\(available - dataSize) bytes after the \(count) entries its header announces")
        }
    }

    /// Converts exactly ``dataSize`` bytes of data to a row-major array.
    func decode(_ data: [UInt8], path: String) throws(GameFileError) -> NumericArray {
        try checkDataSize(data.count, path: path)
        var values = [Double](repeating: 0, count: count)
        let bad = data.withUnsafeBytes { raw in values.withUnsafeMutableBufferPointer { convert(raw, into: $0, at: 0) } }
        return try finish(values, firstInexact: bad, path: path)
    }

    /// Reads the ``dataSize`` bytes at `offset` of the regular file `fd` (whose size was
    /// checked) and converts them: float64 straight into the result, other types through a
    /// 1 MiB buffer.
    func decode(fd: Int32, offset: Int, path: String) throws(GameFileError) -> NumericArray {
        var values = [Double](repeating: 0, count: count)
        var failure: Int32 = 0
        var bad: Int?
        if kind == .float, itemSize == 8 {
            failure = values.withUnsafeMutableBytes { Self.readAll(fd, into: $0, at: offset) }
            #if _endian(big)
            for k in values.indices { values[k] = Double(bitPattern: UInt64(littleEndian: values[k].bitPattern)) }
            #endif
        } else {
            let perChunk = max(1, (1 << 20) / itemSize)
            var buffer = [UInt8](repeating: 0, count: perChunk * itemSize)
            var done = 0
            while done < count, failure == 0 {
                let items = min(perChunk, count - done)
                failure = buffer.withUnsafeMutableBytes { Self.readAll(fd, into: UnsafeMutableRawBufferPointer(rebasing: $0[0..<(items * itemSize)]), at: offset + done * itemSize) }
                guard failure == 0 else { break }
                let chunkBad = buffer.withUnsafeBytes { raw in
                    values.withUnsafeMutableBufferPointer { convert(UnsafeRawBufferPointer(rebasing: raw[0..<(items * itemSize)]), into: $0, at: done) }
                }
                if bad == nil { bad = chunkBad }
                done += items
            }
        }
        guard failure == 0 else {
            throw GameFileError(file: path, field: "", message: "cannot read the file (\(failure < 0 ? "it ended early" : String(cString: strerror(failure))))")
        }
        return try finish(values, firstInexact: bad, path: path)
    }

    /// Fills `buffer` from `fd` at `offset`: 0, the `errno` of a failed read, or -1 at an early end.
    private static func readAll(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer, at offset: Int) -> Int32 {
        guard var pointer = buffer.baseAddress else { return 0 }
        var left = buffer.count
        var at = offset
        while left > 0 {
            let n = pread(fd, pointer, min(left, 1 << 30), off_t(at))
            if n < 0 {
                if errno == EINTR { continue }
                return errno
            }
            if n == 0 { return -1 }
            pointer += n
            left -= n
            at += n
        }
        return 0
    }

    /// Converts the items of `raw` into `values[start...]`; the index of the first integer
    /// beyond 2⁵³, if any.
    private func convert(_ raw: UnsafeRawBufferPointer, into values: UnsafeMutableBufferPointer<Double>, at start: Int) -> Int? {
        let exactLimit: UInt64 = 1 << 53
        var bad: Int?
        for i in 0..<(raw.count / itemSize) {
            let at = i * itemSize
            let bits: UInt64
            switch itemSize {
            case 8: bits = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: at, as: UInt64.self))
            case 4: bits = UInt64(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: at, as: UInt32.self)))
            case 2: bits = UInt64(UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: at, as: UInt16.self)))
            default: bits = UInt64(raw[at])
            }
            let k = start + i
            switch (kind, itemSize) {
            case (.float, 8): values[k] = Double(bitPattern: bits)
            case (.float, _): values[k] = Double(Float(bitPattern: UInt32(truncatingIfNeeded: bits)))
            case (.unsigned, _):
                if bits > exactLimit, bad == nil { bad = k }
                values[k] = Double(bits)
            case (.signed, _):
                let shift = UInt64(64 - 8 * itemSize)
                let x = Int64(bitPattern: bits << shift) >> Int64(shift)
                if x.magnitude > exactLimit, bad == nil { bad = k }
                values[k] = Double(x)
            }
        }
        return bad
    }

    /// The array, in row-major order, or the error for an inexact integer.
    private func finish(_ values: [Double], firstInexact bad: Int?, path: String) throws(GameFileError) -> NumericArray {
        if let bad {
            throw GameFileError(file: path, field: "", message: "entry \(bad + 1) is an integer beyond 2^53, which has no exact Double")
        }
        if fortranOrder, shape.count > 1 {
            return NumericArray(shape: shape, values: Self.rowMajor(fromColumnMajor: values, shape: shape))
        }
        return NumericArray(shape: shape, values: values)
    }

    /// Reorders column-major (Fortran) entries to row-major (C) order.
    static func rowMajor(fromColumnMajor values: [Double], shape: [Int]) -> [Double] {
        guard !values.isEmpty else { return values }
        var strides = [Int](repeating: 1, count: shape.count)  // column-major strides
        for d in 1..<shape.count { strides[d] = strides[d - 1] * shape[d - 1] }
        var index = [Int](repeating: 0, count: shape.count)
        var out: [Double] = []
        out.reserveCapacity(values.count)
        for _ in 0..<values.count {
            var offset = 0
            for d in 0..<shape.count { offset += index[d] * strides[d] }
            out.append(values[offset])
            var d = shape.count - 1  // row-major: the last index runs fastest
            while d >= 0 {
                index[d] += 1
                if index[d] < shape[d] { break }
                index[d] = 0
                d -= 1
            }
        }
        return out
    }
}

/// A parser for the Python literal of a `.npy` header: a dictionary whose keys are
/// strings and whose values are strings, `True`/`False`, integers or tuples of
/// non-negative integers, then blanks (NumPy pads with spaces and ends with `\n`).
struct HeaderParser {
    enum Value: Equatable {
        case string(String)
        case bool(Bool)
        case integer(Int)
        case tuple([Int])
    }

    let bytes: [UInt8]
    let path: String
    var index = 0

    init(bytes: [UInt8], path: String) {
        self.bytes = bytes
        self.path = path
    }

    private func fail(_ message: String) -> GameFileError {
        GameFileError(file: path, field: "", message: "NumPy header: \(message) at byte \(index + 1) of the header")
    }

    private mutating func skipBlanks() {
        while index < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[index]) { index += 1 }
    }

    private func peek() -> UInt8? { index < bytes.count ? bytes[index] : nil }

    private mutating func expect(_ c: Character) throws(GameFileError) {
        skipBlanks()
        guard let b = peek(), b == c.asciiValue else { throw fail("expected '\(c)'") }
        index += 1
    }

    mutating func parse() throws(GameFileError) -> [String: Value] {
        if let bad = bytes.firstIndex(where: { $0 >= 0x80 || ($0 < 0x20 && ![0x09, 0x0A, 0x0D].contains($0)) }) {
            index = bad
            throw fail("a byte 0x\(String(bytes[bad], radix: 16)) that is not printable ASCII")
        }
        try expect("{")
        var dict: [String: Value] = [:]
        skipBlanks()
        if peek() == UInt8(ascii: "}") {
            index += 1
        } else {
            while true {
                skipBlanks()
                let key = try string()
                try expect(":")
                skipBlanks()
                let value = try value()
                guard dict.updateValue(value, forKey: key) == nil else { throw fail("the key '\(key)' appears twice") }
                skipBlanks()
                guard let b = peek() else { throw fail("expected ',' or '}'") }
                index += 1
                if b == UInt8(ascii: "}") { break }
                guard b == UInt8(ascii: ",") else { index -= 1; throw fail("expected ',' or '}'") }
                skipBlanks()
                if peek() == UInt8(ascii: "}") { index += 1; break }
            }
        }
        skipBlanks()
        guard index == bytes.count else { throw fail("unexpected text after the dictionary") }
        return dict
    }

    private mutating func value() throws(GameFileError) -> Value {
        guard let b = peek() else { throw fail("expected a value") }
        switch b {
        case UInt8(ascii: "'"), UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "("): return .tuple(try tuple())
        case UInt8(ascii: "T"): try word("True"); return .bool(true)
        case UInt8(ascii: "F"): try word("False"); return .bool(false)
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return .integer(try integer())
        default: throw fail("expected a string, True, False, an integer or a tuple")
        }
    }

    private mutating func word(_ w: String) throws(GameFileError) {
        let u = Array(w.utf8)
        guard index + u.count <= bytes.count, Array(bytes[index..<(index + u.count)]) == u else { throw fail("expected \(w)") }
        index += u.count
    }

    private mutating func string() throws(GameFileError) -> String {
        guard let quote = peek(), quote == UInt8(ascii: "'") || quote == UInt8(ascii: "\"") else {
            throw fail("expected a quoted string")
        }
        index += 1
        let start = index
        while index < bytes.count, bytes[index] != quote {
            guard bytes[index] != UInt8(ascii: "\\") else { throw fail("escapes in strings are not supported") }
            index += 1
        }
        guard index < bytes.count else { throw fail("unterminated string") }
        let s = String(decoding: bytes[start..<index], as: UTF8.self)
        index += 1
        return s
    }

    /// A non-negative integer of at most 18 digits, with Python 2's optional `L` suffix.
    private mutating func integer() throws(GameFileError) -> Int {
        let start = index
        var x = 0
        while let b = peek(), b >= UInt8(ascii: "0"), b <= UInt8(ascii: "9") {
            guard index - start < 18 else { throw fail("an integer with more than 18 digits") }
            x = x * 10 + Int(b - UInt8(ascii: "0"))
            index += 1
        }
        guard index > start else { throw fail("expected an integer") }
        if peek() == UInt8(ascii: "L") { index += 1 }
        return x
    }

    private mutating func tuple() throws(GameFileError) -> [Int] {
        index += 1  // (
        var items: [Int] = []
        skipBlanks()
        if peek() == UInt8(ascii: ")") { index += 1; return items }
        while true {
            skipBlanks()
            items.append(try integer())
            guard items.count <= 32 else { throw fail("more than 32 dimensions") }
            skipBlanks()
            guard let b = peek() else { throw fail("unterminated tuple") }
            index += 1
            if b == UInt8(ascii: ")") {
                break
            }
            guard b == UInt8(ascii: ",") else { index -= 1; throw fail("expected ',' or ')' in the shape") }
            skipBlanks()
            if peek() == UInt8(ascii: ")") { index += 1; break }
        }
        return items
    }
}
