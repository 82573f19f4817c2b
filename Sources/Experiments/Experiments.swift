// Module `Experiments`: robustness experiments on stationary robust mean-field
// equilibria (Docs/Experiments.md). A sweep solves the robust equilibrium of a
// game for every (ambiguity set, radius) cell and measures what robustness costs
// in the nominal model (the price) and what it buys under model mismatch (the
// protection). Cells are independent, so a sweep can be split into shards and
// merged back, byte for byte.

import Randomness

import MeanField

/// The setting of a sweep an ``ExperimentError/invalidSetting(field:message:)`` concerns.
public enum SweepSetting: String, Sendable, Hashable, CaseIterable {
    /// The ambiguity sets of the cells.
    case sets
    /// The radii of the cells.
    case radii
    /// The test radius `R`.
    case testRadius
    /// The random kernels per cell.
    case samples
    /// The shard `i/n`.
    case shard
    /// The number of states (of a default ground cost).
    case states
    /// A ground cost.
    case cost
    /// The radius of a set a kernel is sampled in.
    case radius
}

/// Errors of the Experiments module. Each names what was wrong.
public enum ExperimentError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A setting of a sweep is invalid: `field` names it, `message` says what was
    /// found and expected.
    case invalidSetting(field: SweepSetting, message: String)
    /// A sweep CSV (a shard's or a merged one) does not have the expected form.
    case invalidRecord(String)
    /// A shard's manifest, or the set of shards given to a merge, is unreadable,
    /// incomplete or inconsistent; the message names the file or shard.
    case invalidShard(String)

    /// The message, on one line.
    public var description: String {
        switch self {
        case let .invalidSetting(field, message): "\(field.rawValue): \(message)"
        case let .invalidRecord(message): message
        case let .invalidShard(message): message
        }
    }
}

/// Order statistics used by the sweep.
public enum Statistics {
    /// The arithmetic mean (`nan` for an empty list).
    public static func mean(_ x: [Double]) -> Double {
        x.isEmpty ? .nan : x.reduce(0, +) / Double(x.count)
    }

    /// The `p`-quantile, `p ∈ [0, 1]`, by linear interpolation between order
    /// statistics (Hyndman & Fan's type 7, the default of R and NumPy): with the
    /// sorted values `x_(0) ≤ … ≤ x_(K−1)` and `h = (K − 1)p`, the result is
    /// `x_(⌊h⌋) + (h − ⌊h⌋)(x_(⌊h⌋+1) − x_(⌊h⌋))`. `nan` for an empty list.
    public static func quantile(_ x: [Double], _ p: Double) -> Double {
        guard !x.isEmpty else { return .nan }
        let sorted = x.sorted()
        let h = Double(sorted.count - 1) * min(max(p, 0), 1)
        let lo = Int(h.rounded(.down))
        let hi = min(lo + 1, sorted.count - 1)
        return sorted[lo] + (h - Double(lo)) * (sorted[hi] - sorted[lo])
    }
}
