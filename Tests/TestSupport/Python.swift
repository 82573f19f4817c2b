import Foundation

/// The first `python3` (on `PATH`, then in the usual places) that can import
/// numpy, else `nil`: tests that compare with numpy-written files are skipped
/// when there is none.
public func pythonWithNumPy() -> String? {
    let searchPath = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map { "\($0)/python3" }
    for path in searchPath + ["/usr/bin/python3", "/usr/local/bin/python3", "/opt/homebrew/bin/python3"]
    where FileManager.default.isExecutableFile(atPath: path) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: path)
        p.arguments = ["-c", "import numpy"]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        guard (try? p.run()) != nil else { continue }
        p.waitUntilExit()
        if p.terminationStatus == 0 { return path }
    }
    return nil
}

/// Runs `python script` with `input` on standard input and returns its standard output
/// and exit status (the reference scripts under `scripts/` read and write JSON this way).
/// The input is written on a second thread, so a large answer cannot block the writer.
public func runPythonScript(_ python: String, script: String, input: Data) throws -> (output: Data, status: Int32) {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: python)
    p.arguments = [script]
    let stdin = Pipe(), stdout = Pipe()
    p.standardInput = stdin
    p.standardOutput = stdout
    try p.run()
    let writer = stdin.fileHandleForWriting
    let thread = Thread {
        writer.write(input)
        try? writer.close()
    }
    thread.start()
    let data = stdout.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return (data, p.terminationStatus)
}

/// The path of `scripts/NAME` in this checkout.
public func projectScript(_ name: String) -> String {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("scripts").appendingPathComponent(name).path
}
