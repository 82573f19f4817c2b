import ArgumentParser
import Foundation
import Plots

/// `--figure-format` and `--figure-width`, on every command that writes figures.
struct FigureOptions: ParsableArguments {
    @Option(name: .customLong("figure-format"),
            help: "Figure files: svg, png (300 dpi at column/page width, 2x pixels at screen width) or pdf (fonts embedded); png and pdf need rsvg-convert (make rsvg).")
    var figureFormat: Choice<FigureFormat> = FigureOptions.defaultFormat

    @Option(name: .customLong("figure-width"),
            help: "Figure layout: screen (each chart's own width), column (3.5 in) or page (7 in).")
    var figureWidth: Choice<FigureWidth> = FigureOptions.defaultWidth

    /// The defaults of `--figure-format` and `--figure-width` (also set by ``SubcommandParse``'s
    /// shortcut for `rmfg solve`).
    static let defaultFormat = Choice<FigureFormat>(.svg)
    static let defaultWidth = Choice<FigureWidth>(.screen)

    /// The settings, with the renderer found now, so that a missing one stops the command
    /// before it computes or writes anything.
    /// An unknown format or width is an ``InputError`` naming its flag (exit status 2).
    func settings() throws -> FigureSettings {
        try Self.settings(format: figureFormat, width: figureWidth)
    }

    /// ``settings()`` for these values of `--figure-format` and `--figure-width`.
    static func settings(format formatChoice: Choice<FigureFormat>, width widthChoice: Choice<FigureWidth>) throws -> FigureSettings {
        let format = try formatChoice.value(flag: "--figure-format")
        let width = try widthChoice.value(flag: "--figure-width")
        guard format != .svg else { return FigureSettings(format: .svg, width: width, renderer: nil) }
        guard let renderer = FigureRenderer.locate() else {
            throw InputError("--figure-format \(format.rawValue): " + (FigureRenderer.explicitProblem() ?? FigureRenderer.missingMessage))
        }
        return FigureSettings(format: format, width: width, renderer: renderer)
    }
}

/// How an ``OutputDirectory`` writes figures.
struct FigureSettings {
    var format: FigureFormat = .svg
    var width: FigureWidth = .screen
    /// Set for PNG and PDF.
    var renderer: FigureRenderer?
}

extension OutputDirectory {
    /// Lays `figure` out at the folder's figure width and stages it as `name.svg`, `.png` or
    /// `.pdf`; a renderer failure is an input error naming `--figure-format`.
    func writeFigure(_ name: String, _ figure: some Figure) throws {
        var figure = figure
        figure.figureWidth = figures.width
        let rendered = figure.rendered
        guard figures.format != .svg, let renderer = figures.renderer else {
            try write(name + ".svg", rendered.svg)
            return
        }
        do {
            try write(name + "." + figures.format.fileExtension, bytes: renderer.render(rendered, as: figures.format))
        } catch let error as FigureRenderError {
            throw InputError("--figure-format \(figures.format.rawValue): cannot render \(name): \(error.description)")
        }
    }
}
