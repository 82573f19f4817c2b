// Re-exported: every test target draws its random instances from the project's
// generators (`SplitMix64`, `GarnetGenerator`, `Categorical`).
@_exported import Randomness

/// Tolerance-aware comparisons shared by the test targets.

/// Whether `a` and `b` agree within separate absolute and relative tolerances:
/// `|a − b| ≤ max(absolute, relative · max(|a|, |b|))`, the semantics of swift-numerics'
/// `isApproximatelyEqual(to:absoluteTolerance:relativeTolerance:)`. Equal values (equal
/// infinities included) agree; NaN agrees with nothing.
///
/// Choose both on purpose: `relative` is the precision expected of the computation, and
/// `absolute` the error that is harmless at the scale of the quantity (`0` when the
/// expected value is known not to be near zero; `relative · scale` for entries of a vector
/// of that scale, such as probabilities, where some entries are zero).
public func isApproximatelyEqual(_ a: Double, _ b: Double, absolute: Double, relative: Double) -> Bool {
    if a == b { return true }
    guard a.isFinite, b.isFinite else { return false }
    return abs(a - b) <= max(absolute, relative * max(abs(a), abs(b)))
}

/// Element-wise ``isApproximatelyEqual(_:_:absolute:relative:)`` for vectors of the same length.
public func isApproximatelyEqual(_ a: [Double], _ b: [Double], absolute: Double, relative: Double) -> Bool {
    a.count == b.count && zip(a, b).allSatisfy { isApproximatelyEqual($0, $1, absolute: absolute, relative: relative) }
}

/// The largest absolute element-wise difference.
public func maxAbsDifference(_ a: [Double], _ b: [Double]) -> Double {
    precondition(a.count == b.count)
    return zip(a, b).map { abs($0 - $1) }.max() ?? 0
}
