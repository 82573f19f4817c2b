/// Order-1 Wasserstein ball `U = {q ∈ Δ(A) : W_c(p, q) ≤ ρ}` with
/// `W_c(p, q) = min {Σ_ij c_ij π_ij : π ≥ 0, Σ_j π_ij = p_i, Σ_i π_ij = q_j}`,
/// for a ground cost with zero diagonal and `c(s, t) > 0` for `s ≠ t` (not necessarily
/// symmetric or a metric), `A` the allowed support (`S` or `supp(p)`).
///
/// **Dual** (Gao and Kleywegt 2016; Mohajerin Esfahani and Kuhn 2018; strong
/// duality holds on a finite space):
/// `σ = max_{λ≥0} g(λ)`, `g(λ) = −λρ + Σ_{i∈supp p} p_i h_i(λ)`,
/// `h_i(λ) = min_{j∈A} (V_j + λ c_ij)`. Every `λ ≥ 0` gives a lower bound.
///
/// **Algorithm (exact breakpoint sweep).** Each `h_i` is the lower envelope of
/// the lines `V_j + λ c_ij`; over `λ ≥ 0` only the states whose cost is a strict
/// running minimum in the order `(V_t, t)` matter, and the scan stops at the
/// first zero-cost state (at the latest `i` itself), so the envelope of donor
/// `i` is built by a monotone-stack lower hull in `O(rank(i))`. The slope of
/// `g` is `−ρ + Σ_i p_i c_{i, j_i(λ)}`; sorting all hull breakpoints and
/// sweeping them finds the first `λ*` where the slope becomes `≤ 0` (`λ* = 0`
/// when the ball reaches `Σ_i p_i min_{j∈A} V_j` with the cheapest minimizers).
/// The primal plan sends each source to its envelope line at `λ*`; the sources
/// whose line changes at `λ*` switch from the right-hand line to the left-hand
/// line in decreasing `(V_t, t)` until the budget is exactly `ρ` (one source
/// is split), which gives a vertex of the transport polytope. With
/// `c = 1{s ≠ t}` this reproduces the TV value.
///
/// **Complexity.** `O(k·n + B log B)` for `k` non-zeros (`O(k²)` for
/// `support: nominal`), `B ≤ k·n` hull breakpoints (usually far fewer). In a
/// Bellman sweep with `support: simplex` the envelopes depend only on the donor
/// state, so they are built once per sweep (``Hulls``) and each row costs
/// `O(k log k + B log B)`.
///
/// **Certificate.** The plan is feasible (cost `≤ ρ`, so `W_c(p, q) ≤ ρ`) and
/// `g(λ*) = q·V` by complementary slackness: every source ships only to
/// minimizers of `V_j + λ* c_ij`, and the budget binds when `λ* > 0`.
///
/// **Radius zero.** `U = {p}` at `ρ = 0`: with positive off-diagonal costs `W_c(p, q) = 0`
/// only for `q = p` (``GroundCost`` refuses a zero off-diagonal cost).
enum Wasserstein {
    /// Appends donor `i`'s lower envelope over `λ ≥ 0` to `hj` (the lines' states,
    /// in order of increasing `λ`) and `hs` (the `λ` at which each line starts; 0 for
    /// the first): a monotone-stack lower hull over the allowed states scanned in
    /// `(V_t, t)` order, keeping only strict running minima of the cost and stopping
    /// at the first zero-cost state. `candidates(r)` is the `r`-th allowed state in
    /// that order (`count` of them). `O(count)`, usually `O(rank(i))`.
    @inline(__always)
    static func appendHull(donor i: Int, values: [Double], cost c: [Double], n: Int, count: Int,
                           candidates: (Int) -> Int, hj: inout [Int], hs: inout [Double]) {
        let row = i * n
        let base = hj.count
        var runMin = Double.infinity
        for r in 0..<count {
            let j = candidates(r)
            let s = c[row + j]
            guard s < runMin else { continue }
            runMin = s
            let b = values[j]
            while hj.count > base {
                let top = hj[hj.count - 1]
                let x = (b - values[top]) / (c[row + top] - s)
                if x <= hs[hs.count - 1] { hj.removeLast(); hs.removeLast(); continue }
                break
            }
            hs.append(hj.count > base ? (b - values[hj[hj.count - 1]]) / (c[row + hj[hj.count - 1]] - s) : 0)
            hj.append(j)
            if s == 0 { break }
        }
    }

    /// Every state's envelope for `support: simplex`, where it depends only on the
    /// state and `V`, not on the row: a Bellman sweep builds it once and every row
    /// reads its donors' envelopes from it instead of rebuilding them (a state is a
    /// donor of about `k·m` rows). Building is `O(Σ_i rank(i)) ≤ O(n²)` per sweep.
    struct Hulls: Sendable {
        /// State `i`'s lines occupy `start[i]..<start[i+1]` of ``states`` and ``from``.
        let start: [Int]
        /// The lines' states.
        let states: [Int]
        /// The `λ` where each line starts.
        let from: [Double]

        init(values v: SortedValues, cost: GroundCost) {
            let n = cost.count
            var start = [Int](repeating: 0, count: n + 1)
            var hj: [Int] = [], hs: [Double] = []
            hj.reserveCapacity(4 * n)
            hs.reserveCapacity(4 * n)
            let order = v.order
            for i in 0..<n {
                appendHull(donor: i, values: v.values, cost: cost.entries, n: n, count: n,
                           candidates: { order[$0] }, hj: &hj, hs: &hs)
                start[i + 1] = hj.count
            }
            self.start = start
            states = hj
            from = hs
        }
    }

    /// Solves one row; with `hulls` (built for the same `V` and cost, `support: simplex`
    /// only) the donors' envelopes are read from it, with the same result bit for bit.
    static func solve(p: SparseDistribution, v: SortedValues, radius: Double, support: SupportRestriction,
                      cost: GroundCost, build: Bool, hulls: Hulls? = nil) -> RowSolution {
        let k = p.indices.count
        let values = v.values
        let byRank = p.positionsByRank(v)
        let lines = DonorLines(p: p, v: v, byRank: byRank, support: support, cost: cost, hulls: hulls)
        let (lo, hi, hj, hs) = (lines.lo, lines.hi, lines.hj, lines.hs)
        if radius <= 0 {
            var lambda = 0.0
            for d in 0..<k where hi[d] - 1 > lo[d] { lambda = max(lambda, hs[hi[d] - 1]) }
            return RowSolution(value: p.dot(values), distribution: build ? p : SparseDistribution(indices: [], probabilities: []),
                               dual: DualPoint(lambda: lambda), distance: 0)
        }
        let sweep = Sweep(p: p, byRank: byRank, cost: cost, lines: lines, radius: radius)
        let seg = sweep.seg, lambdaStar = sweep.lambdaStar
        let (split, planCost) = mixedPlan(p: p, byRank: byRank, cost: cost, lines: lines, sweep: sweep, radius: radius)
        var value = 0.0
        var pairs: [(state: Int, mass: Double)] = []
        if build { pairs.reserveCapacity(k + 1) }
        for d in 0..<k {
            let pos = byRank[d]
            let pi = p.probabilities[pos]
            let jR = hj[lo[d] + seg[d]]
            let f = split[d]
            if f > 0 {
                let jL = hj[lo[d] + seg[d] - 1]
                let mL = f * pi
                let mR = pi - mL
                value += mL * values[jL] + mR * values[jR]
                if build { pairs.append((jL, mL)); pairs.append((jR, mR)) }
            } else {
                value += pi * values[jR]
                if build { pairs.append((jR, pi)) }
            }
        }
        let dual = DualPoint(lambda: lambdaStar)
        guard build else {
            return RowSolution(value: value, distribution: SparseDistribution(indices: [], probabilities: []), dual: dual, distance: planCost)
        }
        return RowSolution(value: value, distribution: .collecting(&pairs), dual: dual, distance: planCost)
    }

    /// Every donor's envelope lines: donor `d` is the support position `byRank[d]` (donors in
    /// rank order); its lines are `hj[lo[d]..<hi[d]]`, starting at `hs[…]`. Read from `hulls`
    /// when given (`support: simplex`), else built for this row.
    struct DonorLines {
        var lo: [Int]
        var hi: [Int]
        let hj: [Int]
        let hs: [Double]

        @inline(__always)
        init(p: SparseDistribution, v: SortedValues, byRank: [Int], support: SupportRestriction,
             cost: GroundCost, hulls: Hulls?) {
            let k = p.indices.count, n = cost.count
            lo = [Int](repeating: 0, count: k)
            hi = [Int](repeating: 0, count: k)
            if let hulls, support == .simplex {
                for d in 0..<k {
                    let i = p.indices[byRank[d]]
                    lo[d] = hulls.start[i]
                    hi[d] = hulls.start[i + 1]
                }
                hj = hulls.states
                hs = hulls.from
                return
            }
            var lines: [Int] = [], from: [Double] = []
            lines.reserveCapacity(4 * k)
            from.reserveCapacity(4 * k)
            for d in 0..<k {
                let i = p.indices[byRank[d]]
                lo[d] = lines.count
                switch support {
                case .simplex:
                    let order = v.order
                    appendHull(donor: i, values: v.values, cost: cost.entries, n: n, count: n,
                               candidates: { order[$0] }, hj: &lines, hs: &from)
                case .nominal:
                    appendHull(donor: i, values: v.values, cost: cost.entries, n: n, count: k,
                               candidates: { p.indices[byRank[$0]] }, hj: &lines, hs: &from)
                }
                hi[d] = lines.count
            }
            hj = lines
            hs = from
        }
    }

    /// The breakpoint sweep: every donor's current line `seg[d]` (relative to `lo[d]`) at the
    /// first `λ*` where the slope of `g` becomes `≤ 0`, and the last group of events (the
    /// donors that changed line at `λ*`), `events[groupStart..<groupEnd]`.
    struct Sweep {
        var seg: [Int]
        var events: [(lambda: Double, donor: Int)] = []
        var lambdaStar = 0.0
        var groupStart = 0
        var groupEnd = 0

        @inline(__always)
        init(p: SparseDistribution, byRank: [Int], cost: GroundCost, lines: DonorLines, radius: Double) {
            let k = p.indices.count, n = cost.count, c = cost.entries
            let (lo, hi, hj, hs) = (lines.lo, lines.hi, lines.hj, lines.hs)
            seg = [Int](repeating: 0, count: k)
            var slope = -radius
            for d in 0..<k {
                let i = p.indices[byRank[d]]
                slope += p.probabilities[byRank[d]] * c[i * n + hj[lo[d]]]
                for s in (lo[d] + 1)..<max(hi[d], lo[d] + 1) { events.append((hs[s], d)) }
            }
            events.sort { $0.lambda < $1.lambda || ($0.lambda == $1.lambda && $0.donor < $1.donor) }
            guard slope > 0 else { return }
            var e = 0
            while e < events.count {
                let le = events[e].lambda
                groupStart = e
                while e < events.count, events[e].lambda == le {
                    let d = events[e].donor
                    let pos = byRank[d]
                    let row = p.indices[pos] * n
                    let old = hj[lo[d] + seg[d]]
                    seg[d] += 1
                    let new = hj[lo[d] + seg[d]]
                    slope += p.probabilities[pos] * (c[row + new] - c[row + old])
                    e += 1
                }
                groupEnd = e
                lambdaStar = le
                if slope <= 0 { break }
            }
        }
    }

    /// The primal plan at `λ*`: the right plan ships every donor on its current line; the
    /// donors of the last group switch (in decreasing rank) to their previous line while the
    /// budget `ρ` lasts. Returns the fraction each donor ships on its left line and the cost.
    @inline(__always)
    static func mixedPlan(p: SparseDistribution, byRank: [Int], cost: GroundCost, lines: DonorLines, sweep: Sweep,
                          radius: Double) -> (split: [Double], cost: Double) {
        let k = p.indices.count, n = cost.count, c = cost.entries
        let (lo, hj, seg, events) = (lines.lo, lines.hj, sweep.seg, sweep.events)
        var planCost = 0.0
        for d in 0..<k {
            let pos = byRank[d]
            planCost += p.probabilities[pos] * c[p.indices[pos] * n + hj[lo[d] + seg[d]]]
        }
        var budget = radius - planCost
        var split = [Double](repeating: 0, count: k)   // fraction shipped on the left line
        if sweep.lambdaStar > 0 {
            // Group donors in decreasing rank (events within a group are sorted by donor).
            var e = sweep.groupEnd - 1
            while e >= sweep.groupStart, budget > 0 {
                let d = events[e].donor
                e -= 1
                let pos = byRank[d]
                let row = p.indices[pos] * n
                let delta = p.probabilities[pos] * (c[row + hj[lo[d] + seg[d] - 1]] - c[row + hj[lo[d] + seg[d]]])
                guard delta > 0 else { continue }
                let frac = delta <= budget ? 1 : budget / delta
                split[d] = frac
                budget -= frac * delta
                planCost += frac * delta
            }
        }
        return (split, planCost)
    }

    /// `g(λ) = −λρ + Σ_i p_i min_{j∈A} (V_j + λ c_ij)`, evaluated densely. `O(k·n)`.
    static func dualObjective(p: SparseDistribution, values: [Double], radius: Double, support: SupportRestriction,
                              cost: GroundCost, lambda: Double) -> Double {
        let n = cost.count
        var total = 0.0
        for (i, pi) in zip(p.indices, p.probabilities) {
            var best = Double.infinity
            switch support {
            case .simplex:
                for j in 0..<n { best = min(best, values[j] + lambda * cost.entries[i * n + j]) }
            case .nominal:
                for j in p.indices { best = min(best, values[j] + lambda * cost.entries[i * n + j]) }
            }
            total += pi * best
        }
        return total - lambda * radius
    }
}
