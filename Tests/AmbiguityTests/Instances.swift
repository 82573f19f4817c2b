import Ambiguity
import TestSupport

/// A random inner-problem instance.
struct Instance: CustomStringConvertible {
    var nominal: [Double]
    var values: [Double]
    var radius: Double
    var weights: [Double]
    var cost: [[Double]]
    var tieFree: Bool

    var n: Int { nominal.count }
    var scale: Double { 1 + (values.map(abs).max() ?? 0) }
    var tolerance: Double { 1e-9 * scale }

    var description: String {
        "n=\(n) nominal=\(nominal) values=\(values) radius=\(radius) weights=\(weights) cost=\(cost)"
    }
}

extension SplitMix64 {
    mutating func uniform() -> Double { Double(next() >> 11) * 0x1p-53 }
    mutating func int(_ range: ClosedRange<Int>) -> Int { range.lowerBound + Int(next() % UInt64(range.count)) }
    mutating func chance(_ p: Double) -> Bool { uniform() < p }
}

/// Random instances with ties in `V`, zeros in `p`, `ρ = 0` and radii beyond
/// saturation. `maxStates` bounds `n`; most instances are small.
func randomInstance(seed: Int, maxStates: Int = 200) -> Instance {
    var g = SplitMix64(seed: UInt64(truncatingIfNeeded: seed) &+ 0x5EED)
    let n: Int
    let shape = g.uniform()
    if shape < 0.05 { n = 1 } else if shape < 0.75 { n = g.int(2...min(8, maxStates)) } else if shape < 0.93 { n = g.int(2...min(30, maxStates)) } else { n = g.int(2...maxStates) }
    // Nominal: a random support, sometimes dyadic masses.
    var p = [Double](repeating: 0, count: n)
    let dyadic = g.chance(0.25)
    let zeroChance = g.chance(0.5) ? 0.4 : 0.0
    for i in 0..<n where !g.chance(zeroChance) { p[i] = dyadic ? Double(g.int(1...8)) : g.uniform() + 0.01 }
    if p.allSatisfy({ $0 == 0 }) { p[g.int(0...(n - 1))] = 1 }
    let total = p.reduce(0, +)
    p = p.map { $0 / total }
    // Make the sum exactly 1 in floating point where possible.
    if let last = p.lastIndex(where: { $0 > 0 }) {
        let rest = p.enumerated().filter { $0.offset != last }.reduce(0) { $0 + $1.element }
        p[last] = max(0, 1 - rest)
    }
    // Values: continuous (tie-free) or from a small integer set (ties).
    let ties = g.chance(0.35)
    let values: [Double] = (0..<n).map { _ in ties ? Double(g.int(-3...3)) : (g.uniform() * 10 - 5) }
    let tieFree = !ties && Set(values).count == n
    // Radius: 0, small, moderate, or beyond saturation.
    let r = g.uniform()
    let radius: Double = r < 0.1 ? 0 : r < 0.2 ? 2 + 10 * g.uniform() : r < 0.5 ? 0.05 * g.uniform() : g.uniform()
    // L1 weights.
    let weights: [Double] = g.chance(0.15) ? [Double](repeating: 1.5, count: n) : (0..<n).map { _ in 0.2 + 2.8 * g.uniform() }
    // Ground cost: random, metric |s − t|, 0-1, or with small off-diagonal entries (zero is refused: issue 19;
    // 1e-3 rather than smaller, since GLPK's LP certificate is not robust to costs spanning 1e9 at V ~ 1e-14).
    let kind = g.uniform()
    var cost = [[Double]](repeating: [Double](repeating: 0, count: n), count: n)
    for s in 0..<n {
        for t in 0..<n where s != t {
            if kind < 0.5 { cost[s][t] = 0.1 + 2 * g.uniform() } else if kind < 0.7 { cost[s][t] = Double(abs(s - t)) * 0.3 } else if kind < 0.85 { cost[s][t] = 1 } else { cost[s][t] = g.chance(0.2) ? 1e-3 : 1e-3 + g.uniform() }
        }
    }
    return Instance(nominal: p, values: values, radius: radius, weights: weights, cost: cost, tieFree: tieFree)
}

/// The set of `kind` for an instance (weights / cost attached where needed).
func makeSet(_ kind: AmbiguityKind, _ support: SupportRestriction, _ x: Instance) throws -> AmbiguitySet {
    switch kind {
    case .l1: try AmbiguitySet(kind: .l1, support: support, weights: x.weights)
    case .wasserstein: try AmbiguitySet(kind: .wasserstein, support: support, cost: GroundCost(x.cost))
    default: try AmbiguitySet(kind: kind, support: support)
    }
}

/// Checks that `q` is a probability vector (within `tol`), restricted to
/// `supp(p)` when `restricted`.
func isProbability(_ q: [Double], restrictedTo p: [Double]? = nil, tol: Double = 1e-12) -> Bool {
    guard q.allSatisfy({ $0 >= -tol && $0.isFinite }) else { return false }
    guard abs(q.reduce(0, +) - 1) <= tol else { return false }
    if let p { return zip(q, p).allSatisfy { $1 > 0 || $0 == 0 } }
    return true
}
