import Foundation
import GameFiles
import Testing

/// Replays the fuzzer's seed corpus and every saved regression (former crashes,
/// hangs and out-of-memory inputs) through the fuzz target, so a fix cannot
/// silently regress. Each input must finish (valid game or thrown error).
@Suite("Fuzz corpus and regressions")
struct FuzzCorpusTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fuzz")

    static func files(_ folder: String) -> [URL] {
        let dir = root.appendingPathComponent(folder)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
        return names.sorted().map { dir.appendingPathComponent($0) }
    }

    @Test func corpusReplays() throws {
        let files = Self.files("corpus")
        #expect(files.count >= 30)
        var valid = 0
        for file in files {
            if GameFileFuzzTarget.run(Array(try Data(contentsOf: file))) { valid += 1 }
        }
        // The corpus holds both valid games and files that must be refused.
        #expect(valid > 0 && valid < files.count)
    }

    @Test func regressionsAreRefusedQuickly() throws {
        let files = Self.files("regressions")
        #expect(!files.isEmpty)
        for file in files {
            let start = ContinuousClock.now
            let ok = GameFileFuzzTarget.run(Array(try Data(contentsOf: file)))
            #expect(!ok, "\(file.lastPathComponent) should be refused")
            // A hang guard, not a speed test: the fixed inputs used to run for hours.
            #expect(ContinuousClock.now - start < .seconds(30), "\(file.lastPathComponent) took too long")
        }
    }
}
