@testable import MeanField
import Testing
import TestSupport

/// Anderson's least squares (``SolverRun/leastSquares(_:_:_:)``), whose modified Gram–Schmidt
/// finishes two columns side by side, against the one-column-at-a-time code it replaced
/// (``referenceLeastSquares(_:_:_:)``, kept verbatim) and the nested-array code before that
/// (`LPSerialParallelTests.referenceLeastSquares`): the same coefficients and the same dropped
/// columns, bit for bit.
@Suite struct AndersonLeastSquaresTests {
    /// Random histories of 1–40 columns (odd and even counts), lengths 1–300, with dependent
    /// columns at even and odd places (each half of a pair fails: the drop path), zero and tiny
    /// columns, and columns of mixed magnitudes.
    @Test func pairedColumnsEqualOneColumnAtATime() {
        var rng = SplitMix64(seed: 1806)
        var drops = 0, dropsAtOdd = 0
        for trial in 0..<160 {
            let k = 1 + trial % 40, n = [1, 2, 7, 40, 131, 300][trial % 6]
            var dF = (0..<k).map { c in
                TestGames.randomVector(n, scale: trial % 5 == 0 ? 1e-6 : (c % 3 == 2 ? 1e3 : 1), rng: &rng)
            }
            if k >= 3, trial % 3 == 0 {
                let p = 1 + (trial / 3) % (k - 1)  // odd and even places
                dF[p] = dF[p - 1].enumerated().map { t, x in 2 * x + (t % 2 == 0 ? 0 : 1e-14 * x) }
            }
            if trial % 7 == 1 { dF[k - 1] = [Double](repeating: 0, count: n) }
            if trial % 13 == 4, k >= 2 { dF[k / 2] = dF[k / 2].map { $0 * 1e-200 } }
            var dX = (0..<k).map { _ in TestGames.randomVector(n, scale: 1, rng: &rng) }
            let f = TestGames.randomVector(n, scale: 1, rng: &rng)
            var (dF2, dX2) = (dF, dX)
            var (dF3, dX3) = (dF, dX)
            let paired = SolverRun.leastSquares(&dF, &dX, f)
            let single = Self.referenceLeastSquares(&dF2, &dX2, f)
            let nested = LPSerialParallelTests.referenceLeastSquares(&dF3, &dX3, f)
            #expect(paired.map(\.bitPattern) == single.map(\.bitPattern), "trial \(trial), k=\(k), n=\(n)")
            #expect(paired.map(\.bitPattern) == nested.map(\.bitPattern), "trial \(trial), k=\(k), n=\(n)")
            #expect(dF == dF2 && dX == dX2 && dF == dF3, "trial \(trial)")
            #expect(paired.count == dF.count, "trial \(trial)")
            if dF.count < k {
                drops += 1
                if (k - dF.count) % 2 == 1 { dropsAtOdd += 1 }
            }
        }
        // The drop path ran, with both an odd and an even number of columns dropped.
        #expect(drops >= 20)
        #expect(dropsAtOdd >= 5 && drops - dropsAtOdd >= 5)
    }

    /// The flat least squares with the modified Gram–Schmidt one column at a time, as it was
    /// before columns were paired (verbatim but for the names).
    static func referenceLeastSquares(_ dF: inout [[Double]], _ dX: inout [[Double]], _ f: [Double]) -> [Double] {
        let n = f.count
        while !dF.isEmpty {
            let k = dF.count
            var q = [Double]()
            q.reserveCapacity(k * n)
            for column in dF { q.append(contentsOf: column.prefix(n)) }
            if q.count < k * n { q.append(contentsOf: repeatElement(0, count: k * n - q.count)) }
            var r = [Double](repeating: 0, count: k * k)
            let ok = q.withUnsafeMutableBufferPointer { qb in
                r.withUnsafeMutableBufferPointer { rb in referenceOrthonormalize(qb, columns: k, length: n, r: rb) }
            }
            if ok, let g = referenceBackSubstitute(q, r, columns: k, f: f) { return g }
            dF.removeFirst()
            dX.removeFirst()
        }
        return []
    }

    static func referenceOrthonormalize(_ q: UnsafeMutableBufferPointer<Double>, columns k: Int, length n: Int,
                                        r: UnsafeMutableBufferPointer<Double>) -> Bool {
        guard let base = q.baseAddress else { return k == 0 }
        var maxDiag = 0.0
        for j in 0..<k {
            let qj = base + j * n
            let first = j > 0 ? base : qj
            var dot = 0.0
            for t in 0..<n { dot += first[t] * qj[t] }
            for i in 0..<j {
                let qi = base + i * n, next = i + 1 < j ? base + (i + 1) * n : qj
                r[i * k + j] = dot
                let d = dot
                var following = 0.0
                for t in 0..<n {
                    qj[t] -= d * qi[t]
                    following += next[t] * qj[t]
                }
                dot = following
            }
            let nrm = dot.squareRoot()
            r[j * k + j] = nrm
            maxDiag = max(maxDiag, nrm)
            if !(nrm > 1e-10 * maxDiag) || !(nrm > 1e-300) { return false }
            for t in 0..<n { qj[t] /= nrm }
        }
        return true
    }

    static func referenceBackSubstitute(_ q: [Double], _ r: [Double], columns k: Int, f: [Double]) -> [Double]? {
        let n = f.count
        var rhs = [Double](repeating: 0, count: k)
        for j in 0..<k {
            var dot = 0.0
            for t in 0..<n { dot += q[j * n + t] * f[t] }
            rhs[j] = dot
        }
        var g = [Double](repeating: 0, count: k)
        var j = k - 1
        while j >= 0 {
            var s = rhs[j]
            for i in (j + 1)..<max(j + 1, k) { s -= r[j * k + i] * g[i] }
            g[j] = s / r[j * k + j]
            j -= 1
        }
        return g.allSatisfy({ $0.isFinite }) ? g : nil
    }
}
