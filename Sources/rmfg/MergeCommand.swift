import ArgumentParser
import Experiments
import Foundation

/// `rmfg merge DIR...`: joins the shards of a sweep into the full result.
struct MergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Join the shards of `rmfg sweep --shard i/n` into the full result.",
        discussion: """
        Reads every shard-i-of-n.manifest (and its shard-i-of-n.csv) in the given folders. \
        The shards must come from one run (same game file, flags and settings), every \
        shard 0..n−1 must be present exactly once, and every cell exactly once; every \
        row must match its cell index (its set, radius, test radius and nominal value \
        are the run's, its derived columns consistent). Prints the \
        same table or JSON as an unsharded `rmfg sweep`, and --output DIR writes the same \
        sweep.csv (byte-identical), result.json and plots, plus timings.csv joined from the \
        shards' timing files. Exit status 1 when a solve did not converge; 2 for missing, \
        duplicate or inconsistent shards.
        """
    )

    @Argument(help: "Folders holding shard files (shard-i-of-n.csv and shard-i-of-n.manifest).")
    var folders: [String]

    @Option(help: "Write sweep.csv, result.json, timings.csv and SVG plots to this folder.")
    var output: String?

    @OptionGroup var figures: FigureOptions

    @OptionGroup var format: FormatOptions

    func run() throws {
        try runCommand { try merge() }
    }

    func merge() throws -> Bool {
        let figureSettings = try figures.settings()
        guard !folders.isEmpty else { throw InputError("DIR: expected at least one folder of shard files") }
        var shards: [(shard: Shard, manifest: SweepManifest, folder: URL, stem: String)] = []
        for folder in folders {
            let url = URL(fileURLWithPath: folder, isDirectory: true)
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw InputError("\(folder): not a folder")
            }
            let names: [String]
            do { names = try FileManager.default.contentsOfDirectory(atPath: url.path).sorted() } catch {
                throw InputError("\(folder): cannot list the folder")
            }
            for name in names where name.hasPrefix("shard-") && name.hasSuffix(".manifest") {
                let path = url.appendingPathComponent(name).path
                guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { throw InputError("\(path): cannot read") }
                let manifest = try SweepManifest.parse(text, source: path)
                let shard: Shard
                do { shard = try Shard(parsing: manifest["shard"] ?? "") } catch { throw InputError("\(path): \(error)") }
                let stem = "shard-\(shard.index)-of-\(shard.count)"
                guard name == "\(stem).manifest" else {
                    throw InputError("\(path): the file name does not match its 'shard: \(shard)' line")
                }
                shards.append((shard, manifest, url, stem))
            }
        }
        guard let first = shards.first else {
            throw InputError("\(folders.joined(separator: " ")): no shard-i-of-n.manifest files found")
        }
        let n = first.shard.count
        // Keyed by index, not an array of n slots: n comes from a file.
        var seen: [Int: String] = [:]
        for s in shards {
            let path = s.folder.appendingPathComponent("\(s.stem).manifest").path
            guard s.manifest.identity == first.manifest.identity else {
                let key = zip(s.manifest.lines, first.manifest.lines)
                    .first { a, b in a.0 != "shard" && (a.0 != b.0 || a.1 != b.1) }?.0.0 ?? "their lines"
                throw InputError("\(path): not from the same run as \(first.folder.appendingPathComponent("\(first.stem).manifest").path) (they differ in '\(key)')")
            }
            guard s.shard.count == n else { throw InputError("\(path): shard \(s.shard), but another shard is one of \(n)") }
            if let other = seen[s.shard.index] { throw InputError("\(path): shard \(s.shard) also found at \(other)") }
            seen[s.shard.index] = path
        }
        if let missing = (0..<n).first(where: { seen[$0] == nil }) {
            throw InputError("shard \(missing) of \(n) missing (expected shard-\(missing)-of-\(n).manifest and .csv; rerun that shard)")
        }
        let cellCount = try first.manifest.integer("cells", source: "manifest")
        let firstPath = first.folder.appendingPathComponent("\(first.stem).manifest").path
        let layout: SweepLayout
        do {
            let radii = try (first.manifest["radii"] ?? "").split(separator: ",", omittingEmptySubsequences: false).map { s in
                guard let x = Double(s) else { throw InputError("\(firstPath): radii: '\(s)' is not a number") }
                return x
            }
            layout = try SweepLayout(sets: (first.manifest["sets"] ?? "").split(separator: ",").map(String.init), radii: radii,
                                     testRadius: try first.manifest.number("testRadius", source: firstPath),
                                     nominalBaseline: try first.manifest.number("nominal.value", source: firstPath))
        } catch let error as ExperimentError {
            throw InputError("\(firstPath): \(error)")
        }
        guard layout.cellCount == cellCount, cellCount >= 1 else {
            throw InputError("\(firstPath): cells: \(cellCount), but \(layout.sets.count) sets × \(layout.radii.count) radii make \(layout.cellCount)")
        }
        var parts: [[SweepRecord]] = []
        var timings: [(Int, String)] = []
        var allTimings = true
        for s in shards.sorted(by: { $0.shard.index < $1.shard.index }) {
            let path = s.folder.appendingPathComponent("\(s.stem).csv").path
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { throw InputError("\(path): cannot read") }
            let records: [SweepRecord]
            do { records = try SweepCSV.parse(text) } catch { throw InputError("\(path): \(error)") }
            let expected = s.shard.cells(of: cellCount)
            guard records.map(\.cell) == expected else {
                throw InputError("\(path): holds cells \(records.map(\.cell)), expected \(expected) for shard \(s.shard) of \(cellCount) cells")
            }
            do { try layout.validate(records) } catch { throw InputError("\(path): \(error)") }
            parts.append(records)
            let timingPath = s.folder.appendingPathComponent("\(s.stem)-timings.csv").path
            if let t = try? String(contentsOfFile: timingPath, encoding: .utf8) {
                for line in t.split(separator: "\n").dropFirst() {
                    let f = line.split(separator: ",")
                    if f.count == 2, let c = Int(f[0]) { timings.append((c, String(f[1]))) }
                }
            } else {
                allTimings = false
            }
        }
        let records: [SweepRecord]
        do { records = try SweepCSV.merge(parts, cellCount: cellCount) } catch { throw InputError("merge: \(error)") }
        let report = try SweepReport(manifest: first.manifest, records: records, shard: nil)
        if let output {
            let read = shards.flatMap { s in ["\(s.stem).csv", "\(s.stem).manifest", "\(s.stem)-timings.csv"].map { s.folder.appendingPathComponent($0).path } }
            let dir = try OutputDirectory(output, inputs: read)
            dir.figures = figureSettings
            try report.writeFiles(to: dir)
            if allTimings {
                let lines = ["cell,seconds"] + timings.sorted { $0.0 < $1.0 }.map { "\($0.0),\($0.1)" }
                try dir.write("timings.csv", lines.joined(separator: "\n") + "\n")
            }
            try dir.commit()
        }
        report.print(as: format.format)
        return report.converged
    }
}
