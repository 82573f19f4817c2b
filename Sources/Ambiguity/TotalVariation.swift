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
        let values = v.values
        let istar = target(p: p, v: v, support: support)
        let vStar = values[istar]
        let posStar = p.position(of: istar)
        let pStar = posStar.map { p.probabilities[$0] } ?? 0
        let budget = min(radius, 1 - pStar)
        guard budget > 0 else {
            // ρ = 0 (or all mass already at i*): q = p. λ large enough that
            // min(V_i, V* + λ) = V_i on supp(p) makes the dual equal p·V.
            var vmax = vStar
            for i in p.indices where values[i] > vmax { vmax = values[i] }
            if build {
                p.indices.withUnsafeBufferPointer { idx in p.probabilities.withUnsafeBufferPointer { pr in write(idx, pr) } }
            }
            return Outcome(value: p.dot(values), moved: 0, lambda: radius > 0 ? 0 : vmax - vStar, vStar: vStar)
        }
        return withUnsafeTemporaryAllocation(of: Double.self, capacity: k) { q in
            withUnsafeTemporaryAllocation(of: Int.self, capacity: k) { buffer in
                // Donors in decreasing rank: sort (rank, position) keys and walk them from the top.
                var keys = buffer
                let rank = v.rank
                for pos in 0..<k {
                    keys[pos] = rank[p.indices[pos]] &* k &+ pos
                    q[pos] = p.probabilities[pos]
                }
                sortKeys(&keys)
                var remaining = budget
                var removedValue = 0.0
                var lastDonorValue = vStar
                var r = k - 1
                while r >= 0, remaining > 0 {
                    let pos = keys[r] % k
                    r -= 1
                    if pos == posStar { continue }
                    let take = min(remaining, q[pos])
                    q[pos] -= take
                    remaining -= take
                    let vi = values[p.indices[pos]]
                    removedValue += take * vi
                    lastDonorValue = vi
                }
                let moved = budget - max(remaining, 0)
                if build {
                    if let posStar { q[posStar] += moved }
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
                            write(UnsafeBufferPointer(rebasing: outIndex[0..<count]),
                                  UnsafeBufferPointer(rebasing: outMass[0..<count]))
                        }
                    }
                }
                // The budget binds (ρ < 1 − p_{i*}) unless the ball reaches i* fully.
                let lambda = radius < 1 - pStar ? max(lastDonorValue - vStar, 0) : 0
                return Outcome(value: p.dot(values) - removedValue + moved * vStar, moved: moved,
                               lambda: lambda, vStar: vStar)
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
