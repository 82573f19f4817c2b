import Ambiguity
import MeanField

extension GameFile {
    /// The error for an array of the wrong shape for `field`. When `node` names a parameter
    /// read from a file, the error names `parameters.NAME` and the file.
    static func shapeError(_ field: String, _ node: DocumentNode, r: FieldReader, shape: [Int], expected: String) -> GameFileError {
        let found = "\(shape)"
        if case let .string(name) = node.value, let file = r.parameterFiles[name] {
            return r.error("parameters.\(name)", node, "file '\(file)' holds an array of shape \(found), expected \(expected) for \(field)")
        }
        return r.error(field, node, "has shape \(found), expected \(expected)")
    }

    /// `transition.sparse` as two arrays of shape `[n, m, k]`: `targets[s][a][j]` (whole
    /// numbers) and `probabilities[s][a][j]`, the `k` successors of each row. A target may be
    /// out of range only where its probability is 0; coinciding targets add up; each row
    /// sums to 1 within 1e-9. The rows are built straight into flat arrays (row `s·m + a`), the
    /// form the solvers read: no pair of arrays per row (Docs/Performance.md, section 10). Memory:
    /// the two arrays while reading, then the rows, `O(n·m·k)`.
    static func readSuccessorArrays(_ node: DocumentNode, r: FieldReader, n: Int, m: Int, stateNames: [String],
                                    actionNames: [String], parameterArrays: ParameterArrays) throws(GameFileError) -> KernelRows {
        let field = "transition.sparse"
        let pairs = try r.object(node, field)
        try r.checkKeys(pairs, known: ["targets", "probabilities"], field: field)
        func part(_ key: String) throws(GameFileError) -> (node: DocumentNode, array: (shape: [Int], elements: [Double])) {
            guard let sub = pairs.first(where: { $0.key == key })?.value else {
                throw r.error("\(field).\(key)", node, "missing, expected an [n, m, k] array (or the name of a parameter holding one)")
            }
            return (sub, try resolveArray(sub, "\(field).\(key)", r: r, parameterArrays: parameterArrays))
        }
        let (targetNode, targets) = try part("targets")
        let (probabilityNode, probabilities) = try part("probabilities")
        guard targets.shape.count == 3, targets.shape[0] == n, targets.shape[1] == m, targets.shape[2] >= 1 else {
            throw shapeError("\(field).targets", targetNode, r: r, shape: targets.shape, expected: "[\(n), \(m), k] (targets[s][a][j])")
        }
        guard probabilities.shape == targets.shape else {
            throw shapeError("\(field).probabilities", probabilityNode, r: r, shape: probabilities.shape,
                             expected: "the shape of \(field).targets, \(targets.shape)")
        }
        var builder = FlatRowBuilder(rows: n * m, capacity: targets.elements.count)
        let k = targets.shape[2]
        var entries: [(state: Int, mass: Double)] = []
        entries.reserveCapacity(k)
        for row in 0..<(n * m) {
            let s = row / m, a = row % m
            func error(_ j: Int, _ message: String) -> GameFileError {
                r.error(field, node, "at s=\(stateNames[s]), a=\(actionNames[a]), successor \(j): \(message)")
            }
            entries.removeAll(keepingCapacity: true)
            for j in 0..<k {
                let x = targets.elements[row * k + j], p = probabilities.elements[row * k + j]
                guard p >= 0 else { throw error(j, "probability \(DocumentValue.format(p)), expected >= 0") }
                guard p > 0 else { continue }
                guard x == x.rounded(), x >= 0, x < Double(n) else {
                    throw error(j, "target \(DocumentValue.format(x)) with probability \(DocumentValue.format(p)), expected a whole number in 0..<\(n)")
                }
                entries.append((Int(x), p))
            }
            let total = builder.append(&entries)
            guard abs(total - 1) <= rowTolerance else {
                throw r.error(field, node, "at s=\(stateNames[s]), a=\(actionNames[a]): the row sums to \(total), expected 1 (within 1e-9)")
            }
        }
        return builder.rows
    }
}

/// Flat kernel rows built one row at a time, each row's entries sorted by target with
/// coinciding targets added: the arithmetic of `SparseDistribution.summingDuplicates` and
/// `GameFile.checkRow`, so the rows are bit for bit those of the per-row path.
struct FlatRowBuilder {
    private var starts: [Int] = []
    private var ends: [Int] = []
    private var indices: [Int] = []
    private var probabilities: [Double] = []

    /// Room for `rows` rows of `capacity` entries in all.
    init(rows: Int, capacity: Int) {
        starts.reserveCapacity(rows)
        ends.reserveCapacity(rows)
        indices.reserveCapacity(capacity)
        probabilities.reserveCapacity(capacity)
    }

    /// Appends the row of `pairs` (sorted by state in place when they are not increasing) and
    /// returns its sum, added in entry order.
    mutating func append(_ pairs: inout [(state: Int, mass: Double)]) -> Double {
        if !pairs.indices.dropFirst().allSatisfy({ pairs[$0 - 1].state < pairs[$0].state }) {
            pairs.sort { $0.state < $1.state }
        }
        let start = indices.count
        starts.append(start)
        for (s, mass) in pairs {
            if indices.count > start, let last = indices.last, last == s {
                probabilities[probabilities.count - 1] += mass
            } else {
                indices.append(s)
                probabilities.append(mass)
            }
        }
        ends.append(indices.count)
        var total = 0.0
        for j in start..<indices.count { total += probabilities[j] }
        return total
    }

    /// The rows appended so far.
    var rows: KernelRows { KernelRows(rowStart: starts, rowEnd: ends, indices: indices, probabilities: probabilities) }
}
