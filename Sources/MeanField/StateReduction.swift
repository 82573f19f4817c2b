/// Subtraction-free Gaussian elimination for Markov chains (Grassmann, Taksar and Heyman's
/// state reduction, "GTH"), on one strongly connected component of a chain.
///
/// The component's states `0..<m` carry the within-component probabilities `Q` (row-major,
/// the diagonal ignored) and the probabilities `e` of leaving the component. States are
/// eliminated from the last to the first: eliminating `k` censors the chain on `0..<k`,
/// `Q_ij += Q_ik Q_kj / D_k` and `e_i += Q_ik e_k / D_k`, where
/// `D_k = Σ_{j<k} Q_kj + e_k` is the probability of leaving `k` (for the censored chain),
/// computed as a sum of non-negative terms rather than as `1 − Q_kk`. Every operation adds
/// non-negative numbers, so each entry of the result has a small *relative* error whatever
/// the conditioning: a chain made of two blocks joined by `ε = 10⁻¹²` is solved as accurately
/// as a well-mixed one, where Gaussian elimination with partial pivoting on `(I − Q)ᵀ` meets a
/// pivot of size `ε` (see Docs/Theory.md, "Stationary distributions").
enum StateReduction {
    /// Solves `x (I − Q) = b` for a transient component (some `e_i > 0`), or
    /// `x (I − Q) = 0`, `Σx = 1` for a closed one (`e = 0`, `b` ignored).
    ///
    /// - Parameters:
    ///   - q: `Q`, row-major `m × m`; overwritten.
    ///   - exit: `e`; overwritten.
    ///   - b: the mass entering each state (transient) — the expected visits `x` on return.
    ///   - closed: whether the component is a closed class.
    /// - Returns: `false` when a state cannot leave the states before it (a non-positive or
    ///   non-finite `D_k`, which does not happen for a strongly connected component), or when
    ///   the solve leaves the double range (a subnormal `D_k`, visits or an unnormalized law
    ///   beyond `1.8e308`); ``solveWide(_:exit:_:m:closed:)`` handles the latter.
    /// - Complexity: `m³/3` multiply–adds for a dense `Q`; rows with `Q_ik = 0` are skipped.
    static func solve(_ q: inout [Double], exit: inout [Double], _ b: inout [Double], m: Int, closed: Bool) -> Bool {
        guard m > 0 else { return true }
        var leave = [Double](repeating: 0, count: m)
        let ok = q.withUnsafeMutableBufferPointer { qb in
            exit.withUnsafeMutableBufferPointer { eb in
                b.withUnsafeMutableBufferPointer { bb in
                    guard let qp = qb.baseAddress else { return false }
                    return eliminate(qp, eb, bb, &leave, m: m, closed: closed)
                }
            }
        }
        guard ok else { return false }
        q.withUnsafeBufferPointer { qb in
            guard let qp = qb.baseAddress else { return }
            substitute(qp, &b, leave, m: m, closed: closed)
        }
        guard b.allSatisfy({ $0.isFinite && $0 >= 0 }) else { return false }
        // A closed class's unnormalized law can sum beyond the double range with every entry
        // finite; the normalized law is then all zeros.
        return !closed || b.reduce(0, +) > 0.5
    }

    /// The elimination phase: `leave[k] = D_k`; `q`, `e` and `b` hold the censored chains.
    private static func eliminate(_ qp: UnsafeMutablePointer<Double>, _ e: UnsafeMutableBufferPointer<Double>,
                                  _ b: UnsafeMutableBufferPointer<Double>, _ leave: inout [Double],
                                  m: Int, closed: Bool) -> Bool {
        for k in stride(from: m - 1, through: 0, by: -1) {
            let rowK = qp + k * m
            var d = e[k]
            for j in 0..<k { d += rowK[j] }
            leave[k] = d
            if k == 0 && closed { break }
            // A subnormal D_k has lost its relative precision: the wide solve takes over.
            guard d >= Double.leastNormalMagnitude, d.isFinite else { return false }
            let inverse = 1 / d
            if !closed {
                let bk = b[k] * inverse
                if bk != 0 { for j in 0..<k { b[j] += bk * rowK[j] } }
            }
            for i in 0..<k {
                let rowI = qp + i * m
                let f = rowI[k] * inverse
                guard f != 0 else { continue }
                e[i] += f * e[k]
                addScaled(rowI, rowK, f, count: k)
            }
        }
        return true
    }

    /// `rowI[0..<count] += f · rowK[0..<count]`, four at a time.
    @inline(__always)
    private static func addScaled(_ rowI: UnsafeMutablePointer<Double>, _ rowK: UnsafeMutablePointer<Double>,
                                  _ f: Double, count: Int) {
        let fv = SIMD4<Double>(repeating: f)
        var j = 0
        while j + 4 <= count {
            let rk = UnsafeRawPointer(rowK + j).loadUnaligned(as: SIMD4<Double>.self)
            let ri = UnsafeRawPointer(rowI + j).loadUnaligned(as: SIMD4<Double>.self)
            UnsafeMutableRawPointer(rowI + j).storeBytes(of: ri + fv * rk, as: SIMD4<Double>.self)
            j += 4
        }
        while j < count {
            rowI[j] += f * rowK[j]
            j += 1
        }
    }

    /// Back substitution: `x_k = (b_k + Σ_{i<k} x_i Q_ik) / D_k` from `k = 0` upwards
    /// (`x_0 = 1` for a closed class, then normalized).
    private static func substitute(_ qp: UnsafePointer<Double>, _ b: inout [Double], _ leave: [Double],
                                   m: Int, closed: Bool) {
        if closed {
            b[0] = 1
            for k in 1..<max(1, m) {
                var s = 0.0
                for i in 0..<k { s += b[i] * qp[i * m + k] }
                b[k] = s / leave[k]
            }
            var total = 0.0
            for x in b { total += x }
            for k in 0..<m { b[k] /= total }
        } else {
            for k in 0..<m {
                var s = b[k]
                for i in 0..<k { s += b[i] * qp[i * m + k] }
                b[k] = s / leave[k]
            }
        }
    }
}

/// A non-negative number `significand × 2^exponent` with a `Double` significand in `[1, 2)` (or
/// 0) and an unbounded `Int` exponent: the arithmetic of ``StateReduction/solveWide(_:exit:_:m:closed:)``,
/// which neither underflows nor overflows. Only `+`, `×` and `÷` of non-negative numbers, each
/// rounded once in the significand (relative error `≤ 2⁻⁵²`, as in `Double`).
struct WideNumber {
    var significand: Double
    var exponent: Int

    static let zero = WideNumber(significand: 0, exponent: 0)

    init(significand: Double, exponent: Int) {
        self.significand = significand
        self.exponent = exponent
    }

    /// `x ≥ 0` finite (subnormals included: their significand is normalized).
    init(_ x: Double) {
        if x > 0 {
            significand = x.significand
            exponent = Int(x.exponent)
        } else {
            significand = 0
            exponent = 0
        }
    }

    var isZero: Bool { significand == 0 }

    /// The nearest `Double` (0 below the subnormal range, `+∞` above the double range).
    var double: Double {
        guard significand > 0 else { return 0 }
        if exponent > Int(Double.greatestFiniteMagnitude.exponent) { return .infinity }
        if exponent < -1100 { return 0 }
        return Double(sign: .plus, exponent: exponent, significand: significand)
    }

    /// `significand` brought back into `[1, 2)` from `[0.5, 4)`.
    @inline(__always)
    private static func normalized(_ s: Double, _ e: Int) -> WideNumber {
        if s >= 2 { return WideNumber(significand: s * 0.5, exponent: e + 1) }
        if s < 1 { return s == 0 ? .zero : WideNumber(significand: s * 2, exponent: e - 1) }
        return WideNumber(significand: s, exponent: e)
    }

    static func + (a: WideNumber, b: WideNumber) -> WideNumber {
        if a.isZero { return b }
        if b.isZero { return a }
        let (hi, lo) = a.exponent >= b.exponent ? (a, b) : (b, a)
        let shift = hi.exponent - lo.exponent
        // Beyond 60 binary orders the smaller term is below half an ulp of the larger.
        guard shift <= 60 else { return hi }
        return normalized(hi.significand + lo.significand * Double(sign: .plus, exponent: -shift, significand: 1), hi.exponent)
    }

    static func * (a: WideNumber, b: WideNumber) -> WideNumber {
        if a.isZero || b.isZero { return .zero }
        return normalized(a.significand * b.significand, a.exponent + b.exponent)
    }

    /// `a / b` for `b > 0`.
    static func / (a: WideNumber, b: WideNumber) -> WideNumber {
        if a.isZero { return .zero }
        return normalized(a.significand / b.significand, a.exponent - b.exponent)
    }
}

extension StateReduction {
    /// ``solve(_:exit:_:m:closed:)`` in ``WideNumber`` arithmetic, for the components whose
    /// double solve fails because a quantity leaves the double range: a leave probability
    /// `D_k` that underflows to 0 or to a subnormal (a transient block whose only exits are
    /// products of probabilities like `10⁻²⁰⁰`), expected visits beyond `1.8e308` (a block
    /// left with probability `10⁻³²⁰` per step), or a closed class's unnormalized law beyond
    /// it (a state whose stationary mass is below `10⁻³⁰⁸` times another's). The same
    /// elimination and substitution, every operation on non-negative numbers, so each entry
    /// keeps a small relative error; only the results are rounded to `Double`.
    ///
    /// - Returns: the expected visits (transient; each may be beyond the double range) or the
    ///   stationary law (closed; normalized), or `nil` when a `D_k` is 0, which does not
    ///   happen for a strongly connected component.
    static func solveWide(_ q: [Double], exit: [Double], _ b: [Double], m: Int, closed: Bool) -> [WideNumber]? {
        var q = q.map(WideNumber.init), e = exit.map(WideNumber.init), b = b.map(WideNumber.init)
        var leave = [WideNumber](repeating: .zero, count: m)
        for k in stride(from: m - 1, through: 0, by: -1) {
            var d = e[k]
            for j in 0..<k { d = d + q[k * m + j] }
            leave[k] = d
            if k == 0 && closed { break }
            guard !d.isZero else { return nil }
            if !closed {
                let bk = b[k] / d
                if !bk.isZero { for j in 0..<k where !q[k * m + j].isZero { b[j] = b[j] + bk * q[k * m + j] } }
            }
            for i in 0..<k where !q[i * m + k].isZero {
                let f = q[i * m + k] / d
                e[i] = e[i] + f * e[k]
                for j in 0..<k where !q[k * m + j].isZero { q[i * m + j] = q[i * m + j] + f * q[k * m + j] }
            }
        }
        if closed {
            guard m > 0 else { return [] }
            b[0] = WideNumber(1)
            var total = b[0]
            for k in 1..<max(1, m) {
                var s = WideNumber.zero
                for i in 0..<k where !q[i * m + k].isZero { s = s + b[i] * q[i * m + k] }
                b[k] = s / leave[k]
                total = total + b[k]
            }
            return b.map { $0 / total }
        }
        for k in 0..<m {
            var s = b[k]
            for i in 0..<k where !q[i * m + k].isZero { s = s + b[i] * q[i * m + k] }
            b[k] = s / leave[k]
        }
        return b
    }
}
