import Ambiguity
import Expressions
import MeanField

extension GameFile {
    /// The tolerance on a row sum (Docs/Format.md: "sum 1 within 1e-9").
    static let rowTolerance = 1e-9
    /// The largest `n·m·n` a transition expression may have (each entry is one
    /// evaluation per visited mean field; about 3 s at 60 ns an evaluation).
    static let maximumExpressionEntries = 50_000_000.0

    /// The arrays declared under `parameters`, by name.
    typealias ParameterArrays = [String: (shape: [Int], elements: [Double])]

    /// Reads `transition`: an expression, `{expr, normalize}`, `{table}`, `{sparse}`,
    /// `{successors, normalize}` or `{next, noise}`.
    static func readTransition(
        _ node: DocumentNode, r: FieldReader, n: Int, m: Int, stateNames: [String], actionNames: [String],
        parameterArrays: ParameterArrays, noiseSlot: ScalarSlot? = nil,
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
            if isSuccessorForm(pairs) {
                return .successors(try readSuccessorRule(node, pairs: pairs, r: r, noiseSlot: noiseSlot,
                                                         parameterArrays: parameterArrays, compile: compile))
            }
            try r.checkKeys(pairs, known: ["expr", "normalize", "table", "sparse"], field: "transition")
            func sub(_ k: String) -> DocumentNode? { pairs.first { $0.key == k }?.value }
            let normalize = try readTransitionKind(node, r: r, sub: sub)
            if let e = sub("expr") {
                try checkSize("transition.expr")
                return .expression(try compile(e, "transition.expr", ["s", "a", "t", "mu"]), normalize: normalize)
            }
            if let tableNode = sub("table") {
                return .rows(try readTable(tableNode, r: r, n: n, m: m, stateNames: stateNames, actionNames: actionNames,
                                           parameterArrays: parameterArrays))
            }
            if let sp = sub("sparse") {
                if case .object = sp.value {
                    return .flat(try readSuccessorArrays(sp, r: r, n: n, m: m, stateNames: stateNames, actionNames: actionNames,
                                                         parameterArrays: parameterArrays))
                }
                return .rows(try readSparse(sp, r: r, n: n, m: m, stateNames: stateNames, actionNames: actionNames,
                                            parameterArrays: parameterArrays))
            }
            throw r.error("transition", node, "expected expr, table, sparse, successors or next")
        default:
            throw r.error("transition", node, "found \(node.value.kindDescription), expected an expression, {expr: …, normalize: …}, {table: P}, {sparse: E}, {successors: […]} or {next: E, noise: …}")
        }
    }

    /// Checks that a `transition` mapping has exactly one of `expr`, `table`, `sparse`,
    /// and returns `normalize` (allowed with `expr` only).
    private static func readTransitionKind(_ node: DocumentNode, r: FieldReader,
                                           sub: (String) -> DocumentNode?) throws(GameFileError) -> Bool {
        let kinds = ["expr", "table", "sparse"].filter { sub($0) != nil }
        guard kinds.count == 1 else {
            throw r.error("transition", node, kinds.isEmpty
                ? "found a mapping without expr, table, sparse, successors or next, expected exactly one of them"
                : "found \(kinds.joined(separator: " and ")), expected exactly one of expr, table, sparse")
        }
        guard let nz = sub("normalize") else { return false }
        guard sub("expr") != nil else { throw r.error("transition.normalize", nz, "only applies to transition.expr") }
        return try r.bool(nz, "transition.normalize")
    }

    /// `transition.table`: a dense `[n, m, n]` array `P[s][a][t]`, row by row.
    static func readTable(_ tableNode: DocumentNode, r: FieldReader, n: Int, m: Int, stateNames: [String], actionNames: [String],
                          parameterArrays: ParameterArrays) throws(GameFileError) -> [SparseDistribution] {
        let array = try resolveArray(tableNode, "transition.table", r: r, parameterArrays: parameterArrays)
        guard array.shape == [n, m, n] else {
            throw shapeError("transition.table", tableNode, r: r, shape: array.shape, expected: "[\(n), \(m), \(n)] (P[s][a][t])")
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
        return rows
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
                             parameterArrays: ParameterArrays) throws(GameFileError) -> (shape: [Int], elements: [Double]) {
        if case let .string(name) = node.value {
            guard let array = parameterArrays[name] else {
                throw r.error(field, node, "'\(name)' is not an array parameter (known: \(parameterArrays.keys.sorted().joined(separator: ", ")))")
            }
            return array
        }
        return try r.numericArray(node, field)
    }

    /// `transition.sparse` as a list of `[s, a, t, p]` entries (the `{targets, probabilities}`
    /// form is ``readSuccessorArrays(_:r:n:m:stateNames:actionNames:parameterArrays:)``).
    static func readSparse(_ node: DocumentNode, r: FieldReader, n: Int, m: Int, stateNames: [String], actionNames: [String],
                           parameterArrays: ParameterArrays) throws(GameFileError) -> [SparseDistribution] {
        let field = "transition.sparse"
        let array = try resolveArray(node, field, r: r, parameterArrays: parameterArrays)
        guard array.shape.count == 2, array.shape[1] == 4 else {
            throw shapeError(field, node, r: r, shape: array.shape, expected: "a list of [s, a, t, p] entries")
        }
        let count = array.shape[0]
        // Every (s, a) needs an entry, so fewer entries than rows is an error; checking
        // it first also bounds every allocation below by the size of the file.
        guard count >= n * m else {
            throw r.error(field, node, "\(count) entries for \(n * m) rows (s, a), expected at least one entry per row")
        }
        let entries = try sparseEntries(array.elements, count: count, node, field, r: r, n: n, m: m,
                                        stateNames: stateNames, actionNames: actionNames)
        return try sparseRows(entries, node, field, r: r, n: n, m: m, stateNames: stateNames, actionNames: actionNames)
    }

    /// One `[s, a, t, p]` entry of `transition.sparse`, with its row `s·m + a`.
    typealias SparseEntry = (row: Int, t: Int, p: Double)

    /// The entries of a `transition.sparse` list (validated indices, probabilities
    /// `>= 0`), sorted by row then by successor.
    private static func sparseEntries(_ elements: [Double], count: Int, _ node: DocumentNode, _ field: String,
                                      r: FieldReader, n: Int, m: Int, stateNames: [String],
                                      actionNames: [String]) throws(GameFileError) -> [SparseEntry] {
        var entries: [SparseEntry] = []
        entries.reserveCapacity(count)
        // Whether the entries came in the order of the sort below (a generated file's do): then
        // the sort, which is stable, would leave them as they are, and is skipped.
        var sorted = true
        for k in 0..<count {
            let e = elements[(4 * k)..<(4 * k + 4)]
            let base = e.startIndex
            func index(_ x: Double, _ limit: Int, _ what: String) throws(GameFileError) -> Int {
                // A whole number in range is its own truncation (`x == x.rounded()` without the C
                // library's `round`).
                guard x >= 0, x < Double(limit), Double(Int(x)) == x else {
                    throw r.error("\(field)[\(k)]", node, "\(what) = \(DocumentValue.format(x)), expected a whole number in 0..<\(limit)")
                }
                return Int(x)
            }
            let s = try index(e[base], n, "s"), a = try index(e[base + 1], m, "a"), t = try index(e[base + 2], n, "t")
            let p = e[base + 3]
            guard p >= 0 else {
                throw r.error("\(field)[\(k)]", node, "at s=\(stateNames[s]), a=\(actionNames[a]), t=\(stateNames[t]): found \(p), expected a probability >= 0")
            }
            if let last = entries.last, last.row > s * m + a || (last.row == s * m + a && last.t > t) { sorted = false }
            entries.append((s * m + a, t, p))
        }
        if !sorted { entries.sort { $0.row < $1.row || ($0.row == $1.row && $0.t < $1.t) } }
        return entries
    }

    /// The `n·m` rows of sorted sparse entries: every row present, no successor twice,
    /// each summing to 1 within `rowTolerance`; zero probabilities are dropped.
    private static func sparseRows(_ entries: [SparseEntry], _ node: DocumentNode, _ field: String, r: FieldReader,
                                   n: Int, m: Int, stateNames: [String],
                                   actionNames: [String]) throws(GameFileError) -> [SparseDistribution] {
        var out: [SparseDistribution] = []
        out.reserveCapacity(n * m)
        var k = 0
        for row in 0..<(n * m) {
            let s = row / m, a = row % m
            guard k < entries.count, entries[k].row == row else {
                throw r.error(field, node, "no entries for s=\(stateNames[s]), a=\(actionNames[a]), expected a probability row")
            }
            // The row's entries are a run of the sorted list: room for all of them at once.
            var end = k
            while end < entries.count, entries[end].row == row { end += 1 }
            var idx: [Int] = [], pr: [Double] = []
            idx.reserveCapacity(end - k)
            pr.reserveCapacity(end - k)
            var total = 0.0
            var previous = -1
            while k < end {
                let (_, t, p) = entries[k]
                guard t != previous else {
                    throw r.error(field, node, "two entries for s=\(stateNames[s]), a=\(actionNames[a]), t=\(stateNames[t]), expected one")
                }
                previous = t
                total += p
                if p > 0 { idx.append(t); pr.append(p) }
                k += 1
            }
            guard abs(total - 1) <= rowTolerance else {
                throw r.error(field, node, "at s=\(stateNames[s]), a=\(actionNames[a]): the row sums to \(total), expected 1 (within 1e-9)")
            }
            out.append(SparseDistribution(indices: idx, probabilities: pr))
        }
        return out
    }
}

extension GameFile {
    /// Declares the noise variable `e` when `transition` is `{next, noise}` (only then, so
    /// that other games may still name a parameter `e`).
    static func declareNoise(_ transition: DocumentNode?, into schema: inout Schema, r: FieldReader) throws(GameFileError) -> ScalarSlot? {
        guard usesNoise(transition) else { return nil }
        do throws(ExpressionError) {
            return try schema.declareScalar("e")
        } catch {
            throw r.error("transition.noise", transition, "the noise variable e cannot be declared: \(error.message) (rename the parameter e)")
        }
    }
}
