import ArgumentParser
import Foundation
import NumberText

/// How a command prints its result.
enum OutputFormat: String, CaseIterable, Sendable {
    case text, json
}

/// `--format`, shared by every command.
struct FormatOptions: ParsableArguments {
    @Option(name: .customLong("format"), help: "Output format: text (a human-readable table) or json (exactly one JSON object on standard output).")
    var choice: Choice<OutputFormat> = FormatOptions.defaultChoice

    /// The default of `--format` (also set by ``SubcommandParse``'s shortcut for `rmfg solve`).
    static let defaultChoice = Choice<OutputFormat>(.text)

    /// The format; another name is an ``InputError`` naming `--format` (exit status 2).
    /// Commands read it before they compute or write anything.
    var format: OutputFormat { get throws { try Self.format(choice) } }

    /// The format `choice` names; another name is an ``InputError`` naming `--format`.
    static func format(_ choice: Choice<OutputFormat>) throws -> OutputFormat { try choice.value(flag: "--format") }
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

/// ``runCommand(_:)`` for a command with `--format`: an unknown format stops the command
/// (exit status 2) before `body` computes or writes anything.
func runCommand(format: FormatOptions, _ body: () throws -> Bool) throws {
    try runCommand(format: format.choice, body)
}

/// ``runCommand(format:_:)`` for the value of `--format` itself.
func runCommand(format: Choice<OutputFormat>, _ body: () throws -> Bool) throws {
    try runCommand {
        _ = try FormatOptions.format(format)
        return try body()
    }
}

/// Writes one line to standard error with the `rmfg: error:` prefix; control
/// characters (from names in input files) are escaped. A standard error that
/// cannot be written is ignored: the exit status still tells.
func printError(_ message: String) {
    let line = "rmfg: error: " + terminalSafe(message.replacingOccurrences(of: "\n", with: " ")) + "\n"
    _ = writeAll(2, line)
}

/// Writes `text` (plus a final newline) to standard output in one piece, with
/// control characters other than newline and tab escaped. When standard output
/// cannot be written (a full disk, `/dev/full`, a closed descriptor) prints one
/// line with the reason, removes every temporary file and folder of the run
/// (files an ``OutputDirectory`` has staged but not committed: `exit` runs no
/// `deinit`) and exits with status 2.
func emit(_ text: String) {
    let safe = terminalSafe(text.hasSuffix("\n") ? text : text + "\n")
    let code = writeAll(1, safe)
    if code != 0 {
        printError("cannot write to standard output: \(errnoText(code))")
        TemporaryPaths.removeAll()
        exit(2)
    }
}

/// Writes progress text to standard error; failures are ignored (progress is optional).
func writeProgress(_ text: String) {
    _ = writeAll(2, text)
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
    /// Writes the files into `folder` (created if needed) when one is given, and prints the
    /// report in `format`: all of the files or none (see ``OutputDirectory``), and none when
    /// standard output cannot be written. `inputs` are the files the command read, which the
    /// output must not overwrite; `figures` says how figures are written.
    ///
    /// The order is stage, print, commit (``printThenCommit(_:format:)``).
    func writeAndPrint(toFolder folder: String?, inputs: [String] = [], figures: FigureSettings = FigureSettings(),
                       format: OutputFormat) throws {
        let dir = try folder.map { try OutputDirectory($0, inputs: inputs) }
        if let dir {
            dir.figures = figures
            try writeFiles(to: dir)
        }
        try printThenCommit(dir, format: format)
    }

    /// Prints the report, then commits the files `dir` has staged (when there is a folder).
    ///
    /// Standard output is written while the files are still staged, not after they are in
    /// place, so that a failed write there (`> /dev/full`, a closed descriptor) leaves
    /// nothing of the run: ``emit(_:)`` removes the staged files and exits with status 2.
    /// Rolling the folder back after a commit would not fit the staging design: in an
    /// existing folder the replaced files could be put back only from the hard links that
    /// ``OutputDirectory/commit()`` drops once every rename succeeded. The price is the
    /// other order's failure: when the commit itself fails (a rename refused), the report
    /// is already on standard output; the error line and exit status 2 say that no file
    /// was written.
    func printThenCommit(_ dir: OutputDirectory?, format: OutputFormat) throws {
        print(as: format)
        try dir?.commit()
    }

    /// Prints the report in `format` on standard output.
    func print(as format: OutputFormat) {
        switch format {
        case .json: emit(json.serialized)
        case .text: emit(text)
        }
    }
}
