import ArgumentParser
import Foundation

/// How a command prints its result.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable, Sendable {
    case text, json
}

/// `--format`, shared by every command.
struct FormatOptions: ParsableArguments {
    @Option(help: "Output format: text (a human-readable table) or json (exactly one JSON object on standard output).")
    var format: OutputFormat = .text
}

/// Invalid input from the user: printed as one line, exit status 2.
struct InputError: Error, CustomStringConvertible {
    let description: String
    init(_ message: String) { description = message }
}

/// Runs a command body, turning input errors into one line on standard error
/// and exit status 2, and a computed "goal not reached" into exit status 1.
func runCommand(_ body: () throws -> Bool) throws {
    let succeeded: Bool
    do {
        succeeded = try body()
    } catch let error as ExitCode {
        throw error
    } catch {
        printError("\(error)")
        throw ExitCode(2)
    }
    if !succeeded { throw ExitCode(1) }
}

/// Writes one line to standard error with the `rmfg: error:` prefix.
func printError(_ message: String) {
    let line = "rmfg: error: " + message.replacingOccurrences(of: "\n", with: " ") + "\n"
    FileHandle.standardError.write(Data(line.utf8))
}

/// Writes `text` to standard output in one piece.
func emit(_ text: String) {
    FileHandle.standardOutput.write(Data((text.hasSuffix("\n") ? text : text + "\n").utf8))
}

/// What a command prints (text or one JSON object) and may write to `--output`.
protocol CommandReport {
    /// The JSON output.
    var json: JSON { get }
    /// The text output.
    var text: String { get }
    /// Writes the report's files into an output folder.
    func writeFiles(to dir: OutputDirectory) throws
}

extension CommandReport {
    /// Writes the files into `folder` (created if needed) when one is given.
    func write(toFolder folder: String?) throws {
        guard let folder else { return }
        try writeFiles(to: OutputDirectory(folder))
    }

    /// Prints the report in `format` on standard output.
    func print(as format: OutputFormat) {
        switch format {
        case .json: emit(json.serialized)
        case .text: emit(text)
        }
    }
}
