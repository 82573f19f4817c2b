import Ambiguity
import Foundation
@testable import MeanField
import Testing
import TestSupport

/// Chains whose exact stationary solve leaves the double range (Docs/Solvers.md, "Stationary
/// distribution"): softmax policies at small `τ` give transition probabilities down to the
/// subnormals (`10⁻³²⁰`), and the double state reduction then overflows (expected visits of a
/// block left with probability `10⁻³²⁰`; a closed class whose state 0 has mass `10⁻³²⁰` times
/// another's) or underflows (a censored exit `10⁻²⁰⁰ · 10⁻²⁰⁰`). Before, these chains fell
/// back to the lazy power iteration (200 000 steps per call: about 20 CPU seconds of Bench-MFG
/// four rooms at τ = 0.001); now ``StateReduction/solveWide(_:exit:_:m:closed:)`` solves them.
/// Checked against the exact rational reference (`scripts/stationary_reference.py`).
@Suite struct StationaryRangeTests {
    /// State 0 transient, left with probabilities `1e-320` (to the closed class {1, 2}) and
    /// `3e-320` (to the absorbing state 3): the mass splits 1 : 3 after about `10³¹⁹` steps.
    static let subnormalLeak: [[Double]] = [
        [1, 1e-320, 0, 3e-320],
        [0, 0.3, 0.7, 0],
        [0, 0.6, 0.4, 0],
        [0, 0, 0, 1],
    ]
    /// A closed class whose state 0 is entered with probability `1e-320`: its mass is about
    /// `10⁻³²⁰` times that of states 1 and 2 (the double reduction normalizes by state 0).
    static let subnormalState: [[Double]] = [
        [0.1, 0.9, 0],
        [1e-320, 0.5, 0.5],
        [0, 0.8, 0.2],
    ]
    /// A transient block {0, 1, 2}: 0 ⇄ 1, 1 → 2 with `1e-200`, 2 leaves with `1e-200` (to the
    /// absorbing 3) and `3e-200` (to the absorbing 4). Eliminating 2 gives 1 an exit of about
    /// `8e-400`, which underflows to 0 in doubles, and the reduction stops at `D_0 = 0`.
    static let underflowingExit: [[Double]] = [
        [0.5, 0.5, 0, 0, 0],
        [0.5, 0.5, 1e-200, 0, 0],
        [0.5, 0, 0.5, 1e-200, 3e-200],
        [0, 0, 0, 1, 0],
        [0, 0, 0, 0, 1],
    ]

    static func permuted(_ p: [[Double]], _ perm: [Int]) -> [[Double]] {
        var q = p
        for s in p.indices { for t in p.indices { q[perm[s]][perm[t]] = p[s][t] } }
        return q
    }

    /// The double reduction fails on the underflowing exit (so the tests below exercise the
    /// wide path), and the wide one gives the exact expected visits of state 0 entered once:
    /// `x_0 = 1/D_0` with `D_0 = P(1→2) · P(2 leaves) / (P(2→0) + P(2 leaves))` ≈ `8e-400` after
    /// the elimination, far beyond `Double`.
    @Test func wideReductionGoesWhereDoublesCannot() throws {
        let m = 3
        let p = Self.underflowingExit
        var q = [Double](repeating: 0, count: m * m)
        var exit = [Double](repeating: 0, count: m)
        for i in 0..<m {
            for j in 0..<m where j != i { q[i * m + j] = p[i][j] }
            exit[i] = p[i][3] + p[i][4]
        }
        var b = [1.0, 0, 0]
        var qd = q, ed = exit
        #expect(!StateReduction.solve(&qd, exit: &ed, &b, m: m, closed: false))
        let x = try #require(StateReduction.solveWide(q, exit: exit, [1, 0, 0], m: m, closed: false))
        // Eliminating 2 gives 1 the exit e₁ = 1e-200 · 4e-200 / (0.5 + 4e-200); eliminating 1
        // gives 0 the leave probability D₀ = 0.5 e₁ / (0.5 + e₁) = e₁ (1 + O(1e-399)), so
        // x₀ = 1/D₀ ≈ 1.25e399, in logarithms (doubles cannot hold e₁).
        #expect(x[0].exponent > 1300)
        let log2Expected = log2(0.5 + 4e-200) - log2(1e-200) - log2(4e-200)
        #expect(abs((log2(x[0].significand) + Double(x[0].exponent)) - log2Expected) < 1e-9)
        // Plain arithmetic across the range: (2^-1000 · 2^-1000) / 2^-1990 = 2^-10 exactly.
        let tiny = WideNumber(0x1p-1000)
        let r = tiny * tiny / WideNumber(significand: 1, exponent: -1990)
        #expect(r.double == 0x1p-10)
        #expect((WideNumber(0.1) + WideNumber(0.2)).double == 0.1 + 0.2)
        #expect((WideNumber(3) * WideNumber(0.1)).double == 3 * 0.1)
        #expect((WideNumber(5e-324) + WideNumber(1)).double == 1)
    }

    /// Each chain under 6 random relabellings and initial distributions against the exact
    /// rational Cesàro limit, to relative error 1e-11 per entry; the component solve (not the
    /// lazy power iteration) produced every one.
    @Test func matchesTheExactReferenceBeyondTheDoubleRange() throws {
        guard let python = pythonWithNumPy() else { return }
        var rng = SplitMix64(seed: 2026, stream: 1203)
        var chains: [[[Double]]] = []
        var initials: [[Double]] = []
        for base in [Self.subnormalLeak, Self.subnormalState, Self.underflowingExit] {
            for _ in 0..<6 {
                let n = base.count
                var perm = Array(0..<n)
                for i in stride(from: n - 1, to: 0, by: -1) { perm.swapAt(i, Int(rng.next() % UInt64(i + 1))) }
                chains.append(Self.permuted(base, perm))
                var x = (0..<n).map { _ in rng.next() % 3 == 0 ? 0 : rng.unit() }
                x[perm[0]] += 0.5  // state 0 of the motif always starts with mass
                let total = x.reduce(0, +)
                initials.append(x.map { $0 / total })
            }
        }
        let requests = zip(chains, initials).map { ["P": $0.0, "initial": $0.1] as [String: Any] }
        let references = try StationaryReferenceTests.reference(python, requests)
        try #require(references.count == chains.count)
        for ((p, initial), reference) in zip(zip(chains, initials), references) {
            let chain = try StationaryTests.matrix(p)
            let nu = try #require(chain.componentStationary(from: initial), "component solve failed: \(p)")
            #expect(isApproximatelyEqual(nu, reference, absolute: 1e-300, relative: 1e-11),
                    "\(p): \(nu) against \(reference)")
            #expect(chain.stationaryDistribution(from: initial) == nu)
        }
    }
}
