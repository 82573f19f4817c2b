import Foundation
import Testing
import TestSupport

@Suite("rmfg sweep and merge")
struct SweepCommandTests {
    static let cells = ["--sets", "tv,kl,wasserstein", "--radii", "0,0.1", "--test-radius", "0.1", "--samples", "4", "--seed", "9"]

    @Test func sweepJSONAndFiles() throws {
        let dir = try ScratchFolder()
        let game = try dir.write("two.yaml", twoStateGame)
        let r = try rmfg(["sweep", game, "--format", "json", "--output", dir.path("out")] + Self.cells)
        #expect(r.status == 0, "\(r.stderr)")
        let j = try r.json()
        #expect(j["game"] as? String == "two-state")
        #expect(j["sets"] as? [String] == ["tv", "kl", "wasserstein"])
        #expect(numbers(j, "radii") == [0, 0.1])
        #expect(number(j, "testRadius") == 0.1)
        #expect(j["converged"] as? Bool == true)
        let rows = try #require(j["rows"] as? [[String: Any]])
        #expect(rows.count == 6)
        for (k, row) in rows.enumerated() {
            #expect(row["cell"] as? Int == k)
            for key in ["price", "protection", "worstCase", "worstCaseNominalPolicy", "randomMean", "randomP5",
                        "nominalValue", "exploitability", "iterations"] {
                #expect(row[key] is NSNumber, "missing \(key)")
            }
            if number(row, "radius") == 0 {
                #expect(abs(number(row, "price") ?? 1) <= 1e-8)
            } else {
                // Tested at its own radius, the robust policy is at least as safe as the nominal one.
                #expect((number(row, "protection") ?? -1) >= -1e-9)
            }
        }
        let csv = try String(contentsOfFile: dir.path("out/sweep.csv"), encoding: .utf8)
        #expect(csv.split(separator: "\n").count == 7)
        #expect(csv.hasPrefix("cell,set,radius,testRadius,converged,iterations,"))
        for name in ["result.json", "timings.csv", "value-tv.svg", "value-kl.svg", "value-wasserstein.svg", "price-protection.svg"] {
            #expect(FileManager.default.fileExists(atPath: dir.path("out/\(name)")), "\(name) missing")
        }
        let resultJSON = try String(contentsOfFile: dir.path("out/result.json"), encoding: .utf8)
        #expect(resultJSON == r.stdout)
    }

    @Test func shardsMergeByteIdentical() throws {
        let dir = try ScratchFolder()
        let game = try dir.write("two.yaml", twoStateGame)
        let full = try rmfg(["sweep", game, "--quiet", "--output", dir.path("full")] + Self.cells)
        #expect(full.status == 0, "\(full.stderr)")
        // Shards as a job array would write them: one folder per task, and two in one folder.
        for (i, folder) in [(0, "a"), (1, "b"), (2, "b")] {
            let r = try rmfg(["sweep", game, "--quiet", "--shard", "\(i)/3", "--output", dir.path(folder)] + Self.cells)
            #expect(r.status == 0, "\(r.stderr)")
        }
        let merged = try rmfg(["merge", dir.path("a"), dir.path("b"), "--output", dir.path("merged")])
        #expect(merged.status == 0, "\(merged.stderr)")
        #expect(merged.stdout == full.stdout)
        for name in ["sweep.csv", "result.json", "value-tv.svg", "value-kl.svg", "price-protection.svg"] {
            let a = try Data(contentsOf: URL(fileURLWithPath: dir.path("full/\(name)")))
            let b = try Data(contentsOf: URL(fileURLWithPath: dir.path("merged/\(name)")))
            #expect(a == b, "\(name) differs")
        }
        let timings = try String(contentsOfFile: dir.path("merged/timings.csv"), encoding: .utf8)
        #expect(timings.split(separator: "\n").count == 7)
        // Reproducible: the same seed gives the same CSV; another seed other random figures.
        let again = try rmfg(["sweep", game, "--quiet", "--output", dir.path("again")] + Self.cells)
        #expect(again.status == 0)
        let csv = try String(contentsOfFile: dir.path("full/sweep.csv"), encoding: .utf8)
        #expect(try String(contentsOfFile: dir.path("again/sweep.csv"), encoding: .utf8) == csv)
        let other = try rmfg(["sweep", game, "--quiet", "--output", dir.path("other")] + Self.cells + ["--seed", "10"])
        #expect(other.status == 0)
        #expect(try String(contentsOfFile: dir.path("other/sweep.csv"), encoding: .utf8) != csv)
        // A missing shard, a duplicated shard, shards of another run: input errors.
        try expectInputError(["merge", dir.path("b")], mentioning: "shard 0 of 3 missing")
        try FileManager.default.copyItem(atPath: dir.path("a"), toPath: dir.path("a2"))
        try expectInputError(["merge", dir.path("a"), dir.path("a2"), dir.path("b")], mentioning: "also found")
        let r = try rmfg(["sweep", game, "--quiet", "--shard", "0/3", "--output", dir.path("c")] + Self.cells + ["--samples", "5"])
        #expect(r.status == 0)
        try expectInputError(["merge", dir.path("c"), dir.path("b")], mentioning: "samples")
        try expectInputError(["merge", dir.path("full")], mentioning: "no shard")
    }

    /// Regression (2026-12-07): the shards' timing files were read loosely (a line that did not
    /// parse was skipped, its seconds copied as written), so a damaged file gave a merged
    /// `timings.csv` with cells missing or text for seconds, and exit 0. Now each is checked
    /// like the shard's rows; a shard with no timing file still merges, without `timings.csv`.
    @Test func shardTimingFilesAreChecked() throws {
        let dir = try ScratchFolder()
        let game = try dir.write("two.yaml", twoStateGame)
        try sweepShards(game, count: 2, cells: Self.cells, into: dir.path("s"))
        let file = dir.path("s/shard-0-of-2-timings.csv")
        let good = try String(contentsOfFile: file, encoding: .utf8)
        let lines = good.split(separator: "\n").map(String.init)
        #expect(lines.count == 4 && lines[0] == "cell,seconds", "\(good)")
        let cells = lines.dropFirst().map { String($0.split(separator: ",")[0]) }
        let ok = try rmfg(["merge", dir.path("s"), "--output", dir.path("m0")])
        #expect(ok.status == 0, "\(ok.stderr)")
        #expect(try String(contentsOfFile: dir.path("m0/timings.csv"), encoding: .utf8).split(separator: "\n").count == 7)
        let damaged: [(text: String, mention: String)] = [
            ("cell,secs\n" + lines.dropFirst().joined(separator: "\n") + "\n", "line 1: expected the header 'cell,seconds'"),
            ([lines[0], lines[1], "\(cells[1]),abc", lines[3]].joined(separator: "\n") + "\n", "line 3: seconds 'abc'"),
            ([lines[0], lines[1], "\(cells[1]),nan", lines[3]].joined(separator: "\n") + "\n", "line 3: seconds 'nan'"),
            ([lines[0], lines[1], "\(cells[1]),-1", lines[3]].joined(separator: "\n") + "\n", "line 3: seconds '-1'"),
            ([lines[0], lines[1], lines[1], lines[3]].joined(separator: "\n") + "\n", "line 3: cell \(cells[0]) listed twice"),
            ([lines[0], lines[1], lines[2]].joined(separator: "\n") + "\n", "no line for cell \(cells[2])"),
            ([lines[0], lines[1], "1,0.5", lines[3]].joined(separator: "\n") + "\n", "line 3: cell '1', expected one of the shard's 3 cells"),
            ([lines[0], lines[1], lines[2] + ",7", lines[3]].joined(separator: "\n") + "\n", "line 3: expected 'cell,seconds', found 3 fields"),
        ]
        // Line ends CRLF: the same timings.
        try good.replacingOccurrences(of: "\n", with: "\r\n").write(toFile: file, atomically: true, encoding: .utf8)
        let crlf = try rmfg(["merge", dir.path("s"), "--output", dir.path("crlf")])
        #expect(crlf.status == 0, "\(crlf.stderr)")
        #expect(try String(contentsOfFile: dir.path("crlf/timings.csv"), encoding: .utf8)
            == String(contentsOfFile: dir.path("m0/timings.csv"), encoding: .utf8))
        for (k, bad) in damaged.enumerated() {
            try bad.text.write(toFile: file, atomically: true, encoding: .utf8)
            try expectInputError(["merge", dir.path("s"), "--output", dir.path("m\(k + 1)")], mentioning: "shard-0-of-2-timings.csv: " + bad.mention)
            #expect(!FileManager.default.fileExists(atPath: dir.path("m\(k + 1)")))
        }
        // A folder in its place is refused; no file at all merges without timings.csv.
        try FileManager.default.removeItem(atPath: file)
        try FileManager.default.createDirectory(atPath: file, withIntermediateDirectories: false)
        try expectInputError(["merge", dir.path("s")], mentioning: "shard-0-of-2-timings.csv: cannot read the file (it is a folder)")
        try FileManager.default.removeItem(atPath: file)
        let without = try rmfg(["merge", dir.path("s"), "--output", dir.path("none")])
        #expect(without.status == 0, "\(without.stderr)")
        #expect(FileManager.default.fileExists(atPath: dir.path("none/sweep.csv")))
        #expect(!FileManager.default.fileExists(atPath: dir.path("none/timings.csv")))
    }

    @Test func invalidFlagsNameTheFlag() throws {
        let dir = try ScratchFolder()
        let game = try dir.write("two.yaml", twoStateGame)
        try expectInputError(["sweep", game, "--sets", "tv,box"], mentioning: "--sets")
        try expectInputError(["sweep", game, "--sets", "tv,tv"], mentioning: "--sets")
        try expectInputError(["sweep", game, "--radii", "0,-0.1"], mentioning: "--radii")
        try expectInputError(["sweep", game, "--radii", "0,x"], mentioning: "--radii")
        try expectInputError(["sweep", game, "--test-radius", "-1"], mentioning: "--test-radius")
        try expectInputError(["sweep", game, "--samples", "0"], mentioning: "--samples")
        try expectInputError(["sweep", game, "--seed", "-3"], mentioning: "--seed")
        try expectInputError(["sweep", game, "--shard", "3/3", "--output", dir.path("x")], mentioning: "--shard")
        try expectInputError(["sweep", game, "--shard", "0/2"], mentioning: "--shard")
        try expectInputError(["sweep", dir.path("missing.yaml")], mentioning: "missing.yaml")
        try expectInputError(["sweep", game, "--temperature", "-1", "--sets", "tv", "--radii", "0"], mentioning: "temperature")
    }
}
