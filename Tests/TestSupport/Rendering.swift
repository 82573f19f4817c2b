import Foundation

/// The width and height a PNG file declares (its IHDR chunk); `nil` when `data` is not a PNG.
package func pngSize(_ data: Data) -> (width: Int, height: Int)? {
    let bytes = [UInt8](data.prefix(24))
    guard bytes.count == 24, bytes[0..<8] == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A],
          bytes[12..<16] == [0x49, 0x48, 0x44, 0x52] else { return nil }
    func int(_ k: Int) -> Int { bytes[k..<k + 4].reduce(0) { $0 << 8 | Int($1) } }
    return (int(16), int(20))
}

/// Whether `data` starts like a PDF file and ends with its end-of-file marker.
package func looksLikePDF(_ data: Data) -> Bool {
    data.starts(with: Array("%PDF-".utf8)) && String(decoding: data.suffix(32), as: UTF8.self).contains("%%EOF")
}

/// The `rsvg-convert` executable on `PATH` (`make rsvg` installs it), `nil` when missing.
package let rsvgConvert: String? = {
    let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
    return path.split(separator: ":").map { String($0) + "/rsvg-convert" }.first { FileManager.default.isExecutableFile(atPath: $0) }
}()

/// Renders the SVG file at `path` to PNG, `width` pixels wide, with `rsvg-convert`;
/// the PNG's bytes, or `nil` when the renderer is missing or fails.
package func renderPNG(svgFile path: String, width: Int) -> Data? {
    guard let rsvgConvert else { return nil }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: rsvgConvert)
    process.arguments = ["--format=png", "--width=\(width)", "--keep-aspect-ratio", path]
    let out = Pipe()
    process.standardOutput = out
    process.standardError = FileHandle.nullDevice
    process.standardInput = FileHandle.nullDevice
    guard (try? process.run()) != nil else { return nil }
    let data = out.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return process.terminationStatus == 0 ? data : nil
}
