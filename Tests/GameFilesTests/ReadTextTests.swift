import Foundation
@testable import GameFiles
import Randomness
import TestSupport
import Testing

/// `DocumentReader.readText(path:)`, which reads a regular file straight into the string's
/// storage: on random files of every length around the eight-byte words of its ASCII check —
/// ASCII, valid UTF-8 with multi-byte characters anywhere, invalid bytes anywhere — it must
/// return exactly the text the standard library's validating decoder gives for the same bytes,
/// and fail with "not UTF-8 text" exactly where that decoder fails; files it cannot read in
/// place keep their errors.
@Suite("Reading text files")
struct ReadTextTests {
    static func scratch() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rmfg-read-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    /// Random bytes: mostly ASCII, with multi-byte characters, and (when `invalid`) one
    /// stray byte that UTF-8 never allows in that place.
    static func bytes(count: Int, invalid: Bool, _ rng: inout SplitMix64) -> [UInt8] {
        var out: [UInt8] = []
        while out.count < count {
            switch rng.next() % 8 {
            case 0: out += Array("μ".utf8)
            case 1: out += Array("€".utf8)
            case 2: out += Array("𝔼".utf8)
            default: out.append(UInt8(32 + rng.next() % 95))
            }
        }
        if invalid, !out.isEmpty {
            out[Int(rng.next() % UInt64(out.count))] = [0xFF, 0xC0, 0x80, 0xF5][Int(rng.next() % 4)]
        }
        return out
    }

    @Test func readsExactlyWhatTheValidatingDecoderReads() throws {
        let seed = TestSeed()
        var rng = seed.generator
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("t.json").path
        var failures = 0
        for trial in 0..<400 {
            let count = trial < 200 ? trial % 40 : Int(rng.next() % 70_000)
            let bytes = Self.bytes(count: count, invalid: rng.next() % 3 == 0, &rng)
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            let expected = String(validating: bytes, as: UTF8.self)
            do {
                let text = try DocumentReader.readText(path: path)
                #expect(Array(text.utf8) == bytes && expected != nil, "seed \(seed), trial \(trial)")
            } catch {
                failures += 1
                #expect(expected == nil && error.message == "not UTF-8 text", "seed \(seed), trial \(trial): \(error)")
            }
        }
        #expect(failures > 50, "seed \(seed): only \(failures) invalid files")
    }

    @Test func filesNotReadInPlaceKeepTheirErrors() throws {
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let empty = dir.appendingPathComponent("empty.json").path
        try Data().write(to: URL(fileURLWithPath: empty))
        #expect(try DocumentReader.readText(path: empty) == "")
        #expect { try DocumentReader.readText(path: dir.path) } throws: { error in
            (error as? GameFileError)?.message == "cannot read the file (it is a folder)"
        }
        #expect { try DocumentReader.readText(path: dir.appendingPathComponent("missing.json").path) } throws: { error in
            (error as? GameFileError)?.message == "cannot read the file (no such file)"
        }
    }

    /// Regression (2026-12-07): the readers checked a path with `stat` and then opened it, so a
    /// path replaced by a FIFO between the two made `open(2)` wait for a writer for ever.
    /// ``InputFileKind/open(_:)`` decides on the descriptor it opened without blocking; called
    /// here directly, without the path check before it, as the race would leave it.
    @Test func theOpenDescriptorDecidesWithoutWaiting() throws {
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let fifo = dir.appendingPathComponent("fifo.yaml").path
        #expect(mkfifo(fifo, 0o600) == 0)
        guard case .special = InputFileKind.open(fifo) else {
            Issue.record("a FIFO was not refused on its descriptor")
            return
        }
        guard case .folder = InputFileKind.open(dir.path) else {
            Issue.record("a folder was not refused on its descriptor")
            return
        }
        guard case .failed(ENOENT) = InputFileKind.open(dir.appendingPathComponent("missing").path) else {
            Issue.record("a missing file did not fail with ENOENT")
            return
        }
        let file = dir.appendingPathComponent("game.yaml").path
        let text = String(repeating: "name: g\n", count: 20_000)
        try Data(text.utf8).write(to: URL(fileURLWithPath: file))
        guard case let .descriptor(fd) = InputFileKind.open(file) else {
            Issue.record("a regular file was refused")
            return
        }
        defer { close(fd) }
        #expect(fcntl(fd, F_GETFL) & O_NONBLOCK == 0, "the descriptor was left non-blocking")
        guard case let .success(bytes) = InputFileKind.readAll(fd, limit: 1 << 20) else {
            Issue.record("the regular file could not be read")
            return
        }
        #expect(bytes == Array(text.utf8))
        // The readers refuse the FIFO with their usual line (their path check comes first).
        #expect { try DocumentReader.readText(path: fifo) } throws: { error in
            (error as? GameFileError)?.message == InputFileKind.specialText
        }
        #expect { try NumericArrayFile.readArray(path: fifo) } throws: { error in
            (error as? GameFileError)?.message == "not a regular file (a device, FIFO or socket cannot hold an array)"
        }
        #expect { try NumericArrayFile.readArray(path: dir.path) } throws: { error in
            (error as? GameFileError)?.message == InputFileKind.folderText
        }
    }
}
