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
/// **Complexity.** `O(k log k)` for a row with `k` non-zeros, given the shared
/// order of `V` (`O(k)` to find `i*` with `support: nominal`, `O(1)` otherwise).
///
/// **Certificate.** The returned `q` is feasible (`½‖q − p‖₁ = δ ≤ ρ`); the dual
/// point `λ` above has objective equal to `q·V` by complementary slackness:
/// every donor with `V_i > V* + λ` is emptied, donors with `V_i < V* + λ` keep
/// their mass, and the budget is used up whenever `λ > 0`.
enum TotalVariation {
    /// The target state `i*`.
    @inline(__always)
    static func target(p: SparseDistribution, v: SortedValues, support: SupportRestriction) -> Int {
        switch support {
        case .simplex:
            return v.order[0]
        case .nominal:
            return p.indices[p.lowestRankPosition(v)]
        }
    }

    /// Solves one row. `radius` is the TV radius `ρ`.
    static func solve(p: SparseDistribution, v: SortedValues, radius: Double,
                      support: SupportRestriction, build: Bool) -> RowSolution {
        let k = p.indices.count
        let values = v.values
        let istar = target(p: p, v: v, support: support)
        let vStar = values[istar]
        let posStar = p.position(of: istar)
        let pStar = posStar.map { p.probabilities[$0] } ?? 0
        let budget = min(radius, 1 - pStar)
        var emptiedPositions: [Int] = []
        if !(budget > 0) {
            // ρ = 0 (or all mass already at i*): q = p. λ large enough that
            // min(V_i, V* + λ) = V_i on supp(p) makes the dual equal p·V.
            var vmax = vStar
            for i in p.indices where values[i] > vmax { vmax = values[i] }
            let lambda = radius > 0 ? 0 : vmax - vStar
            return RowSolution(value: p.dot(values), distribution: build ? p : SparseDistribution(indices: [], probabilities: []),
                               dual: DualPoint(lambda: lambda, eta: vStar + lambda / 2), distance: 0)
        }
        // Donors in decreasing rank, without allocating: sort (rank, position) keys
        // in a stack buffer and walk them from the top.
        var remaining = budget
        var lastDonorValue = vStar
        var removedValue = 0.0
        var lastTake = 0.0
        var lastPos = -1
        var donorsEmptied = 0
        withUnsafeTemporaryAllocation(of: Int.self, capacity: k) { buffer in
            var keys = buffer
            let rank = v.rank
            for pos in 0..<k { keys[pos] = rank[p.indices[pos]] &* k &+ pos }
            sortKeys(&keys)
            var r = k - 1
            while r >= 0, remaining > 0 {
                let pos = keys[r] % k
                r -= 1
                if pos == posStar { continue }
                let mass = p.probabilities[pos]
                let take = min(remaining, mass)
                remaining -= take
                let vi = values[p.indices[pos]]
                removedValue += take * vi
                lastDonorValue = vi
                if take == mass { donorsEmptied += 1 } else { lastTake = take; lastPos = pos }
            }
            if build {
                // Remember which positions were emptied: the top `donorsEmptied`
                // donors (skipping i*), plus a partial take at `lastPos`.
                var emptied = 0
                var r2 = k - 1
                var marks = [Int]()
                marks.reserveCapacity(donorsEmptied)
                while r2 >= 0, emptied < donorsEmptied {
                    let pos = keys[r2] % k
                    r2 -= 1
                    if pos == posStar || pos == lastPos { continue }
                    marks.append(pos)
                    emptied += 1
                }
                emptiedPositions = marks
            }
        }
        let moved = budget - max(remaining, 0)
        let value = p.dot(values) - removedValue + moved * vStar
        // The budget binds (ρ < 1 − p_{i*}) unless the ball reaches i* fully.
        let lambda = radius < 1 - pStar ? max(lastDonorValue - vStar, 0) : 0
        let dual = DualPoint(lambda: lambda, eta: vStar + lambda / 2)
        var q: [Double] = []
        if build {
            q = p.probabilities
            for pos in emptiedPositions { q[pos] = 0 }
            if lastPos >= 0 { q[lastPos] -= lastTake }
        }
        guard build else {
            return RowSolution(value: value, distribution: SparseDistribution(indices: [], probabilities: []), dual: dual, distance: moved)
        }
        var out: SparseDistribution
        if let posStar {
            q[posStar] += moved
            out = p.replacingProbabilities(q)
        } else {
            var idx: [Int] = []
            var pr: [Double] = []
            idx.reserveCapacity(k + 1)
            pr.reserveCapacity(k + 1)
            var inserted = false
            for pos in 0..<k {
                if !inserted, p.indices[pos] > istar {
                    if moved > 0 { idx.append(istar); pr.append(moved) }
                    inserted = true
                }
                if q[pos] > 0 { idx.append(p.indices[pos]); pr.append(q[pos]) }
            }
            if !inserted, moved > 0 { idx.append(istar); pr.append(moved) }
            out = SparseDistribution(indices: idx, probabilities: pr)
        }
        return RowSolution(value: value, distribution: out, dual: dual, distance: moved)
    }

    /// ``solve(p:v:radius:support:build:)`` with the distribution appended to flat
    /// buffers instead of a new ``SparseDistribution``; returns the same `σ`.
    static func append(p: SparseDistribution, v: SortedValues, radius: Double, support: SupportRestriction,
                       indices: inout [Int], probabilities: inout [Double]) -> Double {
        let k = p.indices.count
        let values = v.values
        let istar = target(p: p, v: v, support: support)
        let vStar = values[istar]
        let posStar = p.position(of: istar)
        let pStar = posStar.map { p.probabilities[$0] } ?? 0
        let budget = min(radius, 1 - pStar)
        guard budget > 0 else {
            indices.append(contentsOf: p.indices)
            probabilities.append(contentsOf: p.probabilities)
            return p.dot(values)
        }
        return withUnsafeTemporaryAllocation(of: Double.self, capacity: k) { q in
            withUnsafeTemporaryAllocation(of: Int.self, capacity: k) { buffer in
                var keys = buffer
                let rank = v.rank
                for pos in 0..<k {
                    keys[pos] = rank[p.indices[pos]] &* k &+ pos
                    q[pos] = p.probabilities[pos]
                }
                sortKeys(&keys)
                var remaining = budget
                var removedValue = 0.0
                var r = k - 1
                while r >= 0, remaining > 0 {
                    let pos = keys[r] % k
                    r -= 1
                    if pos == posStar { continue }
                    let take = min(remaining, q[pos])
                    q[pos] -= take
                    remaining -= take
                    removedValue += take * values[p.indices[pos]]
                }
                let moved = budget - max(remaining, 0)
                if let posStar { q[posStar] += moved }
                // Build the row in stack buffers, then append it in one piece.
                withUnsafeTemporaryAllocation(of: Int.self, capacity: k + 1) { outIndex in
                    withUnsafeTemporaryAllocation(of: Double.self, capacity: k + 1) { outMass in
                        var count = 0
                        var inserted = posStar != nil
                        for pos in 0..<k {
                            if !inserted, p.indices[pos] > istar {
                                if moved > 0 { outIndex[count] = istar; outMass[count] = moved; count += 1 }
                                inserted = true
                            }
                            if q[pos] > 0 { outIndex[count] = p.indices[pos]; outMass[count] = q[pos]; count += 1 }
                        }
                        if !inserted, moved > 0 { outIndex[count] = istar; outMass[count] = moved; count += 1 }
                        indices.append(contentsOf: UnsafeBufferPointer(rebasing: outIndex[0..<count]))
                        probabilities.append(contentsOf: UnsafeBufferPointer(rebasing: outMass[0..<count]))
                    }
                }
                return p.dot(values) - removedValue + moved * vStar
            }
        }
    }

    /// Sorts a row's `(rank, position)` keys ascending: insertion sort for the
    /// short rows of sparse kernels, the standard sort otherwise.
    @inline(__always)
    static func sortKeys(_ keys: inout UnsafeMutableBufferPointer<Int>) {
        let k = keys.count
        guard k > 32 else {
            for i in 1..<max(k, 1) {
                let x = keys[i]
                var j = i - 1
                while j >= 0, keys[j] > x {
                    keys[j + 1] = keys[j]
                    j -= 1
                }
                keys[j + 1] = x
            }
            return
        }
        keys.sort()
    }
}
