import Expressions

/// A ground cost `c(s, t)` written as an expression in `s` and `t` (and `states`,
/// the count), as in a game file's `ambiguity.cost` or `rmfg worst-case --cost`.
public enum GroundCostExpression {
    /// The matrix `c(s, t)` for `s, t` in `0..<states`, evaluated in (s, t) row-major order.
    ///
    /// The entries are not checked here: `GroundCost.init(_:)` checks them.
    ///
    /// - Throws: ``GroundCostExpressionError/compilation(_:)`` when `source` is not an
    ///   expression in `s`, `t` and `states`, ``GroundCostExpressionError/evaluation(s:t:_:)``
    ///   when evaluating it fails at `(s, t)`.
    public static func matrix(_ source: String, states n: Int) throws(GroundCostExpressionError) -> [[Double]] {
        var schema = Schema()
        let expression: CompiledExpression
        let s: ScalarSlot, t: ScalarSlot
        do throws(ExpressionError) {
            s = try schema.declareScalar("s")
            t = try schema.declareScalar("t")
            try schema.declareConstant("states", value: Double(n))
            expression = try CompiledExpression(source, schema: schema)
        } catch {
            throw .compilation(error)
        }
        var env = Environment(schema: schema)
        return try tabulate(expression, in: &env, s: s, t: t, count: n, checked: false)
    }

    /// Evaluates `expression` at every `(s, t)` of `0..<count` (slots `s` and `t` of `env`).
    ///
    /// With `checked`, every entry is checked as it is computed: finite and `>= 0`,
    /// `c(s, s) = 0`, `c(s, t) > 0` for `s ≠ t` (the first failure in row-major order is thrown).
    package static func tabulate(_ expression: CompiledExpression, in env: inout Environment, s: ScalarSlot, t: ScalarSlot,
                                 count n: Int, checked: Bool) throws(GroundCostExpressionError) -> [[Double]] {
        var matrix = [[Double]](repeating: [Double](repeating: 0, count: n), count: n)
        for i in 0..<n {
            for j in 0..<n {
                env[s] = Double(i)
                env[t] = Double(j)
                let c: Double
                do throws(ExpressionError) { c = try expression.evaluate(in: env) } catch {
                    throw .evaluation(s: i, t: j, error)
                }
                if checked {
                    guard c.isFinite, c >= 0 else { throw .entry(s: i, t: j, value: c) }
                    guard i != j || c == 0 else { throw .diagonal(s: i, value: c) }
                    guard i == j || c > 0 else { throw .zeroOffDiagonal(s: i, t: j) }
                }
                matrix[i][j] = c
            }
        }
        return matrix
    }
}

/// Why a ground-cost expression gave no valid cost matrix (indices are 0-based states).
public enum GroundCostExpressionError: Error, Sendable, Equatable {
    /// The text is not an expression in `s`, `t` (and `states`).
    case compilation(ExpressionError)
    /// Evaluating the expression failed at `(s, t)`.
    case evaluation(s: Int, t: Int, ExpressionError)
    /// `c(s, t)` is not finite or is negative.
    case entry(s: Int, t: Int, value: Double)
    /// `c(s, s) ≠ 0`.
    case diagonal(s: Int, value: Double)
    /// `c(s, t) = 0` for `s ≠ t`.
    case zeroOffDiagonal(s: Int, t: Int)
}
