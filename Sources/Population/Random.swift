import Foundation
import Randomness

/// Exact samplers by inversion: each draw consumes exactly one uniform and is
/// monotone in it, so coupled runs stay coupled (common random numbers).
package enum Sampling {
    /// `Bin(count, p)` by inversion of its distribution function at `u ∈ (0, 1)`.
    ///
    /// The probabilities are built outward from the mode (computed with `lgamma`), so
    /// large counts neither underflow nor lose accuracy; terms below `1e-18` of the mode's
    /// are dropped, and the rest is normalized.
    /// - Complexity: `O(√(count·p·(1 − p)))`.
    package static func binomial(count n: Int, probability p: Double, uniform u: Double) -> Int {
        if n <= 0 || !(p > 0) { return 0 }
        if p >= 1 { return n }
        let q = 1 - p
        let nd = Double(n)
        let mode = min(n, Int((nd + 1) * p))
        let fm = exp(logBinomialPMF(n, mode, p))
        let down = q / p, up = p / q
        var lower = 0.0
        var f = fm
        var k = mode
        while k > 0 {
            let ratio: Double = Double(k) / Double(n - k + 1) * down
            f *= ratio
            k -= 1
            lower += f
            if f < fm * 1e-18 { break }
        }
        var upper = 0.0
        f = fm
        k = mode
        while k < n {
            let ratio: Double = Double(n - k) / Double(k + 1) * up
            f *= ratio
            k += 1
            upper += f
            if f < fm * 1e-18 { break }
        }
        let target = u * (lower + fm + upper)
        if target <= lower {
            // Smallest j < mode with F(j) >= target; F(mode − 1) = lower.
            var c = lower
            var j = mode - 1
            let first: Double = Double(mode) / Double(n - mode + 1) * down
        var pj = fm * first  // pmf(mode − 1)
            while j > 0 {
                let previous = c - pj
                if previous < target { break }
                c = previous
                let ratio: Double = Double(j) / Double(n - j + 1) * down
                pj *= ratio
                j -= 1
            }
            return j
        }
        var c = lower + fm
        var j = mode
        f = fm
        while c < target, j < n {
            let ratio: Double = Double(n - j) / Double(j + 1) * up
            f *= ratio
            j += 1
            c += f
        }
        return j
    }

    /// Splits `count` over the entries of the probability vector `p` by sequential
    /// binomial draws, adding the counts to `into`. Consumes exactly `p.count − 1`
    /// uniforms from `random` whatever the count, so coupled runs stay aligned.
    package static func multinomial(count: Int, probabilities p: [Double], into out: inout [Int],
                                   random: inout SplitMix64) {
        guard let lastPositive = p.lastIndex(where: { $0 > 0 }) else {
            for _ in 0..<max(0, p.count - 1) { _ = random.openUnit() }
            if !p.isEmpty { out[0] += count }
            return
        }
        var remaining = count
        var mass = 1.0
        for i in 0..<(p.count - 1) {
            let u = random.openUnit()
            guard i < lastPositive else { continue }
            let share = mass > 0 ? min(1, max(0, p[i] / mass)) : 0
            let x = remaining > 0 ? binomial(count: remaining, probability: share, uniform: u) : 0
            out[i] += x
            remaining -= x
            mass -= p[i]
        }
        out[lastPositive] += remaining
    }
}

/// `log P(Bin(n, p) = k)` through `lgamma`, for `0 < p < 1`.
func logBinomialPMF(_ n: Int, _ k: Int, _ p: Double) -> Double {
    let nd = Double(n), kd = Double(k), rest = Double(n - k)
    let choose: Double = lgamma(nd + 1) - lgamma(kd + 1) - lgamma(rest + 1)
    let powers: Double = kd * log(p) + rest * log1p(-p)
    return choose + powers
}
