import Ambiguity
import Expressions

extension GameFile {
    /// The tolerance on a row sum (GAME_FORMAT.md: "sum 1 within 1e-9").
    static let rowTolerance = 1e-9
    /// The largest `n·m·n` a transition expression may have (each entry is one
    /// evaluation per visited mean field; about 3 s at 60 ns an evaluation).
    static let maximumExpressionEntries = 50_000_000.0

    // swiftlint:disable:next function_parameter_count
    static func readTransition(
        _ node: DocumentNode, r: FieldReader, n: Int, m: Int, stateNames: [String], actionNames: [String],
        parameterArrays: [String: (shape: [Int], elements: [Double])],
        compile: (DocumentNode, String, [String]) throws(GameFileError) -> CompiledExpression
    ) throws(GameFileError) -> TransitionSource {
        let entries = Double(n) * Double(m) * Double(n)
        func checkSize(_ field: String) throws(GameFileError) {
            guard entries <= maximumExpressionEntries else {
                throw r.error(field, node, "an expression over n·m·n = \(Int(entries)) entries is too large to evaluate (at most \(Int(maximumExpressionEntries))); give large games as {sparse: E}")
            }
        }
        switch node.value {
        case .string, .number:
            try checkSize("transition")
            return .expression(try compile(node, "transition", ["s", "a", "t", "mu"]), normalize: false)
        case let .object(pairs):
            try r.checkKeys(pairs, known: ["expr", "normalize", "table", "sparse"], field: "transition")
            func sub(_ k: String) -> DocumentNode? { pairs.first { $0.key == k }?.value }
            let kinds = ["expr", "table", "sparse"].filter { sub($0) != nil }
            guard kinds.count == 1 else {
                throw r.error("transition", node, kinds.isEmpty
                    ? "found a mapping without expr, table or sparse, expected exactly one of them"
                    : "found \(kinds.joined(separator: " and ")), expected exactly one of expr, table, sparse")
            }
            var normalize = false
            if let nz = sub("normalize") {
                guard sub("expr") != nil else { throw r.error("transition.normalize", nz, "only applies to transition.expr") }
                normalize = try r.bool(nz, "transition.normalize")
            }
            if let e = sub("expr") {
                try checkSize("transition.expr")
                return .expression(try compile(e, "transition.expr", ["s", "a", "t", "mu"]), normalize: normalize)
            }
            if let tableNode = sub("table") {
                let array = try resolveArray(tableNode, "transition.table", r: r, parameterArrays: parameterArrays)
                guard array.shape == [n, m, n] else {
                    throw r.error("transition.table", tableNode, "has shape \(array.shape), expected [\(n), \(m), \(n)] (P[s][a][t])")
                }
                var rows: [SparseDistribution] = []
                rows.reserveCapacity(n * m)
                for s in 0..<n {
                    for a in 0..<m {
                        let base = (s * m + a) * n
                        var idx: [Int] = [], pr: [Double] = []
                        for t in 0..<n {
                            let p = array.elements[base + t]
                            guard p >= 0 else {
                                throw r.error("transition.table", tableNode, "at s=\(stateNames[s]), a=\(actionNames[a]), t=\(stateNames[t]): found \(p), expected a probability >= 0")
                            }
                            if p > 0 { idx.append(t); pr.append(p) }
                        }
                        try checkRow(pr, field: "transition.table", node: tableNode, s: stateNames[s], a: actionNames[a], r: r)
                        rows.append(SparseDistribution(indices: idx, probabilities: pr))
                    }
                }
                return .rows(rows)
            }
            if let sp = sub("sparse") {
                return .rows(try readSparse(sp, r: r, n: n, m: m, stateNames: stateNames, actionNames: actionNames,
                                            parameterArrays: parameterArrays))
            }
            throw r.error("transition", node, "expected expr, table or sparse")
        default:
            throw r.error("transition", node, "found \(node.value.kindDescription), expected an expression, {expr: …, normalize: …}, {table: P} or {sparse: E}")
        }
    }

    static func checkRow(_ probabilities: [Double], field: String, node: DocumentNode?, s: String, a: String,
                         r: FieldReader) throws(GameFileError) {
        let total = probabilities.reduce(0, +)
        guard abs(total - 1) <= rowTolerance else {
            throw r.error(field, node, "at s=\(s), a=\(a): the row sums to \(total), expected 1 (within 1e-9)")
        }
    }

    /// A literal array, or the name of a parameter holding one.
    static func resolveArray(_ node: DocumentNode, _ field: String, r: FieldReader,
                             parameterArrays: [String: (shape: [Int], elements: [Double])]) throws(GameFileError) -> (shape: [Int], elements: [Double]) {
        if case let .string(name) = node.value {
            guard let array = parameterArrays[name] else {
                throw r.error(field, node, "'\(name)' is not an array parameter (known: \(parameterArrays.keys.sorted().joined(separator: ", ")))")
            }
            return array
        }
        return try r.numericArray(node, field)
    }

    static func readSparse(_ node: DocumentNode, r: FieldReader, n: Int, m: Int, stateNames: [String], actionNames: [String],
                           parameterArrays: [String: (shape: [Int], elements: [Double])]) throws(GameFileError) -> [SparseDistribution] {
        let field = "transition.sparse"
        let array = try resolveArray(node, field, r: r, parameterArrays: parameterArrays)
        guard array.shape.count == 2, array.shape[1] == 4 else {
            throw r.error(field, node, "has shape \(array.shape), expected a list of [s, a, t, p] entries")
        }
        var rows = [[(Int, Double)]](repeating: [], count: n * m)
        for k in 0..<array.shape[0] {
            let e = Array(array.elements[(4 * k)..<(4 * k + 4)])
            func index(_ x: Double, _ count: Int, _ what: String) throws(GameFileError) -> Int {
                guard x == x.rounded(), x >= 0, x < Double(count) else {
                    throw r.error("\(field)[\(k)]", node, "\(what) = \(DocumentValue.format(x)), expected a whole number in 0..<\(count)")
                }
                return Int(x)
            }
            let s = try index(e[0], n, "s"), a = try index(e[1], m, "a"), t = try index(e[2], n, "t")
            let p = e[3]
            guard p >= 0 else {
                throw r.error("\(field)[\(k)]", node, "at s=\(stateNames[s]), a=\(actionNames[a]), t=\(stateNames[t]): found \(p), expected a probability >= 0")
            }
            rows[s * m + a].append((t, p))
        }
        var out: [SparseDistribution] = []
        out.reserveCapacity(n * m)
        for s in 0..<n {
            for a in 0..<m {
                var entries = rows[s * m + a]
                guard !entries.isEmpty else {
                    throw r.error(field, node, "no entries for s=\(stateNames[s]), a=\(actionNames[a]), expected a probability row")
                }
                entries.sort { $0.0 < $1.0 }
                for k in 1..<max(entries.count, 1) where entries[k].0 == entries[k - 1].0 {
                    throw r.error(field, node, "two entries for s=\(stateNames[s]), a=\(actionNames[a]), t=\(stateNames[entries[k].0]), expected one")
                }
                let kept = entries.filter { $0.1 > 0 }
                try checkRow(entries.map(\.1), field: field, node: node, s: stateNames[s], a: actionNames[a], r: r)
                out.append(SparseDistribution(indices: kept.map(\.0), probabilities: kept.map(\.1)))
            }
        }
        return out
    }
}
