import Foundation
import LinearProgramming
import Testing
import TestSupport

/// max 3x + 5y  s.t.  x ≤ 4, 2y ≤ 12, 3x + 2y ≤ 18, x, y ≥ 0.
/// By hand: the optimum is the vertex where 2y = 12 and 3x + 2y = 18, so
/// y = 6, x = 2, objective 36. Duals solve Aᵀy = c on the active rows:
/// y1 = 0 (x ≤ 4 slack), 2·y2 + 2·y3 = 5 and 3·y3 = 3 ⇒ y3 = 1, y2 = 1.5.
func wyndorGlass() -> LinearProgram {
    var lp = LinearProgram(sense: .maximize)
    let x = lp.addVariable(name: "x", objective: 3)
    let y = lp.addVariable(name: "y", objective: 5)
    lp.addConstraint(name: "plant1", terms: [(x, 1)], upper: 4)
    lp.addConstraint(name: "plant2", terms: [(y, 2)], upper: 12)
    lp.addConstraint(name: "plant3", terms: [(x, 3), (y, 2)], upper: 18)
    return lp
}

@Suite("Hand-solved linear programs")
struct HandSolved {
    @Test(arguments: [LPMethod.primalSimplex, .dualSimplex], [false, true])
    func maximization(method: LPMethod, presolve: Bool) throws {
        let s = try wyndorGlass().solve(options: LPOptions(method: method, presolve: presolve))
        #expect(s.status == .optimal)
        #expect(s.primalStatus == .feasible && s.dualStatus == .feasible)
        #expect(isApproximatelyEqual(s.objective, 36, absolute: 0, relative: 1e-9))
        #expect(isApproximatelyEqual(s.primal, [2, 6], absolute: 1e-9, relative: 1e-9))
        #expect(isApproximatelyEqual(s.rowDuals, [0, 1.5, 1], absolute: 1e-9, relative: 1e-9))
        #expect(isApproximatelyEqual(s.rowActivities, [2, 12, 18], absolute: 1e-9, relative: 1e-9))
        #expect(isApproximatelyEqual(s.reducedCosts, [0, 0], absolute: 1e-9, relative: 1e-9))
        #expect(s.kktResidual < 1e-12)
    }

    /// min x + 2y + 3z  s.t.  x + y + z = 1, x − y = 0, all ≥ 0.
    /// From the equalities x = y and z = 1 − 2x with 0 ≤ x ≤ ½, the objective is
    /// 3x + 3(1 − 2x) = 3 − 3x, smallest at x = y = ½, z = 0: value 1.5.
    /// Duals: reduced costs of x, y zero ⇒ u + v = 1, u − v = 2 ⇒ u = 1.5, v = −0.5.
    @Test func minimizationWithEqualities() throws {
        var lp = LinearProgram()
        let x = lp.addVariable(name: "x", objective: 1)
        let y = lp.addVariable(name: "y", objective: 2)
        let z = lp.addVariable(name: "z", objective: 3)
        lp.addConstraint(terms: [(x, 1), (y, 1), (z, 1)], lower: 1, upper: 1)
        lp.addConstraint(terms: [(x, 1), (y, -1)], lower: 0, upper: 0)
        lp.objectiveConstant = 10
        let s = try lp.solve()
        #expect(s.status == .optimal)
        #expect(isApproximatelyEqual(s.objective, 11.5, absolute: 0, relative: 1e-9))
        #expect(isApproximatelyEqual(s.primal, [0.5, 0.5, 0], absolute: 1e-9, relative: 1e-9))
        #expect(isApproximatelyEqual(s.rowDuals, [1.5, -0.5], absolute: 1e-9, relative: 1e-9))
        #expect(isApproximatelyEqual(s.reducedCosts[2], 1.5, absolute: 0, relative: 1e-9))
    }

    /// A degenerate vertex: three constraints meet at (1, 1) in the plane.
    /// max x + y  s.t.  x ≤ 1, y ≤ 1, x + y ≤ 2. Optimum 2 at (1, 1).
    @Test func degenerate() throws {
        var lp = LinearProgram(sense: .maximize)
        let x = lp.addVariable(objective: 1)
        let y = lp.addVariable(objective: 1)
        lp.addConstraint(terms: [(x, 1)], upper: 1)
        lp.addConstraint(terms: [(y, 1)], upper: 1)
        lp.addConstraint(terms: [(x, 1), (y, 1)], upper: 2)
        let s = try lp.solve()
        #expect(s.status == .optimal)
        #expect(isApproximatelyEqual(s.objective, 2, absolute: 0, relative: 1e-9))
        #expect(isApproximatelyEqual(s.primal, [1, 1], absolute: 1e-9, relative: 1e-9))
        // Duals are not unique here; any optimal dual has the same objective.
        let dualObjective = s.rowDuals[0] * 1 + s.rowDuals[1] * 1 + s.rowDuals[2] * 2
        #expect(isApproximatelyEqual(dualObjective, 2, absolute: 0, relative: 1e-9))
        #expect(s.kktResidual < 1e-12)
    }

    @Test(arguments: [LPMethod.primalSimplex, .dualSimplex], [false, true])
    func infeasible(method: LPMethod, presolve: Bool) throws {
        var lp = LinearProgram()
        let x = lp.addVariable(objective: 1)
        lp.addConstraint(terms: [(x, 1)], lower: 2)
        lp.addConstraint(terms: [(x, 1)], upper: 1)
        let s = try lp.solve(options: LPOptions(method: method, presolve: presolve))
        #expect(s.status == .infeasible)
    }

    @Test(arguments: [LPMethod.primalSimplex, .dualSimplex], [false, true])
    func unbounded(method: LPMethod, presolve: Bool) throws {
        var lp = LinearProgram(sense: .maximize)
        let x = lp.addVariable(objective: 1)
        let y = lp.addVariable(objective: 1)
        lp.addConstraint(terms: [(x, 1), (y, -1)], upper: 1)
        let s = try lp.solve(options: LPOptions(method: method, presolve: presolve))
        #expect(s.status == .unbounded)
    }

    @Test func emptyProblems() throws {
        let none = try LinearProgram().solve()
        #expect(none.status == .optimal && none.objective == 0 && none.primal.isEmpty)
        var onlyVariables = LinearProgram()
        onlyVariables.addVariable(lower: 2, upper: 5, objective: 1)
        let s = try onlyVariables.solve()
        #expect(s.status == .optimal && isApproximatelyEqual(s.objective, 2, absolute: 0, relative: 1e-9))
        var onlyRows = LinearProgram()
        onlyRows.addConstraint(terms: [], lower: 0, upper: 1)
        #expect(try onlyRows.solve().status == .optimal)
    }

    @Test func iterationLimit() throws {
        let s = try wyndorGlass().solve(options: LPOptions(iterationLimit: 0))
        #expect(s.status == .iterationLimit)
    }
}

@Suite("Exact rational arithmetic")
struct ExactMode {
    @Test func agreesWithFloatingOnRationalData() throws {
        var rng = SplitMix64(seed: 7)
        for _ in 0..<40 {
            // A random bounded LP with small rational (integer/8) data.
            var lp = LinearProgram(sense: .maximize)
            let n = Int.random(in: 2...6, using: &rng)
            for _ in 0..<n {
                lp.addVariable(lower: 0, upper: Double(Int.random(in: 1...8, using: &rng)),
                               objective: Double(Int.random(in: -8...8, using: &rng)) / 8)
            }
            for _ in 0..<Int.random(in: 1...5, using: &rng) {
                let terms = (0..<n).map { (variable: $0, coefficient: Double(Int.random(in: 0...8, using: &rng)) / 8) }
                lp.addConstraint(terms: terms, upper: Double(Int.random(in: 1...16, using: &rng)))
            }
            let floating = try lp.solve()
            let exact = try lp.solve(options: LPOptions(exact: true))
            #expect(floating.status == .optimal && exact.status == .optimal)
            #expect(exact.exact)
            #expect(isApproximatelyEqual(floating.objective, exact.objective, absolute: 0, relative: 1e-12))
        }
    }

    @Test func exactHandSolved() throws {
        let s = try wyndorGlass().solve(options: LPOptions(exact: true))
        #expect(s.status == .optimal)
        #expect(s.objective == 36)
        #expect(s.primal == [2, 6])
        #expect(s.rowDuals == [0, 1.5, 1])
    }

    @Test func exactInfeasible() throws {
        var lp = LinearProgram()
        let x = lp.addVariable(objective: 1)
        lp.addConstraint(terms: [(x, 1)], lower: 2)
        lp.addConstraint(terms: [(x, 1)], upper: 1)
        #expect(try lp.solve(options: LPOptions(exact: true)).status == .infeasible)
    }
}

@Suite("Warm start")
struct WarmStart {
    /// A transport-like LP large enough that a cold solve needs many iterations.
    func transport(n: Int, seed: UInt64) -> LinearProgram {
        var rng = SplitMix64(seed: seed)
        var lp = LinearProgram()
        var x = [[Int]]()
        for _ in 0..<n {
            x.append((0..<n).map { _ in lp.addVariable(objective: Double.random(in: 0...1, using: &rng)) })
        }
        for i in 0..<n { lp.addConstraint(terms: (0..<n).map { (x[i][$0], 1.0) }, lower: 1, upper: 1) }
        for j in 0..<n { lp.addConstraint(terms: (0..<n).map { (x[$0][j], 1.0) }, lower: 1, upper: 1) }
        return lp
    }

    @Test func reSolveAfterObjectiveChangeReusesBasis() throws {
        let lp = transport(n: 12, seed: 3)
        var rng = SplitMix64(seed: 99)
        let changes = (0..<5).map { _ in (Int.random(in: 0..<144, using: &rng), Double.random(in: 0...1, using: &rng)) }
        var changed = lp
        for (j, c) in changes { changed.setObjective(c, for: j) }
        let cold = try changed.solve()

        let (first, warm) = try lp.withSolver { (solver: inout LPSolver) throws(LPError) in
            let first = try solver.solve()
            for (j, c) in changes { try solver.setObjective(c, for: j) }
            return (first, try solver.solve())
        }
        #expect(first.status == .optimal && warm.status == .optimal && cold.status == .optimal)
        #expect(isApproximatelyEqual(warm.objective, cold.objective, absolute: 0, relative: 1e-12))
        #expect(warm.iterations < cold.iterations)
        #expect(first.iterations > 0)
    }

    @Test func setObjectiveValidates() throws {
        try wyndorGlass().withSolver { (solver: inout LPSolver) throws(LPError) in
            #expect(throws: LPError.self) { try solver.setObjective(.nan, for: 0) }
            #expect(throws: LPError.self) { try solver.setObjective(1, for: 2) }
            #expect(throws: LPError.self) { try solver.setObjective(1, for: -1) }
        }
    }
}

@Suite("Validation: bad input throws, never reaches GLPK")
struct Validation {
    func expectError(_ lp: LinearProgram, _ check: (LPError) -> Bool, sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            _ = try lp.solve()
            Issue.record("expected an error", sourceLocation: sourceLocation)
        } catch {
            #expect(check(error), "unexpected error \(error)", sourceLocation: sourceLocation)
        }
    }

    func isVariable(_ index: Int) -> (LPError) -> Bool {
        { if case let .invalidVariable(i, _, _) = $0 { i == index } else { false } }
    }

    func isConstraint(_ index: Int) -> (LPError) -> Bool {
        { if case let .invalidConstraint(i, _, _) = $0 { i == index } else { false } }
    }

    @Test func nonFiniteNumbers() {
        for bad in [Double.nan, .infinity, -.infinity] {
            var a = LinearProgram(); a.addVariable(); a.addVariable(objective: bad)
            expectError(a, isVariable(1))
            var b = LinearProgram(); let x = b.addVariable()
            b.addConstraint(terms: [(x, bad)], upper: 1)
            expectError(b, isConstraint(0))
            var c = LinearProgram(); c.objectiveConstant = bad
            expectError(c) { if case .invalidObjectiveConstant = $0 { true } else { false } }
        }
        var nanBound = LinearProgram(); nanBound.addVariable(lower: .nan)
        expectError(nanBound, isVariable(0))
        var nanRow = LinearProgram(); nanRow.addVariable(); nanRow.addConstraint(terms: [(0, 1)], upper: .nan)
        expectError(nanRow, isConstraint(0))
        var plusInfLower = LinearProgram(); plusInfLower.addVariable(lower: .infinity)
        expectError(plusInfLower, isVariable(0))
    }

    @Test func infiniteBoundsMeanUnbounded() throws {
        var lp = LinearProgram()
        let x = lp.addVariable(lower: -.infinity, upper: .infinity, objective: 1)
        lp.addConstraint(terms: [(x, 1)], lower: -3, upper: .infinity)
        let s = try lp.solve()
        #expect(s.status == .optimal && isApproximatelyEqual(s.objective, -3, absolute: 0, relative: 1e-9))
    }

    @Test func badIndicesAndDuplicates() {
        var a = LinearProgram(); a.addVariable(); a.addConstraint(terms: [(1, 1)], upper: 1)
        expectError(a, isConstraint(0))
        var b = LinearProgram(); b.addVariable(); b.addConstraint(terms: [(-1, 1)], upper: 1)
        expectError(b, isConstraint(0))
        var c = LinearProgram(); c.addVariable(); c.addVariable()
        c.addConstraint(terms: [(0, 1)], upper: 1)
        c.addConstraint(terms: [(0, 1), (1, 2), (0, 3)], upper: 1)
        expectError(c, isConstraint(1))
    }

    @Test func lowerAboveUpper() {
        var a = LinearProgram(); a.addVariable(lower: 2, upper: 1)
        expectError(a, isVariable(0))
        var b = LinearProgram(); b.addVariable(); b.addConstraint(terms: [(0, 1)], lower: 5, upper: 4)
        expectError(b, isConstraint(0))
    }

    @Test func badNames() {
        var a = LinearProgram(); a.addVariable(name: String(repeating: "x", count: 300))
        expectError(a, isVariable(0))
        var b = LinearProgram(); b.addVariable(); b.addConstraint(name: "bad\nname", terms: [], upper: 1)
        expectError(b, isConstraint(0))
        var c = LinearProgram(); c.addVariable(name: "")
        expectError(c, isVariable(0))
    }

    @Test func badOptions() {
        let lp = wyndorGlass()
        var o = LPOptions(); o.primalTolerance = 0
        let primal = LPError.invalidOption(name: .primalTolerance, reason: "is 0.0, expected a number in (0, 1)")
        #expect(throws: primal) { try lp.solve(options: o) }
        #expect(primal.description == "option primalTolerance is 0.0, expected a number in (0, 1)")
        o = LPOptions(); o.dualTolerance = .nan
        #expect(throws: LPError.invalidOption(name: .dualTolerance, reason: "is nan, expected a number in (0, 1)")) { try lp.solve(options: o) }
        #expect(throws: LPError.invalidOption(name: .iterationLimit, reason: "is -1, expected 0...\(Int32.max)")) {
            try lp.solve(options: LPOptions(iterationLimit: -1))
        }
        #expect(throws: LPError.self) { try lp.solve(options: LPOptions(timeLimit: .infinity)) }
        #expect(throws: LPError.self) { try lp.solve(options: LPOptions(timeLimit: -1)) }
    }

    @Test func errorMessagesNameTheOffender() {
        let e = LPError.invalidConstraint(index: 3, name: "budget", reason: "lower bound 2.0 > upper bound 1.0")
        #expect(e.description == "constraint 3 ('budget'): lower bound 2.0 > upper bound 1.0")
    }
}

@Suite("Concurrency")
struct Concurrency {
    /// Each task builds, solves and deletes its own GLPK problem inside one
    /// synchronous `solve` call, so parallel solving is safe.
    @Test func taskGroupMatchesSerial() async throws {
        let programs = (0..<64).map { WarmStart().transport(n: 6, seed: UInt64($0)) }
        let serial = try programs.map { try $0.solve().objective }
        let parallel = try await withThrowingTaskGroup(of: (Int, Double).self) { group in
            for (k, lp) in programs.enumerated() {
                group.addTask { (k, try lp.solve().objective) }
            }
            var out = [Double](repeating: .nan, count: programs.count)
            for try await (k, v) in group { out[k] = v }
            return out
        }
        #expect(serial == parallel)
    }
}

@Suite("CPLEX LP export")
struct Export {
    @Test func writtenFileReadsBackToSameOptimum() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rmfg-lp-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        for (k, lp) in [wyndorGlass(), WarmStart().transport(n: 5, seed: 11)].enumerated() {
            let path = dir.appendingPathComponent("p\(k).lp").path
            try lp.writeCPLEX(to: path)
            let text = try String(contentsOfFile: path, encoding: .utf8)
            #expect(text.contains("Subject To"))
            let back = try LinearProgram(cplexFile: path)
            #expect(back.sense == lp.sense)
            #expect(back.variables.count == lp.variables.count)
            #expect(isApproximatelyEqual(try back.solve().objective, try lp.solve().objective, absolute: 0, relative: 1e-12))
        }
    }

    @Test func missingFileThrows() {
        #expect(throws: LPError.self) { try LinearProgram(cplexFile: "/nonexistent/dir/x.lp") }
        #expect(throws: LPError.self) { try wyndorGlass().writeCPLEX(to: "/nonexistent/dir/x.lp") }
        #expect(throws: LPError.self) { try wyndorGlass().writeCPLEX(to: "") }
    }
}

@Suite("Dual objective")
struct DualObjective {
    @Test func equalsPrimalAtOptimum() throws {
        let lp = wyndorGlass()
        let s = try lp.solve()
        // 0·4 + 1.5·12 + 1·18 = 36.
        #expect(isApproximatelyEqual(lp.dualObjective(of: s), 36, absolute: 0, relative: 1e-9))
        var rng = SplitMix64(seed: 5)
        for k in 0..<30 {
            let t = WarmStart().transport(n: 4 + k % 5, seed: rng.next())
            let sol = try t.solve()
            #expect(isApproximatelyEqual(t.dualObjective(of: sol), sol.objective, absolute: 0, relative: 1e-9))
        }
    }

    @Test func dualInfeasibleMultipliersGiveInfiniteBound() throws {
        var lp = LinearProgram()
        let x = lp.addVariable(objective: 1)
        lp.addConstraint(terms: [(x, 1)], lower: 1)
        let s = try lp.solve()
        #expect(isApproximatelyEqual(lp.dualObjective(of: s), 1, absolute: 0, relative: 1e-9))
        var freeRow = lp
        freeRow.addConstraint(terms: [(x, 1)], upper: 5)
        let fake = LPSolution(status: .optimal, primalStatus: .feasible, dualStatus: .feasible, objective: 1,
                              primal: [1], rowActivities: [1, 1], rowDuals: [1, 2], reducedCosts: [0],
                              kkt: s.kkt, iterations: 0, exact: false)
        // y₂ = 2 > 0 selects row 2's lower bound, which is -∞.
        #expect(freeRow.dualObjective(of: fake) == -.infinity)
    }

    /// `solvePolished` leaves an optimum that already meets residuals of 1e-12, and an exact
    /// solve, exactly as `solve` returns them (a polished optimum: `ExtremeMagnitudeTests`).
    @Test func polishedSolveKeepsStrictAndExactSolutions() throws {
        let lp = wyndorGlass()
        let plain = try lp.solve()
        #expect(plain.status == .optimal && plain.meetsStrictResiduals)
        #expect(try lp.solvePolished() == plain)
        let exact = try lp.solvePolished(options: LPOptions(exact: true))
        #expect(exact.exact)
        #expect(exact == (try lp.solve(options: LPOptions(exact: true))))
    }

    /// A multiplier within the tolerance counts as zero only where its bound is infinite;
    /// with a finite bound it always counts (dropping it could lift the bound above the optimum).
    @Test func smallMultipliersCountWhereTheirBoundIsFinite() throws {
        // min 1e-8·x  s.t.  x = 1 (row), 0 ≤ x: the optimum is 1e-8, y = 1e-8, d = 0.
        var lp = LinearProgram()
        let x = lp.addVariable(lower: 0, objective: 1e-8)
        lp.addConstraint(terms: [(x, 1)], lower: 1, upper: 1)
        let s = try lp.solve()
        #expect(lp.dualObjective(of: s, tolerance: 1e-7) == 1e-8)
        // A reduced cost of −1e-8 on a column with no upper bound: counted as zero within 1e-7,
        // dual-infeasible (−∞) within 1e-9.
        let fake = LPSolution(status: .optimal, primalStatus: .feasible, dualStatus: .feasible, objective: 1e-8,
                              primal: [1], rowActivities: [1], rowDuals: [2e-8], reducedCosts: [-1e-8],
                              kkt: s.kkt, iterations: 0, exact: false)
        #expect(lp.dualObjective(of: fake, tolerance: 1e-7) == 2e-8)
        #expect(lp.dualObjective(of: fake, tolerance: 1e-9) == -.infinity)
    }
}
