import Foundation

import Expressions

/// Typed readers for document nodes, each throwing a ``GameFileError`` that
/// names the file, the field, what was found and what was expected. Shared by
/// every game-file format of the project (mean-field games, ``GameFile``, and
/// global/local games, ``AlternatingGameFile``); package access: the document
/// toolkit is not part of the public API.
package struct FieldReader: Sendable {
    /// The file named in errors.
    package let file: String

    /// The parameters read from files (`{file: PATH}`): name → path as resolved, so that an
    /// error about such an array's use can name the parameter and its file.
    package var parameterFiles: [String: String] = [:]

    /// A reader for `file`.
    package init(file: String) { self.file = file }

    /// The parameters of a `parameters` block written `{file: PATH}`, with their resolved paths.
    package func fileParameters(_ node: DocumentNode?) -> [String: String] {
        guard case let .object(pairs)? = node?.value else { return [:] }
        var out: [String: String] = [:]
        for (key, value) in pairs {
            if case let .object(sub) = value.value, case let .string(written)? = sub.first(where: { $0.key == "file" })?.value.value {
                out[key] = resolvedPath(written)
            }
        }
        return out
    }

    /// An error naming `field`, at `node`'s position when known.
    package func error(_ field: String, _ node: DocumentNode?, _ message: String) -> GameFileError {
        GameFileError(file: file, field: field, message: message, position: node?.position)
    }

    /// The pairs of a mapping.
    package func object(_ node: DocumentNode, _ field: String) throws(GameFileError) -> [(key: String, value: DocumentNode)] {
        guard case let .object(pairs) = node.value else {
            throw error(field, node, "found \(node.value.kindDescription), expected a mapping")
        }
        return pairs
    }

    /// Rejects keys that are not in `known`.
    package func checkKeys(_ pairs: [(key: String, value: DocumentNode)], known: [String], field: String) throws(GameFileError) {
        for (key, value) in pairs where !known.contains(key) {
            let name = field.isEmpty ? key : "\(field).\(key)"
            throw error(name, value, "unknown key '\(key)', expected one of: \(known.joined(separator: ", "))")
        }
    }

    /// Text.
    package func string(_ node: DocumentNode, _ field: String) throws(GameFileError) -> String {
        guard case let .string(s) = node.value else {
            throw error(field, node, "found \(node.value.kindDescription), expected text")
        }
        return s
    }

    /// A finite number.
    package func number(_ node: DocumentNode, _ field: String) throws(GameFileError) -> Double {
        guard case let .number(x) = node.value else {
            throw error(field, node, "found \(node.value.kindDescription), expected a number")
        }
        guard x.isFinite else { throw error(field, node, "found \(x), expected a finite number") }
        return x
    }

    /// `true` or `false`.
    package func bool(_ node: DocumentNode, _ field: String) throws(GameFileError) -> Bool {
        guard case let .bool(b) = node.value else {
            throw error(field, node, "found \(node.value.kindDescription), expected true or false")
        }
        return b
    }

    /// A whole number in `range`.
    package func integer(_ node: DocumentNode, _ field: String, range: ClosedRange<Int>) throws(GameFileError) -> Int {
        let x = try number(node, field)
        guard x == x.rounded(), x >= Double(range.lowerBound), x <= Double(range.upperBound) else {
            throw error(field, node, "found \(DocumentValue.format(x)), expected a whole number in \(range.lowerBound)...\(range.upperBound)")
        }
        return Int(x)
    }

    /// One of `options`.
    package func choice(_ node: DocumentNode, _ field: String, _ options: [String]) throws(GameFileError) -> String {
        let s: String
        if case let .string(text) = node.value { s = text } else {
            throw error(field, node, "found \(node.value.kindDescription), expected one of: \(options.joined(separator: ", "))")
        }
        guard options.contains(s) else {
            throw error(field, node, "found '\(s)', expected one of: \(options.joined(separator: ", "))")
        }
        return s
    }

    /// Whether `text` is empty or all whitespace as Foundation's `CharacterSet.whitespaces`
    /// has it (tab, the space separators and U+200B): what `trimmingCharacters(in:
    /// .whitespaces).isEmpty` said, without the trip through `NSString`, which cost every game
    /// file's first expression about 0.8·10⁶ instructions (Docs/Performance.md, "Sixth
    /// round"). `FieldReaderBlankTests` compares the two on every Unicode scalar.
    package static func isBlank(_ text: String) -> Bool {
        text.unicodeScalars.allSatisfy { scalar in
            switch scalar.value {
            case 0x09, 0x20, 0xA0, 0x1680, 0x2000...0x200B, 0x202F, 0x205F, 0x3000: true
            default: false
            }
        }
    }

    /// An expression: text, or a plain number (which is an expression too).
    package func expressionSource(_ node: DocumentNode, _ field: String) throws(GameFileError) -> String {
        switch node.value {
        case let .string(s):
            guard !Self.isBlank(s) else {
                throw error(field, node, "found empty text, expected an expression")
            }
            return s
        case let .number(x):
            guard x.isFinite else { throw error(field, node, "found \(x), expected a finite number or an expression") }
            return DocumentValue.format(x)
        default:
            throw error(field, node, "found \(node.value.kindDescription), expected an expression (text or a number)")
        }
    }

    /// A rectangular numeric array of any depth (a number is depth 0).
    ///
    /// Errors name the entry (`field[k][j]…`); the names are built only when an
    /// error is thrown, since large games have millions of entries.
    package func numericArray(_ node: DocumentNode, _ field: String) throws(GameFileError) -> (shape: [Int], elements: [Double]) {
        if let fast = Self.rectangularNumbers(node) { return fast }
        // Something is wrong (or the array is empty): the slow walk names the entry.
        var elements: [Double] = []
        var path: [Int] = []
        let shape = try collectNumbers(node, field, &path, &elements)
        return (shape, elements)
    }

    /// A rectangular array of finite numbers, read in one pass with its shape taken from
    /// the first entry at each depth; `nil` for anything else (then ``numericArray(_:_:)``
    /// walks it again to name the problem). A packed block (``DocumentValue/numbers(_:)``,
    /// what the JSON reader makes of such an array) is returned as it is, without a copy;
    /// lists of packed blocks of one shape are joined.
    static func rectangularNumbers(_ node: DocumentNode) -> (shape: [Int], elements: [Double])? {
        if case let .numbers(block) = node.value { return (block.shape, block.elements) }
        var shape: [Int] = []
        var first = node
        while case let .array(items) = first.value {
            guard let head = items.first else { return nil }
            shape.append(items.count)
            first = head
        }
        switch first.value {
        case .number: break
        case let .numbers(block): shape += block.shape
        default: return nil
        }
        // The shape is only the first entries' claim: reserve no more than the lists can hold
        // without overflow (a ragged list may claim far more than it has, or overflow Int).
        var claimed = 1
        for side in shape {
            let (product, overflow) = claimed.multipliedReportingOverflow(by: side)
            guard !overflow, product <= 1 << 24 else { claimed = 1 << 24; break }
            claimed = product
        }
        var elements: [Double] = []
        elements.reserveCapacity(claimed)
        return fill(node, depth: 0, shape: shape, into: &elements) ? (shape, elements) : nil
    }

    private static func fill(_ node: DocumentNode, depth: Int, shape: [Int], into elements: inout [Double]) -> Bool {
        if depth == shape.count {
            guard case let .number(x) = node.value, x.isFinite else { return false }
            elements.append(x)
            return true
        }
        switch node.value {
        case let .array(items):
            guard items.count == shape[depth] else { return false }
            for item in items where !fill(item, depth: depth + 1, shape: shape, into: &elements) { return false }
            return true
        case let .numbers(block):
            guard block.shape[...] == shape[depth...] else { return false }
            elements += block.elements
            return true
        default:
            return false
        }
    }

    private func collectNumbers(_ node: DocumentNode, _ field: String, _ path: inout [Int],
                                _ elements: inout [Double]) throws(GameFileError) -> [Int] {
        func name() -> String { field + path.map { "[\($0)]" }.joined() }
        switch node.value {
        case let .number(x) where x.isFinite:
            elements.append(x)
            return []
        case .number:
            _ = try number(node, name())  // throws: not finite
            return []
        case let .numbers(block):  // rectangular and finite
            elements += block.elements
            return block.shape
        case let .array(items):
            guard !items.isEmpty else { throw error(name(), node, "found an empty list, expected numbers") }
            var shape: [Int]? = nil
            for (k, item) in items.enumerated() {
                path.append(k)
                let sub = try collectNumbers(item, field, &path, &elements)
                if let shape, shape != sub {
                    throw error(name(), item, "has shape \(sub), expected \(shape) like the entries before it (arrays must be rectangular)")
                }
                path.removeLast()
                shape = sub
            }
            return [items.count] + (shape ?? [])
        default:
            throw error(name(), node, "found \(node.value.kindDescription), expected a number or a list of numbers")
        }
    }

    /// A finite number that satisfies `ok`; `expected` describes the condition.
    package func number(_ node: DocumentNode, _ field: String, where ok: (Double) -> Bool, expected: String) throws(GameFileError) -> Double {
        let x = try number(node, field)
        guard ok(x) else { throw error(field, node, "found \(Self.format(x)), expected \(expected)") }
        return x
    }

    /// A count `1…limit`, or a list of distinct names (identifiers).
    package func space(_ node: DocumentNode, _ field: String, limit: Int) throws(GameFileError) -> (names: [String], named: Bool) {
        switch node.value {
        case .number:
            let count = try integer(node, field, range: 1...limit)
            return ((0..<count).map(String.init), false)
        case .array, .numbers:
            let items = node.value.items ?? []
            guard !items.isEmpty else { throw error(field, node, "found an empty list, expected at least one name") }
            guard items.count <= limit else { throw error(field, node, "found \(items.count) names, expected at most \(limit)") }
            var names: [String] = []
            for (k, item) in items.enumerated() {
                let name = try string(item, "\(field)[\(k)]")
                guard Schema.isValidName(name) else {
                    throw error("\(field)[\(k)]", item, "found '\(name)', expected a name (letters, digits and _, not starting with a digit)")
                }
                guard !Schema.functionNames.contains(name) else {
                    throw error("\(field)[\(k)]", item, "found '\(name)', which is a function name; names may not clash with the functions \(Schema.functionNames.joined(separator: " "))")
                }
                guard !names.contains(name) else { throw error("\(field)[\(k)]", item, "duplicate name '\(name)'") }
                names.append(name)
            }
            return (names, true)
        default:
            throw error(field, node, "found \(node.value.kindDescription), expected a count or a list of names")
        }
    }

    /// `nil` for `uniform` (or no value), else a probability vector of length `count`
    /// (entries `>= 0`, sum 1 within `1e-9`; never renormalized).
    package func distribution(_ node: DocumentNode?, _ field: String, count: Int) throws(GameFileError) -> [Double]? {
        guard let node, node.value != .null else { return nil }
        if case .string("uniform") = node.value { return nil }
        let v = try numericArray(node, field)
        guard v.shape == [count] else {
            throw error(field, node, "found shape \(v.shape), expected 'uniform' or a vector of \(count) probabilities")
        }
        if let k = v.elements.firstIndex(where: { $0 < 0 }) {
            throw error(field, node, "entry \(k) is \(v.elements[k]), expected a probability >= 0")
        }
        let total = v.elements.reduce(0, +)
        guard abs(total - 1) <= 1e-9 else { throw error(field, node, "entries sum to \(total), expected 1 (within 1e-9)") }
        return v.elements
    }

    /// A number as written in messages: whole numbers without a decimal point.
    package static func format(_ x: Double) -> String { DocumentValue.format(x) }

    /// Declares every entry of a `parameters` mapping as a constant of `schema`
    /// (numbers as numbers, arrays of any depth as arrays) and returns the arrays
    /// by name. `nil` or `null` declares nothing.
    ///
    /// An array parameter in `readOnly` (a valid name not yet declared) is read and returned
    /// but not declared: no expression can read it, and the schema, which every compiled
    /// expression and environment shares, does not keep it alive.
    package func declareParameters(_ node: DocumentNode?, into schema: inout Schema, readOnly: Set<String> = [])
        throws(GameFileError) -> [String: (shape: [Int], elements: [Double])] {
        var arrays: [String: (shape: [Int], elements: [Double])] = [:]
        guard let node, node.value != .null else { return arrays }
        for (key, value) in try object(node, "parameters") {
            let fieldName = "parameters.\(key)"
            guard !Schema.functionNames.contains(key) else {
                throw self.error(fieldName, value, "'\(key)' is a function name; names may not clash with the functions \(Schema.functionNames.joined(separator: " "))")
            }
            let array = try parameterArray(value, fieldName)
            if readOnly.contains(key), !array.shape.isEmpty, Schema.isValidName(key), schema.declaration(of: key) == nil {
                arrays[key] = array
                continue
            }
            do throws(ExpressionError) {
                if array.shape.isEmpty {
                    try schema.declareConstant(key, value: array.elements[0])
                } else {
                    try schema.declareConstant(key, array: try ArrayValue(shape: array.shape, elements: array.elements))
                    arrays[key] = array
                }
            } catch {
                throw self.error(fieldName, value, "cannot be used: \(error.message)")
            }
        }
        return arrays
    }

    /// A parameter's value: a number, a (nested) list of numbers, or `{file: PATH}`, an
    /// array read from a `.npy` or CSV file (``NumericArrayFile/readArray(path:)``) whose
    /// path is relative to the game file's folder; every entry must be finite.
    package func parameterArray(_ node: DocumentNode, _ field: String) throws(GameFileError) -> (shape: [Int], elements: [Double]) {
        guard case let .object(pairs) = node.value else { return try numericArray(node, field) }
        try checkKeys(pairs, known: ["file"], field: field)
        guard let pathNode = pairs.first(where: { $0.key == "file" })?.value else {
            throw error(field, node, "found a mapping without 'file', expected a number, a list of numbers or {file: PATH}")
        }
        let written = try string(pathNode, "\(field).file")
        let path = resolvedPath(written)
        let array: NumericArray
        do throws(GameFileError) {
            array = try NumericArrayFile.readArray(path: path)
        } catch {
            throw self.error(field, pathNode, "file '\(path)': \(error.message)")
        }
        if let bad = array.values.firstIndex(where: { !$0.isFinite }) {
            throw self.error(field, pathNode, "file '\(path)': entry \(Self.indexText(bad, shape: array.shape)) is \(array.values[bad]), expected a finite number")
        }
        return (array.shape, array.values)
    }

    /// `written` relative to the folder of the game file (unchanged when absolute).
    package func resolvedPath(_ written: String) -> String {
        guard !written.hasPrefix("/"), let slash = file.lastIndex(of: "/") else { return written }
        return String(file[...slash]) + written
    }

    /// `[i, j, …]`, the multi-index of the row-major `offset` in an array of `shape`.
    static func indexText(_ offset: Int, shape: [Int]) -> String {
        var rest = offset
        var index = [Int](repeating: 0, count: shape.count)
        for d in shape.indices.reversed() where shape[d] > 0 {
            index[d] = rest % shape[d]
            rest /= shape[d]
        }
        return "[" + index.map(String.init).joined(separator: ", ") + "]"
    }
}
