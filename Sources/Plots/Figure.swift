/// Figure sizes, formats and the PNG/PDF renderer.

import Foundation

/// How wide a figure is laid out.
package enum FigureWidth: String, Sendable, CaseIterable {
    /// Each chart's own width, in screen pixels (the default).
    case screen
    /// One column of a two-column paper: 3.5 inches.
    case column
    /// The text width of a page: 7 inches.
    case page

    /// The printed width, `nil` for ``screen``.
    package var inches: Double? {
        switch self {
        case .screen: return nil
        case .column: return 3.5
        case .page: return 7
        }
    }

    /// User units per inch of a printed figure: 99, so that the 11-unit tick labels print at
    /// 8 pt and the 14-unit titles at 10 pt.
    package static let unitsPerInch = 99.0

    /// The layout width in user units, `nil` for ``screen``.
    var units: Double? { inches.map { $0 * FigureWidth.unitsPerInch } }
}

/// A chart that can be laid out at a ``FigureWidth``.
package protocol Figure: Sendable {
    /// The width the chart is laid out for.
    var figureWidth: FigureWidth { get set }
    /// The chart laid out at ``figureWidth``.
    var document: SVGDocument { get }
}

extension Figure {
    /// The laid-out document and its size.
    package var rendered: RenderedFigure { document.figure }

    /// The estimated box of every text the chart places (for layout tests).
    package var textBoxes: [TextBox] { document.boxes }

    /// The SVG document.
    package var svg: String { rendered.svg }
}

/// A complete SVG document and its size.
package struct RenderedFigure: Sendable {
    /// The SVG text.
    package let svg: String
    /// Width in user units (the `viewBox`).
    package let width: Double
    /// Height in user units.
    package let height: Double
    /// The printed width in inches, `nil` for a screen figure (user units are CSS pixels).
    package let inches: Double?

    /// The width of the PNG ``FigureRenderer`` writes: 300 dots per inch for a printed figure,
    /// twice the SVG's pixel width for a screen figure.
    package var pixelWidth: Int {
        if let inches { return max(1, Int((inches * 300).rounded())) }
        return max(1, Int((width * 2).rounded()))
    }
}

/// The file format of a figure.
package enum FigureFormat: String, Sendable, CaseIterable {
    /// SVG, written directly.
    case svg
    /// PNG, rendered by `rsvg-convert`.
    case png
    /// PDF with the fonts embedded, rendered by `rsvg-convert`.
    case pdf

    /// The file-name extension.
    package var fileExtension: String { rawValue }
}

/// Why a figure could not be rendered.
package struct FigureRenderError: Error, Sendable, CustomStringConvertible {
    /// One line saying what went wrong.
    package let description: String
}

/// Renders SVG figures to PNG or PDF with `rsvg-convert` (librsvg; Debian package `librsvg2-bin`).
package struct FigureRenderer: Sendable {
    /// The path of the `rsvg-convert` executable.
    package let executable: String

    /// A renderer using the executable at `executable`.
    package init(executable: String) {
        self.executable = executable
    }

    /// The renderer found on `PATH` (the `RMFG_RSVG_CONVERT` variable, when set, names the
    /// executable instead); `nil` when there is none. Only an executable file counts: a
    /// folder (which has execute permission too) is no renderer.
    package static func locate(environment: [String: String] = ProcessInfo.processInfo.environment) -> FigureRenderer? {
        if let explicit = environment["RMFG_RSVG_CONVERT"] {
            return isExecutableFile(explicit) ? FigureRenderer(executable: explicit) : nil
        }
        let path = environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for folder in path.split(separator: ":", omittingEmptySubsequences: true) {
            let candidate = String(folder) + "/rsvg-convert"
            if isExecutableFile(candidate) { return FigureRenderer(executable: candidate) }
        }
        return nil
    }

    /// Why `RMFG_RSVG_CONVERT`, when set, names no renderer (`nil` when it is unset, missing
    /// — then ``missingMessage`` applies — or an executable file).
    package static func explicitProblem(environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        guard let explicit = environment["RMFG_RSVG_CONVERT"], !isExecutableFile(explicit) else { return nil }
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: explicit, isDirectory: &isFolder) else { return nil }
        return "RMFG_RSVG_CONVERT names '\(explicit)', which is \(isFolder.boolValue ? "a folder" : "not executable"), "
            + "expected the rsvg-convert executable (unset it to search PATH)"
    }

    /// Whether `path` is a file (not a folder) that this process may execute.
    static func isExecutableFile(_ path: String) -> Bool {
        var isFolder: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) && !isFolder.boolValue
            && FileManager.default.isExecutableFile(atPath: path)
    }

    /// The one-line message for a missing renderer.
    package static let missingMessage = "rsvg-convert (librsvg) is needed for PNG and PDF figures and was not found on PATH; "
        + "install it with 'make rsvg' (Debian/Ubuntu package librsvg2-bin, Homebrew librsvg)"

    /// `figure` as PNG (``RenderedFigure/pixelWidth`` pixels wide) or PDF; SVG is returned as is.
    ///
    /// - Throws: ``FigureRenderError`` when the renderer fails or writes nothing.
    package func render(_ figure: RenderedFigure, as format: FigureFormat) throws(FigureRenderError) -> Data {
        switch format {
        case .svg: return Data(figure.svg.utf8)
        case .png: return try run(figure, ["--format=png", "--width=\(figure.pixelWidth)", "--keep-aspect-ratio"], magic: [0x89, 0x50, 0x4E, 0x47])
        case .pdf: return try run(figure, ["--format=pdf"], magic: Array("%PDF".utf8))
        }
    }

    /// Runs the renderer on a temporary copy of the SVG and reads its standard output.
    private func run(_ figure: RenderedFigure, _ arguments: [String], magic: [UInt8]) throws(FigureRenderError) -> Data {
        let folder = FileManager.default.temporaryDirectory.path
        let input = folder + "/rmfg-figure-\(getpid())-\(UUID().uuidString).svg"
        defer { try? FileManager.default.removeItem(atPath: input) }
        let output: Data, errors: Data, status: Int32
        do {
            try Data(figure.svg.utf8).write(to: URL(fileURLWithPath: input))
            let process = Process()
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = arguments + [input]
            let out = Pipe(), err = Pipe()
            process.standardOutput = out
            process.standardError = err
            process.standardInput = FileHandle.nullDevice
            try process.run()
            // The error stream is read on its own thread, so that neither pipe can fill up and block.
            let errorReader = PipeReader(err.fileHandleForReading)
            output = out.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            errors = errorReader.finish()
            status = process.terminationStatus
        } catch {
            throw FigureRenderError(description: "cannot run \(executable): \(error.localizedDescription)")
        }
        guard status == 0, output.count > magic.count, Array(output.prefix(magic.count)) == magic else {
            let reason = String(decoding: errors, as: UTF8.self).split(whereSeparator: \.isNewline).first.map(String.init)
            throw FigureRenderError(description: "\(executable) failed (status \(status))" + (reason.map { ": \($0)" } ?? ""))
        }
        return output
    }
}

/// Reads a pipe to its end on a background thread.
private final class PipeReader: @unchecked Sendable {
    private let handle: FileHandle
    private let done = DispatchSemaphore(value: 0)
    private var data = Data()

    init(_ handle: FileHandle) {
        self.handle = handle
        Thread.detachNewThread { [self] in
            data = handle.readDataToEndOfFile()
            done.signal()
        }
    }

    /// Waits for the end of the stream and returns what was read.
    func finish() -> Data {
        done.wait()
        return data
    }
}
