import Foundation
import LinearProgramming

/// Writes `lp` in CPLEX LP format for `--export-lp FILE`, all but the last step: by
/// ``stageOutputFile(_:to:flag:inputs:)``, whose writes are checked (a full disk or
/// `/dev/full` is an error, special files are written through, symbolic links kept). A
/// regular file is left staged beside `FILE`, to be renamed over it by ``ExportedLP/write()``
/// once the report is on standard output, so that a failed standard output (`> /dev/full`)
/// leaves `FILE` as it was (Docs/CLI.md, "Single output files").
///
/// GLPK writes into a private temporary folder; the text is checked to be
/// complete (it ends with `End`).
func exportCPLEX(_ lp: LinearProgram, to path: String, inputs: [String]) throws -> ExportedLP {
    ExportedLP(staged: try stageOutputFile(try cplexText(lp), to: path, flag: "--export-lp", inputs: inputs))
}

/// An exported LP: written, or staged beside its file.
struct ExportedLP {
    let staged: StagedOutputFile?

    /// Moves a staged file into place (nothing to do for one written through).
    func write() throws {
        try staged?.commit()
    }
}

/// `lp` in CPLEX LP format, as GLPK writes it.
private func cplexText(_ lp: LinearProgram) throws -> String {
    var template = Array((NSTemporaryDirectory() + "/rmfg-lp-XXXXXX").utf8CString)
    guard let made = mkdtemp(&template) else {
        throw InputError("--export-lp: cannot create a temporary folder: \(errnoText(errno))")
    }
    let folder = String(cString: made)
    let file = folder + "/problem.lp"
    let folderSlot = TemporaryPaths.register(folder, as: .folder)
    let fileSlot = TemporaryPaths.register(file, as: .file)
    defer {
        _ = unlink(file)
        _ = rmdir(folder)
        TemporaryPaths.unregister(fileSlot)
        TemporaryPaths.unregister(folderSlot)
    }
    do { try lp.writeCPLEX(to: file) } catch { throw InputError("--export-lp: \(error.description)") }
    guard let data = FileManager.default.contents(atPath: file) else {
        throw InputError("--export-lp: cannot read back the LP file GLPK wrote in '\(folder)'")
    }
    let text = String(decoding: data, as: UTF8.self)
    guard text.hasSuffix("End\n") || text.hasSuffix("end\n") else {
        throw InputError("--export-lp: GLPK wrote an incomplete LP file in '\(folder)' (is that disk full?)")
    }
    return text
}
