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
