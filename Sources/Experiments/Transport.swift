import Ambiguity

/// The order-1 optimal-transport cost `W_c(p, q) = min { Σ c_ij π_ij : π ≥ 0,
/// Σ_j π_ij = p_i, Σ_i π_ij = q_j }` (the distance of the `wasserstein` set).
public enum Transport {
    /// The exact minimum transport cost from `p` to `q` under `cost`, by successive
    /// shortest augmenting paths (Bellman–Ford on the residual network), which
    /// keeps every intermediate flow optimal for its value.
    ///
    /// Meant for checks on small instances (tests, membership of sampled kernels).
    /// `p` and `q` must have `cost.count` entries `≥ 0` with equal sums (rounding
    /// differences are ignored: the flow stops when either side is exhausted).
    ///
    /// - Returns: `nil` when the lengths disagree.
    /// - Complexity: `O(A · V · E)` for `A` augmentations, `V ≤ 2n + 2`, `E ≤ n² + 2n`.
    public static func minimumCost(from p: [Double], to q: [Double], cost: GroundCost) -> Double? {
        let n = cost.count
        guard p.count == n, q.count == n else { return nil }
        let sources = (0..<n).filter { p[$0] > 0 }
        let sinks = (0..<n).filter { q[$0] > 0 }
        let a = sources.count, b = sinks.count
        let nodeCount = a + b + 2
        let s = 0, t = a + b + 1
        var to: [Int] = [], cap: [Double] = [], price: [Double] = [], head = [[Int]](repeating: [], count: nodeCount)
        func addEdge(_ u: Int, _ v: Int, _ c: Double, _ w: Double) {
            head[u].append(to.count); to.append(v); cap.append(c); price.append(w)
            head[v].append(to.count); to.append(u); cap.append(0); price.append(-w)
        }
        for (k, i) in sources.enumerated() { addEdge(s, 1 + k, p[i], 0) }
        for (k, j) in sinks.enumerated() { addEdge(1 + a + k, t, q[j], 0) }
        for (k, i) in sources.enumerated() {
            for (l, j) in sinks.enumerated() { addEdge(1 + k, 1 + a + l, p[i], cost[i, j]) }
        }
        let eps = 1e-15
        var total = 0.0
        for _ in 0..<(4 * (nodeCount + to.count)) {
            var dist = [Double](repeating: .infinity, count: nodeCount)
            var via = [Int](repeating: -1, count: nodeCount)
            dist[s] = 0
            var changed = true
            var rounds = 0
            while changed, rounds < nodeCount {
                changed = false
                rounds += 1
                for u in 0..<nodeCount where dist[u] < .infinity {
                    for e in head[u] where cap[e] > eps {
                        let d = dist[u] + price[e]
                        if d < dist[to[e]] - 1e-15 {
                            dist[to[e]] = d
                            via[to[e]] = e
                            changed = true
                        }
                    }
                }
            }
            guard dist[t] < .infinity else { break }
            var f = Double.infinity
            var v = t
            while v != s { let e = via[v]; f = min(f, cap[e]); v = to[e ^ 1] }
            v = t
            while v != s { let e = via[v]; cap[e] -= f; cap[e ^ 1] += f; v = to[e ^ 1] }
            total += f * dist[t]
        }
        return total
    }
}
