import Ambiguity
@testable import MeanField
import Testing
import TestSupport

/// Issue 14, item 3 in the solver: rewards of about 1e156 made the kl and χ² rows fall back
/// to the nominal `p·V` (squares of `V` overflowed), and `--verify` compared that answer with
/// the same wrong answer. A sweep must scale like `σ(cV) = cσ(V)`.
@Suite struct ExtremeRewardTests {
    static func game(_ set: AmbiguitySet, scale: Double) throws -> MeanFieldGame {
        let (rewards, kernels) = TestGames.randomTables(n: 7, m: 2, k: 4, seed: 31)
        return try MeanFieldGame(
            stateCount: 7, actionCount: 2, discount: 0.9, ambiguity: set,
            reward: { s, a, mu in scale * (rewards[s][a] - 0.5 * mu[s]) },
            kernel: { s, a, _ in kernels[s][a] }, kernelDependsOnMeanField: false,
            radius: { _, _, _ in 0.2 }, radiusDependsOnMeanField: false)
    }

    static func sets() throws -> [AmbiguitySet] {
        [.nominalOnly, .totalVariation(), try AmbiguitySet(kind: .l1, weights: [1, 2, 1, 3, 1, 1, 2]),
         try AmbiguitySet(kind: .linf), try AmbiguitySet(kind: .kl), try AmbiguitySet(kind: .chi2),
         try AmbiguitySet(kind: .wasserstein, cost: GroundCost((0..<7).map { s in (0..<7).map { t in Double(abs(s - t)) } }))]
    }

    /// `Q` of a sweep at `V·c` with rewards `·c` equals `c·Q` at scale 1, for `c` over the
    /// double range; and the robust `Q` stays strictly below the nominal one.
    @Test(arguments: [1e-300, 1e-150, 1e156, 1e200, 1e300])
    func sweepIsHomogeneous(scale: Double) throws {
        var rng = SplitMix64(seed: 5)
        let v = TestGames.randomVector(7, scale: 1, rng: &rng)
        let mu = [Double](repeating: 1.0 / 7, count: 7)
        let nominal = try Self.game(.nominalOnly, scale: 1).snapshot(at: mu).robustQ(values: v)
        for set in try Self.sets() {
            let unit = try Self.game(set, scale: 1).snapshot(at: mu).robustQ(values: v)
            let big = try Self.game(set, scale: scale).snapshot(at: mu).robustQ(values: v.map { $0 * scale })
            for i in unit.indices {
                #expect(isApproximatelyEqual(big[i] / scale, unit[i], absolute: 1e-9, relative: 1e-9), "\(set.kind) at \(scale): row \(i) \(big[i]) vs \(unit[i])")
            }
            if set.kind != .none {
                #expect(zip(unit, nominal).contains { $0 < $1 - 1e-6 }, "\(set.kind) is not robust at scale 1")
            }
        }
    }

    /// The robust optimal values (value iteration to the fixed point) of the scaled game
    /// are the scaled values, and verifying them (the certified dual for kl and χ²)
    /// passes under the one acceptance rule.
    @Test(arguments: [AmbiguityKind.kl, .chi2])
    func valuesAtHugeRewards(kind: AmbiguityKind) throws {
        let set = try AmbiguitySet(kind: kind)
        let mu = [Double](repeating: 1.0 / 7, count: 7)
        func fixedPoint(_ scale: Double) throws -> ([Double], GameSnapshot) {
            let snapshot = try Self.game(set, scale: scale).snapshot(at: mu)
            var v = [Double](repeating: 0, count: 7)
            for _ in 0..<400 { v = try snapshot.bellman(values: v, temperature: 0) }
            return (v, snapshot)
        }
        let (unit, unitSnapshot) = try fixedPoint(1)
        let (big, bigSnapshot) = try fixedPoint(1e156)
        #expect(isApproximatelyEqual(big.map { $0 / 1e156 }, unit, absolute: 1e-9, relative: 1e-9))
        let nominal = try Self.game(.nominalOnly, scale: 1).snapshot(at: mu)
        var plain = [Double](repeating: 0, count: 7)
        for _ in 0..<400 { plain = try nominal.bellman(values: plain, temperature: 0) }
        #expect(zip(unit, plain).allSatisfy { $0 < $1 - 1e-6 }, "robust values must lie below the nominal ones")
        let report = try LPInner.verify(snapshot: bigSnapshot, valueFunctions: [big])
        #expect(Acceptance.accepts(report.maxDisagreement, values: big), "\(report)")
        let unitReport = try LPInner.verify(snapshot: unitSnapshot, valueFunctions: [unit])
        #expect(Acceptance.accepts(unitReport.maxDisagreement, values: unit), "\(unitReport)")
    }

    /// Verification of a non-finite value function is an infinite disagreement, not 0.
    @Test(arguments: [AmbiguityKind.kl, .chi2, .tv])
    func verificationOfNonFiniteValues(kind: AmbiguityKind) throws {
        let mu = [Double](repeating: 1.0 / 7, count: 7)
        let snapshot = try Self.game(AmbiguitySet(kind: kind), scale: 1).snapshot(at: mu)
        let good = [Double](repeating: 1, count: 7)
        var bad = good
        bad[3] = .infinity
        let report = try LPInner.verify(snapshot: snapshot, valueFunctions: [bad, good])
        #expect(report.maxDisagreement == .infinity)
        #expect(!Acceptance.accepts(report.maxDisagreement, values: good))
        var nan = good
        nan[0] = .nan
        #expect(try LPInner.verify(snapshot: snapshot, valueFunctions: [good, nan, good]).maxDisagreement == .infinity)
    }
}
