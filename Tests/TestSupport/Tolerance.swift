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

/// A small deterministic generator (SplitMix64) for reproducible random instances.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
