// Re-exported: every test target draws its random instances from the project's
// generators (`SplitMix64`, `GarnetGenerator`, `Categorical`).
@_exported import Randomness

/// Tolerance-aware comparisons shared by the test targets.

/// `|a − b| ≤ rel · max(1, |a|, |b|)` (relative, with an absolute floor at scale 1).
public func isClose(_ a: Double, _ b: Double, rel: Double = 1e-9) -> Bool {
    if a == b { return true }
    guard a.isFinite, b.isFinite else { return false }
    return abs(a - b) <= rel * max(1, abs(a), abs(b))
}

/// Element-wise `isClose` for vectors of the same length.
public func isClose(_ a: [Double], _ b: [Double], rel: Double = 1e-9) -> Bool {
    a.count == b.count && zip(a, b).allSatisfy { isClose($0, $1, rel: rel) }
}

/// The largest absolute element-wise difference.
public func maxAbsDifference(_ a: [Double], _ b: [Double]) -> Double {
    precondition(a.count == b.count)
    return zip(a, b).map { abs($0 - $1) }.max() ?? 0
}
