import Foundation
import GameFiles
@testable import MeanField
import Randomness
import Testing
import TestSupport

/// The batch kernel function of game files (`MeanFieldGame.KernelRowsFunction`: chunks of rows
/// written into flat `KernelRows`) against the row-by-row closure of the same file
/// (`withKernelRows(nil)`), which stays the path of games built from closures: the same rows bit
/// for bit (indices, probabilities, order, row offsets), serial (under 2,000 rows) and in
/// parallel chunks, for `{successors}`, `{next, noise}` and expressions over `t`; and the same
/// error, naming the same row, where a row fails at a visited mean field.
@Suite struct KernelRowsBatchTests {
    /// The examples whose kernel reads `mu`, with parameters that put the crowd grid on both
    /// sides of the parallel threshold (24×16: 1,920 rows; 30×30: 4,500 rows).
    static let cases: [(file: String, params: [String: Double])] = [
        ("crowd-grid.yaml", [:]), ("crowd-grid.yaml", ["width": 30, "height": 30]),
        ("congestion.yaml", [:]), ("sis-epidemic.yaml", [:]),
        ("bench-mfg/kinetic-congestion.yaml", [:]), ("bench-mfg/mf-garnet.yaml", [:]), ("bench-mfg/sis-epidemic.yaml", [:]),
    ]

    static func load(_ file: String, _ params: [String: Double]) throws -> GameFile {
        let overrides = GameOverrides(parameters: params.sorted { $0.key < $1.key }.map {
            ParameterOverride(name: $0.key, shape: [], elements: [$0.value])
        })
        return try GameFile.load(path: Paths.example(file), overrides: overrides)
    }

    /// The uniform mean field and two Dirichlet draws of a fixed seed (one with every other entry 0).
    static func meanFields(_ n: Int) -> [[Double]] {
        var g = SplitMix64(seed: 16)
        var sparse = g.dirichlet(count: n)
        for i in stride(from: 1, to: n, by: 2) { sparse[i] = 0 }
        let total = sparse.reduce(0, +)
        return [uniform(n), g.dirichlet(count: n), sparse.map { $0 / total }]
    }

    /// Equal arrays of rows, probabilities compared by their bits.
    static func expectSame(_ a: KernelRows, _ b: KernelRows, _ label: String) {
        #expect(a.rowStart == b.rowStart && a.rowEnd == b.rowEnd && a.indices == b.indices, "\(label)")
        #expect(a.probabilities.map(\.bitPattern) == b.probabilities.map(\.bitPattern), "\(label)")
    }

    @Test func examplesGiveTheClosureRowsBitForBit() throws {
        for (name, params) in Self.cases {
            let file = try Self.load(name, params)
            let game = try file.makeGame()
            #expect(game.kernelsDependOnMeanField && game.kernelRowsFunction != nil, "\(name)")
            let closure = game.withKernelRows(nil)
            for (k, mu) in Self.meanFields(file.stateCount).enumerated() {
                let batch = try game.snapshot(at: mu), rows = try closure.snapshot(at: mu)
                // Rows are kept only for sweeps that read them (sets not written in place, row sets).
                let flatOnly = game.ambiguity.writesRowsInPlace && game.rowSetFunction == nil
                #expect((batch.rowArrays == nil) == flatOnly && rows.rowArrays != nil, "\(name)")
                Self.expectSame(batch.layout.rows, rows.layout.rows, "\(name) \(params) μ \(k)")
                #expect(batch.layout.slotStarts == rows.layout.slotStarts && batch.layout.slotRoom == rows.layout.slotRoom)
                #expect(batch.kernels == rows.kernels, "\(name) \(params) μ \(k)")
                Self.expectSame(try game.kernelSnapshot(at: mu).layout.rows, rows.layout.rows, "\(name) refresh μ \(k)")
            }
        }
    }

    /// Zero entries after the division of a normalized row (a subnormal weight divided by about
    /// 3) and coinciding targets merged: dropped and merged as on the closure path, in all three
    /// forms (2,100 rows, in parallel chunks, for the successor forms; 300 for the expression).
    @Test func mergedAndVanishingEntriesMatchTheClosure() throws {
        let forms = [
            (700, "  successors:\n    - {to: \"mod(s + 2, states)\", p: \"5e-324 * (mu[0] > 0.5)\"}\n    - {to: s, p: 2}\n    - {to: s, p: \"mu[s]\"}\n    - {to: \"mod(s + 1, states)\", p: \"1 - mu[s]\"}\n  normalize: true"),
            (700, "  next: \"clamp(s + a - 1 + e, 0, states - 1)\"\n  noise: {values: [-1, 0, 1], probabilities: [\"0.25 * mu[s]\", \"1 - 0.5 * mu[s]\", \"0.25 * mu[s]\"]}"),
            (100, "  expr: \"(t == mod(s + 2, states)) * 5e-324 * (mu[0] > 0.5) + (t == s) * (2 + mu[s]) + (t == mod(s + 1, states)) * (1 - mu[s])\"\n  normalize: true"),
        ]
        for (n, form) in forms {
            let text = "name: z\nstates: \(n)\nactions: 3\ndiscount: 0.5\nreward: \"s\"\ntransition:\n" + form
            let (_, game) = try loadGame(text)
            var mu = [Double](repeating: 0.1 / Double(n - 1), count: n)
            mu[0] = 0.9
            let batch = try game.snapshot(at: mu), rows = try game.withKernelRows(nil).snapshot(at: mu)
            Self.expectSame(batch.layout.rows, rows.layout.rows, form)
            #expect(batch.layout.rows.probabilities.allSatisfy { $0 > 0 }, "\(form)")
        }
    }

    /// Transitions valid at the uniform μ whose rows from `s = R` on fail once `μ(0) > 0.5`: a
    /// negative weight, weights not summing to 1, a next state out of range, a negative value and
    /// a sum of 2 of a transition expression. `R` is replaced by the first failing state.
    static let failing = [
        "  successors:\n    - {to: s, p: \"1 - 2 * (s >= R) * (mu[0] > 0.5)\"}\n    - {to: 0, p: \"2 * (s >= R) * (mu[0] > 0.5)\"}",
        "  successors:\n    - {to: s, p: 1}\n    - {to: 0, p: \"(s >= R) * (mu[0] > 0.5)\"}",
        "  next: \"s + e * (s >= R) * (mu[0] > 0.5) * states\"\n  noise: {values: [-1, 1], probabilities: [0.5, 0.5]}",
        "  expr: \"(t == s) - (t == 0) * (s >= R) * (mu[0] > 0.5)\"",
        "  expr: \"(t == s) * (1 + (s >= R) * (mu[0] > 0.5))\"",
    ]

    /// The rows of ``failing`` at a μ with `μ(0) = 1`: serial (100 states, 300 rows, from
    /// `s = 70`) and in parallel chunks (1,000 states, 3,000 rows, from `s = 701`, row 2,103, in
    /// a later chunk than the first; the successor forms only, the expressions being `O(n)` per
    /// row): the batch path reports the closure path's error, for the lowest failing row.
    @Test(arguments: [100, 1000])
    func errorsMatchTheClosure(states n: Int) throws {
        let first = n == 100 ? 70 : 701
        for transition in Self.failing where n == 100 || !transition.contains("expr") {
            let text = "name: bad\nstates: \(n)\nactions: 3\ndiscount: 0.5\nreward: \"0\"\ntransition:\n"
                + transition.replacingOccurrences(of: "R)", with: "\(first))")
            let (file, game) = try loadGame(text)
            var mu = [Double](repeating: 0, count: n)
            mu[0] = 1
            let expected: String
            do {
                _ = try game.withKernelRows(nil).snapshot(at: mu)
                Issue.record("expected an error: \(transition)")
                continue
            } catch {
                expected = file.explain(error).description
            }
            #expect(expected.contains("s=\(first), a=0"), "\(expected)")
            do {
                _ = try game.snapshot(at: mu)
                Issue.record("expected an error: \(transition)")
            } catch {
                #expect(file.explain(error).description == expected, "\(n) \(transition)")
            }
            do {
                _ = try game.kernelSnapshot(at: mu)
                Issue.record("expected an error: \(transition)")
            } catch {
                #expect(file.explain(error).description == expected, "refresh \(n) \(transition)")
            }
        }
    }
}
