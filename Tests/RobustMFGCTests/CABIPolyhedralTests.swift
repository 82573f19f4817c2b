import Foundation
import Testing
@testable import RobustMFGC
import TestSupport

extension CABISuites {
    /// The 0.2 entry points: `rmfg_worst_case_polyhedral` (moment and polyhedral sets) and
    /// `rmfg_game_load_with` / `rmfg_game_parse_with` (`--param`, `--initial`).
    @Suite(.serialized) struct CABIPolyhedralTests {
        /// σ of a polyhedral or moment set, or the error's field and message.
        func polyhedral(_ set: String, p: [Double], v: [Double], matrix: [Double], rows: Int, relations: String?, bounds: [Double],
                        within: String? = nil, withinRadius: Double = 0) -> Result<(Double, String), CallError> {
            var result: OpaquePointer?
            var error: OpaquePointer?
            let status = rmfg_worst_case_polyhedral(set, Int64(p.count), p, v, Int64(rows), matrix, relations, bounds,
                                                    Int64(bounds.count), within, withinRadius, nil, 0, &result, &error)
            guard status == 0 else {
                let e = take(error)
                return .failure(CallError(field: e.field, message: e.message))
            }
            defer { rmfg_result_free(result) }
            var q = [Double](repeating: 0, count: p.count)
            _ = rmfg_result_copy(result, "distribution", &q, Int64(p.count), nil)
            let json = rmfg_result_json(result).map { String(cString: $0) } ?? ""
            return .success((zip(q, v).map(*).reduce(0, +), json))
        }

        struct CallError: Error { let field, message: String }

        func linf(_ p: [Double], _ v: [Double], _ rho: Double) -> Double {
            var result: OpaquePointer?
            _ = rmfg_worst_case("linf", Int64(p.count), p, v, rho, nil, nil, nil, nil, nil, 0, &result, nil)
            defer { rmfg_result_free(result) }
            let json = rmfg_result_json(result).map { String(cString: $0) } ?? ""
            let object = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]
            return object?["value"] as? Double ?? .nan
        }

        /// `|q_t − p_t| ≤ ρ` as box constraints and as a moment set of the unit features: the
        /// linf closed form, on replayable random instances.
        @Test func boxConstraintsAreTheLInfinityBall() throws {
            var rng = SplitMix64(seed: 20, stream: 2)
            for trial in 0..<60 {
                let n = 2 + Int(rng.next() % 6)
                var p = (0..<n).map { _ in Double(rng.next() % 1000) + 1 }
                let total = p.reduce(0, +)
                p = p.map { $0 / total }
                let v = (0..<n).map { _ in Double(Int(rng.next() % 2001) - 1000) / 100 }
                let rho = [0, 0.01, 0.1, 0.3, 1][trial % 5]
                var box = [Double](repeating: 0, count: 2 * n * n)
                for t in 0..<n { (box[t * n + t], box[(n + t) * n + t]) = (1, 1) }
                let relations = (Array(repeating: "<=", count: n) + Array(repeating: ">=", count: n)).joined(separator: ",")
                let reference = linf(p, v, rho)
                let asBox = try polyhedral("polyhedral", p: p, v: v, matrix: box, rows: 2 * n, relations: relations,
                                           bounds: p.map { $0 + rho } + p.map { $0 - rho }).get()
                #expect(isApproximatelyEqual(asBox.0, reference, absolute: 1e-9 * (1 + 10), relative: 1e-9), "trial \(trial)")
                #expect(asBox.1.contains("\"method\":\"lp\"") && asBox.1.contains("\"c\(2 * n)\":") && asBox.1.contains("\"passed\":true"))
                let identity = Array(box[0..<(n * n)])
                let asMoment = try polyhedral("moment", p: p, v: v, matrix: identity, rows: n, relations: nil, bounds: [rho]).get()
                #expect(isApproximatelyEqual(asMoment.0, reference, absolute: 1e-9 * (1 + 10), relative: 1e-9), "trial \(trial)")
                let within = try polyhedral("polyhedral", p: p, v: v, matrix: [Double](repeating: 0, count: n), rows: 1,
                                            relations: "<=", bounds: [1], within: "linf", withinRadius: rho).get()
                #expect(isApproximatelyEqual(within.0, reference, absolute: 1e-9 * (1 + 10), relative: 1e-9), "trial \(trial)")
            }
        }

        @Test func badSetsAreErrorsNamingTheArgument() {
            let p = [0.2, 0.3, 0.5], v = [1.0, 2, 3], e0 = [1.0, 0, 0]
            let cases: [(String, [Double], [Double], Int, String?, [Double], String?, String)] = [
                ("polyhedral", p, e0, 1, "<=", [0.1], nil, "nominal"),  // p outside the set
                ("polyhedral", p, e0 + e0, 2, ">=,<=", [0.6, 0.4], nil, "nominal"),  // an empty set
                ("polyhedral", p, [1, .nan, 0], 1, "<=", [1], nil, "constraints"),
                ("polyhedral", p, e0, 1, "<=", [.infinity], nil, "constraints"),
                ("polyhedral", p, e0, 1, "<", [1], nil, "relations"),
                ("polyhedral", p, e0, 1, nil, [1], nil, "relations"),
                ("polyhedral", p, e0, 1, "<=,<=", [1], nil, "relations"),
                ("polyhedral", p, e0, 1, "<=", [1, 2], nil, "bounds"),
                ("polyhedral", p, e0, 1, "<=", [1], "kl", "within"),
                ("polyhedral", [0.5, .nan, 0.5], e0, 1, "<=", [1], nil, "nominal"),
                ("moment", p, e0, 1, nil, [-1], nil, "radius"),
                ("moment", p, e0, 1, nil, [0.1, 0.2], nil, "radius"),
                ("moment", p, [0, .nan, 1], 1, nil, [0.1], nil, "features"),
                ("moment", p, e0, 1, "<=", [0.1], nil, "relations"),
                ("box", p, e0, 1, "<=", [1], nil, "set"),
            ]
            for (set, nominal, matrix, rows, relations, bounds, within, field) in cases {
                let outcome = polyhedral(set, p: nominal, v: v, matrix: matrix, rows: rows, relations: relations, bounds: bounds,
                                         within: within, withinRadius: 0.1)
                guard case let .failure(error) = outcome else {
                    Issue.record("\(set) \(matrix) \(relations ?? "nil"): expected an error naming \(field)")
                    continue
                }
                #expect(error.field == field, "\(error.message)")
                #expect(error.message.hasPrefix("\(field): ") && !error.message.contains("\n"))
            }
            var error: OpaquePointer?
            #expect(rmfg_worst_case_polyhedral("polyhedral", 3, p, v, 1, nil, "<=", [1], 1, nil, 0, nil, 0, nil, &error) == 2)
            #expect(take(error).field == "constraints")
            #expect(rmfg_worst_case_polyhedral("polyhedral", 3, p, v, 1, e0, "<=", [1], 1, nil, 0, nil, 0, nil, &error) == 2)
            #expect(take(error).field == "result")
        }

        @Test func gamesLoadWithParametersAndAnInitialMeanField() throws {
            let path = "Examples/lasry-lions.yaml"
            var game: OpaquePointer?
            var error: OpaquePointer?
            #expect(rmfg_game_load_with(path, "width=30", nil, 0, nil, &game, &error) == 2 && game == nil)
            let unknown = take(error)
            #expect(unknown.field == "params")
            #expect(unknown.message == "\(path): --param: 'width' is not a parameter of the game (known: center, move, spread, crowd, noise)")
            #expect(rmfg_game_load_with(path, "crowd=abc", nil, 0, nil, &game, &error) == 2)
            #expect(take(error).message == "--param: crowd: found 'abc', expected a number or a JSON array of numbers")
            let short = [0.5, 0.5]
            #expect(rmfg_game_load_with(path, nil, short, 2, nil, &game, &error) == 2)
            let initial = take(error)
            #expect(initial.field == "initial" && initial.message.hasPrefix("\(path): --initial: "))
            #expect(rmfg_game_load_with(path, nil, short, 2, "mu.npy", &game, &error) == 2)
            #expect(take(error).field == "initial")
            #expect(rmfg_game_load_with(path, nil, short, -1, nil, &game, &error) == 2)
            #expect(take(error).field == "initial")
            // An entry of the override is named as the CLI names it, with the ABI's name in `field`.
            let nanEntry = [0.5, .nan, 0.5, 0, 0, 0, 0]
            #expect(rmfg_game_load_with(path, nil, nanEntry, 7, nil, &game, &error) == 2)
            let entry = take(error)
            #expect(entry.field == "initial[1]" && entry.message.hasPrefix("\(path): --initial[1]"), "\(entry.message)")
            let mu = [0.4, 0.2, 0.1, 0.1, 0.1, 0.05, 0.05]
            #expect(rmfg_game_load_with(path, "crowd=20\nnoise=0.05", mu, 7, nil, &game, &error) == 0)
            defer { rmfg_game_free(game) }
            let loaded = try #require(Handles.object(game, kind: .game) as? ABIGame)
            #expect(loaded.file.initial == mu)
            // Solver overrides re-read the game with its parameters and initial mean field.
            let overridden = try loaded.applying(try OverrideText.parse("temperature=0.2"))
            #expect(overridden.file.initial == mu && overridden.base == loaded.base && overridden.base.parameters.count == 2)
            var parsed: OpaquePointer?
            let text = try String(contentsOfFile: path, encoding: .utf8)
            #expect(rmfg_game_parse_with(text, "lasry", 0, "crowd=[1, 2", nil, 0, nil, &parsed, &error) == 2)
            #expect(take(error).field == "params")
        }
    }
}
