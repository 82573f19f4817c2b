import Foundation

/// The first `python3` (on `PATH`, then in the usual places) that can import
/// numpy, else `nil`: tests that compare with numpy-written files are skipped
/// when there is none. Looked up once per test process (importing numpy costs
/// about 0.3 s of CPU, and many parameterized cases ask).
public func pythonWithNumPy() -> String? { pythonWithNumPyPath }

/// The lookup behind ``pythonWithNumPy()``, run once (a global is initialized lazily and
/// thread-safely).
private let pythonWithNumPyPath: String? = findPythonWithNumPy()

private func findPythonWithNumPy() -> String? {
    let searchPath = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map { "\($0)/python3" }
    for path in searchPath + ["/usr/bin/python3", "/usr/local/bin/python3", "/opt/homebrew/bin/python3"]
    where FileManager.default.isExecutableFile(atPath: path) && pythonCanImport(path, "numpy") {
        return path
    }
    return nil
}

/// ``pythonWithNumPy()`` if it can also import `module` (such as `scipy.optimize`), else `nil`.
public func pythonWithNumPy(importing module: String) -> String? {
    guard let python = pythonWithNumPy(), pythonCanImport(python, module) else { return nil }
    return python
}

/// Whether `python -c "import MODULE"` succeeds.
func pythonCanImport(_ python: String, _ module: String) -> Bool {
    commandSucceeds(python, ["-c", "import \(module)"])
}

/// Whether `executable` with `arguments` runs and exits with status 0 (its output discarded).
public func commandSucceeds(_ executable: String, _ arguments: [String]) -> Bool {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: executable)
    p.arguments = arguments
    p.standardOutput = FileHandle.nullDevice
    p.standardError = FileHandle.nullDevice
    guard (try? p.run()) != nil else { return false }
    p.waitUntilExit()
    return p.terminationStatus == 0
}

/// The path of the repository's `scripts/NAME`.
public func repositoryScript(_ name: String) -> String {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("scripts").appendingPathComponent(name).path
}

/// Runs `python script` with `input` on its standard input (written on a second thread, so
/// that a large answer cannot block the writer) and returns its standard output and exit status.
public func runPython(_ python: String, script: String, input: Data) throws -> (output: Data, status: Int32) {
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

/// ``runPython(_:script:input:)``'s standard output, or `nil` when the script exits with a
/// non-zero status.
public func runPythonFilter(_ python: String, script: String, input: Data) throws -> Data? {
    let (data, status) = try runPython(python, script: script, input: input)
    return status == 0 ? data : nil
}
