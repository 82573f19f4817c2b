import Foundation
import Testing
@testable import RobustMFGC

extension CABISuites {
    /// The C entry points called directly, as a C caller would: valid calls, and every kind
    /// of bad pointer, length and number, which must return an error and never trap.
    @Suite(.serialized) struct CABITests {
        func worstCase(_ set: String, _ p: [Double]?, _ v: [Double]?, n: Int64, radius: Double, method: String = "closed-form",
                       weights: [Double]? = nil) -> (Int32, OpaquePointer?, OpaquePointer?) {
            var result: OpaquePointer?
            var error: OpaquePointer?
            let status = set.withCString { s in
                method.withCString { m in
                    rmfg_worst_case(s, n, p, v, radius, nil, weights, nil, nil, m, 0, &result, &error)
                }
            }
            return (status, result, error)
        }

        @Test func versionMatchesTheHeader() throws {
            let header = try String(contentsOfFile: "include/robustmfg.h", encoding: .utf8)
            #expect(header.contains("#define RMFG_VERSION_MAJOR \(ABIVersion.major)\n"))
            #expect(header.contains("#define RMFG_VERSION_MINOR \(ABIVersion.minor)\n"))
            #expect(header.contains("#define RMFG_VERSION_PATCH \(ABIVersion.patch)\n"))
            #expect(header.contains("#define RMFG_VERSION \"\(String(cString: try #require(rmfg_version())))\"\n"))
            #expect(header.contains("#define RMFG_ABI_VERSION \(rmfg_abi_version())\n"))
        }

        @Test func worstCaseReturnsTheCertifiedSolution() throws {
            let (status, result, error) = worstCase("tv", [0.2, 0.3, 0.5], [1, 2, 3], n: 3, radius: 0.1, method: "both")
            #expect(status == 0 && error == nil)
            defer { rmfg_result_free(result) }
            let json = String(cString: try #require(rmfg_result_json(result)))
            #expect(json.contains("\"set\":\"tv\"") && json.contains("\"passed\":true"))
            #expect(rmfg_result_length(result, "distribution") == 3)
            var q = [Double](repeating: .nan, count: 3)
            var copyError: OpaquePointer?
            #expect(rmfg_result_copy(result, "distribution", &q, 3, &copyError) == 0)
            #expect(abs(q[0] - 0.3) < 1e-15 && abs(q[2] - 0.4) < 1e-15)
            // A wrong length or name is an error, not an overrun.
            #expect(rmfg_result_copy(result, "distribution", &q, 2, &copyError) == 2)
            #expect(take(copyError).field == "length")
            #expect(rmfg_result_copy(result, "nope", &q, 3, &copyError) == 2)
            #expect(take(copyError).field == "name")
            #expect(rmfg_result_length(result, "nope") == -1)
        }

        /// Regression: with `exact` the LP solved is the exact row program (fewer rows than the
        /// exported LP); its duals are named by that program's rows, never indexed past them.
        @Test func exactWorstCaseNamesTheExactProgramsRows() throws {
            var result: OpaquePointer?
            var error: OpaquePointer?
            let status = "tv".withCString { s in
                "lp".withCString { m in rmfg_worst_case(s, 3, [0.1, 0.2, 0.7], [1.0 / 3, 0.1, 2.0 / 3], 0.1, nil, nil, nil, nil, m, 1, &result, &error) }
            }
            #expect(status == 0 && error == nil)
            defer { rmfg_result_free(result) }
            let json = String(cString: try #require(rmfg_result_json(result)))
            #expect(json.contains("\"exact\":true") && json.contains("\"budget\":") && json.contains("\"balance\":"))
            #expect(json.contains("\"passed\":true"))
        }

        @Test func badPointersLengthsAndNumbersAreErrors() {
            let cases: [(String, [Double]?, [Double]?, Int64, Double, String)] = [
                ("tv", nil, [1, 2], 2, 0.1, "nominal"),
                ("tv", [0.5, 0.5], nil, 2, 0.1, "values"),
                ("tv", [0.5, 0.5], [1, 2], 0, 0.1, "n"),
                ("tv", [0.5, 0.5], [1, 2], -5, 0.1, "n"),
                ("tv", [0.5, 0.5], [1, 2], Int64.max, 0.1, "n"),
                ("tv", [.nan, 0.5], [1, 2], 2, 0.1, "nominal"),
                ("tv", [0.5, 0.5], [1, .infinity], 2, 0.1, "values"),
                ("tv", [0.5, 0.5], [1, 2], 2, .nan, "radius"),
                ("tv", [0.5, 0.5], [1, 2], 2, -1, "radius"),
                ("tv", [0.7, 0.5], [1, 2], 2, 0.1, "nominal"),
                ("bogus", [0.5, 0.5], [1, 2], 2, 0.1, "set"),
                ("kl", [0.5, 0.5], [1, 2], 2, 0.1, "method"),  // kl has no LP (method lp below)
            ]
            for (k, c) in cases.enumerated() {
                let (status, result, error) = worstCase(c.0, c.1, c.2, n: c.3, radius: c.4, method: k == cases.count - 1 ? "lp" : "closed-form")
                #expect(status == 2 && result == nil, "case \(k)")
                let e = take(error)
                #expect(e.status == 2 && e.field == c.5 && e.message.hasPrefix("\(c.5): "), "case \(k): \(e)")
            }
            // No result pointer, no error pointer: still a status, no crash.
            let status = "tv".withCString { rmfg_worst_case($0, 2, [0.5, 0.5], [1, 2], 0.1, nil, nil, nil, nil, nil, 0, nil, nil) }
            #expect(status == 2)
            #expect(take(worstCase("l1", [0.5, 0.5], [1, 2], n: 2, radius: 0.1, weights: [1, -1]).2).field == "weights")
        }

        @Test func handlesAreChecked() {
            let before = rmfg_live_handles()
            let (_, result, _) = worstCase("tv", [0.5, 0.5], [1, 2], n: 2, radius: 0.1)
            #expect(rmfg_live_handles() == before + 1)
            rmfg_result_free(result)
            #expect(rmfg_live_handles() == before)
            // Freed, foreign and mistyped handles: refused, never dereferenced.
            rmfg_result_free(result)
            #expect(rmfg_result_json(result) == nil)
            let foreign = OpaquePointer(bitPattern: 0xdead_beef)
            #expect(rmfg_result_json(foreign) == nil && rmfg_error_message(foreign) == nil && rmfg_error_status(foreign) == -1)
            rmfg_game_free(foreign)
            var out: OpaquePointer?
            var error: OpaquePointer?
            #expect(rmfg_game_solve(foreign, nil, 0, &out, &error) == 2 && out == nil)
            #expect(take(error).message == "game: not a live game handle")
            #expect(rmfg_live_handles() == before)
        }

        @Test func batchSolvesEveryRowAndNamesTheFirstBadOne() throws {
            let k = 50, n = 4
            var p = [Double](), v = [Double]()
            for r in 0..<k {
                p += [0.1, 0.2, 0.3, 0.4]
                v += [Double(r % 3), 1, -2, 0.5]
            }
            var out = [Double](repeating: .nan, count: k), gap = [Double](repeating: .nan, count: k)
            var error: OpaquePointer?
            var radius = [0.15]
            let status = "tv".withCString { s in
                rmfg_worst_case_batch(s, Int64(k), Int64(n), p, v, &radius, 1, nil, nil, nil, nil, 2, &out, nil, &gap, &error)
            }
            #expect(status == 0)
            var fast = [Double](repeating: .nan, count: k)
            _ = "tv".withCString { rmfg_worst_case_batch($0, Int64(k), Int64(n), p, v, &radius, 1, nil, nil, nil, nil, 2, &fast, nil, nil, &error) }
            #expect(out == fast)  // the in-place kernel and the certified path give the same σ
            #expect(gap.allSatisfy { abs($0) < 1e-12 })
            p[17 * n + 1] = .nan
            p[30 * n] = -1
            let bad = "tv".withCString { rmfg_worst_case_batch($0, Int64(k), Int64(n), p, v, &radius, 1, nil, nil, nil, nil, 2, &out, nil, nil, &error) }
            #expect(bad == 2)
            #expect(take(error).message == "row 17: nominal: entry 1 is nan, expected a finite number >= 0")
            let nullOut = "tv".withCString { rmfg_worst_case_batch($0, Int64(k), Int64(n), p, v, &radius, 1, nil, nil, nil, nil, 2, nil, nil, nil, &error) }
            #expect(nullOut == 2 && take(error).field == "out_values")
            let overflow = "tv".withCString { rmfg_worst_case_batch($0, Int64.max / 2, 4, p, v, &radius, 1, nil, nil, nil, nil, 2, &out, nil, nil, &error) }
            #expect(overflow == 2 && take(error).field == "k")
        }

        @Test func gameErrorsAreTheCLIsLines() throws {
            var game: OpaquePointer?
            var error: OpaquePointer?
            let status = "Tests/GameFilesTests/Malformed/discount-one.yaml".withCString { rmfg_game_load($0, &game, &error) }
            #expect(status == 2 && game == nil)
            let e = take(error)
            #expect(e.message.hasPrefix("Tests/GameFilesTests/Malformed/discount-one.yaml: discount") && e.field == "discount")
            #expect("Examples/two-state.json".withCString { rmfg_game_load($0, &game, &error) } == 0)
            defer { rmfg_game_free(game) }
            var result: OpaquePointer?
            #expect("temperature=abc".withCString { rmfg_game_solve(game, $0, 0, &result, &error) } == 2)
            #expect(take(error).message == "temperature: 'abc', expected a finite number")
            #expect(rmfg_game_solve(game, nil, 0, &result, &error) == 0)
            defer { rmfg_result_free(result) }
            #expect(rmfg_result_length(result, "meanField") == 2)
            var policy = [0.5, 0.5], mu = [1.5, -0.5]
            var evaluation: OpaquePointer?
            #expect(rmfg_game_evaluate(game, &policy, 1, 2, &mu, 2, nil, &evaluation, &error) == 2)
            #expect(take(error).field == "policy")
        }

        /// `rmfg_game_solve_coarse`: a crowd grid solved from its coarser level (the levels in the
        /// JSON, the same mean field as `solve(verify:coarsest:)` of the library's game), and every
        /// bad argument an error naming it, with no result and no leaked handle.
        @Test func coarseSolveReportsItsLevelsAndRefusesBadArguments() throws {
            let before = rmfg_live_handles()
            var game: OpaquePointer?
            var error: OpaquePointer?
            let params = "width=16\nheight=12"
            let loaded = "Examples/crowd-grid.yaml".withCString { path in
                params.withCString { rmfg_game_load_with(path, $0, nil, 0, nil, &game, &error) }
            }
            #expect(loaded == 0)
            defer { rmfg_game_free(game) }
            var result: OpaquePointer?
            #expect(rmfg_game_solve_coarse(game, nil, 0, 60, &result, &error) == 0)
            let json = String(cString: try #require(rmfg_result_json(result)))
            #expect(json.contains("\"coarseStart\":[{\"grid\":[8,6]"))
            #expect(rmfg_result_length(result, "meanField") == 192)
            rmfg_result_free(result)
            for bad: Int64 in [0, -1, .min] {
                var none: OpaquePointer?
                #expect(rmfg_game_solve_coarse(game, nil, 0, bad, &none, &error) == 2 && none == nil)
                #expect(take(error).field == "coarsest_states")
            }
            var none: OpaquePointer?
            #expect("Examples/lasry-lions.yaml".withCString { rmfg_game_load($0, &none, &error) } == 0)
            #expect(rmfg_game_solve_coarse(none, nil, 0, 60, &result, &error) == 2)
            #expect(take(error).field == "coarse_start")
            rmfg_game_free(none)
            #expect(rmfg_game_solve_coarse(OpaquePointer(bitPattern: 0xdead_beef), nil, 0, 60, &result, &error) == 2)
            #expect(take(error).message == "game: not a live game handle")
            #expect(rmfg_live_handles() == before + 1)
        }
    }
}
