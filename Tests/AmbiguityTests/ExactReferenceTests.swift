import Ambiguity
import Foundation
import LinearProgramming
import Randomness
import Testing
import TestSupport

/// `worstCaseLP` with `LPOptions(exact: true)` returns the exact `σ` of the given doubles,
/// rounded once toward zero (as GMP's `mpq_get_d`): the same double as an independent rational computation
/// (`scripts/exact_worst_case.py`: the textbook formulation with `d_t ≥ |q_t − p_t|`, a
/// two-phase simplex over `fractions.Fraction`), bit for bit, on data that are not dyadic
/// (`0.1`, `1/3`, `k/7` rounded), where GLPK's exact solver reading the doubles directly
/// was off by up to about `1e-10` (Docs/AmbiguitySets.md, "Exact arithmetic").
@Suite struct ExactReferenceTests {
    /// A case: the set, and the reference instance describing the same set.
    struct Case {
        let reference: ExactReferenceInstance
        let solve: () throws -> LPWorstCase
    }

    /// Nominals `k_t / d` and values `j / 3`, `j / 10` (rounded doubles; `Σ p` is often
    /// not exactly 1), radii `0.1`, `1/3`, `0.05`, `0.3`, `0.7`, weights `i / 10`; every
    /// fourth trial arbitrary doubles (`p` normalized uniforms, `V ∈ [−5, 5)`, `ρ ∈ [0, ½)`).
    static func cases() throws -> [Case] {
        var rng = SplitMix64(seed: 22)
        var out: [Case] = []
        let radii = [0.1, 1.0 / 3, 0.05, 0.3, 0.7]
        for trial in 0..<40 {
            let n = 3 + trial % 3
            var counts = (0..<n).map { _ in Int.random(in: 0...4, using: &rng) }
            if counts.allSatisfy({ $0 == 0 }) { counts[0] = 1 }
            let d = Double(counts.reduce(0, +))
            var p = counts.map { Double($0) / d }
            let den = trial % 2 == 0 ? 3.0 : 10.0
            var v = (0..<n).map { _ in Double(Int.random(in: -9...9, using: &rng)) / den }
            var radius = radii[trial % radii.count]
            if trial % 4 == 3 {  // arbitrary doubles: no short fraction is near them
                let raw = (0..<n).map { _ in Double.random(in: 0.01..<1, using: &rng) }
                let sum = raw.reduce(0, +)
                p = raw.map { $0 / sum }
                v = (0..<n).map { _ in Double.random(in: -5..<5, using: &rng) }
                radius = Double.random(in: 0..<0.5, using: &rng)
            }
            let support = trial % 4 == 3 ? SupportRestriction.nominal : .simplex
            let weights = (0..<n).map { _ in Double(Int.random(in: 1...9, using: &rng)) / 10 }
            for kind in [AmbiguityKind.tv, .l1, .linf, .none] {
                let set = try AmbiguitySet(kind: kind, support: support, weights: kind == .l1 ? weights : nil)
                out.append(Case(reference: ExactReferenceInstance(nominal: p, values: v, kind: kind.rawValue, radius: radius,
                                                                  weights: kind == .l1 ? weights : nil,
                                                                  support: support.rawValue),
                                solve: { try set.worstCaseLP(nominal: p, values: v, radius: radius, options: LPOptions(exact: true)) }))
            }
            out.append(try momentCase(p: p, v: v, trial: trial, support: support))
        }
        return out
    }

    /// A moment set on `f(t) = t/3` with radius `0.1`, alone or within an `linf` or `tv` ball.
    static func momentCase(p: [Double], v: [Double], trial: Int, support: SupportRestriction) throws -> Case {
        let feature = p.indices.map { Double($0) / 3 }
        let ball: AmbiguitySet? = [nil, try AmbiguitySet(kind: .linf, support: support),
                                   try AmbiguitySet(kind: .tv, support: support)][trial % 3]
        let ballRadius = ball == nil ? 0 : 0.2
        let moment = try PolyhedralSet.moment(features: [feature], radii: [0.1], nominal: p)
        let set = try PolyhedralSet(constraints: moment.constraints, within: ball, radius: ballRadius, support: support)
        let constraints = set.constraints.map { c in
            (c: c.coefficients, relation: c.relation == .lessEqual ? "<=" : c.relation == .equal ? "=" : ">=", b: c.bound)
        }
        // Without a ball the set lies in the simplex: the reference's linf ball of radius 1
        // (|q_t − p_t| ≤ 1 holds for every q ≥ 0 with Σ q = Σ p).
        let reference = ExactReferenceInstance(nominal: p, values: v, kind: ball?.kind.rawValue ?? "linf",
                                               radius: ball == nil ? 1 : ballRadius, support: support.rawValue,
                                               constraints: constraints)
        return Case(reference: reference,
                    solve: { try set.worstCaseLP(nominal: p, values: v, options: LPOptions(exact: true)) })
    }

    @Test func exactValueIsTheRationalOptimumTruncatedOnce() throws {
        let cases = try Self.cases()
        guard let reference = try exactReference(cases.map(\.reference)) else { return }
        var checked = 0
        for (c, ref) in zip(cases, reference) {
            let solved = try c.solve()
            #expect(solved.solution.exact)
            #expect(solved.value.bitPattern == ref.value.bitPattern,
                    "\(c.reference.kind) p=\(c.reference.nominal) V=\(c.reference.values) ρ=\(c.reference.radius): \(solved.value) vs exact \(ref.fraction) ≈ \(ref.value)")
            checked += 1
        }
        #expect(checked == cases.count)
    }

    /// The floating LP agrees with the exact value within the acceptance tolerance, and
    /// the exact result's `q` passes the set's check (it lies in the set).
    @Test func exactResultIsConsistent() throws {
        let p = [0.1, 0.2, 0.7], v = [1.0 / 3, 0.1, 2.0 / 3]
        for kind in [AmbiguityKind.tv, .l1, .linf] {
            let set = try AmbiguitySet(kind: kind, weights: kind == .l1 ? [0.3, 0.7, 1.1] : nil)
            let exact = try set.worstCaseLP(nominal: p, values: v, radius: 0.1, options: LPOptions(exact: true))
            let float = try set.worstCaseLP(nominal: p, values: v, radius: 0.1)
            #expect(abs(exact.value - float.value) <= Acceptance.tolerance(values: v))
            #expect(set.check(exact, nominal: p, values: v, radius: 0.1).passed)
            #expect(exact.rowNames.count == exact.rowDuals.count)
        }
    }
}
