import Expressions
import GameFiles

/// Typed readers for document nodes (GameFiles keeps its own internal), each
/// throwing a `GameFileError` that names the file and field.
struct Reader {
    let file: String

    func error(_ field: String, _ node: DocumentNode?, _ message: String) -> GameFileError {
        GameFileError(file: file, field: field, message: message, position: node?.position)
    }

    func object(_ node: DocumentNode, _ field: String) throws(GameFileError) -> [(key: String, value: DocumentNode)] {
        guard case let .object(pairs) = node.value else {
            throw error(field, node, "found \(node.value.kindDescription), expected a mapping")
        }
        return pairs
    }

    func checkKeys(_ pairs: [(key: String, value: DocumentNode)], known: [String], field: String) throws(GameFileError) {
        for (key, value) in pairs where !known.contains(key) {
            let name = field.isEmpty ? key : "\(field).\(key)"
            throw error(name, value, "unknown key '\(key)', expected one of: \(known.joined(separator: ", "))")
        }
    }

    func string(_ node: DocumentNode, _ field: String) throws(GameFileError) -> String {
        guard case let .string(s) = node.value else {
            throw error(field, node, "found \(node.value.kindDescription), expected text")
        }
        return s
    }

    func number(_ node: DocumentNode, _ field: String) throws(GameFileError) -> Double {
        guard case let .number(x) = node.value else {
            throw error(field, node, "found \(node.value.kindDescription), expected a number")
        }
        guard x.isFinite else { throw error(field, node, "found \(x), expected a finite number") }
        return x
    }

    func number(_ node: DocumentNode, _ field: String, where ok: (Double) -> Bool, expected: String) throws(GameFileError) -> Double {
        let x = try number(node, field)
        guard ok(x) else { throw error(field, node, "found \(Reader.format(x)), expected \(expected)") }
        return x
    }

    func integer(_ node: DocumentNode, _ field: String, range: ClosedRange<Int>) throws(GameFileError) -> Int {
        let x = try number(node, field)
        guard x == x.rounded(), x >= Double(range.lowerBound), x <= Double(range.upperBound) else {
            throw error(field, node, "found \(Reader.format(x)), expected a whole number in \(range.lowerBound)...\(range.upperBound)")
        }
        return Int(x)
    }

    func expressionSource(_ node: DocumentNode, _ field: String) throws(GameFileError) -> String {
        switch node.value {
        case let .string(s):
            guard s.contains(where: { !$0.isWhitespace }) else {
                throw error(field, node, "found empty text, expected an expression")
            }
            return s
        case let .number(x):
            guard x.isFinite else { throw error(field, node, "found \(x), expected a finite number or an expression") }
            return Reader.format(x)
        default:
            throw error(field, node, "found \(node.value.kindDescription), expected an expression (text or a number)")
        }
    }

    /// A rectangular numeric array of any depth (a number is depth 0).
    func numericArray(_ node: DocumentNode, _ field: String) throws(GameFileError) -> (shape: [Int], elements: [Double]) {
        switch node.value {
        case .number:
            return ([], [try number(node, field)])
        case let .array(items):
            guard !items.isEmpty else { throw error(field, node, "found an empty list, expected numbers") }
            var shape: [Int]?
            var elements: [Double] = []
            for (k, item) in items.enumerated() {
                let sub = try numericArray(item, "\(field)[\(k)]")
                if let shape, shape != sub.shape {
                    throw error("\(field)[\(k)]", item, "has shape \(sub.shape), expected \(shape) like the entries before it (arrays must be rectangular)")
                }
                shape = sub.shape
                elements.append(contentsOf: sub.elements)
            }
            return ([items.count] + (shape ?? []), elements)
        default:
            throw error(field, node, "found \(node.value.kindDescription), expected a number or a list of numbers")
        }
    }

    /// A count or a list of distinct names.
    func space(_ node: DocumentNode, _ field: String, limit: Int) throws(GameFileError) -> (names: [String], named: Bool) {
        switch node.value {
        case .number:
            let count = try integer(node, field, range: 1...limit)
            return ((0..<count).map(String.init), false)
        case let .array(items):
            guard !items.isEmpty else { throw error(field, node, "found an empty list, expected at least one name") }
            guard items.count <= limit else { throw error(field, node, "found \(items.count) names, expected at most \(limit)") }
            var names: [String] = []
            for (k, item) in items.enumerated() {
                let name = try string(item, "\(field)[\(k)]")
                guard Schema.isValidName(name) else {
                    throw error("\(field)[\(k)]", item, "found '\(name)', expected a name (letters, digits and _, not starting with a digit)")
                }
                guard !names.contains(name) else { throw error("\(field)[\(k)]", item, "duplicate name '\(name)'") }
                names.append(name)
            }
            return (names, true)
        default:
            throw error(field, node, "found \(node.value.kindDescription), expected a count or a list of names")
        }
    }

    /// `uniform` or a probability vector of length `count`.
    func distribution(_ node: DocumentNode?, _ field: String, count: Int) throws(GameFileError) -> [Double] {
        guard let node, node.value != .null else { return [Double](repeating: 1 / Double(count), count: count) }
        if case .string("uniform") = node.value { return [Double](repeating: 1 / Double(count), count: count) }
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

    static func format(_ x: Double) -> String {
        x == x.rounded() && abs(x) < 1e15 ? String(Int(x)) : "\(x)"
    }
}
