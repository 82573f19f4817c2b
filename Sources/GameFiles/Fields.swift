import Foundation

/// Typed readers for document nodes, each throwing a ``GameFileError`` that
/// names the field, what was found and what was expected.
struct FieldReader {
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

    /// Rejects keys that are not in `known`.
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

    func bool(_ node: DocumentNode, _ field: String) throws(GameFileError) -> Bool {
        guard case let .bool(b) = node.value else {
            throw error(field, node, "found \(node.value.kindDescription), expected true or false")
        }
        return b
    }

    func integer(_ node: DocumentNode, _ field: String, range: ClosedRange<Int>) throws(GameFileError) -> Int {
        let x = try number(node, field)
        guard x == x.rounded(), x >= Double(range.lowerBound), x <= Double(range.upperBound) else {
            throw error(field, node, "found \(DocumentValue.format(x)), expected a whole number in \(range.lowerBound)...\(range.upperBound)")
        }
        return Int(x)
    }

    func choice(_ node: DocumentNode, _ field: String, _ options: [String]) throws(GameFileError) -> String {
        let s: String
        if case let .string(text) = node.value { s = text } else {
            throw error(field, node, "found \(node.value.kindDescription), expected one of: \(options.joined(separator: ", "))")
        }
        guard options.contains(s) else {
            throw error(field, node, "found '\(s)', expected one of: \(options.joined(separator: ", "))")
        }
        return s
    }

    /// An expression: text, or a plain number (which is an expression too).
    func expressionSource(_ node: DocumentNode, _ field: String) throws(GameFileError) -> String {
        switch node.value {
        case let .string(s):
            guard !s.trimmingCharacters(in: .whitespaces).isEmpty else {
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
    func numericArray(_ node: DocumentNode, _ field: String) throws(GameFileError) -> (shape: [Int], elements: [Double]) {
        switch node.value {
        case .number:
            return ([], [try number(node, field)])
        case let .array(items):
            guard !items.isEmpty else { throw error(field, node, "found an empty list, expected numbers") }
            var shape: [Int]? = nil
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
}

