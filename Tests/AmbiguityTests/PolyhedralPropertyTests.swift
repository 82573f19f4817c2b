import Ambiguity
import LinearProgramming
import PropertyBased
import TestSupport
import Testing

/// The largest fast-vs-LP disagreement seen, relative to `1 + max|V|`.
actor DisagreementLog {
    static let shared = DisagreementLog()
    private(set) var worst: [String: Double] = [:]
    private(set) var counts: [String: Int] = [:]
    func record(_ key: String, _ d: Double) {
        worst[key] = max(worst[key] ?? 0, d)
        counts[key, default: 0] += 1
    }
}

/// Fast (certified) path against the LP, for one set and one instance.
func checkAgainstLP(_ kind: AmbiguityKind, _ support: SupportRestriction, _ x: Instance) async throws {
    let set = try makeSet(kind, support, x)
    let fast = try set.worstCase(nominal: x.nominal, values: x.values, radius: x.radius)
    let lp = try set.worstCaseLP(nominal: x.nominal, values: x.values, radius: x.radius)
    let tol = x.tolerance
    let disagreement = abs(fast.value - lp.value)
    await DisagreementLog.shared.record("\(kind.rawValue)/\(support.rawValue)", disagreement / x.scale)
    #expect(disagreement <= tol, "fast \(fast.value) vs LP \(lp.value): \(x)")
    // Feasibility of q (support rule, simplex, distance).
    #expect(isProbability(fast.distribution, restrictedTo: support == .nominal ? x.nominal : nil), "q \(fast.distribution): \(x)")
    #expect(fast.distance <= x.radius + 1e-12, "distance \(fast.distance) > radius: \(x)")
    if let d = set.distance(fast.distribution, from: x.nominal) {
        #expect(d <= x.radius + 1e-12, "D(q,p) = \(d) > radius: \(x)")
    }
    // Certificate.
    #expect(fast.certificate.gap >= -tol && fast.certificate.gap <= tol, "gap \(fast.certificate.gap): \(x)")
    #expect(abs(fast.certificate.primal - fast.value) <= tol)
    // Fast path entry points agree with the certified one.
    let p = SparseDistribution(dense: x.nominal)
    let sv = SortedValues(x.values)
    let v1 = set.worstCaseValue(nominal: p, values: sv, radius: x.radius)
    let (v2, q2) = set.worstCaseDistribution(nominal: p, values: sv, radius: x.radius)
    #expect(v1 == fast.value && v2 == fast.value)
    #expect(q2.dense(count: x.n) == fast.distribution)
    // ρ = 0 gives p·V.
    if x.radius == 0 { #expect(abs(fast.value - p.dot(x.values)) <= tol) }
    // On tie-free instances the LP's q is the same.
    if x.tieFree {
        #expect(maxAbsDifference(fast.distribution, lp.distribution) <= 1e-7, "q \(fast.distribution) vs LP \(lp.distribution): \(x)")
    }
}

/// σ is non-increasing in ρ.
func checkMonotone(_ kind: AmbiguityKind, _ support: SupportRestriction, _ x: Instance) throws {
    let set = try makeSet(kind, support, x)
    var previous = Double.infinity
    for r in [0, 0.001, 0.01, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 50] {
        let s = try set.worstCase(nominal: x.nominal, values: x.values, radius: r).value
        #expect(s <= previous + x.tolerance, "σ(\(r)) = \(s) > \(previous): \(x)")
        previous = s
    }
}

@Suite("Polyhedral sets: fast path = LP on random instances")
struct PolyhedralPropertyTests {
    static let polyhedral: [AmbiguityKind] = [.none, .tv, .l1, .linf, .wasserstein]

    @Test("tv, both supports", arguments: SupportRestriction.allCases)
    func tv(_ support: SupportRestriction) async { await checkRandom(.tv, support) }

    @Test("l1 with weights, both supports", arguments: SupportRestriction.allCases)
    func l1(_ support: SupportRestriction) async { await checkRandom(.l1, support) }

    @Test("linf, both supports", arguments: SupportRestriction.allCases)
    func linf(_ support: SupportRestriction) async { await checkRandom(.linf, support) }

    @Test("wasserstein, both supports", arguments: SupportRestriction.allCases)
    func wasserstein(_ support: SupportRestriction) async { await checkRandom(.wasserstein, support, maxStates: 40) }

    /// 500 random instances of at most `maxStates` states: the fast path matches the LP,
    /// and the worst case is monotone in the radius.
    private func checkRandom(_ kind: AmbiguityKind, _ support: SupportRestriction, maxStates: Int = 200) async {
        await propertyCheck(count: 500, input: Gen.int(in: 0...Int.max)) { seed in
            let x = randomInstance(seed: seed, maxStates: maxStates)
            try await checkAgainstLP(kind, support, x)
            try checkMonotone(kind, support, x)
        }
    }

    @Test("wasserstein and l1 at n up to 200: certified (gap) and consistent with tv, without the LP")
    func largeInstances() async {
        await propertyCheck(count: 40, input: Gen.int(in: 0...Int.max)) { seed in
            var g = SplitMix64(seed: UInt64(seed))
            var x = randomInstance(seed: seed, maxStates: 200)
            while x.n < 100 { x = randomInstance(seed: Int(g.next() >> 1), maxStates: 200) }
            for support in SupportRestriction.allCases {
                for kind in [AmbiguityKind.wasserstein, .l1, .linf, .tv] {
                    let w = try makeSet(kind, support, x).worstCase(nominal: x.nominal, values: x.values, radius: x.radius)
                    #expect(abs(w.certificate.gap) <= x.tolerance, "\(kind) gap \(w.certificate.gap): \(x)")
                    #expect(isProbability(w.distribution, restrictedTo: support == .nominal ? x.nominal : nil))
                    #expect(w.distance <= x.radius + 1e-12)
                }
            }
        }
    }

    @Test("none")
    func none() async {
        await propertyCheck(count: 100, input: Gen.int(in: 0...Int.max)) { seed in
            let x = randomInstance(seed: seed)
            try await checkAgainstLP(.none, .simplex, x)
        }
    }

    @Test("Cross-set identities: wasserstein(1{s≠t}) = tv, l1(2ρ) = tv, nominal support stays on supp p")
    func identities() async {
        await propertyCheck(count: 500, input: Gen.int(in: 0...Int.max)) { seed in
            var x = randomInstance(seed: seed, maxStates: 60)
            let n = x.n
            let tol = x.tolerance
            for support in SupportRestriction.allCases {
                let tv = try AmbiguitySet(kind: .tv, support: support).worstCase(nominal: x.nominal, values: x.values, radius: x.radius)
                let zeroOne = (0..<n).map { s in (0..<n).map { t in s == t ? 0.0 : 1.0 } }
                let w = try AmbiguitySet(kind: .wasserstein, support: support, cost: GroundCost(zeroOne))
                    .worstCase(nominal: x.nominal, values: x.values, radius: x.radius)
                #expect(abs(w.value - tv.value) <= tol, "W01 \(w.value) vs TV \(tv.value): \(x)")
                let l1 = try AmbiguitySet(kind: .l1, support: support).worstCase(nominal: x.nominal, values: x.values, radius: 2 * x.radius)
                #expect(abs(l1.value - tv.value) <= tol)
                #expect(l1.distribution == tv.distribution)
                // The weighted sweep with all-equal weights takes the TV path; nudging one
                // weight by a relative 1e-15 forces the general sweep, whose value must agree.
                var nudged = [Double](repeating: 1, count: n)
                nudged[0] = 1 + 1e-15
                let l1Sweep = try AmbiguitySet(kind: .l1, support: support, weights: nudged)
                    .worstCase(nominal: x.nominal, values: x.values, radius: 2 * x.radius)
                #expect(abs(l1Sweep.value - tv.value) <= tol, "sweep \(l1Sweep.value) vs TV \(tv.value): \(x)")
            }
            x.weights = x.weights.map { $0 }
            for kind in AmbiguityKind.allCases {
                let q = try makeSet(kind, .nominal, x).worstCase(nominal: x.nominal, values: x.values, radius: x.radius).distribution
                for i in 0..<n where x.nominal[i] == 0 { #expect(q[i] == 0, "\(kind) puts mass off supp(p): \(x)") }
            }
        }
    }

    @Test("Exact (rational) LP agrees with floating LP and the fast path on rational inputs")
    func exactMode() async {
        await propertyCheck(count: 60, input: Gen.int(in: 0...Int.max)) { seed in
            var g = SplitMix64(seed: UInt64(seed))
            let n = g.int(1...8)
            var counts = (0..<n).map { _ in g.int(0...4) }
            if counts.allSatisfy({ $0 == 0 }) { counts[0] = 1 }
            let total = Double(counts.reduce(0, +))
            let denom = [1.0, 2, 4, 8, 16, 32].first { Double(Int(total)).truncatingRemainder(dividingBy: $0) == 0 && $0 >= total } ?? 1
            // Dyadic nominal: pad the total with a last state to a power of two.
            var nominal = counts.map { Double($0) / (total > 0 ? total : 1) }
            if denom != total {
                nominal = counts.map { Double($0) / 8 }
                let s = nominal.reduce(0, +)
                if s <= 1 { nominal.append(1 - s) } else { nominal = counts.map { Double($0) / total } }
            }
            let m = nominal.count
            let values = (0..<m).map { _ in Double(g.int(-4...4)) }
            let radius = Double(g.int(0...12)) / 8
            let cost = (0..<m).map { s in (0..<m).map { t in s == t ? 0.0 : Double(g.int(1...3)) / 2 } }
            let weights = (0..<m).map { _ in Double(g.int(1...4)) / 2 }
            let x = Instance(nominal: nominal, values: values, radius: radius, weights: weights, cost: cost, tieFree: false)
            for kind in [AmbiguityKind.tv, .l1, .linf, .wasserstein] {
                for support in SupportRestriction.allCases {
                    let set = try makeSet(kind, support, x)
                    let exact = try set.worstCaseLP(nominal: nominal, values: values, radius: radius, options: LPOptions(exact: true))
                    let float = try set.worstCaseLP(nominal: nominal, values: values, radius: radius)
                    let fast = try set.worstCase(nominal: nominal, values: values, radius: radius)
                    #expect(abs(exact.value - float.value) <= 1e-12 * x.scale, "\(kind): exact \(exact.value) vs float \(float.value): \(x)")
                    #expect(abs(exact.value - fast.value) <= 1e-12 * x.scale, "\(kind): exact \(exact.value) vs fast \(fast.value): \(x)")
                }
            }
        }
    }

    @Test("Report the worst fast-vs-LP disagreement")
    func report() async throws {
        // Runs its own batch so the number is available even when run alone.
        for seed in 0..<50 {
            let x = randomInstance(seed: 10_000 + seed, maxStates: 40)
            for kind in [AmbiguityKind.tv, .l1, .linf, .wasserstein] {
                for support in SupportRestriction.allCases { try await checkAgainstLP(kind, support, x) }
            }
        }
        let worst = await DisagreementLog.shared.worst
        let counts = await DisagreementLog.shared.counts
        for key in worst.keys.sorted() {
            print("fast-vs-LP \(key): \(counts[key] ?? 0) instances, worst |σ_fast − σ_LP|/(1 + max|V|) = \(worst[key] ?? 0)")
        }
        #expect(worst.values.allSatisfy { $0 <= 1e-9 })
    }
}
