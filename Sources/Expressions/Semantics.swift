#if canImport(Darwin)
import Darwin
#elseif canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(ucrt)
import ucrt
#endif

/// Operations of one operand.
enum UnaryOperation: Sendable, Hashable {
    /// Prefix `-`.
    case negate
    /// `not x`: 1 if `x == 0`, else 0.
    case not
    /// 1 if `x != 0`, else 0 (the value of a one-operand `and`/`or` tail).
    case truth
    case abs, exp, log, sqrt, floor, ceil
}

/// Operations of two operands.
enum BinaryOperation: Sendable, Hashable {
    case add, subtract, multiply, divide
    /// `%` and `mod`: the non-negative remainder.
    case remainder
    /// `^` and `pow`.
    case power
    case minimum, maximum
    case equal, notEqual, less, lessEqual, greater, greaterEqual
}

/// Reductions of an array (or a block of it).
enum ReduceOperation: Sendable, Hashable {
    case sum, minimum, maximum
}

/// An evaluation failure before a position is attached.
struct Fault: Error {
    let kind: ExpressionError.Kind
}

/// The meaning of every operation, shared by constant folding and the interpreter
/// so both agree to the last bit.
enum Semantics {
    @inline(__always)
    static func apply(_ op: UnaryOperation, _ x: Double) throws(Fault) -> Double {
        switch op {
        case .negate: return -x
        case .not: return x == 0 ? 1 : 0
        case .truth: return x != 0 ? 1 : 0
        case .abs: return Swift.abs(x)
        case .exp: return exp(x)
        case .log:
            guard !(x <= 0) else { throw Fault(kind: .logarithmOfNonPositive(x)) }
            return log(x)
        case .sqrt:
            guard !(x < 0) else { throw Fault(kind: .squareRootOfNegative(x)) }
            return x.squareRoot()
        case .floor: return x.rounded(.down)
        case .ceil: return x.rounded(.up)
        }
    }

    @inline(__always)
    static func apply(_ op: BinaryOperation, _ x: Double, _ y: Double) throws(Fault) -> Double {
        switch op {
        case .add: return x + y
        case .subtract: return x - y
        case .multiply: return x * y
        case .divide:
            guard y != 0 else { throw Fault(kind: .divisionByZero) }
            return x / y
        case .remainder: return try remainder(x, y)
        case .power: return try power(x, y)
        case .minimum: return Double.minimum(x, y)
        case .maximum: return Double.maximum(x, y)
        case .equal: return x == y ? 1 : 0
        case .notEqual: return x != y ? 1 : 0
        case .less: return x < y ? 1 : 0
        case .lessEqual: return x <= y ? 1 : 0
        case .greater: return x > y ? 1 : 0
        case .greaterEqual: return x >= y ? 1 : 0
        }
    }

    /// The non-negative remainder: the `r` in `[0, |y|)` with `x - r` a multiple of `y`.
    /// `mod(-1, 3) = 2`, `mod(5, -3) = 2`, `mod(x, 0)` is division by zero.
    static func remainder(_ x: Double, _ y: Double) throws(Fault) -> Double {
        guard y != 0 else { throw Fault(kind: .divisionByZero) }
        var r = x.truncatingRemainder(dividingBy: y)
        if r < 0 {
            let m = Swift.abs(y)
            r += m
            // A tiny negative r can round up to |y|; keep the result in [0, |y|).
            if r >= m { r = 0 }
        }
        return r == 0 ? 0 : r  // no -0
    }

    /// `x ^ y`, with the domain errors made explicit.
    static func power(_ x: Double, _ y: Double) throws(Fault) -> Double {
        if x == 0, y < 0 { throw Fault(kind: .divisionByZero) }
        let r = pow(x, y)
        if r.isNaN, !x.isNaN, !y.isNaN { throw Fault(kind: .powerOfNegative(base: x, exponent: y)) }
        return r
    }

    /// `clamp(x, lo, hi) = min(max(x, lo), hi)`; `lo > hi` is an error.
    @inline(__always)
    static func clamp(_ x: Double, _ lo: Double, _ hi: Double) throws(Fault) -> Double {
        guard !(lo > hi) else { throw Fault(kind: .invalidClampBounds(lower: lo, upper: hi)) }
        return Double.minimum(Double.maximum(x, lo), hi)
    }

    /// Grid coordinate: `floor(v / divisor)` modulo `modulus` (exact for whole `v` below 2⁵³).
    @inline(__always)
    static func coordinate(_ v: Double, divisor: Double, modulus: Double) -> Double {
        let q = (v / divisor).rounded(.down)
        return q - modulus * (q / modulus).rounded(.down)
    }

    /// The index `x + W·y (+ W·H·z)` of a grid cell (each coordinate rounded to the
    /// nearest integer), or `nil` when some coordinate is outside `0..<shape[d]`.
    @inline(__always)
    static func cell(_ coordinates: some Collection<Double>, shape: [Double]) -> Double? {
        var index = 0.0, stride = 1.0
        for (value, n) in zip(coordinates, shape) {
            // A whole coordinate in range (the usual case) is its own rounding: skip `rounded()`,
            // a call into the C library on baseline x86-64 (as the VM's array offsets do).
            var r = value
            if !(value >= 0 && value < n && Double(Int(value)) == value) { r = value.rounded() }
            guard r >= 0, r < n else { return nil }
            index += r * stride
            stride *= n
        }
        return index
    }

    /// `Σ u[i]·v[i]`, in order.
    @inline(__always)
    static func dot(_ u: ArraySlice<Double>, _ v: ArraySlice<Double>) -> Double {
        var total = 0.0
        var j = v.startIndex
        for x in u {
            total += x * v[j]
            j += 1
        }
        return total
    }

    @inline(__always)
    static func reduce(_ op: ReduceOperation, _ values: ArraySlice<Double>) -> Double {
        switch op {
        case .sum:
            var total = 0.0
            for v in values { total += v }
            return total
        case .minimum:
            var best = Double.infinity
            for v in values { best = Double.minimum(best, v) }
            return best
        case .maximum:
            var best = -Double.infinity
            for v in values { best = Double.maximum(best, v) }
            return best
        }
    }
}

/// The built-in functions and their arities.
enum Builtin: String, CaseIterable, Sendable {
    case abs, exp, log, sqrt, floor, ceil, min, max, mod, pow
    case `if`, clamp, sum
    /// Grid functions (only with a grid, ``Schema/declareGrid(_:)``) and the dot product.
    case cell, inside, dot

    static let allNames = allCases.map(\.rawValue)

    /// The accepted argument counts, as used in messages.
    var arityDescription: String {
        switch self {
        case .abs, .exp, .log, .sqrt, .floor, .ceil, .sum: return "1"
        case .mod, .pow, .dot: return "2"
        case .if, .clamp: return "3"
        case .min, .max: return "2 or more"
        case .cell, .inside: return "2 or 3"
        }
    }

    func accepts(_ count: Int) -> Bool {
        switch self {
        case .abs, .exp, .log, .sqrt, .floor, .ceil, .sum: return count == 1
        case .mod, .pow, .dot: return count == 2
        case .cell, .inside: return count == 2 || count == 3
        case .if, .clamp: return count == 3
        case .min, .max: return count >= 1
        }
    }
}
