/// A stationary pair `(μ, π)` read from a JSON file: the `result.json` that
/// `rmfg solve --output` writes, or any JSON object with the fields `meanField`
/// (numbers) and `policy` (rows of numbers).
///
/// The file is read by the same strict JSON parser as game files, so every JSON
/// number is accepted (`1`, `0`, `-0`, `1e-3`, `2.5E+2`), as written by `rmfg solve`,
/// Python's `json`, `jq` or any other conforming writer. Only the form is checked
/// here; whether the pair fits a game (a probability vector, stochastic rows, the
/// shape) is for the caller (`MeanFieldGame.validateMeanField`, `Policy.init`).
public struct EquilibriumFile: Sendable, Hashable {
    /// `meanField`: finite numbers.
    public let meanField: [Double]
    /// `policy`: rows of finite numbers.
    public let policy: [[Double]]

    /// Reads the file at `path` (UTF-8, at most 4 GiB).
    ///
    /// - Throws: ``EquilibriumFileError`` saying what is wrong, naming the file.
    public static func read(path: String) throws(EquilibriumFileError) -> EquilibriumFile {
        let text: String
        do throws(GameFileError) { text = try DocumentReader.readText(path: path) } catch {
            throw EquilibriumFileError(error.description)
        }
        return try parse(text: text, path: path)
    }

    /// Parses the text of a file (`path` names it in errors).
    ///
    /// - Throws: ``EquilibriumFileError`` saying what is wrong, naming the file.
    public static func parse(text: String, path: String) throws(EquilibriumFileError) -> EquilibriumFile {
        let root: DocumentNode?
        do throws(DocumentError) { root = try DocumentReader.parseJSON(text) } catch {
            switch error {
            case let .syntax(message): throw EquilibriumFileError("'\(path)' is not JSON: \(message)")
            }
        }
        guard case let .object(pairs)? = root?.value else { throw EquilibriumFileError("'\(path)' is not a JSON object") }
        func field(_ key: String) -> DocumentNode? { pairs.first { $0.key == key }?.value }
        guard let rawMu = field("meanField") else { throw EquilibriumFileError("'\(path)' has no meanField array") }
        let mu = try numbers(rawMu, "meanField")
        guard let rawPolicy = field("policy") else { throw EquilibriumFileError("'\(path)' has no policy array") }
        if case let .numbers(block) = rawPolicy.value, block.shape.count == 2 {  // read as one block
            let width = block.shape[1]
            let rows = (0..<block.shape[0]).map { s in Array(block.elements[(s * width)..<((s + 1) * width)]) }
            return EquilibriumFile(meanField: mu, policy: rows)
        }
        guard let policyRows = rawPolicy.value.items else {
            throw EquilibriumFileError("policy is \(rawPolicy.value.kindDescription), expected an array of rows")
        }
        var rows: [[Double]] = []
        for (s, row) in policyRows.enumerated() { rows.append(try numbers(row, "policy row \(s)")) }
        return EquilibriumFile(meanField: mu, policy: rows)
    }

    /// The finite numbers of a JSON array, naming the first entry that is not one.
    static func numbers(_ node: DocumentNode, _ name: String) throws(EquilibriumFileError) -> [Double] {
        if case let .numbers(block) = node.value, block.shape.count == 1 { return block.elements }
        guard let items = node.value.items else {
            throw EquilibriumFileError("\(name) is \(node.value.kindDescription), expected an array of numbers")
        }
        var out: [Double] = []
        for (k, item) in items.enumerated() {
            guard case let .number(x) = item.value else {
                throw EquilibriumFileError("\(name) has a non-numeric entry (entry \(k + 1) is \(item.value.kindDescription))")
            }
            guard x.isFinite else { throw EquilibriumFileError("\(name) entry \(k + 1) is out of the range of a Double") }
            out.append(x)
        }
        return out
    }
}

/// An equilibrium file that cannot be read or does not have the expected form (one line).
public struct EquilibriumFileError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What is wrong.
    public let message: String

    /// An error saying `message`.
    public init(_ message: String) { self.message = message }

    /// The message.
    public var description: String { message }
}
