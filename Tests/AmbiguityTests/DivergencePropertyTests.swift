import Ambiguity
import Foundation
import PropertyBased
import TestSupport
import Testing

/// An independent evaluation of `σ` for KL: golden-section search on the
/// concave dual `φ(β)` over `log β`, taking the best of it and the `β → 0`
/// limit `min V`. Accurate to about 1e-9 relative.
func bruteForceKL(_ p: [Double], _ v: [Double], _ rho: Double) -> Double {
    let support = p.indices.filter { p[$0] > 0 }
    let vmin = support.map { v[$0] }.min() ?? 0
    let vmax = support.map { v[$0] }.max() ?? 0
    let mean = support.reduce(0) { $0 + p[$1] * v[$1] }
    func phi(_ logBeta: Double) -> Double {
        let beta = exp(logBeta)
        if (vmax - vmin) / beta < 0.5 {
            // Large β: −β log E e^{−(V − m)/β} via log1p/expm1 around the mean m.
            var s = 0.0
            for i in support { s += p[i] * expm1(-(v[i] - mean) / beta) }
            return mean - beta * log1p(s) - beta * rho
        }
        var z = 0.0
        for i in support { z += p[i] * exp(-(v[i] - vmin) / beta) }
        return vmin - beta * log(z) - beta * rho
    }
    var a = -40.0, b = 40.0
    let g = (sqrt(5.0) - 1) / 2
    for _ in 0..<300 {
        let c = b - g * (b - a), d = a + g * (b - a)
        if phi(c) > phi(d) { b = d } else { a = c }
    }
    return max(phi(0.5 * (a + b)), vmin)
}

@Suite("KL and χ²: certified dual solvers on random instances")
struct DivergencePropertyTests {
    func check(_ kind: AmbiguityKind, _ x: Instance) throws -> WorstCase {
        let set = try AmbiguitySet(kind: kind)
        let w = try set.worstCase(nominal: x.nominal, values: x.values, radius: x.radius)
        let tol = x.tolerance
        #expect(isProbability(w.distribution, restrictedTo: x.nominal), "\(w.distribution): \(x)")
        let d = set.distance(w.distribution, from: x.nominal) ?? .infinity
        #expect(d <= x.radius * (1 + 1e-9) + 1e-12, "D(q,p) = \(d) > ρ: \(x)")
        #expect(w.certificate.gap >= -tol && w.certificate.gap <= tol, "gap \(w.certificate.gap): \(x)")
        #expect(abs(w.certificate.primal - w.value) <= tol)
        let p = SparseDistribution(dense: x.nominal)
        #expect(set.worstCaseValue(nominal: p, values: SortedValues(x.values), radius: x.radius) == w.value)
        if x.radius == 0 { #expect(abs(w.value - p.dot(x.values)) <= tol) }
        // Never below the minimum over supp p, never above p·V.
        let vmin = x.nominal.indices.filter { x.nominal[$0] > 0 }.map { x.values[$0] }.min() ?? 0
        #expect(w.value >= vmin - tol && w.value <= p.dot(x.values) + tol)
        return w
    }

    @Test func kullbackLeibler() async {
        await propertyCheck(count: 500, input: Gen.int(in: 0...Int.max)) { seed in
            let x = randomInstance(seed: seed)
            let w = try check(.kl, x)
            // The brute force is a valid lower bound (a dual value); it is accurate when the
            // optimal β is moderate (not for tiny ρ, where β → ∞).
            let reference = bruteForceKL(x.nominal, x.values, x.radius)
            #expect(w.value >= reference - x.tolerance, "KL \(w.value) below a dual bound \(reference): \(x)")
            if x.radius >= 1e-4 {
                #expect(abs(w.value - reference) <= 1e-7 * x.scale, "KL \(w.value) vs brute force \(reference): \(x)")
            }
            try checkMonotone(.kl, .nominal, x)
        }
    }

    @Test func chiSquare() async {
        await propertyCheck(count: 500, input: Gen.int(in: 0...Int.max)) { seed in
            let x = randomInstance(seed: seed)
            let w = try check(.chi2, x)
            try checkMonotone(.chi2, .nominal, x)
            // Full-support closed form E V − √(ρ Var V) whenever it keeps q ≥ 0.
            let p = x.nominal
            let mean = zip(p, x.values).reduce(0) { $0 + $1.0 * $1.1 }
            let variance = zip(p, x.values).reduce(0) { $0 + $1.0 * ($1.1 - mean) * ($1.1 - mean) }
            if variance > 0 {
                let s = (x.radius / variance).squareRoot()
                let q = zip(p, x.values).map { $0 * (1 - s * ($1 - mean)) }
                if q.allSatisfy({ $0 >= 0 }) {
                    #expect(abs(w.value - (mean - (x.radius * variance).squareRoot())) <= x.tolerance, "\(x)")
                }
            }
        }
    }

    @Test func extremeRadii() throws {
        // Tiny and near-saturation radii stay certified.
        let p = [0.1, 0.2, 0.3, 0.4], v = [3.0, -1, 2, 0.5]
        for r in [1e-14, 1e-10, 1e-6, -log(0.2) - 1e-9, -log(0.2) + 1e-12] {
            let w = try AmbiguitySet(kind: .kl).worstCase(nominal: p, values: v, radius: r)
            #expect(abs(w.certificate.gap) <= 1e-9, "ρ = \(r): gap \(w.certificate.gap)")
            #expect((w.distance) <= r * (1 + 1e-9) + 1e-15)
        }
        for r in [1e-14, 1e-10, 1e-6, 4 - 1e-9, 4.0] {
            let w = try AmbiguitySet(kind: .chi2).worstCase(nominal: p, values: v, radius: r)
            #expect(abs(w.certificate.gap) <= 1e-9, "ρ = \(r): gap \(w.certificate.gap)")
        }
    }
}
