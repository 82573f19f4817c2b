import Ambiguity
import Experiments
import GameFiles
import MeanField
import NumberText

extension ABIGame {
    /// `rmfg sweep`: every cell of `sets × radii`, with the fields of `rmfg sweep --format json`.
    package func sweep(sets: String, radii: [Double], testRadius: Double?, samples: Int, seed: UInt64) throws(ABIError) -> ABIResult {
        guard !file.hasRowSets else {
            throw .input("ambiguity.set", "\(file.setName) sets cannot be swept (a sweep varies one radius over closed-form sets); use solve")
        }
        var kinds: [AmbiguityKind] = []
        for name in sets.split(separator: ",", omittingEmptySubsequences: false) {
            let trimmed = String(name.drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
            guard let kind = AmbiguityKind(rawValue: trimmed) else {
                throw .input("sets", "'\(trimmed)', expected one of \(AmbiguityKind.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            kinds.append(kind)
        }
        var ambiguitySets: [AmbiguitySet] = []
        for kind in kinds {
            do throws(GameFileError) {
                ambiguitySets.append(try file.ambiguitySet(kind) { try? SweepSettings.defaultGroundCost(stateCount: file.stateCount) })
            } catch { throw Self.mapped(error) }
        }
        let settings: SweepSettings
        do {
            settings = try SweepSettings(sets: ambiguitySets, radii: radii, testRadius: testRadius ?? (radii.max() ?? 0),
                                         samples: samples, seed: seed)
        } catch {
            if case let .invalidSetting(field, message) = error { throw .input(field.rawValue, message) }
            throw .input("sweep", error.description)
        }
        let sweep = Sweep(game: game, options: file.equilibriumOptions, settings: settings)
        let baseline = try run { () throws(MeanFieldError) in try sweep.nominalBaseline() }
        let records = try run { () throws(MeanFieldError) in try sweep.run(baseline: baseline) }
        return sweepResult(settings: settings, kinds: kinds, baseline: baseline, records: records)
    }

    func sweepResult(settings: SweepSettings, kinds: [AmbiguityKind], baseline: NominalBaseline,
                     records: [SweepRecord]) -> ABIResult {
        let eq = baseline.equilibrium
        let converged = eq.converged && records.allSatisfy(\.converged)
        let fields: [(String, JSON)] = [
            ("game", .string(file.name)), ("sets", .array(kinds.map { .string($0.rawValue) })),
            ("radii", .numbers(settings.radii)), ("testRadius", .number(settings.testRadius)),
            ("samples", .int(settings.samples)), ("seed", .unsigned(settings.seed)),
            ("cells", .int(settings.cellCount)), ("converged", .bool(converged)),
            ("nominal", .object([("converged", .bool(eq.converged)), ("iterations", .int(eq.iterations)),
                                 ("exploitability", .number(eq.exploitability)),
                                 ("stationarityResidual", .number(eq.stationarityResidual)),
                                 ("value", .number(baseline.performance.value))])),
            ("rows", .array(records.map { r in
                .object([("cell", .int(r.cell)), ("set", .string(r.set)), ("radius", .number(r.radius)),
                         ("testRadius", .number(r.testRadius)), ("converged", .bool(r.converged)),
                         ("iterations", .int(r.iterations))] + r.figures.map { ($0.name, JSON.number($0.value)) })
            })),
        ]
        return ABIResult(json: JSON.object(fields).serialized, arrays: [:])
    }
}
