import Foundation

/// Writes output files atomically: each goes to a temporary file in the same
/// folder, then is renamed over its destination, so a reader never sees a
/// half-written file and a failed run leaves no partial output.
struct OutputDirectory {
    let url: URL

    /// Creates the folder (and parents) if needed.
    init(_ path: String, flag: String = "--output") throws {
        url = URL(fileURLWithPath: path, isDirectory: true)
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { throw InputError("\(flag): '\(path)' exists and is not a folder") }
        } else {
            do {
                try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
            } catch {
                throw InputError("\(flag): cannot create the folder '\(path)'")
            }
        }
        guard FileManager.default.isWritableFile(atPath: url.path) else {
            throw InputError("\(flag): the folder '\(path)' is not writable")
        }
    }

    /// Writes `text` to `name` inside the folder, atomically.
    func write(_ name: String, _ text: String) throws {
        try writeAtomically(text, to: url.appendingPathComponent(name).path)
    }
}

/// Writes `text` to `path` through a temporary file and a rename.
func writeAtomically(_ text: String, to path: String) throws {
    let destination = URL(fileURLWithPath: path)
    let temporary = destination.deletingLastPathComponent()
        .appendingPathComponent(".\(destination.lastPathComponent).\(ProcessInfo.processInfo.processIdentifier).tmp")
    do {
        try Data(text.utf8).write(to: temporary)
        // rename(2) replaces the destination atomically.
        guard rename(temporary.path, destination.path) == 0 else {
            throw InputError("cannot write '\(path)'")
        }
    } catch {
        try? FileManager.default.removeItem(at: temporary)
        throw InputError("cannot write '\(path)'")
    }
}

/// Whether standard error is a terminal (for progress lines).
var standardErrorIsTerminal: Bool { isatty(2) != 0 }

/// One CSV line from fields (numbers as round-trip decimals, text quoted when needed).
func csvLine(_ fields: [String]) -> String {
    fields.map { f in
        f.contains(",") || f.contains("\"") || f.contains("\n") ? "\"" + f.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : f
    }.joined(separator: ",")
}

/// A number for CSV and JSON-like text: Swift's shortest round-trip form.
func exact(_ x: Double) -> String {
    x == x.rounded() && abs(x) < 1e15 ? String(Int(x)) : "\(x)"
}
