import Ambiguity
import Foundation
import Testing
import TestSupport

/// Theory.md, section 2, "Lipschitz constants in μ": the sensitivity table of σ in the nominal
/// row and the radius, checked on random instances, and the two counterexamples for KL and χ².
@Suite struct SensitivityTests {
    /// `|σ(p, ρ) − σ(p', ρ')| ≤ span(V)·(C_p ‖p − p'‖₁ + C_ρ |ρ − ρ'|)` with the table's constants
    /// (`L_σ = C_p L_P + C_ρ L_ρ`), for `support: simplex`.
    @Test(arguments: [AmbiguityKind.none, .tv, .l1, .linf, .wasserstein])
    func tableBoundsHold(kind: AmbiguityKind) throws {
        for seed in 0..<400 {
            let x = randomInstance(seed: seed, maxStates: 12)
            let n = x.n
            guard n >= 2 else { continue }
            var g = SplitMix64(seed: UInt64(seed) &* 0x9E37_79B9 &+ 17)
            var other = (0..<n).map { _ in g.uniform() + 0.01 }
            let total = other.reduce(0, +)
            other = other.map { $0 / total }
            let lambda = 0.3 * g.uniform()
            let p2 = zip(x.nominal, other).map { (1 - lambda) * $0 + lambda * $1 }
            let rho = min(x.radius, 1.5)
            let rho2 = max(0, rho + 0.1 * (g.uniform() - 0.5))
            let set = try makeSet(kind, .simplex, x)
            let a = try set.worstCase(nominal: x.nominal, values: x.values, radius: rho).value
            let b = try set.worstCase(nominal: p2, values: x.values, radius: rho2).value
            let span = (x.values.max() ?? 0) - (x.values.min() ?? 0)
            let dp = zip(x.nominal, p2).reduce(0) { $0 + abs($1.0 - $1.1) }
            let dr = abs(rho - rho2)
            let off = (0..<n).flatMap { s in (0..<n).filter { $0 != s }.map { x.cost[s][$0] } }
            let (cp, cr): (Double, Double)
            switch kind {
            case .none: (cp, cr) = (0.5, 0)
            case .tv: (cp, cr) = (0.5, 1)
            case .l1:
                let wmax = x.weights.max() ?? 1, wmin = x.weights.min() ?? 1
                (cp, cr) = (wmax / (2 * wmin), 1 / (2 * wmin))
            case .linf: (cp, cr) = (Double(n) / 4, Double(n) / 2)
            default:
                let cmax = off.max() ?? 1, cmin = off.min() ?? 1
                (cp, cr) = (cmax / (2 * cmin), 1 / cmin)
            }
            let bound = span * (cp * dp + cr * dr)
            #expect(abs(a - b) <= bound + 1e-9 * x.scale, "\(kind) seed \(seed): |Δσ| = \(abs(a - b)) > \(bound)")
        }
    }

    /// KL and χ² are not Lipschitz in the nominal row: two states, `V = (0, 1)`, `P̂_ε = (ε, 1 − ε)`.
    @Test func klAndChiSquareAreNotLipschitzInTheNominal() throws {
        let rho = 0.1
        for eps in [1e-3, 1e-6, 1e-9] {
            let kl = try AmbiguitySet(kind: .kl).worstCase(nominal: [eps, 1 - eps], values: [0, 1], radius: rho).value
            #expect(kl <= 1 - rho / log(1 / eps) + 1e-12, "KL at ε = \(eps): \(kl)")
            let chi = try AmbiguitySet(kind: .chi2).worstCase(nominal: [eps, 1 - eps], values: [0, 1], radius: rho).value
            #expect(chi <= 1 - eps - (rho * eps * (1 - eps)).squareRoot() + 1e-12, "χ² at ε = \(eps): \(chi)")
        }
        // At ε = 0 the set is {(0, 1)}: σ = 1, so the quotients |Δσ|/‖ΔP̂‖₁ exceed ρ/(2ε log(1/ε)).
        let at0 = try AmbiguitySet(kind: .kl).worstCase(nominal: [0, 1], values: [0, 1], radius: rho).value
        #expect(at0 == 1)
    }

    /// ... nor in the radius at ρ = 0: `σ(0) − σ(ρ) ≥ √(ρ Var_p(V)/c_D) + O(ρ)`.
    @Test func klAndChiSquareAreNotLipschitzInTheRadius() throws {
        let p = [0.3, 0.5, 0.2], v = [0.0, 1, 3]
        let mean = zip(p, v).reduce(0) { $0 + $1.0 * $1.1 }
        let variance = zip(p, v).reduce(0) { $0 + $1.0 * ($1.1 - mean) * ($1.1 - mean) }
        for (kind, cD) in [(AmbiguityKind.kl, 0.5), (.chi2, 1.0)] {
            for rho in [1e-6, 1e-8] {
                let drop = mean - (try AmbiguitySet(kind: kind).worstCase(nominal: p, values: v, radius: rho).value)
                #expect(drop >= 0.99 * (rho * variance / cD).squareRoot(), "\(kind) at ρ = \(rho): drop \(drop)")
            }
        }
    }
}
