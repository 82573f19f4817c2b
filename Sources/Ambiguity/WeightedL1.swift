/// Weighted L1 ball `U = {q ∈ Δ(A) : Σ_i w_i |q_i − p_i| ≤ ρ}`, weights `w_i > 0`,
/// `A` the allowed support (`S` or `supp(p)`).
///
/// **Transport form.** `Σ_i w_i |q_i − p_i|` is the optimal-transport cost from
/// `p` to `q` under the ground cost `c_ij = w_i + w_j` (`i ≠ j`): any plan that
/// only moves surplus to deficit pays exactly that much. The ball is therefore
/// a Wasserstein ball with a separable cost, and TV of radius `ρ` is the
/// all-ones L1 ball of radius `2ρ`.
///
/// **Dual** (Ho, Petrik and Wiesemann 2018; Gao and Kleywegt 2016). With the
/// target envelope `m(λ) = min_{j∈A} (V_j + λ w_j)`,
/// `σ = max_{λ≥0} g(λ)`, `g(λ) = −λρ + Σ_{i∈supp p} p_i min(V_i, m(λ) + λ w_i)`,
/// a concave piecewise-linear function. Every `λ ≥ 0` gives a lower bound.
///
/// **Algorithm (exact breakpoint sweep).** At a fixed `λ` every *active* donor
/// (`m(λ) + λ w_i < V_i`) sends all its mass to the same target `j(λ)`, the
/// minimizer of `V_j + λ w_j`, so the slope of `g` is
/// `−ρ + Σ_{active} p_i (w_i + w_{j(λ)})`. The envelope `m` is the lower hull of
/// the states that are Pareto-optimal in `(V_j, w_j)`, built by one monotone
/// scan in the order `(V_t, t)`; each donor stays active on `[0, λ_i)` with
/// `λ_i` found by binary search on the hull. Sweeping the merged breakpoints
/// finds the first `λ*` where the slope becomes `≤ 0`. The primal `q` mixes
/// the plans just left and right of `λ*`: starting from the right plan, donors
/// whose choice differs switch to their left choice in decreasing `(V_t, t)`
/// until the transport budget is exactly `ρ` (one donor is split), so `q` is a
/// vertex. When all weights are equal the ball is a TV ball and the TV closed
/// form (and its tie-break) is used.
///
/// **Complexity.** `O(k log k + r)` for `k` non-zeros, `r` the largest rank of a
/// donor (`r ≤ n`; the envelope scan stops early at the smallest weight).
///
/// **Certificate.** `q` is feasible (budget `≤ ρ`, or the ball saturates at
/// `λ* = 0`) and `g(λ*) = q·V` by complementary slackness.
enum WeightedL1 {
    static func solve(p: SparseDistribution, v: SortedValues, radius: Double, support: SupportRestriction,
                      weights: [Double], minimumWeight: Double, build: Bool) -> RowSolution {
        let k = p.indices.count
        let values = v.values
        let byRank = p.positionsByRank(v)
        let hull = Envelope(p: p, v: v, byRank: byRank, support: support, weights: weights, minimumWeight: minimumWeight)
        if radius <= 0 || hull.states.isEmpty {
            // q = p. Any λ ≥ max_i (V_i − V*)/(w_i + w_min) makes g(λ) = p·V when ρ = 0.
            let vStar = hull.states.first.map { values[$0] } ?? values[p.indices[byRank[0]]]
            var lambda = 0.0
            if radius <= 0 {
                for pos in 0..<k {
                    let i = p.indices[pos]
                    lambda = max(lambda, (values[i] - vStar) / (weights[i] + minimumWeight))
                }
            }
            return RowSolution(value: p.dot(values), distribution: build ? p : SparseDistribution(indices: [], probabilities: []),
                               dual: DualPoint(lambda: lambda, eta: vStar), distance: 0)
        }
        let donors = Donors(p: p, values: values, weights: weights, hull: hull)
        let (lambdaStar, seg) = breakpoint(p: p, weights: weights, hull: hull, donors: donors, radius: radius)
        // Right plan: segment containing λ*, donors with λ_i > λ*. Left plan: the
        // segment just before λ*, donors with λ_i ≥ λ*.
        let segR = seg
        let segL = lambdaStar > 0 && hull.starts[segR] == lambdaStar && segR > 0 ? segR - 1 : segR
        let jR = hull.states[segR]
        let jL = hull.states[segL]
        let plan = mixedPlan(p: p, byRank: byRank, weights: weights, lam: donors.lam, lambdaStar: lambdaStar,
                             jL: jL, jR: jR, radius: radius)
        var q = plan.q
        var extra: [(state: Int, mass: Double)] = []
        for (j, add) in [(jL, plan.toL), (jR, plan.toR)] where add > 0 {
            if let pos = p.position(of: j) { q[pos] += add } else { extra.append((j, add)) }
        }
        var value = 0.0
        for pos in 0..<k { value += q[pos] * values[p.indices[pos]] }
        for (j, m) in extra { value += m * values[j] }
        let eta = values[jR] + lambdaStar * weights[jR]
        let dual = DualPoint(lambda: lambdaStar, eta: eta)
        guard build else {
            return RowSolution(value: value, distribution: SparseDistribution(indices: [], probabilities: []), dual: dual, distance: plan.cost)
        }
        var pairs: [(state: Int, mass: Double)] = extra
        pairs.reserveCapacity(k + extra.count)
        for pos in 0..<k { pairs.append((p.indices[pos], q[pos])) }
        return RowSolution(value: value, distribution: .collecting(&pairs), dual: dual, distance: plan.cost)
    }

    /// The target envelope `m(λ) = min_j (V_j + λ w_j)`: the lower hull of the allowed
    /// states that are Pareto-optimal in `(V_j, w_j)`, offered in rank order up to (excluding)
    /// the highest-ranked donor.
    struct Envelope {
        /// Hull states, by decreasing weight.
        private(set) var states: [Int] = []
        /// The `λ` where each hull line starts.
        private(set) var starts: [Double] = []
        private var runMin = Double.infinity

        init(p: SparseDistribution, v: SortedValues, byRank: [Int], support: SupportRestriction,
             weights: [Double], minimumWeight: Double) {
            let k = p.indices.count
            let values = v.values
            switch support {
            case .simplex:
                let maxDonorRank = v.rank[p.indices[byRank[k - 1]]]
                var r = 0
                while r < maxDonorRank {
                    let j = v.order[r]
                    offer(j, values: values, weights: weights)
                    if weights[j] == minimumWeight { break }
                    r += 1
                }
            case .nominal:
                for x in 0..<(k - 1) { offer(p.indices[byRank[x]], values: values, weights: weights) }
            }
        }

        /// Adds state `j` when its weight is below every earlier one, popping the lines it hides.
        @inline(__always)
        private mutating func offer(_ j: Int, values: [Double], weights: [Double]) {
            let w = weights[j]
            guard w < runMin else { return }
            runMin = w
            let b = values[j]
            while let top = states.last {
                let x = (b - values[top]) / (weights[top] - w)
                if x <= starts[starts.count - 1] {
                    states.removeLast(); starts.removeLast()
                    continue
                }
                break
            }
            starts.append(states.isEmpty ? 0 : (b - values[states[states.count - 1]]) / (weights[states[states.count - 1]] - w))
            states.append(j)
        }
    }

    /// The donors' deactivation points `λ_i` (0 = never active), sorted as events, and the
    /// mass `Σ p_i` and weighted mass `Σ p_i w_i` of the donors active at `λ = 0`.
    struct Donors {
        var lam: [Double]
        var events: [(lambda: Double, pos: Int)] = []
        var mass = 0.0
        var weightedMass = 0.0

        init(p: SparseDistribution, values: [Double], weights: [Double], hull: Envelope) {
            let k = p.indices.count, h = hull.states.count
            let hj = hull.states, hs = hull.starts
            lam = [Double](repeating: 0, count: k)
            events.reserveCapacity(k)
            let b0 = values[hj[0]]
            for pos in 0..<k {
                let i = p.indices[pos]
                let vi = values[i]
                guard vi > b0 else { continue }
                let wi = weights[i]
                // Last segment s with f(hs[s]) < 0, f(λ) = V_{j_s} + λ (w_{j_s} + w_i) − V_i.
                var lo = 0
                var hi = h - 1
                while lo < hi {
                    let mid = (lo + hi + 1) >> 1
                    let j = hj[mid]
                    if values[j] + hs[mid] * (weights[j] + wi) - vi < 0 { lo = mid } else { hi = mid - 1 }
                }
                let j = hj[lo]
                var li = (vi - values[j]) / (weights[j] + wi)
                li = max(li, hs[lo])
                if lo + 1 < h { li = min(li, hs[lo + 1]) }
                guard li > 0 else { continue }
                lam[pos] = li
                events.append((li, pos))
                mass += p.probabilities[pos]
                weightedMass += p.probabilities[pos] * wi
            }
            events.sort { $0.lambda < $1.lambda }
        }
    }

    /// Sweeps the merged breakpoints (donor deactivations and hull corners) to the first
    /// `λ*` where the slope of `g` becomes `≤ 0`; returns `λ*` and its hull segment.
    static func breakpoint(p: SparseDistribution, weights: [Double], hull: Envelope, donors: Donors,
                           radius: Double) -> (lambdaStar: Double, segment: Int) {
        let h = hull.states.count, events = donors.events
        var pAct = donors.mass, wAct = donors.weightedMass
        var seg = 0
        var slope = -radius + wAct + pAct * weights[hull.states[0]]
        var lambdaStar = 0.0
        var e = 0
        guard slope > 0 else { return (lambdaStar, seg) }
        while true {
            let nextDonor = e < events.count ? events[e].lambda : Double.infinity
            let nextHull = seg + 1 < h ? hull.starts[seg + 1] : Double.infinity
            let le = min(nextDonor, nextHull)
            guard le.isFinite else { break }
            lambdaStar = le
            while e < events.count, events[e].lambda == le {
                let pos = events[e].pos
                pAct -= p.probabilities[pos]
                wAct -= p.probabilities[pos] * weights[p.indices[pos]]
                e += 1
            }
            if nextHull == le { seg += 1 }
            slope = -radius + wAct + pAct * weights[hull.states[seg]]
            if slope <= 0 { break }
        }
        return (lambdaStar, seg)
    }

    /// The primal plan at `λ*`: from the right plan (target `jR`), donors whose choice differs
    /// switch to the left target `jL` in decreasing `(V_t, t)` until the transport budget is
    /// exactly `ρ`. Returns `p` minus the mass sent, the mass sent to each target and the cost.
    static func mixedPlan(p: SparseDistribution, byRank: [Int], weights: [Double], lam: [Double], lambdaStar: Double,
                          jL: Int, jR: Int, radius: Double) -> (q: [Double], toL: Double, toR: Double, cost: Double) {
        let k = p.indices.count
        var q = p.probabilities
        var toL = 0.0
        var toR = 0.0
        var planCost = 0.0
        for pos in 0..<k where lam[pos] > lambdaStar {
            let pi = p.probabilities[pos]
            planCost += pi * (weights[p.indices[pos]] + weights[jR])
        }
        var budget = radius - planCost
        // Donors whose choice differs, switched in decreasing rank while the budget lasts.
        var switched = [Double](repeating: 0, count: lambdaStar > 0 ? k : 0)
        if lambdaStar > 0 {
            var x = k - 1
            while x >= 0, budget > 0 {
                let pos = byRank[x]
                x -= 1
                let li = lam[pos]
                guard li >= lambdaStar else { continue }
                let wi = weights[p.indices[pos]]
                let costL = wi + weights[jL]
                let costR = li > lambdaStar ? wi + weights[jR] : 0
                guard li == lambdaStar || jL != jR else { continue }
                let pi = p.probabilities[pos]
                let delta = pi * (costL - costR)
                guard delta > 0 else { continue }
                let frac = delta <= budget ? 1 : budget / delta
                switched[pos] = frac
                budget -= frac * delta
                planCost += frac * delta
            }
        }
        for pos in 0..<k {
            let li = lam[pos]
            guard li > 0, li >= lambdaStar else { continue }
            let pi = p.probabilities[pos]
            let f = lambdaStar > 0 ? switched[pos] : 0
            let sendL = f * pi
            let sendR = li > lambdaStar ? pi - sendL : 0
            q[pos] -= sendL + sendR
            toL += sendL
            toR += sendR
        }
        return (q, toL, toR, planCost)
    }
}
