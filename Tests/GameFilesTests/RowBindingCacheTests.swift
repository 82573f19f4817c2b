import Foundation
import GameFiles
@testable import MeanField
import Testing

/// The cache of μ-free `let` bindings of the batch kernel rows (`RowBindingCache`): the rows it
/// gives equal the rows without it bit for bit (offsets, indices, probability bits), serial and
/// in parallel chunks, on every example whose kernel reads `mu` and at three mean fields; a
/// binding that fails at some rows is evaluated (and fails) there as without the cache; the
/// errors of failing transitions are the same; the crowd grid's cached values equal a plain
/// computation; and a changed cached value changes the rows (so they read the cache).
@Suite struct RowBindingCacheTests {
    /// The game's batch rows with the cache and a copy whose batch rows do without it.
    static func pair(_ file: GameFile) throws -> (cached: MeanFieldGame, plain: MeanFieldGame, cache: RowBindingCache?) {
        let game = try file.makeGame()
        let with = file.kernelRows(cachingBindings: true), without = file.kernelRows(cachingBindings: false)
        #expect(without.cache == nil)
        return (game.withKernelRows(with.rows, entriesPerRow: with.entriesPerRow),
                game.withKernelRows(without.rows, entriesPerRow: without.entriesPerRow), with.cache)
    }

    @Test func examplesGiveTheUncachedRowsBitForBit() throws {
        var cached: [String] = []
        for (name, params) in KernelRowsBatchTests.cases {
            let file = try KernelRowsBatchTests.load(name, params)
            let (game, plain, cache) = try Self.pair(file)
            if let cache { cached.append("\(name): \(cache.names.joined(separator: " "))") }
            for (k, mu) in KernelRowsBatchTests.meanFields(file.stateCount).enumerated() {
                KernelRowsBatchTests.expectSame(try game.kernelSnapshot(at: mu).layout.rows,
                                                try plain.kernelSnapshot(at: mu).layout.rows, "\(name) \(params) μ \(k)")
            }
        }
        // Both crowd grids (serial 24×16, parallel 30×30) cache their moves.
        #expect(cached.filter { $0.hasPrefix("crowd-grid.yaml: nx ny target") }.count == 2, "\(cached)")
    }

    /// The crowd grid's cached `nx`, `ny` and `target` at every row, computed in plain Swift.
    @Test func crowdGridValuesEqualAPlainComputation() throws {
        let (w, h) = (24, 16)
        let file = try KernelRowsBatchTests.load("crowd-grid.yaml", [:])
        let cache = try #require(file.kernelRows(cachingBindings: true).cache)
        #expect(cache.names == ["nx", "ny", "target"])
        let table = try #require(cache.table(uniform(w * h)))
        #expect(table.known.isEmpty && table.values.count == w * h * 5 * 3)
        let dx = [0, 0, -1, 1, 0], dy = [-1, 1, 0, 0, 0]
        var mismatches = 0
        for s in 0..<(w * h) {
            for a in 0..<5 {
                let (nx, ny) = (s % w + dx[a], s / w + dy[a])
                let target = (0..<w).contains(nx) && (0..<h).contains(ny) ? nx + w * ny : s
                let row = (s * 5 + a) * 3
                if table.values[row..<(row + 3)] != [Double(nx), Double(ny), Double(target)][...] { mismatches += 1 }
            }
        }
        #expect(mismatches == 0)
    }

    /// A changed cached `target` (one row's move `right` from cell 30 to 32 instead of 31) moves
    /// that row's entry and `go` (which reads `mu[target]`), and no other row: the rows read the cache.
    @Test func aChangedCachedValueChangesTheRow() throws {
        let file = try KernelRowsBatchTests.load("crowd-grid.yaml", [:])
        let (_, plain, _) = try Self.pair(file)
        let with = file.kernelRows(cachingBindings: true)
        let game = plain.withKernelRows(with.rows, entriesPerRow: with.entriesPerRow)
        let cache = try #require(with.cache)
        let mu = KernelRowsBatchTests.meanFields(file.stateCount)[1]
        var table = try #require(cache.table(mu))
        let row = 30 * 5 + 3  // s = 30 (x 6, y 1), right
        #expect(table.values[row * 3 + 2] == 31)
        table.values[row * 3 + 2] = 32
        cache.replaceTable(table)
        let changed = try game.kernelSnapshot(at: mu).layout.rows, expected = try plain.kernelSnapshot(at: mu).layout.rows
        for r in 0..<(file.stateCount * 5) {
            let a = Array(changed.indices[changed.rowStart[r]..<changed.rowEnd[r]])
            let b = Array(expected.indices[expected.rowStart[r]..<expected.rowEnd[r]])
            if r == row {
                #expect(a == [30, 32] && b == [30, 31])
                let go = 0.9 * exp(-0.5 * 384 * mu[32])
                #expect(abs(changed.probabilities[changed.rowStart[r] + 1] - go) <= 1e-15 + 1e-12 * go)
            } else {
                #expect(a == b, "row \(r)")
            }
        }
    }

    /// A `width × 20` grid file with five moves, `nx ny` the move's target coordinates and
    /// `c = cell(nx, ny)` (μ-free, failing outside the grid at the border rows' outward moves),
    /// then `bindings` (lines of `let`) and `transition` (the `successors` entries).
    static func gridFile(width: Int, bindings: String = "", _ transition: String) -> String {
        """
        name: guarded
        states: {grid: [\(width), 20]}
        actions: [up, down, left, right, stay]
        discount: 0.9
        parameters: {dx: [0, 0, -1, 1, 0], dy: [-1, 1, 0, 0, 0]}
        let:
          nx: "x + dx[a]"
          ny: "y + dy[a]"
          c: "cell(nx, ny)"
        \(bindings)
        reward: "-mu[s]"
        transition:
          successors:
        \(transition)
        """
    }

    /// A grid file whose μ-free binding `c = cell(nx, ny)` fails at the border rows (outside the
    /// grid) and is used only under `if`: `guard` selects where it is read.
    static func guardedFile(_ guardExpression: String, width: Int) -> String {
        gridFile(width: width, bindings: "  go: \"0.9 * exp(-0.5 * states * mu[s])\"", """
            - {to: "if(\(guardExpression), c, s)", p: go}
            - {to: s, p: "1 - go"}
        """)
    }

    /// Guarded by `inside(nx, ny)`: the border rows' `c` is unknown in the cache and the rows are
    /// the uncached ones (serial, 20×20: 2,000 rows; parallel, 40×20: 4,000 rows).
    @Test(arguments: [20, 40])
    func aBindingFailingAtSomeRowsIsNotCachedThere(width: Int) throws {
        let (file, _) = try loadGame(Self.guardedFile("inside(nx, ny)", width: width))
        let (game, plain, cache) = try Self.pair(file)
        #expect(cache?.names == ["nx", "ny", "c"])
        let n = file.stateCount
        let table = try #require(cache?.table(uniform(n)))
        // `c` fails exactly where the move leaves the grid: the border cells' moves outward.
        let unknown = (0..<(n * 5)).filter { !table.known[$0 * 3 + 2] }
        let outward = (0..<(n * 5)).filter { r in
            let (s, a) = (r / 5, r % 5), (x, y) = (s % width, s / width)
            return (a == 0 && y == 0) || (a == 1 && y == 19) || (a == 2 && x == 0) || (a == 3 && x == width - 1)
        }
        #expect(unknown == outward && unknown.count == 2 * width + 2 * 20)
        #expect((0..<(n * 5)).allSatisfy { table.known[$0 * 3] && table.known[$0 * 3 + 1] })
        try KernelRowsBatchTests.expectSameRows(game, plain, states: n, "\(width)")
    }

    /// The failing transitions of `KernelRowsBatchTests.failing` in the successor forms, the
    /// condition `s >= R` a `let` binding (cached), and a binding failing outside the grid read
    /// where `mu[0] > 0.5`: the same error, naming the same row, with and without the cache
    /// (serial, 100 states, with the transition expressions too, and in parallel chunks, 1,000
    /// states).
    @Test(arguments: [100, 1000])
    func errorsMatchTheUncachedRows(states n: Int) throws {
        let first = n == 100 ? 70 : 701
        var texts = KernelRowsBatchTests.failing.filter { n == 100 || !$0.contains("expr") }.map { transition in
            "name: bad\nstates: \(n)\nactions: 3\ndiscount: 0.5\nreward: \"0\"\nlet:\n  k: \"s >= \(first)\"\ntransition:\n"
                + transition.replacingOccurrences(of: "(s >= R)", with: "k")
        }
        texts.append(Self.guardedFile("mu[0] > 0.5", width: n / 20))
        var mu = [Double](repeating: 0, count: n)
        mu[0] = 1
        for text in texts {
            let (file, _) = try loadGame(text)
            let (game, plain, cache) = try Self.pair(file)
            #expect(cache != nil, "\(text)")
            KernelRowsBatchTests.expectSameError(file, game, plain, at: mu, "\(n) \(text)")
        }
    }

    /// A transition written as one expression over `t` with `let` bindings: `center` and
    /// `spread` (μ-free) are cached, `w` (reads `t`) and `crowd` (reads `mu`) are not.
    static func expressionFile(states n: Int, actions m: Int) -> String {
        """
        name: expression-over-t
        states: \(n)
        actions: \(m)
        discount: 0.9
        let:
          center: "mod(s + 7 * a, states)"
          spread: "1 + mod(s, 3) + a"
          w: "exp(-abs(t - center) / spread)"
          crowd: "mu[center] * states"
        reward: "-mu[s]"
        transition:
          expr: "w * exp(-crowd) + (t == s) * 0.1"
          normalize: true
        """
    }

    /// The expression's batch rows with the cache equal those without it bit for bit: serial
    /// (60 states, three mean fields) and in parallel chunks (500 states, 2,000 rows, one mean
    /// field); and a changed cached `center` changes exactly its row (the rows read the cache).
    @Test func anExpressionOverTGivesTheUncachedRows() throws {
        for (n, m) in [(60, 3), (500, 4)] {
            let (file, _) = try loadGame(Self.expressionFile(states: n, actions: m))
            let (game, plain, cache) = try Self.pair(file)
            #expect(cache?.names == ["center", "spread"])
            let fields = KernelRowsBatchTests.meanFields(n)
            for (k, mu) in (n == 60 ? fields : [fields[1]]).enumerated() {
                KernelRowsBatchTests.expectSame(try game.kernelSnapshot(at: mu).layout.rows,
                                                try plain.kernelSnapshot(at: mu).layout.rows, "\(n) μ \(k)")
            }
        }
        let (file, _) = try loadGame(Self.expressionFile(states: 60, actions: 3))
        let (game, plain, cache) = try Self.pair(file)
        let mu = KernelRowsBatchTests.meanFields(60)[1]
        var table = try #require(cache?.table(mu))
        let row = 10 * 3 + 1  // s = 10, a = 1: center 17
        #expect(table.values[row * 2] == 17 && table.known.isEmpty)
        table.values[row * 2] = 40
        cache?.replaceTable(table)
        let changed = try game.kernelSnapshot(at: mu).layout.rows, expected = try plain.kernelSnapshot(at: mu).layout.rows
        for r in 0..<180 {
            let a = changed.probabilities[changed.rowStart[r]..<changed.rowEnd[r]].map(\.bitPattern)
            let b = expected.probabilities[expected.rowStart[r]..<expected.rowEnd[r]].map(\.bitPattern)
            #expect((a == b) == (r != row), "row \(r)")
        }
    }

    /// No cache where it cannot help: a kernel that does not read `mu`, or no μ-free binding.
    @Test func noCacheWhereNothingIsHoisted() throws {
        let fixed = "name: f\nstates: 4\nactions: 2\ndiscount: 0.5\nreward: \"mu[s]\"\nlet:\n  k: \"mod(s + a, states)\"\ntransition:\n  successors:\n    - {to: k, p: 1}\n"
        let (fixedFile, _) = try loadGame(fixed)
        #expect(fixedFile.kernelRows(cachingBindings: true).cache == nil)
        let muOnly = "name: f\nstates: 4\nactions: 2\ndiscount: 0.5\nreward: \"0\"\nlet:\n  g: \"0.5 * mu[s]\"\ntransition:\n  successors:\n    - {to: s, p: g}\n    - {to: 0, p: \"1 - g\"}\n"
        let (muFile, _) = try loadGame(muOnly)
        #expect(muFile.kernelRows(cachingBindings: true).cache == nil)
    }
}
