import Ambiguity
import Foundation
import LinearProgramming
import TestSupport
import Testing

/// Small instances solved by hand; each derivation is in the comment above it.
@Suite("Hand-derived worst cases")
struct HandDerivedTests {
    func solve(_ set: AmbiguitySet, _ p: [Double], _ v: [Double], _ r: Double) throws -> WorstCase {
        let w = try set.worstCase(nominal: p, values: v, radius: r)
        #expect(abs(w.certificate.gap) <= 1e-12, "gap \(w.certificate.gap)")
        return w
    }

    @Test func totalVariation() throws {
        // p = (.2,.3,.5), V = (1,2,3), ρ = .1: move .1 from state 2 (highest V) to
        // state 0 (lowest): q = (.3,.3,.4), σ = .3 + .6 + 1.2 = 2.1; λ = V_2 − V_0 = 2.
        let w = try solve(.totalVariation(), [0.2, 0.3, 0.5], [1, 2, 3], 0.1)
        #expect(isApproximatelyEqual(w.value, 2.1, absolute: 0, relative: 1e-14))
        #expect(isApproximatelyEqual(w.distribution, [0.3, 0.3, 0.4], absolute: 1e-14, relative: 1e-14))
        #expect(w.multiplier(.lambda) == 2)
        // p = (0,.5,.5), V = (0,1,2), ρ = .25. simplex: state 0 (p = 0) receives .25
        // from state 2: q = (.25,.5,.25), σ = 1. nominal: target is state 1:
        // q = (0,.75,.25), σ = .75 + .5 = 1.25.
        let s = try solve(.totalVariation(), [0, 0.5, 0.5], [0, 1, 2], 0.25)
        #expect(isApproximatelyEqual(s.value, 1.0, absolute: 0, relative: 1e-14))
        #expect(s.distribution == [0.25, 0.5, 0.25])
        let n = try solve(.totalVariation(support: .nominal), [0, 0.5, 0.5], [0, 1, 2], 0.25)
        #expect(isApproximatelyEqual(n.value, 1.25, absolute: 0, relative: 1e-14))
        #expect(n.distribution == [0, 0.75, 0.25])
        // ρ = 1 ≥ 1 − p_{i*}: everything moves to the minimum, σ = V_min = 0.
        #expect(try solve(.totalVariation(), [0, 0.5, 0.5], [0, 1, 2], 1).value == 0)
        // Tie-break: V = (1,1,0): state 2 is first by (V,t); with ρ = .2 mass leaves
        // state 1 (the higher index among the tied highest values) first.
        let t = try solve(.totalVariation(), [0.4, 0.4, 0.2], [1, 1, 0], 0.2)
        #expect(isApproximatelyEqual(t.distribution, [0.4, 0.2, 0.4], absolute: 1e-14, relative: 1e-14))
    }

    @Test func weightedL1() throws {
        // p = (0,.5,.5), V = (0,1,3), w = (4,1,1). Moving a unit i → j costs w_i + w_j.
        // ρ = 1: the best ratio is 2 → 1 (gain 2, cost 2, ratio 1) against 2 → 0
        // (gain 3, cost 5, ratio .6): move .5 from 2 to 1 for cost 1: q = (0,1,0),
        // σ = 1. Dual: m(λ) = min(4λ, 1+λ, 3+λ); g(λ) = −λ + .5 min(1, m+λ) + .5 min(3, m+λ).
        // On [1/3, 1], m = 1+λ, g = −λ + .5 + .5(1 + 2λ) = 1: every λ there is optimal
        // and the sweep reports the first, λ = 1/3 (the envelope breakpoint 4λ = 1+λ).
        let set = try AmbiguitySet(kind: .l1, weights: [4, 1, 1])
        let a = try solve(set, [0, 0.5, 0.5], [0, 1, 3], 1)
        #expect(isApproximatelyEqual(a.value, 1, absolute: 0, relative: 1e-14))
        #expect(isApproximatelyEqual(a.distribution, [0, 1, 0], absolute: 1e-14, relative: 1e-14))
        #expect(isApproximatelyEqual(a.multiplier(.lambda) ?? -1, 1.0 / 3, absolute: 0, relative: 1e-14))
        // ρ = 3: after the first move (cost 1), re-routing 2's mass from 1 to 0 costs
        // 5 − 2 = 3 per unit for gain 1 (ratio 1/3) and beats 1 → 0 (cost 5, gain 1):
        // .5 units use 1.5, leaving .5 for .1 unit 1 → 0. q = (.6,.4,0), σ = .4,
        // cost 4·.6 + 1·.1 + 1·.5 = 3.
        let b = try solve(set, [0, 0.5, 0.5], [0, 1, 3], 3)
        #expect(isApproximatelyEqual(b.value, 0.4, absolute: 0, relative: 1e-13))
        #expect(isApproximatelyEqual(b.distribution, [0.6, 0.4, 0], absolute: 1e-13, relative: 1e-13))
        #expect(isApproximatelyEqual(b.distance, 3, absolute: 0, relative: 1e-13))
        // All-ones weights: the TV ball of radius ρ/2.
        let c = try solve(try AmbiguitySet(kind: .l1), [0.2, 0.3, 0.5], [1, 2, 3], 0.2)
        #expect(isApproximatelyEqual(c.value, 2.1, absolute: 0, relative: 1e-14))
    }

    @Test func lInfinity() throws {
        // p = (.2,.3,.5), V = (1,2,3), ρ = .1: lower bounds (.1,.2,.4) leave .3 free;
        // each state takes at most .2 more: q = (.3,.3,.4), σ = 2.1, η = V_1 = 2.
        let set = try AmbiguitySet(kind: .linf)
        let a = try solve(set, [0.2, 0.3, 0.5], [1, 2, 3], 0.1)
        #expect(isApproximatelyEqual(a.value, 2.1, absolute: 0, relative: 1e-14))
        #expect(isApproximatelyEqual(a.distribution, [0.3, 0.3, 0.4], absolute: 1e-14, relative: 1e-14))
        #expect(a.multiplier(.eta) == 2)
        // p = (0,.5,.5), V = (0,1,2), ρ = .2: lower (0,.3,.3), free .4; state 0 takes
        // .2 (cap ρ), state 1 takes .2: q = (.2,.5,.3), σ = .5 + .6 = 1.1.
        let b = try solve(set, [0, 0.5, 0.5], [0, 1, 2], 0.2)
        #expect(isApproximatelyEqual(b.value, 1.1, absolute: 0, relative: 1e-14))
        #expect(isApproximatelyEqual(b.distribution, [0.2, 0.5, 0.3], absolute: 1e-14, relative: 1e-14))
        // nominal: state 0 is fixed at 0; state 1 takes .2 (cap .7 − .3 = .4): q = (0,.7,.3).
        let c = try solve(try AmbiguitySet(kind: .linf, support: .nominal), [0, 0.5, 0.5], [0, 1, 2], 0.2)
        #expect(isApproximatelyEqual(c.distribution, [0, 0.7, 0.3], absolute: 1e-14, relative: 1e-14))
    }

    @Test func wasserstein() throws {
        // p = (0,0,1), V = (0,1,2), c(s,t) = |s − t|, ρ = 1.5: every unit of budget buys
        // one unit of value (2 → 1 and 2 → 0 both have ratio 1), so σ = 2 − 1.5 = .5.
        let metric = try GroundCost([[0, 1, 2], [1, 0, 1], [2, 1, 0]])
        let a = try solve(try AmbiguitySet(kind: .wasserstein, cost: metric), [0, 0, 1], [0, 1, 2], 1.5)
        #expect(isApproximatelyEqual(a.value, 0.5, absolute: 0, relative: 1e-14))
        #expect(isApproximatelyEqual(a.multiplier(.lambda) ?? -1, 1, absolute: 0, relative: 1e-14))
        // Asymmetric cost (moving to a lower index costs 5): from state 2, sending to 0
        // gains 2 per 5 of budget, to 1 gains 1 per 5. ρ = 1: .2 units to state 0,
        // q = (.2,0,.8), σ = 1.6, λ = 2/5.
        let asym = try GroundCost([[0, 1, 1], [5, 0, 1], [5, 5, 0]])
        let b = try solve(try AmbiguitySet(kind: .wasserstein, cost: asym), [0, 0, 1], [0, 1, 2], 1)
        #expect(isApproximatelyEqual(b.value, 1.6, absolute: 0, relative: 1e-14))
        #expect(isApproximatelyEqual(b.distribution, [0.2, 0, 0.8], absolute: 1e-14, relative: 1e-14))
        #expect(isApproximatelyEqual(b.multiplier(.lambda) ?? -1, 0.4, absolute: 0, relative: 1e-14))
        // Issue 19: continuity at ρ = 0. With c₀₁ = 0 (now refused) σ was 2.2 at ρ = 0 and 1.2 at
        // ρ = 1e-12; with positive costs W_c ≥ c_min·TV, so σ moves by at most ρ·span(V)/c_min.
        let p = [0.5, 0.3, 0.2], v = [3.0, 1, 2]
        let at0 = try solve(try AmbiguitySet(kind: .wasserstein, cost: metric), p, v, 0)
        let near0 = try solve(try AmbiguitySet(kind: .wasserstein, cost: metric), p, v, 1e-12)
        #expect(isApproximatelyEqual(at0.value, 2.2, absolute: 0, relative: 1e-14))
        #expect(at0.value - near0.value >= 0 && at0.value - near0.value <= 2e-12 + 1e-15)
        // Beyond saturation (ρ = 10 ≥ 5): all mass reaches the minimum, λ = 0.
        let c = try solve(try AmbiguitySet(kind: .wasserstein, cost: asym), [0, 0, 1], [0, 1, 2], 10)
        #expect(c.value == 0 && c.distribution == [1, 0, 0] && c.multiplier(.lambda) == 0)
    }

    @Test func kullbackLeibler() throws {
        // Two points p = (½,½), V = (0,1). q_t ∝ p e^{−tV}; t = log 3 gives q = (¾,¼),
        // KL = ¾ log(3/2) + ¼ log(1/2) =: ρ and σ = ¼ with β = 1/log 3.
        let set = try AmbiguitySet(kind: .kl)
        let rho = 0.75 * log(1.5) + 0.25 * log(0.5)
        let a = try set.worstCase(nominal: [0.5, 0.5], values: [0, 1], radius: rho)
        #expect(isApproximatelyEqual(a.value, 0.25, absolute: 0, relative: 1e-12))
        #expect(isApproximatelyEqual(a.distribution, [0.75, 0.25], absolute: 1e-12, relative: 1e-12))
        #expect(isApproximatelyEqual(a.multiplier(.beta) ?? -1, 1 / log(3), absolute: 0, relative: 1e-9))
        #expect(abs(a.certificate.gap) <= 1e-14)
        // ρ ≥ −log p(argmin) = log 2: σ = V_min = 0, q = p on the argmin, renormalized.
        let b = try set.worstCase(nominal: [0.5, 0.5], values: [0, 1], radius: log(2))
        #expect(b.value == 0 && b.distribution == [1, 0] && b.certificate.gap == 0)
        // Ties: V = (0,0,1), p = (.25,.25,.5), ρ = 5 ≥ log 2: q = (.5,.5,0).
        let c = try set.worstCase(nominal: [0.25, 0.25, 0.5], values: [0, 0, 1], radius: 5)
        #expect(c.distribution == [0.5, 0.5, 0])
        // Off-support states never receive mass, ρ = 0 gives p.
        let d = try set.worstCase(nominal: [0, 0.5, 0.5], values: [-100, 0, 1], radius: 0.3)
        #expect(d.distribution[0] == 0)
        #expect(try set.worstCase(nominal: [0.5, 0.5], values: [0, 1], radius: 0).distribution == [0.5, 0.5])
    }

    @Test func chiSquare() throws {
        // Full support: σ = E_p V − √(ρ Var_p V). p = (½,½), V = (0,1), ρ = .36:
        // σ = .5 − √(.36·.25) = .2, q = (.8,.2) (χ² = 2·.3²/.5 = .36).
        let set = try AmbiguitySet(kind: .chi2)
        let a = try solve(set, [0.5, 0.5], [0, 1], 0.36)
        #expect(isApproximatelyEqual(a.value, 0.2, absolute: 0, relative: 1e-13))
        #expect(isApproximatelyEqual(a.distribution, [0.8, 0.2], absolute: 1e-13, relative: 1e-13))
        // Saturation at ρ = (1 − p*)/p* = 1: q = (1,0), σ = 0.
        let b = try solve(set, [0.5, 0.5], [0, 1], 1)
        #expect(b.value == 0 && b.distribution == [1, 0])
        // Active set: p = (.5,.25,.25), V = (0,1,10), ρ = .5. With q_2 = 0 the prefix
        // {0,1} has P = .75, V̄ = 1/3, M = Σ p(V − V̄)² = 1/6; a = √((ρ − (1−P)/P)/M) = 1,
        // a(η − V̄) = (1−P)/P = 1/3: q_0 = .5(1 + 1/3 + 1/3) = 5/6,
        // q_1 = .25(1 − 2/3 + 1/3) = 1/6, q_2 would be negative. σ = 1/6,
        // χ² = 2/9 + 1/36 + 1/4 = .5.
        let c = try solve(set, [0.5, 0.25, 0.25], [0, 1, 10], 0.5)
        #expect(isApproximatelyEqual(c.value, 1.0 / 6, absolute: 0, relative: 1e-13))
        #expect(isApproximatelyEqual(c.distribution, [5.0 / 6, 1.0 / 6, 0], absolute: 1e-13, relative: 1e-13))
        #expect(isApproximatelyEqual(c.distance, 0.5, absolute: 0, relative: 1e-13))
    }

    @Test func linearPrograms() throws {
        // The LP path reproduces the hand values above.
        let p = [0.2, 0.3, 0.5], v = [1.0, 2, 3]
        #expect(isApproximatelyEqual(try AmbiguitySet.totalVariation().worstCaseLP(nominal: p, values: v, radius: 0.1).value, 2.1, absolute: 1e-12, relative: 1e-12))
        #expect(isApproximatelyEqual(try AmbiguitySet(kind: .linf).worstCaseLP(nominal: p, values: v, radius: 0.1).value, 2.1, absolute: 1e-12, relative: 1e-12))
        let asym = try GroundCost([[0, 1, 1], [5, 0, 1], [5, 5, 0]])
        let w = try AmbiguitySet(kind: .wasserstein, cost: asym).worstCaseLP(nominal: [0, 0, 1], values: [0, 1, 2], radius: 1)
        #expect(isApproximatelyEqual(w.value, 1.6, absolute: 0, relative: 1e-12))
        #expect(w.status == .optimal)
        let exact = try AmbiguitySet(kind: .l1, weights: [4, 1, 1])
            .worstCaseLP(nominal: [0, 0.5, 0.5], values: [0, 1, 3], radius: 3, options: LPOptions(exact: true))
        #expect(isApproximatelyEqual(exact.value, 0.4, absolute: 0, relative: 1e-14))
        // Export: the LP can be written in CPLEX format.
        let lp = try AmbiguitySet.totalVariation().linearProgram(nominal: p, values: v, radius: 0.1)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("amb-\(UUID().uuidString).lp").path
        try lp.writeCPLEX(to: path)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        try? FileManager.default.removeItem(atPath: path)
        #expect(text.contains("budget"))
    }
}
