import Foundation
import MeanField

/// An outside pair `(π, μ)` evaluated on a game file: what `rmfg evaluate` reports.
public struct PairReport: Sendable {
    /// The evaluation of `(π, μ)`: `V*_μ`, `V^π_μ`, exploitability, `Φ(μ, π)` and the residual.
    public let evaluation: PairEvaluation
    /// The best response `BR_τ(μ)` (greedy at `τ = 0`, softmax of `Q*/τ` otherwise).
    public let bestResponse: Policy
    /// The temperature used (the game file's `solver.temperature`, after overrides).
    public let temperature: Double
}

extension GameFile {
    /// Reads a policy and a mean field from files and evaluates the pair on this game
    /// (`MeanFieldGame.evaluate(policy:meanField:temperature:population:options:)`)
    /// with the file's temperature, population model and inner method.
    ///
    /// - Parameters:
    ///   - policyPath: an `n × m` matrix (see ``PairFiles/readPolicy(path:stateCount:actionCount:)``).
    ///   - meanFieldPath: a vector of `n` entries (see ``PairFiles/readMeanField(path:stateCount:)``).
    /// - Throws: ``GameFileError`` naming the file for bad shapes, negative or non-finite
    ///   entries and rows or vectors that do not sum to 1; the game's errors at `μ`
    ///   (explained by ``explain(_:)``); `MeanFieldError.numerical` is passed on
    ///   as a ``GameFileError`` too, with field `solver`.
    public func evaluatePair(policyPath: String, meanFieldPath: String) throws(GameFileError) -> PairReport {
        let game = try makeGame()
        let policy = try PairFiles.readPolicy(path: policyPath, stateCount: stateCount, actionCount: actionCount)
        let mu = try PairFiles.readMeanField(path: meanFieldPath, stateCount: stateCount)
        let options = equilibriumOptions
        var values = options.values
        values.inner = options.inner
        do throws(MeanFieldError) {
            let evaluation = try game.evaluate(policy: policy, meanField: mu, temperature: options.temperature,
                                               population: options.population, options: values)
            let br = try game.bestResponse(meanField: mu, temperature: options.temperature, options: values)
            return PairReport(evaluation: evaluation, bestResponse: br, temperature: options.temperature)
        } catch {
            throw explain(error)
        }
    }
}

/// Readers for an outside policy (`n × m`) and mean field (`n`), in the formats other
/// tools write: NumPy `.npy`, JSON and CSV.
///
/// - **.npy** (recognized by its magic bytes): a policy of shape `(n, m)`; a mean field of
///   shape `(n,)`, `(1, n)` or `(n, 1)`.
/// - **.json**: a policy as an array of `n` arrays of `m` numbers, a mean field as an array
///   of `n` numbers; or an object with the key `policy` / `meanField` holding them
///   (so `result.json` of `rmfg solve --output` works for both).
/// - **CSV** (anything else): comma-separated numbers, one policy row per line; blank
///   lines and `#` comments ignored. A first line with a non-numeric cell is a header,
///   and a first column with non-numeric cells holds labels, both skipped (so the
///   `policy.csv` and `meanfield.csv` that `rmfg solve --output` writes work). A mean
///   field is one row, one column, or the column headed `meanField`.
///
/// Entries must be finite and `≥ 0`; every policy row and the mean field must sum to 1
/// within `1e-9` (`MeanFieldGame.probabilityTolerance`). Files larger than
/// ``NumericArrayFile/maximumTextSize`` bytes are refused.
public enum PairFiles {
    /// Reads and checks a policy. Throws a ``GameFileError`` naming `path` (field `policy`).
    public static func readPolicy(path: String, stateCount n: Int, actionCount m: Int) throws(GameFileError) -> Policy {
        let array = try readArray(path: path, key: "policy", field: "policy")
        guard array.shape == [n, m] else {
            throw GameFileError(file: path, field: "policy", message: "shape \(describe(array.shape)), expected \(n) x \(m) (states x actions)")
        }
        for (i, p) in array.values.enumerated() where !(p.isFinite && p >= 0) {
            throw GameFileError(file: path, field: "policy", message: "entry (\(i / m), \(i % m)) is \(p), expected a finite number >= 0")
        }
        do throws(MeanFieldError) {
            return try Policy(stateCount: n, actionCount: m, probabilities: array.values)
        } catch {
            throw GameFileError(file: path, field: "policy", message: error.detail)
        }
    }

    /// Reads and checks a mean field. Throws a ``GameFileError`` naming `path` (field `meanField`).
    public static func readMeanField(path: String, stateCount n: Int) throws(GameFileError) -> [Double] {
        let array = try readArray(path: path, key: "meanField", field: "meanField")
        let isVector = array.shape.count == 1 || (array.shape.count == 2 && (array.shape[0] == 1 || array.shape[1] == 1))
        guard isVector, array.values.count == n else {
            throw GameFileError(file: path, field: "meanField", message: "shape \(describe(array.shape)), expected a vector of \(n) entries (one per state)")
        }
        var sum = 0.0
        for (s, x) in array.values.enumerated() {
            guard x.isFinite, x >= 0 else {
                throw GameFileError(file: path, field: "meanField", message: "entry \(s) is \(x), expected a finite number >= 0")
            }
            sum += x
        }
        guard abs(sum - 1) <= MeanFieldGame.probabilityTolerance else {
            throw GameFileError(file: path, field: "meanField", message: "entries sum to \(sum), expected 1 within \(MeanFieldGame.probabilityTolerance)")
        }
        return array.values
    }

    static func describe(_ shape: [Int]) -> String {
        shape.isEmpty ? "a single number" : shape.map(String.init).joined(separator: " x ")
    }

    /// The raw array of a file, by format.
    static func readArray(path: String, key: String, field: String) throws(GameFileError) -> NumericArray {
        let bytes = try readBytes(path: path, field: field)
        if bytes.starts(with: NumericArrayFile.npyMagic) {
            do { return try NumericArrayFile.parseNPY(bytes, path: path) } catch {
                // The NumPy reader names only the file; the flag or field is this reader's.
                var named = error
                if named.field.isEmpty { named.field = field }
                throw named
            }
        }
        let body = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? bytes.dropFirst(3) : bytes[...]
        guard let text = String(validating: body, as: UTF8.self) else {
            throw GameFileError(file: path, field: field, message: "neither a NumPy file nor UTF-8 text")
        }
        if path.lowercased().hasSuffix(".json") { return try jsonArray(text, key: key, path: path, field: field) }
        return try csvArray(text, key: key, path: path, field: field)
    }

    static func readBytes(path: String, field: String) throws(GameFileError) -> [UInt8] {
        if let problem = InputFileKind.specialFileProblem(path) ?? InputFileKind.folderProblem(path) {
            throw GameFileError(file: path, field: field, message: problem)
        }
        let handle: FileHandle
        switch InputFileKind.open(path) {
        case let .descriptor(fd): handle = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
        case .special: throw GameFileError(file: path, field: field, message: InputFileKind.specialText)
        case .folder: throw GameFileError(file: path, field: field, message: InputFileKind.folderText)
        case .failed: throw GameFileError(file: path, field: field, message: "cannot read the file")
        }
        defer { try? handle.close() }
        let data: Data
        do {
            data = try handle.read(upToCount: NumericArrayFile.maximumTextSize + 1) ?? Data()
        } catch {
            throw GameFileError(file: path, field: field, message: "cannot read the file (\(error.localizedDescription))")
        }
        guard data.count <= NumericArrayFile.maximumTextSize else {
            throw GameFileError(file: path, field: field, message: "the file is larger than \(NumericArrayFile.maximumTextSize) bytes")
        }
        return [UInt8](data)
    }
}

extension PairFiles {
    /// A JSON array of numbers (shape `[k]`), an array of equal-length arrays of numbers
    /// (shape `[r, c]`), or an object holding one of them under `key`.
    static func jsonArray(_ text: String, key: String, path: String, field: String) throws(GameFileError) -> NumericArray {
        func fail(_ message: String) -> GameFileError { GameFileError(file: path, field: field, message: message) }
        let parsed: DocumentNode?
        do { parsed = try JSONParser.parse(text) } catch {
            guard case let .syntax(message) = error else { throw fail("invalid JSON") }
            throw fail("invalid JSON: \(message)")
        }
        guard var node = parsed else { throw fail("the file is empty") }
        if case let .object(entries) = node.value {
            guard let entry = entries.first(where: { $0.key == key }) else {
                throw fail("a JSON object without the key \"\(key)\"")
            }
            node = entry.value
        }
        if case let .numbers(block) = node.value, block.shape.count <= 2 {  // read as one block
            return NumericArray(shape: block.shape, values: block.elements)
        }
        guard let items = node.value.items else { throw fail("expected a JSON array of numbers or of rows") }
        func numbers(_ nodes: [DocumentNode]) -> [Double]? {
            var out: [Double] = []
            for n in nodes {
                guard case let .number(x) = n.value else { return nil }
                out.append(x)
            }
            return out
        }
        if let flat = numbers(items) { return NumericArray(shape: [flat.count], values: flat) }
        var rows: [[Double]] = []
        for item in items {
            guard let cells = item.value.items, let row = numbers(cells) else {
                throw fail("expected a JSON array of numbers or of rows of numbers")
            }
            rows.append(row)
        }
        let width = rows.first?.count ?? 0
        guard rows.allSatisfy({ $0.count == width }) else { throw fail("rows of different lengths") }
        return NumericArray(shape: [rows.count, width], values: rows.flatMap { $0 })
    }

    /// Comma-separated numbers; an optional header line and label column are skipped,
    /// and the column headed `key` is taken alone when there is one.
    static func csvArray(_ text: String, key: String, path: String, field: String) throws(GameFileError) -> NumericArray {
        var lines: [(number: Int, cells: [String])] = []
        for (i, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            let cells = line.split(separator: ",", omittingEmptySubsequences: false)
                .map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
            if cells.allSatisfy(\.isEmpty) { continue }
            lines.append((i + 1, cells))
        }
        guard !lines.isEmpty else { throw GameFileError(file: path, field: field, message: "no numbers in the file") }
        var header: [String]? = nil
        if lines[0].cells.contains(where: { Double($0) == nil }) && lines.count > 1 { header = lines.removeFirst().cells }
        // `rmfg solve --output` heads its label column `state` (state names may be numbers).
        let labelled = header?.first == "state" || lines.contains { Double($0.cells[0]) == nil }
        if labelled {
            lines = lines.map { ($0.number, Array($0.cells.dropFirst())) }
            header = header.map { Array($0.dropFirst()) }
        }
        var column: Int? = nil
        if let header, let c = header.firstIndex(of: key) { column = c }
        var values: [Double] = []
        let width = column == nil ? lines[0].cells.count : 1
        for (number, cells) in lines {
            let picked = column.map { c in c < cells.count ? [cells[c]] : [] } ?? cells
            guard picked.count == width else {
                throw GameFileError(file: path, field: field, message: "line \(number) has \(picked.count) numbers, expected \(width)")
            }
            for cell in picked {
                guard let x = NumericArrayFile.csvNumber(cell) else {
                    let reason = NumericArrayFile.isHexadecimal(cell) ? "is not a decimal number (hexadecimal is not read)" : "is not a number"
                    throw GameFileError(file: path, field: field, message: "line \(number): `\(cell)` \(reason)")
                }
                values.append(x)
            }
        }
        return NumericArray(shape: column == nil ? [lines.count, width] : [lines.count], values: values)
    }
}
