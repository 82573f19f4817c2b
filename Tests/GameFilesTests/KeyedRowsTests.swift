import Foundation
@testable import GameFiles
@testable import MeanField
import Randomness
import Testing

/// Kernel rows written as probabilities into a structure built once (`KeyedRows`): at every mean
/// field they equal, bit for bit, the rows of the same game written without keyed weights or the
/// binding cache (the writer's path, row by row); a refresh gives whole rows exactly when every
/// weight is positive and every row valid, and otherwise hands over to the writer's rows, which
/// drop the zero entries or report the same error.
@Suite struct KeyedRowsTests {
    /// What the preparation gave at one mean field.
    enum Path: Equatable { case rows, function, none }

    static func path(_ file: GameFile, _ mu: [Double]) throws -> Path {
        let preparation = try #require(file.keyedKernelRows().preparation)
        switch preparation(mu) {
        case .rows?: return .rows
        case .function?: return .function
        case nil: return .none
        }
    }

    /// Random mean fields over `n` states: uniform (every target ties), Dirichlet draws, sparse
    /// ones (half the states empty), and all the mass on one state.
    static func meanFields(_ n: Int, count: Int, seed: UInt64) -> [[Double]] {
        var g = SplitMix64(seed: seed)
        var fields: [[Double]] = [uniform(n)]
        var point = [Double](repeating: 0, count: n)
        point[n / 3] = 1
        fields.append(point)
        while fields.count < count {
            var mu = g.dirichlet(count: n)
            if fields.count % 3 == 0 {
                for i in stride(from: fields.count % 2, to: n, by: 2) { mu[i] = 0 }
                let total = mu.reduce(0, +)
                mu = mu.map { $0 / total }
            }
            fields.append(mu)
        }
        return fields
    }

    /// A grid game whose targets are μ-free (`t`, `s`, a constant) and whose weights read the row
    /// only through `t`.
    static func file(width: Int, _ transition: String) throws -> GameFile {
        let bindings = "  tg: \"if(inside(nx, ny), cell(nx, ny), s)\"\n  kk: \"if(inside(nx, ny), cell(nx, ny), -1)\""
        let text = RowBindingCacheTests.gridFile(width: width, bindings: bindings, transition)
        return try loadGame(text).file
    }

    /// Three entries, two of them always on `s` and all three on `s` where the move stays: the
    /// merges add in entry order.
    static let merged = """
            - {to: tg, p: "0.6 * exp(-0.5 * states * mu[tg])"}
            - {to: s, p: "0.3 * exp(-0.5 * states * mu[tg])"}
            - {to: s, p: "1 - 0.9 * exp(-0.5 * states * mu[tg])"}
        """
    /// Three entries on three distinct states in most rows (each weight stored at its place, with
    /// no zeroing), two or one where the move stays or a target is state 0.
    static let spread = """
            - {to: tg, p: "0.5 * exp(-0.5 * states * mu[tg])"}
            - {to: 0, p: "0.2 + 0.1 * mu[tg]"}
            - {to: s, p: "0.8 - 0.1 * mu[tg] - 0.5 * exp(-0.5 * states * mu[tg])"}
        """
    /// Normalized weights that do not sum to 1, and a constant target.
    static let normalized = """
            - {to: tg, p: "exp(-states * mu[tg])"}
            - {to: 0, p: "0.25 + mu[tg]"}
            - {to: s, p: "1 + 3 * mu[tg]"}
          normalize: true
        """
    /// A weight that is 0 where `N μ(t) ≥ 4.5`: the entry leaves those rows.
    static let vanishing = """
            - {to: tg, p: "max(0, 0.9 - 0.2 * states * mu[tg])"}
            - {to: s, p: "1 - max(0, 0.9 - 0.2 * states * mu[tg])"}
        """
    /// A weight that is negative where `N μ(t) > 4.5`: an error.
    static let failing = """
            - {to: tg, p: "0.9 - 0.2 * states * mu[tg]"}
            - {to: s, p: "0.1 + 0.2 * states * mu[tg]"}
        """

    /// A weight of `5e-324` over a sum of 3 where `μ(t) > 0.5`: positive, but 0 once divided, so
    /// the writer drops the entry.
    static let underflowing = """
            - {to: tg, p: "if(mu[tg] > 0.5, 5e-324, 0.5)"}
            - {to: s, p: "if(mu[tg] > 0.5, 3, 0.5 + mu[tg])"}
          normalize: true
        """
    /// A target that is not known at the border rows' outward moves (`c = cell(nx, ny)` fails
    /// there, where its weight is 0): no structure, every refresh by the writer.
    static let unknownTarget = """
            - {to: c, p: "if(kk >= 0, 0.5 + 0.4 * mu[max(kk, 0)], 0)"}
            - {to: s, p: "if(kk >= 0, 0.5 - 0.4 * mu[max(kk, 0)], 1)"}
        """

    /// 420 instances: seven transitions, a serial (20×20) and a parallel (60×20) grid, 30 mean
    /// fields each.
    @Test(arguments: [20, 60])
    func randomMeanFieldsGiveTheWriterRowsBitForBit(width: Int) throws {
        for (name, transition) in [("merged", Self.merged), ("spread", Self.spread), ("normalized", Self.normalized), ("vanishing", Self.vanishing),
                                   ("failing", Self.failing), ("underflowing", Self.underflowing),
                                   ("unknown target", Self.unknownTarget)] {
            let file = try Self.file(width: width, transition)
            let (game, plain, weights) = try KeyedWeightsTests.pair(file)
            #expect(weights != nil, "\(name)")
            var paths: [Path] = []
            // The structure's entries: every weight of these files is positive at the uniform law.
            let structureEntries = try plain.kernelSnapshot(at: uniform(file.stateCount)).layout.rows.entryCount
            for (k, mu) in Self.meanFields(file.stateCount, count: 30, seed: UInt64(width)).enumerated() {
                let label = "\(name) \(width) μ \(k)"
                let path = try Self.path(file, mu)
                paths.append(path)
                let expectedLayout: NominalLayout
                do {
                    expectedLayout = try plain.kernelSnapshot(at: mu).layout
                } catch {
                    #expect(path == .function, "\(label): an error needs the writer's rows")
                    KernelRowsBatchTests.expectSameError(file, game, plain, at: mu, label)
                    continue
                }
                let layout = try game.kernelSnapshot(at: mu).layout, expected = expectedLayout.rows
                KernelRowsBatchTests.expectSame(layout.rows, expected, label)
                // The sweep slots kept with the structure are those of the rows.
                #expect(layout.slotStarts == expectedLayout.slotStarts && layout.slotRoom == expectedLayout.slotRoom, "\(label)")
                let zeros = expected.entryCount < structureEntries
                #expect(path == (zeros || name == "unknown target" ? .function : .rows), "\(label)")
            }
            // Each transition met the kinds of mean field it was written for.
            switch name {
            // (At the point mass `exp(-N)` underflows to 0 on the 60×20 grid: the writer's rows there.)
            case "merged", "spread", "normalized": #expect(paths.filter { $0 == .rows }.count >= 29, "\(name): \(paths)")
            case "unknown target": #expect(paths.allSatisfy { $0 == .function }, "\(name): \(paths)")
            default: #expect(paths.contains(.rows) && paths.contains(.function), "\(name): \(paths)")
            }
        }
    }

    /// The crowd grid's refreshes are whole rows that share one structure: the same row bounds and
    /// states (one storage), fresh probabilities.
    @Test func crowdGridRefreshesShareTheStructure() throws {
        let file = try KernelRowsBatchTests.load("crowd-grid.yaml", ["width": 30, "height": 30])
        let game = try file.makeGame()
        let fields = KernelRowsBatchTests.meanFields(file.stateCount)
        var previous: KernelRows?
        for mu in fields {
            #expect(try Self.path(file, mu) == .rows)
            let rows = try game.kernelSnapshot(at: mu).layout.rows
            if let previous {
                #expect(rows.indices.withUnsafeBufferPointer { $0.baseAddress }
                            == previous.indices.withUnsafeBufferPointer { $0.baseAddress })
                #expect(rows.probabilities != previous.probabilities)
            }
            previous = rows
        }
    }
}
