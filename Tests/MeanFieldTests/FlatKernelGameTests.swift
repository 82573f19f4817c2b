import Ambiguity
@testable import MeanField
import TestSupport
import Testing

/// A game whose fixed kernels are handed over as flat rows
/// (`MeanFieldGame.init(…kernelRows:…)`, the game files' stored rows) is the game the closure
/// initializer builds from the same rows: its sweeps, on every sweep path, are bit for bit the
/// same, and bad rows are refused as the closure initializer refuses them.
@Suite("Games with flat kernel rows")
struct FlatKernelGameTests {
    static let n = 14, m = 2

    /// Rows of 1 to 4 distinct successors with positive masses summing to 1.
    static func rows(seed: UInt64) -> [SparseDistribution] {
        var rng = TestSeed(seed).generator
        return (0..<(n * m)).map { _ in
            let k = Int(rng.next() % 4) + 1
            var picked = Set<Int>()
            while picked.count < k { picked.insert(Int(rng.next() % UInt64(n))) }
            let weights = (0..<k).map { _ in Double(rng.next() % 1000 + 1) }
            let total = weights.reduce(0, +)
            return SparseDistribution(indices: picked.sorted(), probabilities: weights.map { $0 / total })
        }
    }

    static func games(_ kernels: [SparseDistribution], ambiguity: AmbiguitySet,
                      radius: Double) throws -> (flat: MeanFieldGame, rows: MeanFieldGame) {
        let m = Self.m
        let reward: MeanFieldGame.RewardFunction = { s, a, mu in Double((s * 7 + a * 3) % 5) / 5 - mu[s] }
        let flat = try MeanFieldGame(stateCount: n, actionCount: m, discount: 0.9, ambiguity: ambiguity, reward: reward,
                                     kernelRows: KernelRows(rows: kernels), radius: { _, _, _ in radius },
                                     radiusDependsOnMeanField: false)
        let rows = try MeanFieldGame(stateCount: n, actionCount: m, discount: 0.9, ambiguity: ambiguity, reward: reward,
                                     kernel: { s, a, _ in kernels[s * m + a] }, kernelDependsOnMeanField: false,
                                     radius: { _, _, _ in radius }, radiusDependsOnMeanField: false)
        return (flat, rows)
    }

    @Test func sweepsAreThoseOfThePerRowGame() throws {
        let kernels = Self.rows(seed: 17)
        let cost = try GroundCost((0..<Self.n).map { s in (0..<Self.n).map { t in Double(abs(s - t)) } })
        let sets: [(AmbiguitySet, Double)] = [
            (.totalVariation(), 0.1), (try AmbiguitySet(kind: .kl), 0.2), (try AmbiguitySet(kind: .chi2), 0.3),
            (try AmbiguitySet(kind: .wasserstein, cost: cost), 0.5), (.nominalOnly, 0),
        ]
        let mu = [Double](repeating: 1 / Double(Self.n), count: Self.n)
        let values = (0..<Self.n).map { Double(($0 * 5) % 7) / 3 }
        for (set, radius) in sets {
            let (flat, rows) = try Self.games(kernels, ambiguity: set, radius: radius)
            let a = try flat.snapshot(at: mu), b = try rows.snapshot(at: mu)
            #expect(a.rowArrays == nil && b.rowArrays != nil)
            #expect(a.kernels == kernels && b.kernels == kernels)
            var inners: [InnerMethod] = [.closedForm]
            if set.kind.isPolyhedral { inners.append(.lp) }
            for inner in inners {
                for execution in [ExecutionMode.serial, .parallel] {
                    let x = try a.sweep(values: values, wantKernels: true, inner: inner, execution: execution)
                    let y = try b.sweep(values: values, wantKernels: true, inner: inner, execution: execution)
                    #expect(x.q.map(\.bitPattern) == y.q.map(\.bitPattern), "\(set.kind) \(inner)")
                    #expect(x.kernels?.rows == y.kernels?.rows, "\(set.kind) \(inner)")
                }
            }
        }
    }

    @Test func badRowsAreRefused() throws {
        let good = Self.rows(seed: 5)
        func error(_ change: (inout [SparseDistribution]) -> Void) -> MeanFieldError? {
            var kernels = good
            change(&kernels)
            do {
                _ = try Self.games(kernels, ambiguity: .nominalOnly, radius: 0).flat
                return nil
            } catch let e as MeanFieldError {
                return e
            } catch {
                return nil
            }
        }
        #expect(error { _ in } == nil)
        #expect(error { $0.removeLast() }.map { "\($0)" }?.contains("27 kernel rows, expected 28") == true)
        let row = SparseDistribution(indices: [3, 1], probabilities: [0.5, 0.5])
        #expect(error { $0[5] = row } == .invalidKernel(state: 2, action: 1, message: "index 1 out of order or outside 0..<14"))
        #expect(error { $0[0] = SparseDistribution(indices: [0, 14], probabilities: [0.5, 0.5]) }
            == .invalidKernel(state: 0, action: 0, message: "index 14 out of order or outside 0..<14"))
        #expect(error { $0[1] = SparseDistribution(indices: [0, 2], probabilities: [1, 0]) }
            == .invalidKernel(state: 0, action: 1, message: "P(2) = 0.0, expected a finite number > 0"))
        #expect(error { $0[3] = SparseDistribution(indices: [0, 2], probabilities: [0.5, 0.25]) }
            == .invalidKernel(state: 1, action: 1, message: "entries sum to 0.75, expected 1 within 1e-09"))
    }
}
