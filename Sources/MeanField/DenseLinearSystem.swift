/// Dense Gaussian elimination with partial pivoting on a row-major `n × n` matrix.
enum DenseLinearSystem {
    /// Solves `A x = b` in place: on return `b` holds `x`. Returns `false` when a pivot
    /// is below `pivotTolerance · max|A|` (numerically singular).
    ///
    /// - Complexity: `n³/3` multiply–adds.
    static func solve(_ a: inout [Double], _ b: inout [Double], n: Int, pivotTolerance: Double = 1e-13) -> Bool {
        var scale = 0.0
        for x in a { scale = max(scale, abs(x)) }
        guard scale > 0, scale.isFinite else { return false }
        let tiny = pivotTolerance * scale
        return a.withUnsafeMutableBufferPointer { ab in
            b.withUnsafeMutableBufferPointer { bb in
                guard let A = ab.baseAddress, let B = bb.baseAddress else { return false }
                for k in 0..<n {
                    // Partial pivoting.
                    var p = k
                    var best = abs(A[k * n + k])
                    for i in (k + 1)..<max(k + 1, n) where abs(A[i * n + k]) > best {
                        best = abs(A[i * n + k])
                        p = i
                    }
                    guard best > tiny else { return false }
                    if p != k {
                        for j in 0..<n { swap(&A[k * n + j], &A[p * n + j]) }
                        swap(&B[k], &B[p])
                    }
                    let pivot = A[k * n + k]
                    let rowK = A + k * n
                    for i in (k + 1)..<max(k + 1, n) {
                        let rowI = A + i * n
                        let f = rowI[k] / pivot
                        if f == 0 { continue }
                        rowI[k] = 0
                        // rowI[j] -= f · rowK[j] for j > k, four at a time.
                        var j = k + 1
                        let fv = SIMD4<Double>(repeating: f)
                        while j + 4 <= n {
                            let rk = UnsafeRawPointer(rowK + j).loadUnaligned(as: SIMD4<Double>.self)
                            let ri = UnsafeRawPointer(rowI + j).loadUnaligned(as: SIMD4<Double>.self)
                            UnsafeMutableRawPointer(rowI + j).storeBytes(of: ri - fv * rk, as: SIMD4<Double>.self)
                            j += 4
                        }
                        while j < n {
                            rowI[j] -= f * rowK[j]
                            j += 1
                        }
                        B[i] -= f * B[k]
                    }
                }
                // Back substitution.
                var i = n - 1
                while i >= 0 {
                    let row = A + i * n
                    var s = B[i]
                    for j in (i + 1)..<max(i + 1, n) { s -= row[j] * B[j] }
                    B[i] = s / row[i]
                    i -= 1
                }
                return true
            }
        }
    }
}
