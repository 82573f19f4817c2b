// rmfg-fuzz: the coverage-guided fuzz target for the game-file front end
// (YAML/JSON reader, field validation, expression language, game construction).
//
// Two builds of the same file (see Docs/Fuzzing.md):
//
// * `swift build` (no flags): a corpus replayer. `rmfg-fuzz FILE|DIR...` runs
//   every file through `GameFileFuzzTarget.run` and prints one summary line.
//   A crash, trap or hang while replaying is a bug; thrown errors are fine.
//   This keeps the target compiling (and the regression corpus passing) in CI.
//
// * `make fuzz` / `scripts/fuzz.sh` (`-sanitize=fuzzer,address -DFUZZING`):
//   a libFuzzer binary. The file then exports `LLVMFuzzerTestOneInput` and the
//   top-level code hands control to libFuzzer's driver (`LLVMFuzzerRunDriver`),
//   so the binary accepts every libFuzzer option (`-runs=`, `-dict=`, ...).
//   The driver is started from here rather than from libFuzzer's own `main`
//   because SwiftPM links executables with `--defsym main=<module>_main`.
import Foundation
import GameFiles

#if FUZZING

/// libFuzzer's per-input callback: any bytes, never throws; a crash is a finding.
@_cdecl("LLVMFuzzerTestOneInput")
public func gameFileFuzzTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    GameFileFuzzTarget.run(bytes)
    return 0
}

/// libFuzzer's driver entry point (libclang_rt.fuzzer, linked by `-sanitize=fuzzer`).
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt

var fuzzArgc = CommandLine.argc
var fuzzArgv = CommandLine.unsafeArgv
let status = LLVMFuzzerRunDriver(&fuzzArgc, &fuzzArgv, gameFileFuzzTestOneInput)
exit(status)

#else

/// Replays files (or every regular file under a directory) through the target.
struct Replayer {
    var files = 0
    var valid = 0
    var errors = 0
    var unreadable = 0
    var skipped = 0
    var verbose = false

    mutating func replay(path: String) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            FileHandle.standardError.write(Data("rmfg-fuzz: \(path): no such file\n".utf8))
            unreadable += 1
            return
        }
        if isDirectory.boolValue {
            let children = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
            for child in children.sorted() where !child.hasPrefix(".") {
                // open-*: a reproducer of a bug not fixed yet; run only when named explicitly.
                if child.hasPrefix("open-") { skipped += 1; continue }
                replay(path: (path as NSString).appendingPathComponent(child))
            }
            return
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            FileHandle.standardError.write(Data("rmfg-fuzz: \(path): cannot read\n".utf8))
            unreadable += 1
            return
        }
        if verbose { FileHandle.standardError.write(Data("rmfg-fuzz: \(path): ".utf8)) }
        files += 1
        let ok = GameFileFuzzTarget.run([UInt8](data))
        if ok { valid += 1 } else { errors += 1 }
        if verbose { FileHandle.standardError.write(Data((ok ? "valid game\n" : "error\n").utf8)) }
    }
}

var replayer = Replayer()
var paths: [String] = []
for argument in CommandLine.arguments.dropFirst() {
    switch argument {
    case "-h", "--help":
        print("""
        usage: rmfg-fuzz [-v] FILE|DIR...
          Runs each game file (YAML or JSON bytes, any content) through the fuzz target
          GameFileFuzzTarget.run and prints: files, valid games, errors. In a directory,
          files named open-* (reproducers of bugs not fixed yet) are skipped.
          Built with `make fuzz` (scripts/fuzz.sh) it is a libFuzzer binary instead.
        """)
        exit(0)
    case "-v", "--verbose":
        replayer.verbose = true
    case let flag where flag.hasPrefix("-") && flag.contains("="):
        continue  // a libFuzzer option (-runs=…): meaningless when replaying
    default:
        paths.append(argument)
    }
}
guard !paths.isEmpty else {
    FileHandle.standardError.write(Data("usage: rmfg-fuzz [-v] FILE|DIR...\n".utf8))
    exit(2)
}
for path in paths { replayer.replay(path: path) }
print("rmfg-fuzz: \(replayer.files) files, \(replayer.valid) valid games, \(replayer.errors) errors"
    + (replayer.unreadable > 0 ? ", \(replayer.unreadable) unreadable" : "")
    + (replayer.skipped > 0 ? " (\(replayer.skipped) open-* reproducers skipped)" : ""))
exit(replayer.unreadable > 0 ? 1 : 0)

#endif
