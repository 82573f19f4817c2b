import Foundation
@testable import GameFiles
@testable import MeanField
import Synchronization
import Testing

/// Weights computed once per value of a cached binding (`KeyedWeights`): the rows they give equal
/// the rows without them bit for bit, on every example whose kernel reads `mu` and at three mean
/// fields, serial and in parallel chunks; rows where the key is not known evaluate their weights
/// themselves; the errors of failing weights are the same; the crowd grid's table equals a plain
/// computation; and a changed table value changes exactly the rows with that key.
@Suite struct KeyedWeightsTests {
    /// The game with keyed weights (as `makeGame` builds it) and a copy whose rows do without
    /// them (and without the binding cache).
    static func pair(_ file: GameFile) throws -> (keyed: MeanFieldGame, plain: MeanFieldGame, weights: KeyedWeights?) {
        let game = try file.makeGame()
        let with = file.keyedKernelRows(), without = file.kernelRows(cachingBindings: false)
        return (game.withKernelRows(with.rows, entriesPerRow: with.entriesPerRow, preparation: with.preparation),
                game.withKernelRows(without.rows, entriesPerRow: without.entriesPerRow), with.keyed)
    }

    static func name(_ file: GameFile, _ slot: Int) -> String { file.schema.bindingNames[slot] }

    @Test func examplesGiveThePlainRowsBitForBit() throws {
        var keyed: [String] = []
        for (name, params) in KernelRowsBatchTests.cases {
            let file = try KernelRowsBatchTests.load(name, params)
            let (game, plain, weights) = try Self.pair(file)
            if let weights { keyed.append("\(name): \(weights.entries) by \(Self.name(file, weights.keySlot))") }
            for (k, mu) in KernelRowsBatchTests.meanFields(file.stateCount).enumerated() {
                KernelRowsBatchTests.expectSame(try game.kernelSnapshot(at: mu).layout.rows,
                                                try plain.kernelSnapshot(at: mu).layout.rows, "\(name) \(params) μ \(k)")
            }
        }
        // Both crowd grids (serial 24×16, parallel 30×30): both weights, by the move's target.
        #expect(keyed.filter { $0 == "crowd-grid.yaml: [0, 1] by target" }.count == 2, "\(keyed)")
    }

    /// The crowd grid's table: one key per cell (every cell is some row's target), and the weights
    /// `go = 0.9 exp(−0.5 N μ(t))` and `1 − go` computed in plain Swift, at three mean fields.
    @Test func crowdGridTableEqualsAPlainComputation() throws {
        let file = try KernelRowsBatchTests.load("crowd-grid.yaml", [:])
        let weights = try #require(file.keyedKernelRows().keyed)
        let n = file.stateCount
        for mu in KernelRowsBatchTests.meanFields(n) {
            let prepared = try #require(weights.values(mu))
            defer { withExtendedLifetime(prepared) {} }  // the values point into it
            let values = prepared.values
            let keys = try #require(weights.keys(mu))
            #expect(keys.representatives.count == n)
            var worst = 0.0
            for row in 0..<(n * 5) {
                let (s, a) = (row / 5, row % 5)
                let (x, y) = (s % 24, s / 24)
                let (nx, ny) = (x + [0, 0, -1, 1, 0][a], y + [-1, 1, 0, 0, 0][a])
                let t = (0..<24).contains(nx) && (0..<16).contains(ny) ? nx + 24 * ny : s
                let go = 0.9 * exp(-0.5 * Double(n) * mu[t])
                let w0 = try #require(values.weight(0, row: row)), w1 = try #require(values.weight(1, row: row))
                worst = max(worst, abs(w0 - go) / (1e-300 + go), abs(w1 - (1 - go)) / (1 - go))
            }
            #expect(worst <= 1e-14, "\(worst)")
        }
    }

    /// A changed table value (the weights of the key `target = 31`) changes every row whose target
    /// is 31 and no other: the rows read the table.
    @Test func aChangedTableValueChangesTheRowsWithThatKey() throws {
        let file = try KernelRowsBatchTests.load("crowd-grid.yaml", [:])
        let (game, plain, found) = try Self.pair(file)
        let weights = try #require(found)
        let mu = KernelRowsBatchTests.meanFields(file.stateCount)[1]
        let keys = try #require(weights.keys(mu))
        let key = try #require((0..<keys.representatives.count).first { k in
            let row = keys.representatives[k]
            return KernelRowsBatchTests.target(row: row) == 31
        })
        weights.adjust.withLock { adjust in
            adjust = { table, _ in
                table[key * 2] = 0.25
                table[key * 2 + 1] = 0.75
            }
        }
        defer { weights.adjust.withLock { $0 = nil } }
        let changed = try game.kernelSnapshot(at: mu).layout.rows, expected = try plain.kernelSnapshot(at: mu).layout.rows
        var touched = 0
        for r in 0..<(file.stateCount * 5) {
            let a = Array(changed.probabilities[changed.rowStart[r]..<changed.rowEnd[r]])
            let b = Array(expected.probabilities[expected.rowStart[r]..<expected.rowEnd[r]])
            if KernelRowsBatchTests.target(row: r) == 31, r / 5 != 31 {
                touched += 1
                #expect(a.sorted() == [0.25, 0.75], "row \(r)")
                #expect(a != b)
            } else if KernelRowsBatchTests.target(row: r) == 31 {
                // Staying in cell 31: the two weights merged into one entry.
                #expect(a == [0.25 + 0.75], "row \(r)")
            } else {
                #expect(a.map(\.bitPattern) == b.map(\.bitPattern), "row \(r)")
            }
        }
        #expect(touched == 4)
    }

    /// `c = cell(nx, ny)` fails at the border rows' outward moves; the weights read it only where
    /// `mu[0] > 2` (never), so every row is valid: rows whose key is unknown evaluate the weights
    /// themselves (serial 20×20, parallel 40×20).
    @Test(arguments: [20, 40])
    func rowsWithAnUnknownKeyEvaluateTheirWeights(width: Int) throws {
        let text = RowBindingCacheTests.gridFile(width: width, """
                - {to: s, p: "if(mu[0] > 2, c, 0.5 + 0.4 * mu[0])"}
                - {to: 0, p: "if(mu[0] > 2, c, 0.5 - 0.4 * mu[0])"}
            """)
        let (file, _) = try loadGame(text)
        let (game, plain, found) = try Self.pair(file)
        let weights = try #require(found)
        #expect(weights.entries == [0, 1] && Self.name(file, weights.keySlot) == "c")
        let n = file.stateCount
        let keys = try #require(weights.keys(uniform(n)))
        let unknown = (0..<(n * 5)).filter { keys.rowKeys[$0] < 0 }
        #expect(unknown.count == 2 * width + 2 * 20 && keys.representatives.count == n)
        try KernelRowsBatchTests.expectSameRows(game, plain, states: n, "\(width)")
    }

    /// Weights that fail (negative, non-finite, an error) where `mu[0] > 0.5`, keyed by the cached
    /// `k = s >= R`: the same error, naming the same row, with and without the table (serial, 100
    /// states, and in parallel chunks, 1,000 states).
    @Test(arguments: [100, 1000])
    func errorsMatchThePlainRows(states n: Int) throws {
        let first = n == 100 ? 70 : 701
        let transitions = [
            "  successors:\n    - {to: s, p: \"1 - 2 * k * (mu[0] > 0.5)\"}\n    - {to: 0, p: \"2 * k * (mu[0] > 0.5)\"}",
            "  successors:\n    - {to: s, p: \"1 - k * (mu[0] > 0.5)\"}\n    - {to: 0, p: \"log(1 - k * (mu[0] > 0.5)) + k * (mu[0] > 0.5)\"}",
            "  successors:\n    - {to: s, p: \"0.5 + k * (mu[0] > 0.5) * 0.25\"}\n    - {to: 0, p: \"0.5\"}",
            "  successors:\n    - {to: s, p: \"m[k * (mu[0] > 0.5) * 3]\"}\n",
        ]
        var mu = [Double](repeating: 0, count: n)
        mu[0] = 1
        for transition in transitions {
            let text = "name: bad\nstates: \(n)\nactions: 3\ndiscount: 0.5\nreward: \"0\"\nparameters: {m: [1, 1]}\nlet:\n  k: \"s >= \(first)\"\ntransition:\n" + transition
            let (file, _) = try loadGame(text)
            let (game, plain, weights) = try Self.pair(file)
            #expect(weights != nil, "\(transition)")
            // Valid at the uniform law: the same rows.
            KernelRowsBatchTests.expectSame(try game.kernelSnapshot(at: uniform(n)).layout.rows,
                                            try plain.kernelSnapshot(at: uniform(n)).layout.rows, transition)
            KernelRowsBatchTests.expectSameError(file, game, plain, at: mu, "\(n) \(transition)")
        }
    }

    /// The weights computed in lanes (`LaneScope`, the default) equal those computed key by key in
    /// a row scope, bit for bit, entry for entry of the table (unset entries included): on the crowd
    /// grid (serial 24×16, parallel 70×40) and the keyed-rows transitions (merged, normalized,
    /// vanishing, failing weights, `if`s that the lanes refuse), serial and parallel, at 8 mean
    /// fields each; the lanes computed the straight-line transitions' keys.
    @Test func lanesGiveTheKeyByKeyTable() throws {
        var files: [(String, GameFile)] = [
            ("crowd 24x16", try KernelRowsBatchTests.load("crowd-grid.yaml", [:])),
            ("crowd 70x40", try KernelRowsBatchTests.load("crowd-grid.yaml", ["width": 70, "height": 40])),
        ]
        for width in [20, 60] {
            for (name, transition) in [("merged", KeyedRowsTests.merged), ("normalized", KeyedRowsTests.normalized),
                                       ("vanishing", KeyedRowsTests.vanishing), ("failing", KeyedRowsTests.failing),
                                       ("underflowing", KeyedRowsTests.underflowing)] {
                files.append(("\(name) \(width)", try KeyedRowsTests.file(width: width, transition)))
            }
        }
        var served: [String: Int] = [:]
        for (name, file) in files {
            let weights = try #require(file.keyedKernelRows().keyed, "\(name)")
            let n = file.stateCount
            for (k, mu) in KeyedRowsTests.meanFields(n, count: 8, seed: UInt64(n)).enumerated() {
                let before = weights.laneKeys.load(ordering: .relaxed)
                let byLanes = try #require(weights.values(mu), "\(name) μ \(k)")
                served[name, default: 0] += weights.laneKeys.load(ordering: .relaxed) - before
                let byKey = try #require(KeyedWeights.$lanes.withValue(false) { weights.values(mu) })
                let keys = try #require(weights.keys(mu))
                let count = keys.representatives.count * byLanes.values.width
                var differ = 0
                for j in 0..<count where byLanes.values.values[j].bitPattern != byKey.values.values[j].bitPattern { differ += 1 }
                #expect(differ == 0, "\(name) μ \(k): \(differ) of \(count) table entries differ")
                withExtendedLifetime((byLanes, byKey)) {}
            }
        }
        for (name, _) in files where !name.hasPrefix("underflowing") {
            #expect(served[name, default: 0] > 0, "\(name): no key computed in lanes")
        }
        // `if` compiles to jumps, which the lanes refuse: every key by its row scope.
        #expect(served["underflowing 20", default: -1] == 0 && served["underflowing 60", default: -1] == 0, "\(served)")
    }

    /// No table where it cannot help: a weight that reads `s`, a key with as many values as rows.
    @Test func noTableWhereNothingIsShared() throws {
        let readsS = "name: f\nstates: 40\nactions: 2\ndiscount: 0.5\nreward: \"0\"\nlet:\n  k: \"mod(s + a, states)\"\ntransition:\n  successors:\n    - {to: k, p: \"0.5 + 0.1 * mu[s]\"}\n    - {to: 0, p: \"0.5 - 0.1 * mu[s]\"}\n"
        #expect(try loadGame(readsS).file.keyedKernelRows().keyed == nil)
        let distinct = "name: f\nstates: 40\nactions: 2\ndiscount: 0.5\nreward: \"0\"\nlet:\n  k: \"2 * s + a\"\ntransition:\n  successors:\n    - {to: s, p: \"0.5 + 0.001 * k * mu[0]\"}\n    - {to: 0, p: \"0.5 - 0.001 * k * mu[0]\"}\n"
        let weights = try #require(try loadGame(distinct).file.keyedKernelRows().keyed)
        #expect(weights.keys(uniform(40)) == nil)
        let (game, plain, _) = try Self.pair(try loadGame(distinct).file)
        KernelRowsBatchTests.expectSame(try game.kernelSnapshot(at: uniform(40)).layout.rows,
                                        try plain.kernelSnapshot(at: uniform(40)).layout.rows, "distinct")
    }
}

extension KernelRowsBatchTests {
    /// Both games give the same rows, bit for bit, at the three mean fields of ``meanFields(_:)``.
    static func expectSameRows(_ game: MeanFieldGame, _ plain: MeanFieldGame, states n: Int, _ label: String) throws {
        for (k, mu) in meanFields(n).enumerated() {
            expectSame(try game.kernelSnapshot(at: mu).layout.rows, try plain.kernelSnapshot(at: mu).layout.rows, "\(label) μ \(k)")
        }
    }

    /// Both games fail at `mu`, with the same one-line error (the same field, row and message).
    static func expectSameError(_ file: GameFile, _ game: MeanFieldGame, _ plain: MeanFieldGame, at mu: [Double], _ label: String) {
        let expected: String
        do {
            _ = try plain.kernelSnapshot(at: mu)
            Issue.record("expected an error: \(label)")
            return
        } catch {
            expected = file.explain(error).description
        }
        do {
            _ = try game.kernelSnapshot(at: mu)
            Issue.record("expected an error: \(label)")
        } catch {
            #expect(file.explain(error).description == expected, "\(label)")
        }
    }

    /// The target of row `row` of the 24×16 crowd grid (`s` when the move leaves the room).
    static func target(row: Int) -> Int {
        let (s, a) = (row / 5, row % 5)
        let (nx, ny) = (s % 24 + [0, 0, -1, 1, 0][a], s / 24 + [-1, 1, 0, 0, 0][a])
        return (0..<24).contains(nx) && (0..<16).contains(ny) ? nx + 24 * ny : s
    }
}
