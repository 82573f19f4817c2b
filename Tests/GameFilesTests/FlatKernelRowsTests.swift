import Ambiguity
import Foundation
@testable import GameFiles
import MeanField
import Randomness
import Testing

/// `transition.sparse: {targets, probabilities}` read straight into flat kernel rows (no pair
/// of arrays per row), and its two arrays not kept as schema constants when nothing else names
/// them: the same game, bit for bit, as the per-row path.
@Suite("Flat kernel rows from successor arrays")
struct FlatKernelRowsTests {
    /// The garnet of `spec` written with `.npy` arrays and loaded (the flat path).
    static func arrayGame(_ spec: GarnetSpecification, in dir: TemporaryFolder) throws -> GameFile {
        let (text, arrays) = spec.arrayFiles(baseName: "g", json: false)
        for (name, bytes) in arrays { try dir.write(name, [UInt8](bytes)) }
        return try GameFile.load(path: try dir.write("g.yaml", text))
    }

    /// The same garnet built by the closure initializer from one `SparseDistribution` per row
    /// (the per-row path every game took before), with the file's reward and radius.
    static func perRowGame(_ spec: GarnetSpecification) throws -> MeanFieldGame {
        var rewards = [Double](), kernels = [SparseDistribution]()
        GarnetGenerator(states: spec.states, actions: spec.actions, branching: spec.branching, seed: spec.seed)
            .forEachRow { _, _, r, t, p in
                rewards.append(r)
                kernels.append(SparseDistribution(indices: t, probabilities: p))
            }
        let m = spec.actions, r = rewards, k = kernels, radius = spec.radius, c = spec.congestion
        return try MeanFieldGame(
            stateCount: spec.states, actionCount: m, discount: spec.discount, ambiguity: .totalVariation(),
            reward: { s, a, mu in r[s * m + a] - c * mu[s] },
            kernel: { s, a, _ in k[s * m + a] }, kernelDependsOnMeanField: false,
            radius: { _, _, _ in radius }, radiusDependsOnMeanField: false)
    }

    /// Snapshots, single rows, equilibria (robust and nominal) bit for bit those of the per-row game.
    @Test(arguments: [(40, 3, 5, UInt64(3)), (90, 2, 7, 11)])
    func flatRowsAreThePerRowGame(states: Int, actions: Int, branching: Int, seed: UInt64) throws {
        let spec = GarnetSpecification(states: states, actions: actions, branching: branching, seed: seed)
        let dir = try TemporaryFolder()
        let file = try Self.arrayGame(spec, in: dir)
        guard case .flat = file.transition else {
            Issue.record("the arrays form should be read into flat rows")
            return
        }
        let flat = try file.makeGame(), rows = try Self.perRowGame(spec)
        let mu = (0..<states).map { Double($0 % 4 + 1) }
        let muSum = mu.reduce(0, +)
        let at = mu.map { $0 / muSum }
        let a = try flat.snapshot(at: at), b = try rows.snapshot(at: at)
        #expect(a.rewards.map(\.bitPattern) == b.rewards.map(\.bitPattern))
        #expect(a.kernels == b.kernels && a.kernels.count == states * actions)
        for i in [0, 1, states * actions / 2, states * actions - 1] {
            #expect(a.kernel(i) == b.kernels[i] && b.kernel(i) == b.kernels[i])
            #expect(a.kernelEntryCount(i) == b.kernels[i].indices.count && b.kernelEntryCount(i) == branching)
        }
        let options = file.equilibriumOptions
        let x = try flat.solveEquilibrium(options: options), y = try rows.solveEquilibrium(options: options)
        #expect(x.converged && x.iterations == y.iterations)
        #expect(x.meanField.map(\.bitPattern) == y.meanField.map(\.bitPattern))
        #expect(x.policy == y.policy && x.values.map(\.bitPattern) == y.values.map(\.bitPattern))
        // `with(ambiguity:)` keeps the rows flat and the game the same.
        let plainFlat = try flat.with(ambiguity: .nominalOnly, radius: { _, _, _ in 0 }, radiusDependsOnMeanField: false)
        let plainRows = try rows.with(ambiguity: .nominalOnly, radius: { _, _, _ in 0 }, radiusDependsOnMeanField: false)
        #expect(try plainFlat.snapshot(at: at).kernels == plainRows.snapshot(at: at).kernels)
        let u = try plainFlat.solveEquilibrium(options: options), v = try plainRows.solveEquilibrium(options: options)
        #expect(u.meanField.map(\.bitPattern) == v.meanField.map(\.bitPattern) && u.policy == v.policy)
    }

    /// Unsorted and coinciding targets and zero-probability entries: each row sorted, coinciding
    /// targets added in successor order, zeros dropped, as a plain reference computes them.
    @Test func unsortedAndCoincidingTargets() throws {
        // Rows s·2 + a of 3 states, 2 actions, 4 successors; 99 is out of range where its mass is 0.
        let targets: [[Int]] = [[2, 0, 2, 1], [2, 2, 2, 2], [1, 0, 99, 2], [0, 2, 1, 0], [2, 1, 0, 0], [1, 2, 1, 0]]
        let masses: [[Double]] = [[0.1, 0.2, 0.3, 0.4], [0.1, 0.2, 0.3, 0.4], [0.3, 0.3, 0, 0.4],
                                  [0.125, 0.375, 0.25, 0.25], [0.7, 0.1, 0.1, 0.1], [0.1, 0.1, 0.1, 0.7]]
        func nested<T>(_ rows: [[T]]) -> String {
            "[" + (0..<3).map { s in "[" + (0..<2).map { a in "\(rows[s * 2 + a])" }.joined(separator: ", ") + "]" }
                .joined(separator: ", ") + "]"
        }
        let text = """
            name: rows
            states: 3
            actions: 2
            discount: 0.5
            parameters:
              T: \(nested(targets))
              P: \(nested(masses))
            reward: "s"
            transition: {sparse: {targets: T, probabilities: P}}
            """
        var reference: [SparseDistribution] = []
        for (t, p) in zip(targets, masses) {
            var sums: [Int: Double] = [:]
            for (x, q) in zip(t, p) where q > 0 { sums[x] = sums[x].map { $0 + q } ?? q }
            let keys = sums.keys.sorted()
            reference.append(SparseDistribution(indices: keys, probabilities: keys.map { sums[$0] ?? 0 }))
        }
        let (_, game) = try loadGame(text)
        let snapshot = try game.snapshot(at: [1.0 / 3, 1.0 / 3, 1.0 / 3])
        #expect(snapshot.kernels == reference && reference[1].indices == [2])
        #expect((0..<6).allSatisfy { snapshot.kernel($0) == reference[$0] && snapshot.kernelEntryCount($0) == reference[$0].indices.count })
    }

    /// `T` and `P` stay out of the schema when only `transition.sparse` names them, and stay in
    /// it (readable by expressions, clashing as before) when anything else mentions them.
    @Test func transitionOnlyArraysAreNotKept() throws {
        func game(reward: String = "s", extra: String = "", states: String = "2") -> String {
            """
            name: kept
            states: \(states)
            actions: 1
            discount: 0.5
            parameters:
              R: [3, 4]
              T: [[[1]], [[0]]]
              P: [[[1]], [[1]]]
            reward: "\(reward)"
            transition: {sparse: {targets: T, probabilities: P}}
            \(extra)
            """
        }
        let dropped = try loadGame(game()).file
        #expect(dropped.schema.declaration(of: "T") == nil && dropped.schema.declaration(of: "P") == nil)
        #expect(dropped.schema.declaration(of: "R") != nil)
        let read = try loadGame(game(reward: "R[s] + T[s][0][0]"))
        #expect(read.file.schema.declaration(of: "T") != nil && read.file.schema.declaration(of: "P") == nil)
        #expect(try read.game.snapshot(at: [0.5, 0.5]).rewards == [4, 4])
        #expect(try read.game.snapshot(at: [0.5, 0.5]).kernels == dropped.makeGame().snapshot(at: [0.5, 0.5]).kernels)
        // A binding or a state with the parameter's name clashes as before.
        #expect(loadError(game(extra: "let:\n  P: \"1\""))?.description.contains("P") == true)
        #expect(loadError(game(states: "[T, U]"))?.description.contains("T") == true)
    }
}
