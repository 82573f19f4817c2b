import Foundation

/// A parameter replaced for one run (`rmfg … --param NAME=VALUE`): a number or an
/// array of any rank, put in place of `parameters.NAME` before the file is
/// interpreted, so it is checked exactly like the file's own value.
public struct ParameterOverride: Sendable, Hashable {
    /// The parameter's name.
    public var name: String
    /// The value's shape: `[]` for a number.
    public var shape: [Int]
    /// The value's entries in row-major order (one for a number).
    public var elements: [Double]

    /// A number or an array for `name`.
    public init(name: String, shape: [Int], elements: [Double]) {
        self.name = name
        self.shape = shape
        self.elements = elements
    }

    /// Parses `NAME=VALUE`, where `VALUE` is a number or a JSON array of numbers (nested
    /// arrays for a matrix or higher rank, rectangular).
    ///
    /// - Throws: ``GameFileError`` naming `--param` (no `=`, an empty name, a value that
    ///   is not a number or a rectangular array of numbers).
    public static func parse(_ text: String) throws(GameFileError) -> ParameterOverride {
        func fail(_ message: String) -> GameFileError { GameFileError(file: "--param", field: "", message: message, override: .parameters) }
        guard let eq = text.firstIndex(of: "=") else {
            throw fail("found '\(text)', expected NAME=VALUE (a number or a JSON array)")
        }
        let name = text[..<eq].trimmingCharacters(in: .whitespaces)
        let valueText = String(text[text.index(after: eq)...])
        guard !name.isEmpty else { throw fail("found '\(text)' with an empty name, expected NAME=VALUE") }
        let node: DocumentNode?
        do throws(DocumentError) { node = try DocumentReader.parseJSON(valueText) } catch {
            throw fail("\(name): found '\(valueText)', expected a number or a JSON array of numbers")
        }
        guard let node else { throw fail("\(name): found an empty value, expected a number or a JSON array of numbers") }
        let array = try FieldReader(file: "--param").numericArray(node, name)
        return ParameterOverride(name: name, shape: array.shape, elements: array.elements)
    }

    /// The value in the document's form: a number or nested arrays.
    static func node(shape: [Int], elements: [Double]) -> DocumentValue {
        guard let first = shape.first else { return .number(elements.first ?? 0) }
        let inner = Array(shape.dropFirst())
        let stride = inner.reduce(1, *)
        return .array((0..<first).map { i in
            DocumentNode(node(shape: inner, elements: Array(elements[(i * stride)..<((i + 1) * stride)])))
        })
    }

    /// The value as it enters a sweep's identity: a number as written, an array by its
    /// shape and a digest of its entries.
    var canonicalValue: String {
        shape.isEmpty ? DocumentValue.format(elements.first ?? 0) : Self.digest(shape: shape, elements: elements)
    }

    /// `[shape]#hex`: the shape and the 64-bit FNV-1a hash of the entries' bit patterns.
    static func digest(shape: [Int], elements: [Double]) -> String {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for x in elements {
            var bits = x.bitPattern
            for _ in 0..<8 {
                h = (h ^ (bits & 0xff)) &* 0x0000_0100_0000_01b3
                bits >>= 8
            }
        }
        let hex = String(h, radix: 16)
        return "[\(shape.map(String.init).joined(separator: ","))]#\(String(repeating: "0", count: 16 - hex.count))\(hex)"
    }
}

extension GameOverrides {
    /// Reads the starting mean field of `--initial FILE`: a NumPy `.npy` vector, a JSON
    /// array (or an object with the key `meanField`, such as `rmfg solve`'s `result.json`),
    /// or a CSV row or column. Its length, signs and sum are checked when the game loads.
    ///
    /// - Throws: ``GameFileError`` naming the file and `--initial`.
    public static func readInitial(path: String) throws(GameFileError) -> [Double] {
        let array: NumericArray
        do { array = try PairFiles.readArray(path: path, key: "meanField", field: "--initial") } catch {
            throw error.concerning(.initial(entry: ""))
        }
        let isVector = array.shape.count == 1 || (array.shape.count == 2 && (array.shape[0] == 1 || array.shape[1] == 1))
        guard isVector else {
            throw GameFileError(file: path, field: "--initial", message: "shape \(PairFiles.describe(array.shape)), expected a vector of probabilities (one per state)",
                                override: .initial(entry: ""))
        }
        return array.values
    }
}
