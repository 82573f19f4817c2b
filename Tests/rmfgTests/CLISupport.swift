import Foundation
import Testing

/// The result of running the `rmfg` executable.
struct CommandResult {
    let status: Int32
    let stdout: String
    let stderr: String

    /// The standard output parsed as one JSON object.
    func json(sourceLocation: SourceLocation = #_sourceLocation) throws -> [String: Any] {
        let object = try JSONSerialization.jsonObject(with: Data(stdout.utf8))
        guard let dict = object as? [String: Any] else {
            Issue.record("stdout is not a JSON object: \(stdout)", sourceLocation: sourceLocation)
            return [:]
        }
        return dict
    }
}

/// The folder holding the built products (`rmfg` sits beside the test bundle).
let productsDirectory: URL = {
    #if os(macOS)
    for bundle in Bundle.allBundles where bundle.bundlePath.hasSuffix(".xctest") {
        return bundle.bundleURL.deletingLastPathComponent()
    }
    return Bundle.main.bundleURL
    #else
    return Bundle.main.bundleURL
    #endif
}()

/// The repository root (for bundled examples).
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// Runs `rmfg` with `arguments` in the repository root and captures its output;
/// `environment` entries are added to (or replace) the test's own.
func rmfg(_ arguments: [String], stdin: String? = nil, environment: [String: String] = [:]) throws -> CommandResult {
    let process = Process()
    process.executableURL = productsDirectory.appendingPathComponent("rmfg")
    process.arguments = arguments
    process.currentDirectoryURL = repositoryRoot
    if !environment.isEmpty {
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    }
    return try capture(process)
}

/// Starts `process` with both output streams piped and its standard input
/// empty, reads both streams in full (standard error on a second thread, so a
/// large output on either cannot block the child) and waits for it.
func capture(_ process: Process) throws -> CommandResult {
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    process.standardInput = FileHandle.nullDevice
    try process.run()
    let errorText = ErrorText()
    let reader = Thread { errorText.data = err.fileHandleForReading.readDataToEndOfFile() }
    reader.start()
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    while !reader.isFinished { usleep(1000) }
    return CommandResult(status: process.terminationStatus,
                         stdout: String(decoding: outData, as: UTF8.self),
                         stderr: String(decoding: errorText.data, as: UTF8.self))
}

/// Standard error collected by ``capture(_:)``'s reader thread (read only after it finished).
private final class ErrorText: @unchecked Sendable {
    var data = Data()
}

/// Asserts an input error: exit status 2, nothing on standard output, one line
/// on standard error that mentions `mention`.
func expectInputError(_ arguments: [String], mentioning mention: String,
                      sourceLocation: SourceLocation = #_sourceLocation) throws {
    let r = try rmfg(arguments)
    #expect(r.status == 2, "status \(r.status) for \(arguments): \(r.stderr)", sourceLocation: sourceLocation)
    #expect(r.stdout.isEmpty, "partial output: \(r.stdout)", sourceLocation: sourceLocation)
    let lines = r.stderr.split(separator: "\n")
    #expect(lines.count == 1, "expected one error line, got: \(r.stderr)", sourceLocation: sourceLocation)
    #expect(r.stderr.contains(mention), "'\(mention)' not in: \(r.stderr)", sourceLocation: sourceLocation)
}

/// A number from a JSON object.
func number(_ object: [String: Any], _ key: String) -> Double? {
    (object[key] as? NSNumber)?.doubleValue
}

/// A vector of numbers from a JSON object.
func numbers(_ object: [String: Any], _ key: String) -> [Double]? {
    (object[key] as? [Any])?.compactMap { ($0 as? NSNumber)?.doubleValue }
}

/// Whether `glpsol` (Debian `glpk-utils`) is installed; `make test` installs it.
let glpsolPath: String? = {
    for dir in ["/usr/bin", "/usr/local/bin", "/opt/homebrew/bin"] {
        let path = dir + "/glpsol"
        if FileManager.default.isExecutableFile(atPath: path) { return path }
    }
    return nil
}()

/// Runs `rmfg sweep game --shard i/count` for every shard into `folder` with the sweep flags
/// `cells`, expecting each to succeed.
func sweepShards(_ game: String, count: Int, cells: [String], into folder: String,
                 sourceLocation: SourceLocation = #_sourceLocation) throws {
    for i in 0..<count {
        let r = try rmfg(["sweep", game, "--quiet", "--shard", "\(i)/\(count)", "--output", folder] + cells)
        #expect(r.status == 0, "\(r.stderr)", sourceLocation: sourceLocation)
    }
}
