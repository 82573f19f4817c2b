import Experiments
import Foundation
import Testing

/// The sweep manifest, the file digest and the merge checks, in the library (no CLI).
@Suite("Experiments: manifests, digests and merging shards")
struct ShardedSweepTests {
    /// Published FNV-1a 64-bit test vectors (Fowler, Noll, Vo), computed independently of this code.
    @Test("FNV-1a digest matches the reference vectors")
    func digestVectors() throws {
        #expect(FileDigest.fnv1a64(Array("".utf8)) == "cbf29ce484222325")
        #expect(FileDigest.fnv1a64(Array("a".utf8)) == "af63dc4c8601ec8c")
        #expect(FileDigest.fnv1a64(Array("foobar".utf8)) == "85944171f73967e8")
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("digest-\(UUID().uuidString).txt")
        try Data("foobar".utf8).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        #expect(FileDigest.fnv1a64(path: url.path) == "85944171f73967e8")
        #expect(FileDigest.fnv1a64(path: url.path + ".missing") == "unreadable")
    }

    static let text = """
        format: rmfg-sweep 1
        game: g
        sets: tv,kl
        radii: 0,0.1
        testRadius: 0.1
        samples: 4
        seed: 1
        cells: 4
        nominal.converged: true
        nominal.iterations: 7
        nominal.exploitability: 1e-12
        nominal.stationarityResidual: 2e-13
        nominal.value: 2.5
        shard: 1/2

        """

    @Test("a manifest round-trips and gives its layout")
    func manifestRoundTrip() throws {
        let m = try SweepManifest.parse(Self.text)
        #expect(m.text == Self.text)
        #expect(m["shard"] == "1/2" && m.identity.contains("game: g") && !m.identity.contains("shard"))
        #expect(try m.integer("cells") == 4 && m.sets == ["tv", "kl"] && m.radii() == [0, 0.1])
        let layout = try m.layout()
        #expect(layout.cellCount == 4 && layout.nominalBaseline == 2.5 && layout.testRadius == 0.1)
    }

    @Test("malformed manifests are refused with one line")
    func malformedManifests() {
        #expect(throws: ExperimentError.invalidShard("'garbage' is not a 'key: value' line")) {
            try SweepManifest.parse("format: rmfg-sweep 1\ngarbage\n")
        }
        #expect(throws: ExperimentError.invalidShard("not an rmfg sweep manifest (no 'format: rmfg-sweep 1' line)")) {
            try SweepManifest.parse("game: g\n")
        }
        #expect(throws: ExperimentError.invalidShard("the line 'cells:' is missing")) {
            try SweepManifest.parse(Self.text.replacingOccurrences(of: "cells: 4\n", with: ""))
        }
        #expect(throws: ExperimentError.invalidShard("radii: 'x' is not a number")) {
            try SweepManifest.parse(Self.text.replacingOccurrences(of: "radii: 0,0.1", with: "radii: 0,x")).layout()
        }
    }

    @Test("a merge names the missing shard, and an empty folder")
    func mergeChecks() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("shards-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(throws: ExperimentError.invalidShard("\(dir.path): no shard-i-of-n.manifest files found")) {
            try ShardedSweep(folders: [dir.path])
        }
        try Data(Self.text.utf8).write(to: dir.appendingPathComponent("shard-1-of-2.manifest"))
        #expect(throws: ExperimentError.invalidShard("shard 0 of 2 missing (expected shard-0-of-2.manifest and .csv; rerun that shard)")) {
            try ShardedSweep(folders: [dir.path])
        }
        try Data(Self.text.utf8).write(to: dir.appendingPathComponent("shard-0-of-2.manifest"))
        let path = dir.appendingPathComponent("shard-0-of-2.manifest").path
        #expect(throws: ExperimentError.invalidShard("\(path): the file name does not match its 'shard: 1/2' line")) {
            try ShardedSweep(folders: [dir.path])
        }
    }
}
