import Ambiguity
import Foundation
import LinearProgramming
import TestSupport
import Testing

/// The warm row programs of the LP inner path (`InnerRowProgram` in an `LPBank`, solved as
/// `LPRowSolver` solves them: `V` scaled by `2^−e`, the merged column, the tie-break re-solve
/// when the worst case is wanted) against the set's constraints and the closed form, with and
/// without the polishing of GLPK's optima (Docs/AmbiguitySets.md, "Polishing").
@Suite struct LPBankPolishTests {
    /// One problem of a row: `σ` (in units of `V`), `q` from the primal (before the LP path
    /// drops round-off and renormalizes), the `q` the LP path reports, and what was off.
    struct RowResult {
        var sigma: Double
        var q: [Double]
        var reported: SparseDistribution
        var reused: Bool
        var failures: [String]
        /// The bank's solves again after a failed `glp_warm_up` so far (``LPBank/warmUpFallbacks``).
        var fallbacks = 0
    }

    /// The instance of `seed` (as ``ExtremeMagnitudeTests`` draws it: `ρ = 1e300` for
    /// `seed % 11 == 0`, support `nominal` for `seed % 3 == 0`) and its values times
    /// `10^exponent(seed)`, then four more value vectors (new values, small shifts, ties),
    /// each solved warm in one slot of a bank; about three in four want the worst case.
    static func replay(_ kind: AmbiguityKind, seed: Int,
                       polishTolerance: Double? = LinearProgram.polishTolerance, failsWarmUp: Bool = false) throws -> [RowResult] {
        var x = randomInstance(seed: seed, maxStates: 24)
        if seed % 11 == 0 { x.radius = 1e300 }
        let set = try makeSet(kind, seed % 3 == 0 ? .nominal : .simplex, x)
        let program = try set.innerRowProgram(nominal: SparseDistribution(dense: x.nominal), stateCount: x.n,
                                               radius: x.radius, mergingAdditions: true)
        guard !program.isFixed else { return [] }
        var bank = LPBank(slots: 1, polishTolerance: polishTolerance)
        bank.failsWarmUp = failsWarmUp
        try bank.load(program.program, slot: 0)
        var g = SplitMix64(seed: UInt64(truncatingIfNeeded: seed) &+ 0xBA4C)
        let c = pow(10.0, Double(ExtremeMagnitudeTests.exponent(seed)))
        var v = x.values
        var results: [RowResult] = []
        for r in 0..<5 {
            if r > 0 {
                switch g.next() % 4 {
                case 0: v = (0..<x.n).map { _ in g.uniform() * 10 - 5 }
                case 1: v = v.map { $0 + 1e-3 * (g.uniform() - 0.5) }
                case 2: v = v.map { ($0 * 2).rounded() / 2 }
                default: v = v.map { $0 * (1 + 1e-6 * (g.uniform() - 0.5)) }
                }
            }
            let values = v.map { $0 * c }
            let wantKernels = g.next() % 4 != 0
            guard values.allSatisfy(\.isFinite) else { continue }
            var row = try solve(&bank, program: program, set: set, instance: x, values: values, wantKernels: wantKernels)
            row.failures = row.failures.map { "\(kind) seed \(seed) values \(r): \($0)" }
            row.fallbacks = bank.warmUpFallbacks
            results.append(row)
        }
        return results
    }

    /// The row solve of `LPRowSolver` in slot 0 of `bank`: the objective on `V·2^−e`, the solve,
    /// and, when `wantKernels` and the basis was not reused, the tie-break by the values' ranks;
    /// the primal only when the solve is optimal (else empty).
    static func warmSolve(_ bank: inout LPBank, program: InnerRowProgram, values: [Double],
                          wantKernels: Bool) throws -> (result: LPBankSolve, exponent: Int, lowest: Int, primal: [Double]) {
        let columns = program.columnStates.count
        let e = SortedValues.unitExponent(values)
        let scaled = values.map { Double(sign: .plus, exponent: -e, significand: $0) }
        let lowest = scaled.withUnsafeBufferPointer { InnerRowProgram.lowestState(values: $0) }
        var coefficients = [Double](repeating: 0, count: columns)
        let constant = scaled.withUnsafeBufferPointer { vb in
            coefficients.withUnsafeMutableBufferPointer { program.objective(values: vb, lowest: lowest, into: $0) }
        }
        try coefficients.withUnsafeBufferPointer { try bank.setObjective($0, constant: constant, slot: 0) }
        let result = try bank.solve(slot: 0, allowTies: !wantKernels, tieTolerance: 1e-13)
        guard result.status == .optimal else { return (result, e, lowest, []) }
        if wantKernels, !result.reused {
            let sorted = SortedValues(values)
            let secondary = (0..<columns).map { j -> Double in
                let t = program.state(ofColumn: j, lowest: lowest)
                return t >= 0 ? program.columnSigns[j] * Double(sorted.rank[t]) / Double(values.count) : 0
            }
            _ = try secondary.withUnsafeBufferPointer { try bank.breakTies(slot: 0, secondary: $0, tolerance: 1e-13) }
        }
        var primal = [Double](repeating: 0, count: columns)
        try primal.withUnsafeMutableBufferPointer { try bank.primal(slot: 0, into: $0) }
        return (result, e, lowest, primal)
    }

    /// One row solve as `LPRowSolver` does it (objective on `V·2^−e`, the tie-break when
    /// `wantKernels` and the basis was not reused), checked against the set and the closed form.
    static func solve(_ bank: inout LPBank, program: InnerRowProgram, set: AmbiguitySet, instance x: Instance,
                      values: [Double], wantKernels: Bool) throws -> RowResult {
        let (result, e, lowest, primal) = try warmSolve(&bank, program: program, values: values, wantKernels: wantKernels)
        try #require(result.status == .optimal)
        let sorted = SortedValues(values)
        let q = primal.withUnsafeBufferPointer { program.distribution(primal: $0, lowest: lowest) }
        var dense: [Double] = [], marks: [Bool] = []
        let reported = primal.withUnsafeBufferPointer {
            program.sparseDistribution(primal: $0, lowest: lowest, scratch: &dense, marks: &marks)
        }
        let sigma = Double(sign: .plus, exponent: e, significand: result.objective)
        let closed = set.worstCaseValue(nominal: SparseDistribution(dense: x.nominal), values: sorted, radius: x.radius)
        var failures = check(set, program: program, primal: primal, q: q, reported: reported, nominal: x.nominal,
                             radius: x.radius)
        let scale = values.map(abs).max() ?? 0
        if !(abs(sigma - closed) <= 1e-11 * scale + 1e-12 * abs(closed)) {
            failures.append("σ = \(sigma), closed form \(closed) (off by \(abs(sigma - closed) / scale) of max|V|)")
        }
        return RowResult(sigma: sigma, q: q, reported: reported, reused: result.reused, failures: failures)
    }

    /// What `q` (and, for `wasserstein`, the plan) violates: `q_t ≥ −1e-12`, `Σ q = 1` within
    /// `1e-11` (round-off of a basis solve), `D(q, p) ≤ ρ(1 + 1e-12) + 1e-15` for the `q` of the
    /// primal and the reported one (`tv`, `l1`, `linf`), and for `wasserstein` the plan
    /// `π ≥ −1e-12`, its sources `Σ_t π_st = p_s` within `1e-11` and its cost within
    /// `ρ(1 + 1e-11) + 1e-15`.
    static func check(_ set: AmbiguitySet, program: InnerRowProgram, primal: [Double], q: [Double],
                      reported: SparseDistribution, nominal p: [Double], radius: Double) -> [String] {
        var failures: [String] = []
        if let low = q.min(), low < -1e-12 { failures.append("q has \(low)") }
        let total = q.reduce(0, +)
        if !(abs(total - 1) <= 1e-11) { failures.append("Σ q − 1 = \(total - 1)") }
        if set.kind == .wasserstein {
            for row in program.program.constraints {
                let activity = row.terms.reduce(0) { $0 + $1.coefficient * primal[$1.variable] }
                if let upper = row.upper, row.lower == nil, activity > upper * (1 + 1e-11) + 1e-15 {
                    failures.append("plan cost \(activity) above ρ = \(upper)")
                }
                if let b = row.lower, !(abs(activity - b) <= 1e-11) { failures.append("source \(row.name ?? ""): \(activity) ≠ \(b)") }
            }
            if let low = primal.min(), low < -1e-12 { failures.append("plan has \(low)") }
            return failures
        }
        let limit = radius * (1 + 1e-12) + 1e-15
        let d = distance(set, q, p)
        if d > limit { failures.append("D(q, p) = \(d) above ρ = \(radius)") }
        let dr = distance(set, reported.dense(count: p.count), p)
        if dr > limit { failures.append("reported D(q, p) = \(dr) above ρ = \(radius)") }
        return failures
    }

    /// `D(q, p)` of `tv`, `l1` and `linf`.
    static func distance(_ set: AmbiguitySet, _ q: [Double], _ p: [Double]) -> Double {
        let w = set.weights ?? [Double](repeating: 1, count: q.count)
        switch set.kind {
        case .tv: return 0.5 * zip(q, p).reduce(0) { $0 + abs($1.0 - $1.1) }
        case .l1: return zip(zip(q, p), w).reduce(0) { $0 + $1.1 * abs($1.0.0 - $1.0.1) }
        case .linf: return zip(q, p).reduce(0) { max($0, abs($1.0 - $1.1)) }
        default: return 0
        }
    }

    /// Random instances through the warm row programs pass (`RMFG_LPBANK_SCAN=N` replays
    /// `N` instances per set instead of 4,000; the scan of Docs/AmbiguitySets.md, "Polishing",
    /// ran 1.25·10⁶ per set, about 5.7·10⁶ row solves each).
    @Test(arguments: [AmbiguityKind.tv, .l1, .linf, .wasserstein])
    func randomRowsMeetTheSetAndTheClosedForm(kind: AmbiguityKind) throws {
        let seed = TestSeed()
        var g = seed.generator
        let count = Int(ProcessInfo.processInfo.environment["RMFG_LPBANK_SCAN"] ?? "") ?? 4000
        var failures: [String] = []
        for _ in 0..<count {
            for row in try Self.replay(kind, seed: Int(truncatingIfNeeded: g.next() >> 1)) { failures += row.failures }
        }
        #expect(failures.isEmpty, "\(failures.count) failures (\(seed)): \(failures.prefix(10))")
    }

    /// Regressions (found by the scan): rows whose GLPK optimum was within GLPK's `tol_bnd`
    /// (`1e-7`) but not within residuals of `1e-12`, so the row's `q` left the set: a tv budget
    /// `D(q, p) = 0.41091444351` against `ρ = 0.41091443829` (second values, `V` at `10^−247`),
    /// a Wasserstein plan entry of `−4.1e-8` (fourth values, `10^−30`; kept by the next, reused
    /// basis), and the l1 instance of ``ExtremeMagnitudeTests/l1LPPolishRegression(seed:)`` whose
    /// `Σ w|q − p| = 1.15e-7` exceeds `ρ = 7.4e-8` (first values; kept by the next two, reused).
    /// Each `σ` was off the closed form by `6e-10` to `7e-9` of `max|V|`. Without polishing the
    /// failure is there; with it every row passes.
    @Test(arguments: [(AmbiguityKind.tv, 734_616_046_839_895_661), (.wasserstein, 2_825_966_124_951_013_095),
                      (.l1, 1_072_620_103_062_021_909)])
    func polishedRowsRegression(kind: AmbiguityKind, seed: Int) throws {
        let plain = try Self.replay(kind, seed: seed, polishTolerance: nil)
        #expect(plain.contains { !$0.failures.isEmpty })
        let polished = try Self.replay(kind, seed: seed)
        #expect(polished.count == plain.count)
        #expect(polished.allSatisfy { $0.failures.isEmpty }, "\(polished.flatMap(\.failures))")
    }

    /// A re-solve that does not lower the residual (at GLPK's own `1e-7`) is not kept: the first
    /// basis is restored, and every row's `σ` and `q` are those of the unpolished bank.
    @Test(arguments: [(AmbiguityKind.tv, 734_616_046_839_895_661), (.wasserstein, 2_825_966_124_951_013_095)])
    func unhelpfulResolveRestoresTheFirstBasis(kind: AmbiguityKind, seed: Int) throws {
        let plain = try Self.replay(kind, seed: seed, polishTolerance: nil)
        let unhelped = try Self.replay(kind, seed: seed, polishTolerance: 1e-7)
        #expect(unhelped.map(\.sigma) == plain.map(\.sigma))
        #expect(unhelped.map(\.q) == plain.map(\.q))
        #expect(unhelped.map(\.reused) == plain.map(\.reused))
    }

    /// Regression (review of 2026-12-06): where the restored first basis cannot be factorized
    /// afresh (`glp_warm_up` fails), GLPK holds no factorization and reading the basis would
    /// abort the process. The slot is solved again instead (from the restored statuses, at the
    /// usual tolerances): no abort, every row still optimal, meeting its set and the closed form
    /// as the unpolished bank's rows do. The failure is simulated (`LPBank.failsWarmUp`, a test
    /// hook); the restore runs because the re-solve at GLPK's own `1e-7` does not help.
    @Test(arguments: [(AmbiguityKind.tv, 734_616_046_839_895_661), (.wasserstein, 2_825_966_124_951_013_095),
                      (.l1, 1_072_620_103_062_021_909)])
    func aFailedWarmUpSolvesTheSlotAgain(kind: AmbiguityKind, seed: Int) throws {
        let plain = try Self.replay(kind, seed: seed, polishTolerance: nil)
        let failed = try Self.replay(kind, seed: seed, polishTolerance: 1e-7, failsWarmUp: true)
        #expect(failed.count == plain.count)
        #expect(failed.map(\.sigma) == plain.map(\.sigma))
        #expect(failed.map(\.q) == plain.map(\.q))
        #expect(failed.map(\.failures.count) == plain.map(\.failures.count))
        #expect((failed.last?.fallbacks ?? 0) > 0)
    }
}
