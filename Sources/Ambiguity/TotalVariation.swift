/// Total variation ball `U = {q ∈ Δ(A) : ½ Σ_i |q_i − p_i| ≤ ρ}`, where `A` is
/// the allowed support (`S` for `support: simplex`, `supp(p)` for `nominal`).
///
/// **Dual.** With `V* = min_{j∈A} V_j`,
/// `σ = max_{λ≥0} −λρ + Σ_i p_i min(V_i, V* + λ)` (weak duality holds for every
/// `λ ≥ 0`; the maximum is attained at `λ = 0` when the ball reaches the
/// minimum and otherwise at `λ = V_m − V*`, `m` the last donor touched).
///
/// **Closed form** (Iyengar 2005; Nilim and El Ghaoui 2005; Ho, Petrik and
/// Wiesemann 2018): order states by `(V_t, t)` ascending and let `i*` be the
/// first allowed state. Move `δ = min(ρ, 1 − p_{i*})` of mass to `i*`, taking it
/// from the states of `supp(p)` with the highest rank first.
///
/// **Complexity.** `O(k + d log k)` for a row with `k` non-zeros of which `d` give up
/// mass (one pass, then the donors by selection or from a max-heap; no sort of `V`).
///
/// **Certificate.** The returned `q` is feasible (`½‖q − p‖₁ = δ ≤ ρ`); the dual
/// point `λ` above has objective equal to `q·V` by complementary slackness:
/// every donor with `V_i > V* + λ` is emptied, donors with `V_i < V* + λ` keep
/// their mass, and the budget is used up whenever `λ > 0`.
package enum TotalVariation {
    /// Solves one row. `radius` is the TV radius `ρ`.
    static func solve(p: SparseDistribution, v: SortedValues, radius: Double,
                      support: SupportRestriction, build: Bool) -> RowSolution {
        var distribution = SparseDistribution(indices: [], probabilities: [])
        let outcome: Outcome
        if build {
            outcome = run(p: p, v: v, radius: radius, support: support, build: true) { idx, pr in
                distribution = SparseDistribution(indices: Array(idx), probabilities: Array(pr))
            }
        } else {
            outcome = run(p: p, v: v, radius: radius, support: support, build: false) { _, _ in }
        }
        return RowSolution(value: outcome.value, distribution: distribution,
                           dual: DualPoint(lambda: outcome.lambda, eta: outcome.vStar + outcome.lambda / 2),
                           distance: outcome.moved)
    }

    /// ``solve(p:v:radius:support:build:)`` with the distribution appended to flat
    /// buffers instead of a new ``SparseDistribution``; returns the same `σ`.
    static func append(p: SparseDistribution, v: SortedValues, radius: Double, support: SupportRestriction,
                       indices: inout [Int], probabilities: inout [Double]) -> Double {
        run(p: p, v: v, radius: radius, support: support, build: true) { idx, pr in
            indices.append(contentsOf: idx)
            probabilities.append(contentsOf: pr)
        }.value
    }

    /// What one row's closed form yields besides its distribution.
    struct Outcome {
        /// `σ`.
        var value: Double
        /// The mass moved to `i*` (the TV distance of the result).
        var moved: Double
        /// The budget multiplier `λ` of the dual.
        var lambda: Double
        /// `V_{i*}`.
        var vStar: Double
    }

    /// The closed form of one row. With `build`, `write` receives the worst-case
    /// distribution (support in increasing order, zero entries dropped) from stack
    /// buffers, so nothing is allocated here; without it `write` is not called.
    static func run(p: SparseDistribution, v: SortedValues, radius: Double, support: SupportRestriction,
                    build: Bool, write: (UnsafeBufferPointer<Int>, UnsafeBufferPointer<Double>) -> Void) -> Outcome {
        let k = p.indices.count
        return p.indices.withUnsafeBufferPointer { idx in
            p.probabilities.withUnsafeBufferPointer { pr in
                v.withRowValues { view in
                    guard build else {
                        return core(indices: idx, masses: pr, view: view, radius: radius, support: support,
                                    outIndices: nil, outMasses: nil).outcome
                    }
                    return withUnsafeTemporaryAllocation(of: Int.self, capacity: k + 1) { outIndex in
                        withUnsafeTemporaryAllocation(of: Double.self, capacity: k + 1) { outMass in
                            let (outcome, count) = core(indices: idx, masses: pr, view: view, radius: radius, support: support,
                                                        outIndices: outIndex.baseAddress, outMasses: outMass.baseAddress)
                            write(UnsafeBufferPointer(rebasing: outIndex[0..<count]),
                                  UnsafeBufferPointer(rebasing: outMass[0..<count]))
                            return outcome
                        }
                    }
                }
            }
        }
    }

    /// Donors taken by selection (one `O(k)` scan each) before the rest are sorted: a
    /// short row (`k ≤ 16`) takes up to 8 this way, since a small radius empties one or two
    /// states and selection beats sorting; a longer row takes only the first donor, which
    /// the first pass finds for free, and sorts the rest once if the budget remains.
    @inline(__always)
    static func selectionDonors(_ k: Int) -> Int { k <= 16 ? 8 : 1 }

    /// The closed form on raw buffers: the one implementation behind every TV path
    /// (certified, value only, and the rows a Bellman sweep writes in place).
    ///
    /// States are ordered by `(V_t, t)`, compared directly (the order of
    /// ``SortedValues``, without needing its ranks). With `outIndices`/`outMasses`
    /// (room for `k + 1` entries each) it writes the worst case (support increasing,
    /// zero entries dropped; `p` unchanged when no mass moves) and returns its
    /// length; otherwise it returns 0 and writes nothing. Allocation-free for rows of
    /// up to a few hundred entries (stack buffers).
    ///
    /// The arithmetic is fixed: `σ = Σ_i p_i V_i` summed in support order, minus
    /// `Σ take·V_i` in donor order, plus `moved·V*`. The donor phase is
    /// ``donate(budget:vStar:first:key:limit:keys:q:order:count:value:)`` (inlined); the
    /// one-pass dense row ``denseValue(nominal:values:radius:support:)`` takes the donors in
    /// the same order by tiers of `V` instead.
    ///
    /// A documented hot kernel (Docs/Development.md): the inner loop of every TV and
    /// uniform-l1 sweep, kept as one inlined function over stack buffers.
    @inline(__always)
    static func core(indices: UnsafeBufferPointer<Int>, masses: UnsafeBufferPointer<Double>, view: RowValues,
                     radius: Double, support: SupportRestriction,
                     outIndices: UnsafeMutablePointer<Int>?, outMasses: UnsafeMutablePointer<Double>?) -> (outcome: Outcome, count: Int) {
        let k = indices.count
        let values = view.values
        // i*: the lowest allowed state by (V_t, t); `indices` increase, so the first minimum.
        let istar: Int
        switch support {
        case .simplex:
            istar = view.lowest
        case .nominal:
            var best = 0
            for pos in 1..<max(k, 1) where values[indices[pos]] < values[indices[best]] { best = pos }
            istar = indices[best]
        }
        let vStar = values[istar]
        // `q`, `keys` and `order` in one stack block: one allocation a row instead of three.
        return withUnsafeTemporaryAllocation(byteCount: 24 * max(k, 1), alignment: 8) { block in
            guard let base = block.baseAddress else { preconditionFailure("a temporary block of 24 bytes or more has an address") }
            let q = UnsafeMutableBufferPointer(start: base.bindMemory(to: Double.self, capacity: k), count: k)
            let keys = UnsafeMutableBufferPointer(start: (base + 8 * k).bindMemory(to: Int64.self, capacity: k), count: k)
            let order = UnsafeMutableBufferPointer(start: (base + 16 * k).bindMemory(to: Int.self, capacity: k), count: k)
            // One pass: p·V (in support order), the position of i*, each entry's value.
            // Also the first donor: the highest (V_t, t) other than i*, so the common
            // row that gives up mass from one state needs no further scan.
            var dot = 0.0
            var posStar = -1
            var best = 0
            var bestKey = Int64.min
            for pos in 0..<k {
                let t = indices[pos]
                let v = values[t]
                let p = masses[pos]
                dot += p * v
                q[pos] = p
                let key = t == istar ? Int64.min : orderKey(v)
                keys[pos] = key
                if key >= bestKey {
                    best = pos
                    bestKey = key
                }
                if t == istar { posStar = pos }
            }
            let pStar = posStar >= 0 ? masses[posStar] : 0
            let budget = min(radius, 1 - pStar)
            guard budget > 0 else {
                // ρ = 0 (or all mass already at i*): q = p. λ large enough that
                // min(V_i, V* + λ) = V_i on supp(p) makes the dual equal p·V.
                var vmax = vStar
                for pos in 0..<k where values[indices[pos]] > vmax { vmax = values[indices[pos]] }
                if let outIndices, let outMasses {
                    for pos in 0..<k {
                        outIndices[pos] = indices[pos]
                        outMasses[pos] = masses[pos]
                    }
                }
                return (Outcome(value: dot, moved: 0, lambda: radius > 0 ? 0 : vmax - vStar, vStar: vStar),
                        outIndices == nil ? 0 : k)
            }
            // Donors in decreasing (V_t, t), i* excluded.
            let budgetLeft = donate(budget: budget, vStar: vStar, first: best, key: bestKey,
                                    limit: selectionDonors(k), keys: keys, q: q, order: order, count: k) { values[indices[$0]] }
            let moved = budget - max(budgetLeft.remaining, 0)
            var count = 0
            if let outIndices, let outMasses {
                // The support in increasing order with i* in its place: the positions below
                // i*, then i* (when it is not in the row and receives mass), then the rest;
                // two loops without a test for i*'s place in every step.
                var split = k
                if posStar >= 0 {
                    q[posStar] += moved
                } else {
                    split = 0
                    while split < k, indices[split] < istar { split &+= 1 }
                }
                for pos in 0..<split where q[pos] > 0 {
                    outIndices[count] = indices[pos]
                    outMasses[count] = q[pos]
                    count &+= 1
                }
                if posStar < 0, moved > 0 { outIndices[count] = istar; outMasses[count] = moved; count &+= 1 }
                for pos in split..<k where q[pos] > 0 {
                    outIndices[count] = indices[pos]
                    outMasses[count] = q[pos]
                    count &+= 1
                }
            }
            // The budget binds (ρ < 1 − p_{i*}) unless the ball reaches i* fully.
            let lambda = radius < 1 - pStar ? max(budgetLeft.lastDonorValue - vStar, 0) : 0
            return (Outcome(value: dot - budgetLeft.removedValue + moved * vStar, moved: moved, lambda: lambda, vStar: vStar), count)
        }
    }

    /// The donor phase of ``core(indices:masses:view:radius:support:outIndices:outMasses:)``:
    /// takes `budget` from the positions
    /// of `q` in decreasing `(keys[pos], pos)` order (positions increase with the state, so
    /// this is the order of `(V_t, t)`), skipping positions whose key is `Int64.min` (no
    /// finite value's key: used, excluded or outside the support). `first`/`key` are the
    /// highest position and its key, found by the caller's pass. Up to `limit` donors are
    /// found by selection (one `O(count)` scan each after the first), the rest from a
    /// binary max-heap (`O(count + d log count)` for `d` donors). The donor order, and so
    /// every floating-point operation, does not depend on which of the two finds a donor.
    @inline(__always)
    static func donate(budget: Double, vStar: Double, first: Int, key: Int64, limit: Int,
                       keys: UnsafeMutableBufferPointer<Int64>, q: UnsafeMutableBufferPointer<Double>,
                       order: UnsafeMutableBufferPointer<Int>, count k: Int, value: (Int) -> Double) -> Donation {
        var budgetLeft = Donation(remaining: budget, lastDonorValue: vStar)
        var (best, bestKey) = (first, key)
        var selected = 0
        while budgetLeft.remaining > 0, selected < limit {
            if selected > 0 {
                // The highest (V_t, t) left: the last position attaining the largest key.
                best = 0
                bestKey = .min
                for pos in 0..<k where keys[pos] >= bestKey {
                    best = pos
                    bestKey = keys[pos]
                }
            }
            if bestKey == .min { break }
            keys[best] = .min
            selected += 1
            budgetLeft.take(from: best, q: q, value: value(best))
        }
        guard budgetLeft.remaining > 0, selected == limit else { return budgetLeft }
        // Budget left after the selected donors: a binary max-heap of the unused donors,
        // popped in decreasing (V_t, t) until the budget is spent.
        var count = 0
        for pos in 0..<k where keys[pos] != .min {
            order[count] = pos
            count += 1
        }
        var i = count / 2 - 1
        while i >= 0 {
            siftDown(order, from: i, count: count, keys: UnsafeBufferPointer(keys))
            i -= 1
        }
        while budgetLeft.remaining > 0, count > 0 {
            let pos = order[0]
            count -= 1
            order[0] = order[count]
            siftDown(order, from: 0, count: count, keys: UnsafeBufferPointer(keys))
            budgetLeft.take(from: pos, q: q, value: value(pos))
        }
        return budgetLeft
    }

    /// `σ` of one dense row (`p` and `V` of the same length `n`, every state allowed by
    /// position): one pass that checks the row and sums `p·V` (and `Σ p_t V_t²`), then the
    /// donors in tiers (``denseDonation(nominal:values:istar:budget:center:spread:)``).
    /// `nil` unless every `p_t` is finite and `≥ 0`, every `V_t` finite, `|Σ p − 1| ≤ 1e-9`
    /// and the largest `|V_t|` has a binary exponent in `−100..<100` (no scaling needed); the
    /// caller then takes the general path. `radius` must be finite and `≥ 0`.
    ///
    /// Bit for bit the `σ` of ``core(indices:masses:view:radius:support:outIndices:outMasses:)``
    /// on the row's support: the same `i*`, budget, donor order (decreasing `(V_t, t)`) and
    /// arithmetic; `p·V` sums the zero terms as well, which leaves every partial sum
    /// unchanged (`x + (±0) = x`, and the sum, starting at `+0`, is never `−0`). What it
    /// saves over the support gather and the core is the second pass, the copy of the
    /// support, the keys of every state and the heap of every donor (the row of
    /// `worst_case_batch`, Docs/Performance.md §7).
    @inline(__always)
    package static func denseValue(nominal p: UnsafeBufferPointer<Double>, values v: UnsafeBufferPointer<Double>,
                                   radius: Double, support: SupportRestriction) -> Double? {
        let n = p.count
        guard n > 0, v.count == n else { return nil }
        // One pass: Σp, min p, max V, p·V, Σ p V², the lowest (V_t, t). A NaN or infinite
        // `p_t` makes Σp non-finite, a NaN or infinite `V_t` makes p·V non-finite (`0·∞` is
        // NaN), so those two sums carry the finiteness checks (and the minimum and maximum
        // need no NaN rule: plain comparisons, one instruction each).
        var sum = 0.0, smallest = 0.0, highest = v[0], dot = 0.0, square = 0.0
        var lowest = 0, lowestValue = v[0]
        for t in 0..<n {
            let pt = p[t], vt = v[t]
            sum += pt
            smallest = pt < smallest ? pt : smallest
            highest = vt > highest ? vt : highest
            let weighted = pt * vt
            dot += weighted
            square += weighted * vt
            if vt < lowestValue { lowestValue = vt; lowest = t }
        }
        let largest = max(abs(highest), abs(lowestValue))
        guard smallest >= 0, abs(sum - 1) <= 1e-9, dot.isFinite,
              largest == 0 || (-100..<100).contains(Int(largest.exponent)) else { return nil }
        let istar: Int
        switch support {
        case .simplex:
            istar = lowest
        case .nominal:
            // The first minimum over the support (not empty: Σp ≈ 1).
            var first = 0
            while !(p[first] > 0) { first += 1 }
            var m = first
            for t in first..<n where p[t] > 0 && v[t] < v[m] { m = t }
            istar = m
        }
        let vStar = v[istar]
        let pStar = p[istar] > 0 ? p[istar] : 0
        let budget = min(radius, 1 - pStar)
        guard budget > 0 else { return dot }
        let left = denseDonation(nominal: p, values: v, istar: istar, budget: budget, center: dot,
                                 spread: max(square - dot * dot, 0).squareRoot())
        let moved = budget - max(left.remaining, 0)
        return dot - left.removedValue + moved * vStar
    }

    /// The standard normal's upper quantile `z` (`P(Z ≥ z) = s`) for the smallest share `s`
    /// of 2 %, 5 %, 10 %, 15 %, 20 %, 25 %, 30 %, 40 %, 50 % that is at least `wanted`, and
    /// that share; `nil` above 50 %. The tier bounds of
    /// ``denseDonation(nominal:values:istar:budget:center:spread:)``.
    @inline(__always)
    static func upperQuantile(atLeast wanted: Double) -> (share: Double, z: Double)? {
        if wanted <= 0.1 {
            return wanted <= 0.02 ? (0.02, 2.0537) : wanted <= 0.05 ? (0.05, 1.6449) : (0.1, 1.2816)
        }
        if wanted <= 0.25 {
            return wanted <= 0.15 ? (0.15, 1.0364) : wanted <= 0.2 ? (0.2, 0.8416) : (0.25, 0.6745)
        }
        if wanted <= 0.5 {
            return wanted <= 0.3 ? (0.3, 0.5244) : wanted <= 0.4 ? (0.4, 0.2533) : (0.5, 0)
        }
        return nil
    }

    /// The donor phase of ``denseValue(nominal:values:radius:support:)``: takes `budget`
    /// from the states `t ≠ i*` with `p_t > 0` in decreasing `(V_t, t)`, the order of
    /// ``donate(budget:vStar:first:key:limit:keys:q:order:count:value:)``, so the same
    /// `Σ take·V_t` bit for bit.
    ///
    /// The donors are the top of that order holding mass `budget`, typically a few states
    /// of a long row. Tier `j` is `{t : L_j ≤ V_t < L_{j−1}}` (`L_0 = +∞`): gathered in one
    /// scan, ordered by ``takeTier(_:count:nominal:values:donation:)`` and used up before tier `j + 1`, so the tiers' orders
    /// concatenate to the order above whatever the bounds are; the bounds only decide the
    /// work. `L_1` and `L_2` are `center + z·spread` (the `p`-weighted mean and standard
    /// deviation of `V`) for the normal law's upper shares of at least `2·budget` and
    /// twice the first tier's share (of 2 %, 5 %, …, 50 %: ``upperQuantile(atLeast:)``); the
    /// first tier holds every donor on all but about 1 row in 2,000 of Dirichlet rows with
    /// normal `V` (`n = 100`, `ρ = 0.1`). The last tier is every state left (`L_3 = −∞`).
    @inline(__always)
    static func denseDonation(nominal p: UnsafeBufferPointer<Double>, values v: UnsafeBufferPointer<Double>,
                              istar: Int, budget: Double, center: Double, spread: Double) -> Donation {
        let n = p.count
        var donation = Donation(remaining: budget, lastDonorValue: v[istar])
        var upper = Double.infinity
        var wanted = 2 * budget
        var tiers = 0
        return withUnsafeTemporaryAllocation(of: Int.self, capacity: n) { order in
            while donation.remaining > 0 {
                var lower = -Double.infinity
                if tiers < 2, let tier = upperQuantile(atLeast: wanted) {
                    let bound = center + tier.z * spread
                    lower = bound < upper ? bound : upper  // a NaN bound makes the tier empty
                    wanted = 2 * tier.share
                }
                // Without branches: a tier splits the states at random, so branches would mispredict.
                var count = 0
                for t in 0..<n {
                    let vt = v[t]
                    order[count] = t
                    count &+= (vt >= lower ? 1 : 0) & (vt < upper ? 1 : 0) & (p[t] > 0 ? 1 : 0)
                }
                if lower <= v[istar], v[istar] < upper, let at = order[0..<count].firstIndex(of: istar) {
                    count -= 1
                    for i in at..<count { order[i] = order[i + 1] }  // keeps the states increasing
                }
                takeTier(order, count: count, nominal: p, values: v, donation: &donation)
                if lower == -.infinity { break }
                upper = lower
                tiers += 1
            }
            return donation
        }
    }

    /// Takes from the states `order[0..<count]` (increasing) in decreasing `(V_t, t)` until
    /// the budget is spent: up to 32 states by selection over their ``orderKey(_:)``s (one
    /// scan per donor, the last of equal keys first, with conditional moves rather than the
    /// heap's unpredictable branches), more from a max-heap.
    @inline(__always)
    static func takeTier(_ order: UnsafeMutableBufferPointer<Int>, count: Int, nominal p: UnsafeBufferPointer<Double>,
                         values v: UnsafeBufferPointer<Double>, donation: inout Donation) {
        guard count > 32 else {
            withUnsafeTemporaryAllocation(of: Int64.self, capacity: 32) { keys in
                for i in 0..<count { keys[i] = orderKey(v[order[i]]) }
                var left = count
                while donation.remaining > 0, left > 0 {
                    var best = 0, bestKey = Int64.min
                    for i in 0..<count where keys[i] >= bestKey { (best, bestKey) = (i, keys[i]) }
                    keys[best] = .min  // below every finite value's key
                    left -= 1
                    donation.take(p[order[best]], value: v[order[best]])
                }
            }
            return
        }
        var count = count
        var i = count / 2 - 1
        while i >= 0 {
            siftDown(order, from: i, count: count, keys: v)
            i -= 1
        }
        while donation.remaining > 0, count > 0 {
            let pos = order[0]
            count -= 1
            order[0] = order[count]
            siftDown(order, from: 0, count: count, keys: v)
            donation.take(p[pos], value: v[pos])
        }
    }

    /// An integer that orders like `v` (finite): the bits of `v + 0` (so `−0` reads as
    /// `+0`), with the 63 low bits flipped for negative numbers. Integer comparisons
    /// keep the donor selection's dependency chain short (a floating-point maximum
    /// with a tie rule measured 1.4× slower on 10,000-state sweeps).
    @inline(__always)
    static func orderKey(_ v: Double) -> Int64 {
        let bits = Int64(bitPattern: (v + 0.0).bitPattern)
        return bits >= 0 ? bits : bits ^ Int64.max
    }

    /// The budget as donors give up mass: a value type with a mutating method (a
    /// local function capturing these variables made Swift box them on the heap,
    /// one allocation per row).
    struct Donation {
        /// Mass still to move.
        var remaining: Double
        /// `Σ take·V_i` so far, in donor order.
        var removedValue = 0.0
        /// `V` of the last donor touched (for the dual multiplier).
        var lastDonorValue: Double

        init(remaining: Double, lastDonorValue: Double) {
            self.remaining = remaining
            self.lastDonorValue = lastDonorValue
        }

        /// Takes what the budget allows from position `pos` (value `vi`) of `q`.
        @inline(__always)
        mutating func take(from pos: Int, q: UnsafeMutableBufferPointer<Double>, value vi: Double) {
            q[pos] -= take(q[pos], value: vi)
        }

        /// Takes what the budget allows of `mass` (value `vi`); returns the amount taken.
        @inline(__always) @discardableResult
        mutating func take(_ mass: Double, value vi: Double) -> Double {
            let take = min(remaining, mass)
            remaining -= take
            removedValue += take * vi
            lastDonorValue = vi
            return take
        }
    }

    /// Restores the max-heap property of `heap[0..<count]` below `i`, ordering support
    /// positions by `(keys[pos], pos)` (positions increase with the state, so this is
    /// the order of `(V_t, t)`): keys are ``orderKey(_:)`` or the finite `V_t` themselves
    /// (`−0` and `+0` compare equal either way).
    @inline(__always)
    static func siftDown<Key: Comparable>(_ heap: UnsafeMutableBufferPointer<Int>, from i: Int, count: Int,
                                          keys: UnsafeBufferPointer<Key>) {
        @inline(__always) func above(_ a: Int, _ b: Int) -> Bool {
            keys[a] > keys[b] || (keys[a] == keys[b] && a > b)
        }
        var parent = i
        let x = heap[parent]
        while true {
            var child = 2 &* parent &+ 1
            if child >= count { break }
            if child &+ 1 < count, above(heap[child &+ 1], heap[child]) { child &+= 1 }
            if !above(heap[child], x) { break }
            heap[parent] = heap[child]
            parent = child
        }
        heap[parent] = x
    }
}
