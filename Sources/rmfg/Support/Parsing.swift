import Foundation
import GameFiles

/// Parsers for flag values. Each throws an ``InputError`` naming the flag.
enum Parse {
    /// A comma-separated list of finite numbers, e.g. `0.2,0.3,0.5`.
    static func vector(_ text: String, flag: String) throws -> [Double] {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false)
        guard !text.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw InputError("\(flag): empty, expected a comma-separated list of numbers")
        }
        return try parts.enumerated().map { k, part in
            let s = part.trimmingCharacters(in: .whitespaces)
            guard let x = NumericArrayFile.csvNumber(s) else {
                throw InputError("\(flag): entry \(k + 1) is '\(s)', expected a \(NumericArrayFile.isHexadecimal(s) ? "decimal " : "")number")
            }
            guard x.isFinite else {
                throw InputError("\(flag): entry \(k + 1) is \(s), expected a finite number")
            }
            return x
        }
    }

    /// The vector given inline by `flag` (`--values 1,2,3`) or read from a file by its
    /// twin `flag-file` (CSV or NumPy `.npy`, ``NumericArrayFile/readVector(path:)``):
    /// exactly one of them; every entry finite.
    static func vectorFlag(_ inline: String?, file: String?, flag: String) throws -> [Double] {
        let fileFlag = flag + "-file"
        switch (inline, file) {
        case (nil, nil):
            throw InputError("\(flag): missing, give \(flag) V1,V2,... or \(fileFlag) FILE")
        case (.some, .some):
            throw InputError("\(flag) and \(fileFlag): give one of them")
        case let (text?, nil):
            return try vector(text, flag: flag)
        case let (nil, path?):
            let x: [Double]
            do { x = try NumericArrayFile.readVector(path: path) } catch { throw InputError("\(fileFlag): \(error.description)") }
            guard !x.isEmpty else { throw InputError("\(fileFlag): '\(path)' holds no entries") }
            if let k = x.firstIndex(where: { !$0.isFinite }) {
                throw InputError("\(fileFlag): '\(path)' entry \(k + 1) is \(x[k]), expected a finite number")
            }
            return x
        }
    }

    /// A comma-separated list of typed entries (`--sets tv,kl`, `--agents 10,20`): each entry,
    /// trimmed, is read by `entry` (`nil`: "entry k is 'text', expected <expected>") and then
    /// checked by `check` (a reason: "entry k is x, <reason>"); with `distinct`, a repeated
    /// entry is refused ("entry k repeats x"). Every error is one ``InputError`` naming `flag`.
    ///
    /// - Parameter entries: the entries in the plural, for an empty list
    ///   ("empty, expected a comma-separated list of <entries>").
    static func list<T: Equatable>(_ text: String, flag: String, entries: String, expected: String, distinct: Bool = false,
                                   entry: (String) -> T?, check: (T) -> String? = { _ in nil }) throws -> [T] {
        guard !text.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw InputError("\(flag): empty, expected a comma-separated list of \(entries)")
        }
        var out: [T] = []
        for (k, part) in text.split(separator: ",", omittingEmptySubsequences: false).enumerated() {
            let s = part.trimmingCharacters(in: .whitespaces)
            guard let x = entry(s) else { throw InputError("\(flag): entry \(k + 1) is '\(s)', expected \(expected)") }
            if let reason = check(x) { throw InputError("\(flag): entry \(k + 1) is \(x), \(reason)") }
            guard !distinct || !out.contains(x) else { throw InputError("\(flag): entry \(k + 1) repeats \(x)") }
            out.append(x)
        }
        return out
    }

    /// A finite number.
    static func number(_ text: String, flag: String) throws -> Double {
        guard let x = Double(text.trimmingCharacters(in: .whitespaces)) else {
            throw InputError("\(flag): '\(text)', expected a number")
        }
        guard x.isFinite else { throw InputError("\(flag): \(text), expected a finite number") }
        return x
    }

    /// A probability vector: entries `>= 0` summing to 1 within `1e-9`. Never renormalized.
    static func probabilityVector(_ text: String, flag: String) throws -> [Double] {
        try probabilityVector(vector(text, flag: flag), flag: flag)
    }

    /// `p` checked as a probability vector: entries `>= 0` summing to 1 within `1e-9`.
    static func probabilityVector(_ p: [Double], flag: String) throws -> [Double] {
        if let k = p.firstIndex(where: { $0 < 0 }) {
            throw InputError("\(flag): entry \(k + 1) is \(p[k]), expected a probability >= 0")
        }
        let sum = p.reduce(0, +)
        guard abs(sum - 1) <= 1e-9 else {
            throw InputError("\(flag): entries sum to \(sum), expected a probability vector summing to 1 (within 1e-9; it is not renormalized)")
        }
        return p
    }

    /// A numeric matrix from a CSV file: one row per line, comma-separated,
    /// `#` comment lines and blank lines ignored.
    static func csvMatrix(path: String, flag: String) throws -> [[Double]] {
        if let problem = InputFileKind.specialFileProblem(path) ?? InputFileKind.folderProblem(path) {
            throw InputError("\(flag): '\(path)': \(problem)")
        }
        let fd: Int32
        switch InputFileKind.open(path) {
        case let .descriptor(opened): fd = opened
        case .special: throw InputError("\(flag): '\(path)': \(InputFileKind.specialText)")
        case .folder: throw InputError("\(flag): '\(path)': \(InputFileKind.folderText)")
        case .failed: throw InputError("\(flag): cannot read '\(path)'")
        }
        defer { close(fd) }
        guard case let .success(bytes) = InputFileKind.readAll(fd, limit: DocumentReader.maximumSize), bytes.count <= DocumentReader.maximumSize,
              let text = bytes.withUnsafeBufferPointer({ String(validating: $0, as: UTF8.self) })
        else { throw InputError("\(flag): cannot read '\(path)'") }
        var rows: [[Double]] = []
        // "\r\n" is one Character in Swift: split on it as well as on "\n" and "\r".
        let lines = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" })
        for (lineNumber, line) in lines.enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespacesAndNewlines)
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            rows.append(try vector(trimmed, flag: "\(flag) \(path) line \(lineNumber + 1)"))
        }
        guard !rows.isEmpty else { throw InputError("\(flag): '\(path)' has no rows") }
        return rows
    }
}
