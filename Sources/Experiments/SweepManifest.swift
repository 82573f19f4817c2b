import Foundation
import MeanField

/// The run-level facts of a sweep shard, written beside its CSV as `key: value` lines
/// (Docs/Experiments.md). Every line but `shard:` identifies the run; a merge requires
/// them to agree.
public struct SweepManifest: Sendable {
    /// The `key: value` lines, in file order.
    public var lines: [(key: String, value: String)]

    /// The first line of every manifest.
    public static let format = "rmfg-sweep 1"

    /// The keys every manifest must have.
    public static let requiredKeys = ["game", "sets", "radii", "testRadius", "samples", "seed", "cells", "shard",
                                      "nominal.converged", "nominal.iterations", "nominal.exploitability",
                                      "nominal.stationarityResidual", "nominal.value"]

    /// A manifest of these lines.
    public init(lines: [(key: String, value: String)]) { self.lines = lines }

    /// The manifest of one run (or shard) of a sweep.
    ///
    /// - Parameters:
    ///   - game: the game's name.
    ///   - path: the game file's path as given.
    ///   - digest: the game file's ``FileDigest/fnv1a64(path:)``.
    ///   - overrides: a canonical description of the settings that replaced the file's.
    ///   - states: the number of states.
    ///   - settings: the sweep's settings (sets, radii, population, solver).
    ///   - baseline: the nominal equilibrium every cell is compared with.
    ///   - shard: which shard this run computes.
    public init(game: String, path: String, digest: String, overrides: String, states: Int, settings: SweepSettings,
                baseline: NominalBaseline, shard: Shard) {
        let eq = baseline.equilibrium
        lines = [
            ("format", Self.format),
            ("game", game),
            ("file", path),
            ("digest", digest),
            ("overrides", overrides),
            ("states", String(states)),
            ("sets", settings.sets.map(\.kind.rawValue).joined(separator: ",")),
            ("radii", settings.radii.map(SweepCSV.number).joined(separator: ",")),
            ("testRadius", SweepCSV.number(settings.testRadius)),
            ("samples", String(settings.samples)),
            ("seed", String(settings.seed)),
            ("cells", String(settings.cellCount)),
            ("nominal.converged", eq.converged ? "true" : "false"),
            ("nominal.iterations", String(eq.iterations)),
            ("nominal.exploitability", SweepCSV.number(eq.exploitability)),
            ("nominal.stationarityResidual", SweepCSV.number(eq.stationarityResidual)),
            ("nominal.value", SweepCSV.number(baseline.performance.value)),
            ("nominal.residual", SweepCSV.number(baseline.performance.residual)),
            ("shard", shard.description),
        ]
    }

    /// The file's text: one `key: value` line each.
    public var text: String { lines.map { "\($0.key): \($0.value)" }.joined(separator: "\n") + "\n" }

    /// Everything except the shard line: equal for every shard of one run.
    public var identity: String { lines.filter { $0.key != "shard" }.map { "\($0.key): \($0.value)" }.joined(separator: "\n") }

    /// Parses a manifest's text, requiring the format line, every key of ``requiredKeys``
    /// and numbers a sweep can write (`checkNumbers()`).
    ///
    /// - Throws: ``ExperimentError/invalidShard(_:)`` saying what is wrong (without the file's name).
    public static func parse(_ text: String) throws(ExperimentError) -> SweepManifest {
        var lines: [(key: String, value: String)] = []
        for raw in text.split(separator: "\n") {
            guard let colon = raw.firstIndex(of: ":") else { throw .invalidShard("'\(raw)' is not a 'key: value' line") }
            let key = String(raw[..<colon])
            var value = String(raw[raw.index(after: colon)...])
            if value.hasPrefix(" ") { value.removeFirst() }
            lines.append((key, value))
        }
        let manifest = SweepManifest(lines: lines)
        guard manifest["format"] == format else { throw .invalidShard("not an rmfg sweep manifest (no 'format: \(format)' line)") }
        for key in requiredKeys where manifest[key] == nil {
            throw .invalidShard("the line '\(key):' is missing")
        }
        try manifest.checkNumbers()
        return manifest
    }

    /// The numeric lines hold what a sweep writes: radii and the test radius finite and
    /// `>= 0` (as `--radii` and `--test-radius` require), `samples` and `cells` `>= 1`, the
    /// nominal figures finite, its iterations and residuals `>= 0`.
    ///
    /// - Throws: ``ExperimentError/invalidShard(_:)`` naming the line: `radii: entry 2 is nan,
    ///   expected a finite number >= 0`.
    func checkNumbers() throws(ExperimentError) {
        let radii = try radii()
        if let k = radii.firstIndex(where: { !($0.isFinite && $0 >= 0) }) {
            throw .invalidShard("radii: entry \(k + 1) is \(SweepCSV.number(radii[k])), expected a finite number >= 0")
        }
        let atLeast = [("samples", 1), ("cells", 1), ("nominal.iterations", 0)]
        for (key, least) in atLeast {
            guard try integer(key) >= least else { throw .invalidShard("\(key): \(self[key] ?? ""), expected an integer >= \(least)") }
        }
        let numbers = [("testRadius", true), ("nominal.exploitability", false), ("nominal.stationarityResidual", true),
                       ("nominal.value", false), ("nominal.residual", true)]
        for (key, nonNegative) in numbers where self[key] != nil {
            let x = try number(key)
            guard x.isFinite, !nonNegative || x >= 0 else {
                throw .invalidShard("\(key): \(self[key] ?? ""), expected a finite number\(nonNegative ? " >= 0" : "")")
            }
        }
    }

    /// The value of `key`.
    public subscript(key: String) -> String? { lines.first { $0.key == key }?.value }

    /// The value of `key` as a number.
    public func number(_ key: String) throws(ExperimentError) -> Double {
        guard let s = self[key], let x = Double(s) else { throw .invalidShard("'\(key)' is not a number") }
        return x
    }

    /// The value of `key` as an integer.
    public func integer(_ key: String) throws(ExperimentError) -> Int {
        guard let s = self[key], let x = Int(s) else { throw .invalidShard("'\(key)' is not an integer") }
        return x
    }

    /// The set names of the `sets` line.
    public var sets: [String] { (self["sets"] ?? "").split(separator: ",").map(String.init) }

    /// The radii of the `radii` line.
    public func radii() throws(ExperimentError) -> [Double] {
        var radii: [Double] = []
        for s in (self["radii"] ?? "").split(separator: ",", omittingEmptySubsequences: false) {
            guard let x = Double(s) else { throw .invalidShard("radii: '\(s)' is not a number") }
            radii.append(x)
        }
        return radii
    }

    /// The cells every row must match: sets, radii, test radius and the nominal value.
    public func layout() throws(ExperimentError) -> SweepLayout {
        try SweepLayout(sets: sets, radii: try radii(), testRadius: try number("testRadius"),
                        nominalBaseline: try number("nominal.value"))
    }
}

/// Digests that tie a sweep's shards to the bytes of their game file.
public enum FileDigest {
    /// FNV-1a (64 bit) of a file's bytes, as 16 hexadecimal digits; `unreadable` when it cannot be read.
    public static func fnv1a64(path: String) -> String {
        guard let data = FileManager.default.contents(atPath: path) else { return "unreadable" }
        return fnv1a64(data)
    }

    /// FNV-1a (64 bit) of `bytes`, as 16 hexadecimal digits.
    public static func fnv1a64(_ bytes: some Sequence<UInt8>) -> String {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in bytes {
            h ^= UInt64(byte)
            h = h &* 0x0000_0100_0000_01B3
        }
        let hex = String(h, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
