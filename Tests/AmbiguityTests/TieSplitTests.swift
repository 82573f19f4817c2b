import Ambiguity
import Testing
import TestSupport

/// `ties: split` (Docs/AmbiguitySets.md, "Ties"): on random instances with planted ties
/// (all-equal `V`, `ρ = 0`, huge radii, zeros in `p`), the split `q` is feasible and
/// optimal (its certificate passes, σ equals the index rule's and GLPK's), and it is
/// equivariant: permuting `p`, `V` (and the l1 weights) permutes `q`, so a permutation
/// that keeps them keeps `q`.
@Suite struct TieSplitTests {
    /// An instance with planted ties: values from a few levels (sometimes one), a
    /// nominal with zeros and repeated masses, weights from two levels.
    static func tiedInstance(_ g: inout SplitMix64) -> (p: [Double], v: [Double], rho: Double, w: [Double]) {
        let n = g.int(1...12)
        let levels = g.chance(0.15) ? 1 : g.int(2...4)
        let v = (0..<n).map { _ in Double(g.int(0...(levels - 1))) * 0.75 - 1 }
        let masses = [0.0, 1, 2, 3]
        var p = (0..<n).map { _ in masses[g.int(0...3)] }
        if p.allSatisfy({ $0 == 0 }) { p[g.int(0...(n - 1))] = 1 }
        let total = p.reduce(0, +)
        p = p.map { $0 / total }
        let r = g.uniform()
        let rho = r < 0.1 ? 0 : r < 0.2 ? 5 + g.uniform() : r < 0.6 ? 0.3 * g.uniform() : g.uniform()
        let w = (0..<n).map { _ in g.chance(0.5) ? 1.0 : 2.5 }
        return (p, v, rho, w)
    }

    static func set(_ kind: AmbiguityKind, _ support: SupportRestriction, _ w: [Double], ties: TieRule) throws -> AmbiguitySet {
        try AmbiguitySet(kind: kind, support: support, weights: kind == .l1 ? w : nil, ties: ties)
    }

    static let kinds: [AmbiguityKind] = [.tv, .l1, .linf]

    /// `body(x, kind, label)` for `trials` tied instances of a fresh seed and every kind of
    /// ``kinds``; `label` names the seed, the trial and the kind.
    static func forEachTiedInstance(
        trials: Int, _ body: (_ x: (p: [Double], v: [Double], rho: Double, w: [Double]), _ kind: AmbiguityKind, _ label: String) throws -> Void
    ) rethrows {
        let seed = TestSeed()
        var g = seed.generator
        for trial in 0..<trials {
            let x = tiedInstance(&g)
            for kind in kinds { try body(x, kind, "\(seed) trial \(trial) \(kind)") }
        }
    }

    @Test func splitIsFeasibleOptimalAndAgreesWithLP() throws {
        try Self.forEachTiedInstance(trials: 300) { x, kind, label in
            for support in SupportRestriction.allCases {
                let split = try Self.set(kind, support, x.w, ties: .split)
                let index = try Self.set(kind, support, x.w, ties: .index)
                let s = try split.worstCase(nominal: x.p, values: x.v, radius: x.rho)
                let i = try index.worstCase(nominal: x.p, values: x.v, radius: x.rho)
                let lp = try split.worstCaseLP(nominal: x.p, values: x.v, radius: x.rho)
                let check = split.check(s, nominal: x.p, values: x.v, radius: x.rho)
                let tol = 1e-9 * (1 + (x.v.map(abs).max() ?? 0))
                let context = "\(label) \(support) p=\(x.p) v=\(x.v) rho=\(x.rho) w=\(x.w) q=\(s.distribution)"
                #expect(check.passed, "\(check.failures) \(context)")
                #expect(abs(s.value - i.value) <= tol, "\(context)")
                #expect(abs(s.value - lp.value) <= tol, "\(context)")
                var qv = 0.0
                for t in x.v.indices { qv += s.distribution[t] * x.v[t] }
                #expect(abs(qv - i.value) <= tol, "\(context)")
            }
        }
    }

    @Test func splitIsPermutationEquivariant() throws {
        let seed = TestSeed()
        var g = seed.generator
        for trial in 0..<300 {
            let x = Self.tiedInstance(&g)
            let n = x.p.count
            var perm = Array(0..<n)
            for i in stride(from: n - 1, to: 0, by: -1) { perm.swapAt(i, g.int(0...i)) }
            let pp = perm.map { x.p[$0] }, vp = perm.map { x.v[$0] }, wp = perm.map { x.w[$0] }
            for kind in Self.kinds {
                for support in SupportRestriction.allCases {
                    let q = try Self.set(kind, support, x.w, ties: .split).worstCase(nominal: x.p, values: x.v, radius: x.rho).distribution
                    let qp = try Self.set(kind, support, wp, ties: .split).worstCase(nominal: pp, values: vp, radius: x.rho).distribution
                    let permuted = perm.map { q[$0] }
                    #expect(isApproximatelyEqual(qp, permuted, absolute: 1e-12, relative: 1e-12),
                            "\(seed) trial \(trial) \(kind) \(support) p=\(x.p) v=\(x.v) rho=\(x.rho) w=\(x.w) perm=\(perm) q=\(q) q(perm)=\(qp)")
                }
            }
        }
    }

    /// A permutation that keeps `p` and `V` (swapping states with equal `p_t`, `V_t`)
    /// keeps the split `q`; the index rule does not.
    @Test func symmetricInstanceGivesSymmetricQ() throws {
        // States 1 and 3 are mirror images (equal p and V), as are 0 and 4.
        let p = [0.1, 0.2, 0.4, 0.2, 0.1], v = [1.0, 0.0, 0.5, 0.0, 1.0]
        for kind in Self.kinds {
            let q = try Self.set(kind, .simplex, [1, 1, 1, 1, 1], ties: .split).worstCase(nominal: p, values: v, radius: 0.1).distribution
            #expect(isApproximatelyEqual(q, q.reversed(), absolute: 1e-15, relative: 0), "\(kind) \(q)")
            let qi = try Self.set(kind, .simplex, [1, 1, 1, 1, 1], ties: .index).worstCase(nominal: p, values: v, radius: 0.1).distribution
            if kind != .linf { #expect(qi != qi.reversed(), "\(kind) index \(qi)") }
        }
        // tv: nature's 0.1 goes in equal parts to the two minimizers, taken equally from 0 and 4.
        let q = try AmbiguitySet(kind: .tv, ties: .split).worstCase(nominal: p, values: v, radius: 0.1).distribution
        #expect(isApproximatelyEqual(q, [0.05, 0.25, 0.4, 0.25, 0.05], absolute: 1e-15, relative: 0), "\(q)")
    }

    /// All-equal values under `simplex`: the split `q` is `p` plus an equal share,
    /// including for the states with `p_t = 0`, when nothing needs to move: `q = p`.
    @Test func allEqualValuesKeepP() throws {
        let p = [0.5, 0, 0.25, 0.25], v = [2.0, 2, 2, 2]
        for kind in Self.kinds {
            let q = try Self.set(kind, .simplex, [1, 1, 1, 1], ties: .split).worstCase(nominal: p, values: v, radius: 0.3).distribution
            #expect(isApproximatelyEqual(q, p, absolute: 1e-15, relative: 0), "\(kind) \(q)")
        }
    }

    /// Values equal up to the tie tolerance tie; values farther apart do not.
    @Test func toleranceDefinesTies() throws {
        let p = [0.5, 0.5, 0.0]
        let near = [1.0, 1.0 + 1e-13, 0.0]
        let q = try AmbiguitySet(kind: .tv, ties: .split).worstCase(nominal: p, values: near, radius: 0.2).distribution
        #expect(isApproximatelyEqual(q, [0.4, 0.4, 0.2], absolute: 1e-15, relative: 0), "\(q)")
        let far = [1.0, 1.0 + 1e-9, 0.0]
        let r = try AmbiguitySet(kind: .tv, ties: .split).worstCase(nominal: p, values: far, radius: 0.2).distribution
        #expect(isApproximatelyEqual(r, [0.5, 0.3, 0.2], absolute: 1e-15, relative: 0), "\(r)")
    }

    /// KL and χ² have a unique minimizer, so `split` changes nothing and symmetric
    /// inputs already give symmetric `q`.
    @Test func divergencesAreSymmetricAlready() throws {
        let p = [0.1, 0.2, 0.4, 0.2, 0.1], v = [1.0, 0.0, 0.5, 0.0, 1.0]
        for kind in [AmbiguityKind.kl, .chi2] {
            let q = try AmbiguitySet(kind: kind, ties: .split).worstCase(nominal: p, values: v, radius: 0.05).distribution
            let qi = try AmbiguitySet(kind: kind).worstCase(nominal: p, values: v, radius: 0.05).distribution
            #expect(q == qi, "\(kind)")
            #expect(isApproximatelyEqual(q, q.reversed(), absolute: 1e-13, relative: 0), "\(kind) \(q)")
        }
    }

    @Test func wassersteinRefusesSplit() throws {
        let cost = try GroundCost([[0, 1], [1, 0]])
        #expect(throws: AmbiguityError.self) { try AmbiguitySet(kind: .wasserstein, cost: cost, ties: .split) }
    }

    /// The fast path a Bellman sweep uses gives the same `q` as the certified one.
    @Test func sweepPathMatchesCertified() throws {
        try Self.forEachTiedInstance(trials: 200) { x, kind, label in
            let set = try Self.set(kind, .simplex, x.w, ties: .split)
            var idx: [Int] = [], pr: [Double] = []
            let sigma = set.appendWorstCase(nominal: SparseDistribution(dense: x.p), values: SortedValues(x.v),
                                            radius: x.rho, indices: &idx, probabilities: &pr)
            let certified = try set.worstCase(nominal: x.p, values: x.v, radius: x.rho)
            let fast = SparseDistribution(indices: idx, probabilities: pr).dense(count: x.p.count)
            #expect(isApproximatelyEqual(fast, certified.distribution, absolute: 1e-15, relative: 0), "\(label)")
            #expect(abs(sigma - certified.value) <= 1e-12, "\(label)")
        }
    }
}
