import Foundation
import Testing

@Suite("rmfg merge validates rows")
struct MergeValidationTests {
    static let cells = ["--sets", "tv,kl", "--radii", "0,0.1", "--test-radius", "0.1", "--samples", "2", "--seed", "3"]

    /// A row whose set and radius are another cell's is refused (it would list that cell twice).
    @Test func aRowContradictingItsCellIndexIsRefused() throws {
        let dir = try ScratchFolder()
        let game = try dir.write("two.yaml", twoStateGame)
        try sweepShards(game, count: 2, cells: Self.cells, into: dir.path("s"))
        let good = try rmfg(["merge", dir.path("s"), "--format", "json"])
        #expect(good.status == 0, "\(good.stderr)")
        // Shard 1 holds cells 1 (tv, 0.1) and 3 (kl, 0.1). Give cell 3 the set of cell 1.
        let path = dir.path("s/shard-1-of-2.csv")
        let original = try String(contentsOfFile: path, encoding: .utf8)
        var lines = original.split(separator: "\n").map(String.init)
        var fields = lines[2].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        #expect(fields[0] == "3" && fields[1] == "kl")
        fields[1] = "tv"
        lines[2] = fields.joined(separator: ",")
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        try expectInputError(["merge", dir.path("s")], mentioning: "shard-1-of-2.csv: line 3: cell 3: column set: 'tv', expected 'kl'")
        // Its radius instead: cell 3 with radius 0 (cell 2's).
        fields[1] = "kl"
        fields[2] = "0.0"
        lines[2] = fields.joined(separator: ",")
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        try expectInputError(["merge", dir.path("s")], mentioning: "column radius: 0.0, expected 0.1")
        // Nothing is written on refusal.
        let r = try rmfg(["merge", dir.path("s"), "--output", dir.path("merged")])
        #expect(r.status == 2)
        #expect(!FileManager.default.fileExists(atPath: dir.path("merged/sweep.csv")))
    }
}
