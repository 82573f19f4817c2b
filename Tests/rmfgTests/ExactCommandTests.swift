import Foundation
import Testing

/// `rmfg solve --exact`: the final pair's inner problems re-solved in exact rational arithmetic.
@Suite("solve --exact")
struct ExactCommandTests {
    /// The JSON object `exactVerification` and its acceptance.
    static func exactReport(_ arguments: [String], status: Int32 = 0,
                            sourceLocation: SourceLocation = #_sourceLocation) throws -> [String: Any] {
        let r = try rmfg(["solve"] + arguments + ["--exact", "--format", "json"])
        #expect(r.status == status, "\(arguments): \(r.stderr)", sourceLocation: sourceLocation)
        return try #require(try r.json()["exactVerification"] as? [String: Any], sourceLocation: sourceLocation)
    }

    /// Closed-form games (tv, linf, none, l1) and the LP path: every row LP agrees.
    @Test(arguments: [["Examples/beach-bar.yaml"], ["Examples/rock-paper-scissors.yaml"], ["Examples/lasry-lions.yaml"],
                      ["Examples/two-state.json", "--inner", "lp"], ["Examples/guide/restaurants.yaml", "--set", "l1"]])
    func polyhedralGamesAgree(arguments: [String]) throws {
        let x = try Self.exactReport(arguments)
        let rows = try #require(x["rowsChecked"] as? Int)
        #expect(rows > 0 && rows % 2 == 0)
        #expect(x["exactlyVerifiable"] as? Bool == true && x["nonPolyhedralRows"] as? Int == 0)
        #expect(x["compared"] as? String == (arguments.contains("lp") ? "lp" : "closed-form"))
        let d = try #require(number(x, "maxDisagreement")), tol = try #require(number(x, "tolerance"))
        #expect(d <= tol && tol >= 1e-9)
        #expect(x["note"] == nil && x["certifiedMaxDisagreement"] == nil)
    }

    /// A moment game (row sets, LP path): 7 states × 3 actions × 2 value functions.
    @Test func momentGameAgrees() throws {
        let x = try Self.exactReport(["Examples/moment-crowd.yaml"])
        #expect(x["compared"] as? String == "lp" && x["exactlyVerifiable"] as? Bool == true)
        #expect((x["rowsChecked"] as? Int ?? 0) > 0)
        #expect((number(x, "maxDisagreement") ?? 1) <= (number(x, "tolerance") ?? 0))
        let text = try rmfg(["solve", "Examples/moment-crowd.yaml", "--exact"])
        #expect(text.status == 0, "\(text.stderr)")
        #expect(text.stdout.contains("row LPs re-solved in exact rational arithmetic (glp_exact), max disagreement with the LP path"))
    }

    /// kl (and chi2) are not LPs: the report says so and what was checked instead.
    @Test(arguments: ["Examples/sis-epidemic.yaml", "Examples/congestion.yaml"])
    func nonPolyhedralSetIsReported(game: String) throws {
        let x = try Self.exactReport([game])
        #expect(x["exactlyVerifiable"] as? Bool == false && x["rowsChecked"] as? Int == 0)
        #expect((x["nonPolyhedralRows"] as? Int ?? 0) > 0)
        #expect((number(x, "certifiedMaxDisagreement") ?? 1) <= (number(x, "tolerance") ?? 0))
        #expect((x["note"] as? String)?.contains("is not polyhedral") == true)
        let text = try rmfg(["solve", game, "--exact"])
        #expect(text.status == 0, "\(text.stderr)")
        #expect(text.stdout.contains("is not polyhedral, so its inner problems are not linear programs and cannot be verified exactly"))
        #expect(text.stdout.contains("rows checked by the certified dual"))
    }

    /// Refusals reachable with --exact: exit 2, one line naming the flag or row, nothing written.
    @Test func badCombinationsAreOneLine() throws {
        let dir = try ScratchFolder()
        let out = dir.path("out")
        try expectInputError(["solve", "Examples/lasry-lions.yaml", "--exact", "--set", "moment", "--output", out], mentioning: "--set")
        try expectInputError(["solve", "Examples/moment-crowd.yaml", "--exact", "--set", "kl", "--output", out],
                             mentioning: "ambiguity.features")
        try expectInputError(["solve", "Examples/two-state.json", "--exact", "--inner", "simplex", "--output", out], mentioning: "--inner")
        try expectInputError(["solve", "Examples/two-state.json", "--exact", "--format", "yaml", "--output", out], mentioning: "--format")
        try expectInputError(["solve", "Examples/two-state.json", "--exact", "--radius", "-1", "--output", out], mentioning: "ambiguity.radius")
        #expect(!FileManager.default.fileExists(atPath: out))
    }
}
