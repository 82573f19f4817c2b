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

/// Runs `python script` with `input` on its standard input (written from a second thread,
/// so that a large answer cannot block the writer) and returns its standard output, or
/// `nil` when it exits with a non-zero status.
public func runPythonFilter(_ python: String, script: String, input: Data) throws -> Data? {
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
    return p.terminationStatus == 0 ? data : nil
}
