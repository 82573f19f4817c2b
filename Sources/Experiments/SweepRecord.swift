/// Every figure of one sweep cell (Docs/Experiments.md, "Definitions"): one CSV row.
///
/// Values are population averages `Σ_s μ(s) V(s)`; `π_ρ, μ_ρ` is the cell's robust
/// equilibrium, `π₀, μ₀` the nominal one, `R` the test radius.
public struct SweepRecord: Sendable, Hashable {
    /// The cell's index in the fixed order (set-major).
    public var cell: Int
    /// The set's name (`tv`, `l1`, …).
    public var set: String
    /// `ρ`.
    public var radius: Double
    /// `R`.
    public var testRadius: Double
    /// Whether the robust equilibrium solve met its tolerance.
    public var converged: Bool
    /// Outer iterations of the robust solve.
    public var iterations: Int
    /// `E(π_ρ, μ_ρ)`.
    public var exploitability: Double
    /// `‖Φ(μ_ρ, π_ρ) − μ_ρ‖₁`.
    public var stationarityResidual: Double
    /// `Σ μ_ρ V^{π_ρ}_ρ`: the robust equilibrium's own value (what it guarantees at radius `ρ`).
    public var equilibriumValue: Double
    /// `J_nom(π_ρ)`: `π_ρ` in the nominal model at its own nominal stationary mean field.
    public var nominalValue: Double
    /// `J_nom(π₀)`: the nominal equilibrium's value (the same in every row).
    public var nominalBaseline: Double
    /// `J_nom(π₀) − J_nom(π_ρ)`: the price of robustness.
    public var price: Double
    /// `‖Φ_nom(ν, π_ρ) − ν‖₁` at the `ν` used by ``nominalValue``.
    public var nominalResidual: Double
    /// `J_U(R)(π_ρ; μ_ρ)`: worst case of `π_ρ` in the cell's set at radius `R`.
    public var worstCase: Double
    /// `J_U(R)(π₀; μ_ρ)`: worst case of the nominal policy, same set, radius and `μ`.
    public var worstCaseNominalPolicy: Double
    /// ``worstCase`` − ``worstCaseNominalPolicy``: the protection.
    public var protection: Double
    /// Mean of `J_K(π_ρ; μ_ρ)` over the `K` random kernels.
    public var randomMean: Double
    /// 5th percentile (type 7) of `J_K(π_ρ; μ_ρ)`.
    public var randomP5: Double
    /// Mean of `J_K(π₀; μ_ρ)` over the same kernels.
    public var randomMeanNominalPolicy: Double
    /// 5th percentile of `J_K(π₀; μ_ρ)`.
    public var randomP5NominalPolicy: Double
    /// Mean over the kernels of `J_K(π_ρ) − J_K(π₀)` (paired).
    public var protectionMean: Double
    /// ``randomP5`` − ``randomP5NominalPolicy``.
    public var protectionP5: Double

    /// A record from its figures.
    public init(cell: Int, set: String, radius: Double, testRadius: Double, converged: Bool, iterations: Int,
                exploitability: Double, stationarityResidual: Double, equilibriumValue: Double,
                nominalValue: Double, nominalBaseline: Double, price: Double, nominalResidual: Double,
                worstCase: Double, worstCaseNominalPolicy: Double, protection: Double,
                randomMean: Double, randomP5: Double, randomMeanNominalPolicy: Double, randomP5NominalPolicy: Double,
                protectionMean: Double, protectionP5: Double) {
        self.cell = cell; self.set = set; self.radius = radius; self.testRadius = testRadius
        self.converged = converged; self.iterations = iterations; self.exploitability = exploitability
        self.stationarityResidual = stationarityResidual; self.equilibriumValue = equilibriumValue
        self.nominalValue = nominalValue; self.nominalBaseline = nominalBaseline; self.price = price
        self.nominalResidual = nominalResidual; self.worstCase = worstCase
        self.worstCaseNominalPolicy = worstCaseNominalPolicy; self.protection = protection
        self.randomMean = randomMean; self.randomP5 = randomP5; self.randomMeanNominalPolicy = randomMeanNominalPolicy
        self.randomP5NominalPolicy = randomP5NominalPolicy; self.protectionMean = protectionMean
        self.protectionP5 = protectionP5
    }

    /// The CSV header, in column order.
    public static let columns = [
        "cell", "set", "radius", "testRadius", "converged", "iterations", "exploitability", "stationarityResidual",
        "equilibriumValue", "nominalValue", "nominalBaseline", "price", "nominalResidual",
        "worstCase", "worstCaseNominalPolicy", "protection",
        "randomMean", "randomP5", "randomMeanNominalPolicy", "randomP5NominalPolicy", "protectionMean", "protectionP5",
    ]

    /// The numeric figures by column name (every column after `iterations`).
    public var figures: [(name: String, value: Double)] {
        [("exploitability", exploitability), ("stationarityResidual", stationarityResidual),
         ("equilibriumValue", equilibriumValue), ("nominalValue", nominalValue), ("nominalBaseline", nominalBaseline),
         ("price", price), ("nominalResidual", nominalResidual), ("worstCase", worstCase),
         ("worstCaseNominalPolicy", worstCaseNominalPolicy), ("protection", protection),
         ("randomMean", randomMean), ("randomP5", randomP5), ("randomMeanNominalPolicy", randomMeanNominalPolicy),
         ("randomP5NominalPolicy", randomP5NominalPolicy), ("protectionMean", protectionMean),
         ("protectionP5", protectionP5)]
    }

    /// The row's fields in ``columns`` order. Numbers use Swift's shortest
    /// round-trip form, so ``init(csvFields:)`` reads back the same `Double`s.
    public var csvFields: [String] {
        [String(cell), set, SweepCSV.number(radius), SweepCSV.number(testRadius), converged ? "true" : "false",
         String(iterations)] + figures.map { SweepCSV.number($0.value) }
    }

    /// The columns a sweep writes as numbers `>= 0` (radii and residuals, which are norms).
    static let nonNegativeColumns: Set<String> = ["radius", "testRadius", "stationarityResidual", "nominalResidual"]

    /// Parses a row written by ``csvFields``: every number finite (a sweep writes no `nan`
    /// or `inf`), `nonNegativeColumns` and `iterations` `>= 0`.
    ///
    /// - Throws: ``ExperimentError/invalidRecord(_:)`` naming the column that does not parse
    ///   or holds a value a sweep cannot write.
    public init(csvFields f: [String]) throws(ExperimentError) {
        guard f.count == Self.columns.count else {
            throw .invalidRecord("\(f.count) fields, expected \(Self.columns.count)")
        }
        func double(_ k: Int) throws(ExperimentError) -> Double {
            let column = Self.columns[k]
            guard let x = Double(f[k]) else { throw .invalidRecord("column \(column): '\(f[k])' is not a number") }
            guard x.isFinite else { throw .invalidRecord("column \(column): \(f[k]), expected a finite number") }
            if Self.nonNegativeColumns.contains(column), x < 0 {
                throw .invalidRecord("column \(column): \(f[k]), expected a finite number >= 0")
            }
            return x
        }
        guard let cell = Int(f[0]), cell >= 0 else { throw .invalidRecord("column cell: '\(f[0])', expected an index >= 0") }
        guard let iterations = Int(f[5]) else { throw .invalidRecord("column iterations: '\(f[5])', expected an integer") }
        guard iterations >= 0 else { throw .invalidRecord("column iterations: \(f[5]), expected an integer >= 0") }
        guard f[4] == "true" || f[4] == "false" else { throw .invalidRecord("column converged: '\(f[4])', expected true or false") }
        var x: [Double] = []
        for k in 6..<f.count { x.append(try double(k)) }
        self.init(cell: cell, set: f[1], radius: try double(2), testRadius: try double(3), converged: f[4] == "true",
                  iterations: iterations, exploitability: x[0], stationarityResidual: x[1], equilibriumValue: x[2],
                  nominalValue: x[3], nominalBaseline: x[4], price: x[5], nominalResidual: x[6], worstCase: x[7],
                  worstCaseNominalPolicy: x[8], protection: x[9], randomMean: x[10], randomP5: x[11],
                  randomMeanNominalPolicy: x[12], randomP5NominalPolicy: x[13], protectionMean: x[14], protectionP5: x[15])
    }
}

/// The sweep CSV: a header line, then one line per cell in ascending cell order.
/// No timings, fixed column order and round-trip numbers, so a sharded run merged
/// by ``merge(_:cellCount:)`` is byte-identical to an unsharded run.
public enum SweepCSV {
    /// A `Double` in Swift's shortest round-trip form (`0.05`, `1e-10`, `-0.0`, `nan`).
    public static func number(_ x: Double) -> String { "\(x)" }

    /// The CSV text of `records` (sorted by cell), ending with a newline.
    public static func render(_ records: [SweepRecord]) -> String {
        var lines = [SweepRecord.columns.joined(separator: ",")]
        for r in records.sorted(by: { $0.cell < $1.cell }) { lines.append(r.csvFields.joined(separator: ",")) }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Parses a CSV written by ``render(_:)``.
    ///
    /// - Throws: ``ExperimentError/invalidRecord(_:)`` for a wrong header or a bad line (named by number).
    public static func parse(_ text: String) throws(ExperimentError) -> [SweepRecord] {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.last == "" { lines.removeLast() }
        guard let header = lines.first else { throw .invalidRecord("empty, expected a header line") }
        guard header == SweepRecord.columns.joined(separator: ",") else {
            throw .invalidRecord("line 1: the header is not the sweep header (\(SweepRecord.columns.prefix(3).joined(separator: ",")),…)")
        }
        var records: [SweepRecord] = []
        for (k, line) in lines.dropFirst().enumerated() {
            do throws(ExperimentError) {
                records.append(try SweepRecord(csvFields: line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)))
            } catch {
                throw .invalidRecord("line \(k + 2): \(error.description)")
            }
        }
        return records
    }

    /// Joins the records of several shards into the full, ordered result.
    ///
    /// - Throws: ``ExperimentError/invalidRecord(_:)`` when a cell appears twice, a cell is
    ///   missing, or an index is `≥ cellCount`.
    public static func merge(_ parts: [[SweepRecord]], cellCount: Int) throws(ExperimentError) -> [SweepRecord] {
        var byCell = [SweepRecord?](repeating: nil, count: cellCount)
        for record in parts.joined() {
            guard record.cell < cellCount else { throw .invalidRecord("cell \(record.cell) is outside 0..<\(cellCount)") }
            guard byCell[record.cell] == nil else { throw .invalidRecord("cell \(record.cell) appears twice") }
            byCell[record.cell] = record
        }
        var out: [SweepRecord] = []
        for (k, r) in byCell.enumerated() {
            guard let r else { throw .invalidRecord("cell \(k) is missing") }
            out.append(r)
        }
        return out
    }
}

/// What one sweep run fixes for every row, as its shards' manifests record it: the
/// cell layout (set-major: cell `c` has set `sets[c / radii.count]` and radius
/// `radii[c % radii.count]`), the test radius and the nominal baseline `J_nom(π₀)`.
///
/// `validate(_:)` checks a row (or all rows) against it, so a shard row whose set or radius
/// contradicts its cell index (or whose run-level figures differ from the run's) is
/// refused rather than merged.
public struct SweepLayout: Sendable, Hashable {
    /// The set names, in cell order.
    public let sets: [String]
    /// The radii `ρ`, in cell order.
    public let radii: [Double]
    /// The test radius `R` of every row.
    public let testRadius: Double
    /// `J_nom(π₀)`, the same in every row.
    public let nominalBaseline: Double

    /// A layout.
    ///
    /// - Throws: ``ExperimentError/invalidSetting(field:message:)`` when `sets` or `radii` is empty.
    public init(sets: [String], radii: [Double], testRadius: Double, nominalBaseline: Double) throws(ExperimentError) {
        guard !sets.isEmpty else { throw .invalidSetting(field: .sets, message: "empty, expected at least one set") }
        guard !radii.isEmpty else { throw .invalidSetting(field: .radii, message: "empty, expected at least one radius") }
        self.sets = sets
        self.radii = radii
        self.testRadius = testRadius
        self.nominalBaseline = nominalBaseline
    }

    /// `sets.count × radii.count`.
    public var cellCount: Int { sets.count * radii.count }

    /// The set and radius of cell `index`; `nil` outside `0..<cellCount`.
    public func cell(_ index: Int) -> (set: String, radius: Double)? {
        guard index >= 0, index < cellCount else { return nil }
        return (sets[index / radii.count], radii[index % radii.count])
    }

    /// Checks `record` against its cell index and the run: the cell is in range; `set`,
    /// `radius`, `testRadius` and `nominalBaseline` are the run's; and the derived
    /// columns are what the sweep computes from the others (`price = nominalBaseline −
    /// nominalValue`, `protection = worstCase − worstCaseNominalPolicy`, `protectionP5 =
    /// randomP5 − randomP5NominalPolicy`). Numbers are compared exactly (the CSV's
    /// numbers round-trip), `nan` equal to `nan`.
    ///
    /// - Throws: ``ExperimentError/invalidRecord(_:)`` naming the cell, the column, what
    ///   the row holds and what its cell index implies.
    public func validate(_ record: SweepRecord) throws(ExperimentError) {
        let c = record.cell
        guard let expected = cell(c) else {
            throw .invalidRecord("cell \(c): column cell: \(c) is outside 0..<\(cellCount) (\(sets.count) sets × \(radii.count) radii)")
        }
        let position = "cell \(c) is set \(c / radii.count) ('\(expected.set)'), radius \(c % radii.count) (\(SweepCSV.number(expected.radius)))"
        guard record.set == expected.set else {
            throw .invalidRecord("cell \(c): column set: '\(record.set)', expected '\(expected.set)' (\(position))")
        }
        func check(_ column: String, _ found: Double, _ wanted: Double, _ why: String) throws(ExperimentError) {
            guard Self.same(found, wanted) else {
                throw .invalidRecord("cell \(c): column \(column): \(SweepCSV.number(found)), expected \(SweepCSV.number(wanted)) (\(why))")
            }
        }
        try check("radius", record.radius, expected.radius, position)
        try check("testRadius", record.testRadius, testRadius, "the run's test radius")
        try check("nominalBaseline", record.nominalBaseline, nominalBaseline, "the run's nominal value")
        try check("price", record.price, record.nominalBaseline - record.nominalValue, "nominalBaseline − nominalValue")
        try check("protection", record.protection, record.worstCase - record.worstCaseNominalPolicy,
                  "worstCase − worstCaseNominalPolicy")
        try check("protectionP5", record.protectionP5, record.randomP5 - record.randomP5NominalPolicy,
                  "randomP5 − randomP5NominalPolicy")
    }

    /// Checks every record of a CSV read by ``SweepCSV/parse(_:)`` (record `k` is on line `k + 2`).
    ///
    /// - Throws: ``ExperimentError/invalidRecord(_:)`` starting with `line N:`.
    public func validate(_ records: [SweepRecord]) throws(ExperimentError) {
        for (k, record) in records.enumerated() {
            do throws(ExperimentError) { try validate(record) } catch {
                throw .invalidRecord("line \(k + 2): \(error.description)")
            }
        }
    }

    private static func same(_ a: Double, _ b: Double) -> Bool {
        a == b || (a.isNaN && b.isNaN)
    }
}
