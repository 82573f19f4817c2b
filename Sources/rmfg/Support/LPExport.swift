import Foundation
import LinearProgramming

/// Writes `lp` in CPLEX LP format to `path` (`--export-lp`).
///
/// GLPK writes into a private temporary folder; the text is checked to be
/// complete (it ends with `End`) and then written by ``writeOutputFile(_:to:flag:inputs:)``,
/// whose writes are checked, so a full disk or `/dev/full` is an error, special
/// files are written through and symbolic links kept.
func exportCPLEX(_ lp: LinearProgram, to path: String, inputs: [String]) throws {
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
    try writeOutputFile(text, to: path, flag: "--export-lp", inputs: inputs)
}
