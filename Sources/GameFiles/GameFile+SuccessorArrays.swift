import Ambiguity

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
    /// sums to 1 within 1e-9. Memory: the two arrays and the rows, `O(n·m·k)`.
    static func readSuccessorArrays(_ node: DocumentNode, r: FieldReader, n: Int, m: Int, stateNames: [String],
                                    actionNames: [String], parameterArrays: ParameterArrays) throws(GameFileError) -> [SparseDistribution] {
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
        let k = targets.shape[2]
        var rows: [SparseDistribution] = []
        rows.reserveCapacity(n * m)
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
            rows.append(try successorRow(entries, field: field, node: node, s: stateNames[s], a: actionNames[a], r: r))
        }
        return rows
    }

    /// One row from its positive entries: sorted by target, coinciding targets added, sum checked.
    private static func successorRow(_ entries: [(state: Int, mass: Double)], field: String, node: DocumentNode, s: String, a: String,
                                     r: FieldReader) throws(GameFileError) -> SparseDistribution {
        var sorted = entries
        let (indices, weights) = SparseDistribution.summingDuplicates(&sorted)
        try checkRow(weights, field: field, node: node, s: s, a: a, r: r)
        return SparseDistribution(indices: indices, probabilities: weights)
    }
}
