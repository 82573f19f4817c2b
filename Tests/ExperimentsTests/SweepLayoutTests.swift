import Experiments
import Testing

/// Shard rows are checked against their cell index before they are merged.
@Suite("Experiments: shard rows against their cell index")
struct SweepLayoutTests {
    static func record(cell: Int, set: String, radius: Double, testRadius: Double = 0.1, baseline: Double = 2) -> SweepRecord {
        SweepRecord(cell: cell, set: set, radius: radius, testRadius: testRadius, converged: true, iterations: 3,
                    exploitability: 1e-12, stationarityResidual: 1e-13, equilibriumValue: 1.5,
                    nominalValue: 1.75, nominalBaseline: baseline, price: baseline - 1.75, nominalResidual: 0,
                    worstCase: 1.25, worstCaseNominalPolicy: 1.125, protection: 1.25 - 1.125,
                    randomMean: 1.5, randomP5: 1.375, randomMeanNominalPolicy: 1.4, randomP5NominalPolicy: 1.3,
                    protectionMean: 0.1, protectionP5: 1.375 - 1.3)
    }

    let layout: SweepLayout

    init() throws {
        layout = try SweepLayout(sets: ["tv", "kl", "wasserstein"], radii: [0, 0.1], testRadius: 0.1, nominalBaseline: 2)
    }

    @Test func everyCellOfTheLayoutPasses() throws {
        #expect(layout.cellCount == 6)
        let records = (0..<6).map { c in Self.record(cell: c, set: layout.cell(c)?.set ?? "", radius: layout.cell(c)?.radius ?? -1) }
        try layout.validate(records)
        #expect(layout.cell(3)! == ("kl", 0.1))
        #expect(layout.cell(6) == nil && layout.cell(-1) == nil)
        // Round trip through the CSV keeps every row valid (numbers round-trip exactly).
        try layout.validate(try SweepCSV.parse(SweepCSV.render(records)))
    }

    @Test func aRowThatContradictsItsCellIsRefusedNamingTheColumn() throws {
        let cases: [(SweepRecord, String)] = [
            (Self.record(cell: 1, set: "kl", radius: 0.1), "column set: 'kl', expected 'tv'"),   // cell 3's coordinates
            (Self.record(cell: 1, set: "tv", radius: 0), "column radius: 0.0, expected 0.1"),    // cell 0's radius
            (Self.record(cell: 7, set: "tv", radius: 0.1), "column cell: 7 is outside 0..<6"),
            (Self.record(cell: 2, set: "kl", radius: 0, testRadius: 0.2), "column testRadius"),
            (Self.record(cell: 2, set: "kl", radius: 0, baseline: 3), "column nominalBaseline"),
        ]
        for (record, expected) in cases {
            #expect {
                try layout.validate(record)
            } throws: { error in
                "\(error)".contains(expected) && "\(error)".hasPrefix("cell \(record.cell):")
            }
        }
        var inconsistent = Self.record(cell: 0, set: "tv", radius: 0)
        inconsistent.price += 1
        #expect(throws: ExperimentError.self) { try layout.validate(inconsistent) }
        var protection = Self.record(cell: 0, set: "tv", radius: 0)
        protection.protection = 0
        #expect(throws: ExperimentError.self) { try layout.validate(protection) }
        // A list names the CSV line of the bad row.
        let rows = [Self.record(cell: 0, set: "tv", radius: 0), Self.record(cell: 1, set: "kl", radius: 0.1)]
        #expect { try layout.validate(rows) } throws: { "\($0)".hasPrefix("line 3: cell 1: column set") }
        // NaN figures equal NaN (a solve that failed is still a consistent row).
        var nan = Self.record(cell: 0, set: "tv", radius: 0)
        nan.nominalValue = .nan
        nan.price = .nan
        try layout.validate(nan)
    }

    @Test func emptyLayoutsAreRefused() {
        #expect(throws: ExperimentError.self) { try SweepLayout(sets: [], radii: [0], testRadius: 0, nominalBaseline: 0) }
        #expect(throws: ExperimentError.self) { try SweepLayout(sets: ["tv"], radii: [], testRadius: 0, nominalBaseline: 0) }
    }
}
