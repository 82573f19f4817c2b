#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// The shards of one sharded sweep (`shard-i-of-n.manifest`, `.csv` and `-timings.csv`
/// files in any number of folders), checked and joined into the full table.
///
/// Every check of a merge is made here, before anything is written: the manifests come
/// from one run, every shard `0..<n` is present exactly once, every shard holds exactly
/// its cells, and every row matches its cell (``SweepLayout``).
public struct ShardedSweep: Sendable {
    /// One shard's files.
    public struct Part: Sendable {
        /// Which shard.
        public var shard: Shard
        /// Its manifest.
        public var manifest: SweepManifest
        /// The folder holding its files.
        public var folder: URL
        /// `shard-i-of-n`.
        public var stem: String

        /// The path of the file `stem` + `suffix`.
        public func path(_ suffix: String) -> String { folder.appendingPathComponent(stem + suffix).path }
    }

    /// The shards, ordered by index.
    public let parts: [Part]
    /// The first shard's manifest (every shard's agrees with it but for `shard:`).
    public var manifest: SweepManifest { parts[0].manifest }
    /// Every row of every shard, ordered by cell.
    public let records: [SweepRecord]
    /// `(cell, seconds as written)` from the shards' timing files; `nil` when one is missing.
    public let timings: [(cell: Int, seconds: String)]?
    /// Every file read (CSVs, manifests and timing files), in the order the folders were listed.
    public let inputs: [String]

    /// Finds, checks and joins the shards in `folders`.
    ///
    /// - Throws: ``ExperimentError/invalidShard(_:)`` with one line naming the folder,
    ///   file, line or shard at fault.
    public init(folders: [String]) throws(ExperimentError) {
        guard !folders.isEmpty else { throw .invalidShard("DIR: expected at least one folder of shard files") }
        var found: [Part] = []
        for folder in folders { found += try Self.manifests(in: folder) }
        guard !found.isEmpty else {
            throw .invalidShard("\(folders.joined(separator: " ")): no shard-i-of-n.manifest files found")
        }
        try Self.checkComplete(found)
        let ordered = found.sorted { $0.shard.index < $1.shard.index }
        let (layout, cellCount) = try Self.layout(found[0])
        var rows: [[SweepRecord]] = []
        var timings: [(cell: Int, seconds: String)] = []
        var allTimings = true
        for part in ordered {
            rows.append(try Self.records(of: part, layout: layout, cellCount: cellCount))
            let cells = rows[rows.count - 1].map(\.cell)
            if let t = try Self.timings(of: part, cells: cells) { timings += t } else { allTimings = false }
        }
        do throws(ExperimentError) { records = try SweepCSV.merge(rows, cellCount: cellCount) } catch {
            throw .invalidShard("merge: \(error)")
        }
        parts = ordered
        inputs = found.flatMap { p in [".csv", ".manifest", "-timings.csv"].map { p.path($0) } }
        self.timings = allTimings ? timings.sorted { $0.cell < $1.cell } : nil
    }

    /// The manifests of one folder, each with the shard its `shard:` line names.
    static func manifests(in folder: String) throws(ExperimentError) -> [Part] {
        let url = URL(fileURLWithPath: folder, isDirectory: true)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw .invalidShard("\(folder): not a folder")
        }
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: url.path).sorted() } catch {
            throw .invalidShard("\(folder): cannot list the folder")
        }
        var parts: [Part] = []
        for name in names where name.hasPrefix("shard-") && name.hasSuffix(".manifest") {
            let path = url.appendingPathComponent(name).path
            let text = try readShardFile(path)
            let manifest: SweepManifest, shard: Shard
            do throws(ExperimentError) {
                manifest = try SweepManifest.parse(text)
                shard = try Shard(parsing: manifest["shard"] ?? "")
            } catch {
                throw .invalidShard("\(path): \(error)")
            }
            let stem = "shard-\(shard.index)-of-\(shard.count)"
            guard name == "\(stem).manifest" else {
                throw .invalidShard("\(path): the file name does not match its 'shard: \(shard)' line")
            }
            parts.append(Part(shard: shard, manifest: manifest, folder: url, stem: stem))
        }
        return parts
    }

    /// One run, one shard count, every shard exactly once.
    static func checkComplete(_ parts: [Part]) throws(ExperimentError) {
        let first = parts[0]
        let n = first.shard.count
        // Keyed by index, not an array of n slots: n comes from a file.
        var seen: [Int: String] = [:]
        for s in parts {
            let path = s.path(".manifest")
            guard s.manifest.identity == first.manifest.identity else {
                let key = zip(s.manifest.lines, first.manifest.lines)
                    .first { a, b in a.key != "shard" && (a.key != b.key || a.value != b.value) }?.0.key ?? "their lines"
                throw .invalidShard("\(path): not from the same run as \(first.path(".manifest")) (they differ in '\(key)')")
            }
            guard s.shard.count == n else { throw .invalidShard("\(path): shard \(s.shard), but another shard is one of \(n)") }
            if let other = seen[s.shard.index] { throw .invalidShard("\(path): shard \(s.shard) also found at \(other)") }
            seen[s.shard.index] = path
        }
        if let missing = (0..<n).first(where: { seen[$0] == nil }) {
            throw .invalidShard("shard \(missing) of \(n) missing (expected shard-\(missing)-of-\(n).manifest and .csv; rerun that shard)")
        }
    }

    /// The run's cells, from the first manifest.
    static func layout(_ first: Part) throws(ExperimentError) -> (SweepLayout, Int) {
        let cellCount: Int
        do throws(ExperimentError) { cellCount = try first.manifest.integer("cells") } catch {
            throw .invalidShard("manifest: \(error)")
        }
        let firstPath = first.path(".manifest")
        let layout: SweepLayout
        do throws(ExperimentError) { layout = try first.manifest.layout() } catch {
            throw .invalidShard("\(firstPath): \(error)")
        }
        guard layout.cellCount == cellCount, cellCount >= 1 else {
            throw .invalidShard("\(firstPath): cells: \(cellCount), but \(layout.sets.count) sets × \(layout.radii.count) radii make \(layout.cellCount)")
        }
        return (layout, cellCount)
    }

    /// A shard's rows: exactly its cells, each matching its cell.
    static func records(of part: Part, layout: SweepLayout, cellCount: Int) throws(ExperimentError) -> [SweepRecord] {
        let path = part.path(".csv")
        let text = try readShardFile(path)
        let records: [SweepRecord]
        do throws(ExperimentError) { records = try SweepCSV.parse(text) } catch { throw .invalidShard("\(path): \(error)") }
        let expected = part.shard.cells(of: cellCount)
        guard records.map(\.cell) == expected else {
            throw .invalidShard("\(path): holds cells \(records.map(\.cell)), expected \(expected) for shard \(part.shard) of \(cellCount) cells")
        }
        do throws(ExperimentError) { try layout.validate(records) } catch { throw .invalidShard("\(path): \(error)") }
        return records
    }

    /// The text of a shard file. A FIFO, device node or socket is refused before it is
    /// opened (opening a FIFO for reading waits for a writer, for ever when none comes), and
    /// again on the opened descriptor (the open does not block), so a path replaced by a FIFO
    /// between the two cannot make `merge` wait.
    static func readShardFile(_ path: String) throws(ExperimentError) -> String {
        var info = stat()
        if stat(path, &info) == 0, info.st_mode & S_IFMT != S_IFREG, info.st_mode & S_IFMT != S_IFDIR {
            throw .invalidShard("\(path): not a regular file (a device, FIFO or socket)")
        }
        if stat(path, &info) == 0, info.st_mode & S_IFMT == S_IFDIR { throw .invalidShard("\(path): cannot read the file (it is a folder)") }
        var fd: Int32
        repeat { fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK) } while fd < 0 && errno == EINTR
        guard fd >= 0 else { throw .invalidShard("\(path): cannot read") }
        defer { close(fd) }
        guard fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG else {
            throw .invalidShard("\(path): not a regular file (a device, FIFO or socket)")
        }
        let handle = FileHandle(fileDescriptor: fd, closeOnDealloc: false)
        guard let data = try? handle.readToEnd() ?? Data(), let text = String(data: data, encoding: .utf8) else {
            throw .invalidShard("\(path): cannot read")
        }
        return text
    }

    /// A shard's `cell,seconds` lines in file order, or `nil` when it has no timing file (the
    /// merged `timings.csv` is then not written).
    ///
    /// Checked like the shard's rows (before 2026-12-07 a line that did not parse was skipped
    /// and the seconds copied as written; now they are written again as the sweep writes them,
    /// the same bytes for a file it wrote): the header `cell,seconds`, then one line per cell of
    /// `cells` (the shard's, in any order, each once), its seconds a finite number `≥ 0`.
    /// - Throws: ``ExperimentError/invalidShard(_:)`` naming the file and line: a file that
    ///   exists but cannot be read (a folder, a device, FIFO or socket), another header, a line
    ///   of other than two fields, a cell not of the shard or listed twice, seconds that are
    ///   not a finite number `≥ 0`, or a cell of the shard with no line.
    static func timings(of part: Part, cells: [Int]) throws(ExperimentError) -> [(cell: Int, seconds: String)]? {
        let path = part.path("-timings.csv")
        var info = stat()
        guard lstat(path, &info) == 0 || errno != ENOENT else { return nil }
        let text = try readShardFile(path)
        // "\r\n" is one Character in Swift: split on it as well as on "\n" and "\r".
        var lines = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" })
        if lines.last?.isEmpty == true { lines.removeLast() }
        guard lines.first == "cell,seconds" else {
            throw .invalidShard("\(path): line 1: expected the header 'cell,seconds'")
        }
        let expected = Set(cells)
        var seen = Set<Int>(), timings: [(cell: Int, seconds: String)] = []
        for (k, line) in lines.enumerated().dropFirst() {
            let f = line.split(separator: ",", omittingEmptySubsequences: false)
            let at = "\(path): line \(k + 1)"
            guard f.count == 2 else { throw .invalidShard("\(at): expected 'cell,seconds', found \(f.count) fields") }
            guard let cell = Int(f[0]), expected.contains(cell) else {
                throw .invalidShard("\(at): cell '\(f[0])', expected one of the shard's \(cells.count) cells (those of its .csv)")
            }
            guard seen.insert(cell).inserted else { throw .invalidShard("\(at): cell \(cell) listed twice") }
            guard let seconds = Double(f[1]), seconds.isFinite, seconds >= 0 else {
                throw .invalidShard("\(at): seconds '\(f[1])', expected a finite number >= 0")
            }
            timings.append((cell, SweepCSV.number(seconds)))
        }
        if let missing = cells.first(where: { !seen.contains($0) }) {
            throw .invalidShard("\(path): no line for cell \(missing)")
        }
        return timings
    }
}
