import Expressions

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A random expression tree, printed to text for the parser and evaluated
/// directly by ``ReferenceTree/evaluate(x:y:mu:)`` — an independent reading
/// of the language's semantics.
indirect enum ReferenceTree: CustomStringConvertible, Sendable {
    enum Binary: CaseIterable, Sendable { case add, subtract, multiply, divide, remainder, power }
    enum Function: CaseIterable, Sendable { case abs, exp, log, sqrt, floor, ceil, min, max, mod, pow, clamp, `if` }
    enum Comparison: CaseIterable, Sendable { case eq, ne, lt, le, gt, ge }

    case number(Double)
    case x, y
    case mu(Int)
    case negate(ReferenceTree)
    case binary(Binary, ReferenceTree, ReferenceTree)
    case call(Function, [ReferenceTree])
    case compare(Comparison, ReferenceTree, ReferenceTree)
    case logic(isAnd: Bool, ReferenceTree, ReferenceTree)
    case not(ReferenceTree)

    struct Failure: Error {}

    // MARK: Building from a choice sequence

    /// Builds a tree from a sequence of choices; shorter sequences give smaller
    /// trees, so shrinking the sequence shrinks the tree.
    static func build(_ choices: [Int]) -> ReferenceTree {
        var cursor = 0
        return build(choices, &cursor, depth: 0)
    }

    private static func build(_ c: [Int], _ i: inout Int, depth: Int) -> ReferenceTree {
        func next() -> Int {
            defer { i += 1 }
            return i < c.count ? c[i] : 0
        }
        let literals: [Double] = [0, 1, 2, 3, 0.5, 0.25, 10, 1e-3, 1.5, 7]
        if i >= c.count || depth >= 6 {
            let k = next()
            switch k % 4 {
            case 0: return .number(literals[(k / 4) % literals.count])
            case 1: return .x
            case 2: return .y
            default: return .mu((k / 4) % 4)
            }
        }
        let k = next()
        switch k % 10 {
        case 0, 1:
            let v = next()
            switch v % 4 {
            case 0: return .number(literals[(v / 4) % literals.count])
            case 1: return .x
            case 2: return .y
            default: return .mu((v / 4) % 4)
            }
        case 2: return .negate(build(c, &i, depth: depth + 1))
        case 3, 4, 5:
            let op = Binary.allCases[next() % Binary.allCases.count]
            let l = build(c, &i, depth: depth + 1)
            return .binary(op, l, build(c, &i, depth: depth + 1))
        case 6, 7:
            let f = Function.allCases[next() % Function.allCases.count]
            let arity: Int
            switch f {
            case .abs, .exp, .log, .sqrt, .floor, .ceil: arity = 1
            case .mod, .pow: arity = 2
            case .clamp, .if: arity = 3
            case .min, .max: arity = 2 + next() % 3
            }
            return .call(f, (0..<arity).map { _ in build(c, &i, depth: depth + 1) })
        case 8:
            let op = Comparison.allCases[next() % Comparison.allCases.count]
            let l = build(c, &i, depth: depth + 1)
            return .compare(op, l, build(c, &i, depth: depth + 1))
        default:
            if next() % 3 == 0 { return .not(build(c, &i, depth: depth + 1)) }
            let isAnd = next() % 2 == 0
            let l = build(c, &i, depth: depth + 1)
            return .logic(isAnd: isAnd, l, build(c, &i, depth: depth + 1))
        }
    }

    /// The tree with every variable replaced by a literal (non-negative values only).
    func substituting(x: Double, y: Double, mu: [Double]) -> ReferenceTree {
        func sub(_ t: ReferenceTree) -> ReferenceTree { t.substituting(x: x, y: y, mu: mu) }
        switch self {
        case .number: return self
        case .x: return .number(x)
        case .y: return .number(y)
        case let .mu(k): return .number(mu[k])
        case let .negate(t): return .negate(sub(t))
        case let .binary(op, l, r): return .binary(op, sub(l), sub(r))
        case let .call(f, args): return .call(f, args.map(sub))
        case let .compare(op, l, r): return .compare(op, sub(l), sub(r))
        case let .logic(isAnd, l, r): return .logic(isAnd: isAnd, sub(l), sub(r))
        case let .not(t): return .not(sub(t))
        }
    }

    // MARK: Printing with minimal parentheses

    /// Precedence levels, loosest first, as in `Docs/Expressions.md`.
    private enum Level: Int, Comparable {
        case or = 1, and, not, comparison, additive, multiplicative, unary, power, atom
        static func < (a: Level, b: Level) -> Bool { a.rawValue < b.rawValue }
    }

    var description: String { render().text }

    /// The text, and the loosest operator at its top (what a parent must compare against).
    private func render() -> (text: String, level: Level) {
        func wrap(_ tree: ReferenceTree, atLeast level: Level) -> String {
            let (text, own) = tree.render()
            return own >= level ? text : "(\(text))"
        }
        switch self {
        case let .number(v): return (v.description, .atom)
        case .x: return ("x", .atom)
        case .y: return ("y", .atom)
        case let .mu(k): return ("mu[\(k)]", .atom)
        case let .negate(t): return ("-" + wrap(t, atLeast: .unary), .unary)
        case let .binary(op, l, r):
            switch op {
            case .add: return (wrap(l, atLeast: .additive) + " + " + wrap(r, atLeast: .multiplicative), .additive)
            case .subtract: return (wrap(l, atLeast: .additive) + " - " + wrap(r, atLeast: .multiplicative), .additive)
            case .multiply: return (wrap(l, atLeast: .multiplicative) + "*" + wrap(r, atLeast: .unary), .multiplicative)
            case .divide: return (wrap(l, atLeast: .multiplicative) + " / " + wrap(r, atLeast: .unary), .multiplicative)
            case .remainder: return (wrap(l, atLeast: .multiplicative) + " % " + wrap(r, atLeast: .unary), .multiplicative)
            // Right-associative; the exponent may be a signed (unary) expression.
            case .power: return (wrap(l, atLeast: .atom) + "^" + wrap(r, atLeast: .unary), .power)
            }
        case let .call(f, args):
            let name = f == .if ? "if" : "\(f)"
            return (name + "(" + args.map { wrap($0, atLeast: .or) }.joined(separator: ", ") + ")", .atom)
        case let .compare(op, l, r):
            let symbol = ["==", "!=", "<", "<=", ">", ">="][Comparison.allCases.firstIndex(of: op) ?? 0]
            return (wrap(l, atLeast: .additive) + " \(symbol) " + wrap(r, atLeast: .additive), .comparison)
        case let .logic(isAnd, l, r):
            return isAnd
                ? (wrap(l, atLeast: .and) + " and " + wrap(r, atLeast: .not), .and)
                : (wrap(l, atLeast: .or) + " or " + wrap(r, atLeast: .and), .or)
        case let .not(t): return ("not " + wrap(t, atLeast: .not), .not)
        }
    }

    // MARK: Reference evaluation

    /// Evaluates the tree directly; throws where the language reports an error.
    func evaluate(x: Double, y: Double, mu: [Double]) throws(Failure) -> Double {
        let value = try value(x: x, y: y, mu: mu)
        guard value.isFinite else { throw Failure() }
        return value
    }

    private func value(x: Double, y: Double, mu: [Double]) throws(Failure) -> Double {
        func eval(_ t: ReferenceTree) throws(Failure) -> Double { try t.value(x: x, y: y, mu: mu) }
        func bool(_ b: Bool) -> Double { b ? 1 : 0 }
        switch self {
        case let .number(v): return v
        case .x: return x
        case .y: return y
        case let .mu(k): return mu[k]
        case let .negate(t): return -(try eval(t))
        case let .binary(op, l, r):
            let a = try eval(l), b = try eval(r)
            return try Self.binaryValue(op, a, b)
        case let .call(f, args):
            if f == .if { return try eval(args[0]) != 0 ? try eval(args[1]) : try eval(args[2]) }
            var v: [Double] = []
            for arg in args { v.append(try eval(arg)) }
            return try Self.callValue(f, v)
        case let .compare(op, l, r):
            let a = try eval(l), b = try eval(r)
            switch op {
            case .eq: return bool(a == b)
            case .ne: return bool(a != b)
            case .lt: return bool(a < b)
            case .le: return bool(a <= b)
            case .gt: return bool(a > b)
            case .ge: return bool(a >= b)
            }
        case let .logic(isAnd, l, r):
            let a = try eval(l)
            if isAnd { return a == 0 ? 0 : bool(try eval(r) != 0) }
            return a != 0 ? 1 : bool(try eval(r) != 0)
        case let .not(t): return bool(try eval(t) == 0)
        }
    }

    private static func modulo(_ a: Double, _ b: Double) throws(Failure) -> Double {
        guard b != 0 else { throw Failure() }
        var r = fmod(a, b)
        if r < 0 { r += Swift.abs(b); if r >= Swift.abs(b) { r = 0 } }
        return r
    }

    private static func power(_ a: Double, _ b: Double) throws(Failure) -> Double {
        if a == 0, b < 0 { throw Failure() }
        let r = pow(a, b)
        if r.isNaN, !a.isNaN, !b.isNaN { throw Failure() }
        return r
    }

    private static func binaryValue(_ op: Binary, _ a: Double, _ b: Double) throws(Failure) -> Double {
        switch op {
        case .add: return a + b
        case .subtract: return a - b
        case .multiply: return a * b
        case .divide:
            guard b != 0 else { throw Failure() }
            return a / b
        case .remainder: return try modulo(a, b)
        case .power: return try power(a, b)
        }
    }

    /// A built-in function (other than `if`) applied to its evaluated arguments.
    private static func callValue(_ f: Function, _ v: [Double]) throws(Failure) -> Double {
        switch f {
        case .abs: return Swift.abs(v[0])
        case .exp: return exp(v[0])
        case .log:
            guard !(v[0] <= 0) else { throw Failure() }
            return log(v[0])
        case .sqrt:
            guard !(v[0] < 0) else { throw Failure() }
            return sqrt(v[0])
        case .floor: return floor(v[0])
        case .ceil: return ceil(v[0])
        case .min: return v.dropFirst().reduce(v[0]) { Double.minimum($0, $1) }
        case .max: return v.dropFirst().reduce(v[0]) { Double.maximum($0, $1) }
        case .mod: return try modulo(v[0], v[1])
        case .pow: return try power(v[0], v[1])
        case .clamp:
            guard !(v[1] > v[2]) else { throw Failure() }
            return Double.minimum(Double.maximum(v[0], v[1]), v[2])
        case .if: return 0  // handled in value(x:y:mu:)
        }
    }
}
