import Foundation
import Testing
import TestSupport

@Suite("rmfg worst-case")
struct WorstCaseCommandTests {
    let base = ["worst-case", "--nominal", "0.2,0.3,0.5", "--values", "1,2,3"]

    /// TV radius 0.1: move 0.1 from state 2 (V=3) to state 0 (V=1):
    /// q = (0.3, 0.3, 0.4), σ = 0.3 + 0.6 + 1.2 = 2.1.
    @Test func tvJSONFields() throws {
        let r = try rmfg(base + ["--set", "tv", "--radius", "0.1", "--format", "json"])
        #expect(r.status == 0, "\(r.stderr)")
        let j = try r.json()
        #expect(isApproximatelyEqual(number(j, "value") ?? .nan, 2.1, absolute: 0, relative: 1e-9))
        #expect(isApproximatelyEqual(numbers(j, "distribution") ?? [], [0.3, 0.3, 0.4], absolute: 1e-9, relative: 1e-9))
        #expect(j["method"] as? String == "closed-form")
        let cert = try #require(j["certificate"] as? [String: Any])
        #expect(isApproximatelyEqual(number(cert, "primal") ?? .nan, 2.1, absolute: 0, relative: 1e-9))
        #expect(isApproximatelyEqual(number(cert, "dual") ?? .nan, 2.1, absolute: 0, relative: 1e-9))
        #expect(abs(number(cert, "gap") ?? .nan) <= 1e-12)
        #expect(j["dual"] is [String: Any])
    }

    @Test(arguments: ["none", "tv", "l1", "linf", "wasserstein"], ["simplex", "nominal"])
    func bothMethodsAgree(set: String, support: String) throws {
        let r = try rmfg(["worst-case", "--nominal", "0.1,0,0.4,0.5", "--values", "4,-1,2,2", "--set", set,
                          "--radius", "0.15", "--support", support, "--method", "both", "--format", "json"])
        #expect(r.status == 0, "\(r.stderr)")
        let j = try r.json()
        let lp = try #require(j["lp"] as? [String: Any])
        #expect(lp["status"] as? String == "optimal")
        #expect((number(j, "agreement") ?? 1) <= 1e-9)
        #expect(isApproximatelyEqual(number(j, "value") ?? .nan, number(lp, "value") ?? .nan, absolute: 0, relative: 1e-9))
        if support == "nominal" {
            // State 1 has p = 0: nothing may move there.
            #expect(numbers(j, "distribution")?[1] == 0)
        }
    }

    @Test func claimChecked() throws {
        let good = try rmfg(base + ["--set", "tv", "--radius", "0.1", "--claim", "2.1", "--format", "json"])
        #expect(good.status == 0)
        #expect(abs(number(try good.json(), "claimError") ?? 1) <= 1e-12)
        let bad = try rmfg(base + ["--set", "tv", "--radius", "0.1", "--claim", "2.0", "--format", "json"])
        #expect(bad.status == 1)
        #expect(isApproximatelyEqual(number(try bad.json(), "claimError") ?? .nan, -0.1, absolute: 1e-9, relative: 1e-9))
    }

    @Test func divergencesAreCertifiedByTheirDual() throws {
        for set in ["kl", "chi2"] {
            let r = try rmfg(base + ["--set", set, "--radius", "0.1", "--format", "json"])
            #expect(r.status == 0)
            let cert = try #require(try r.json()["certificate"] as? [String: Any])
            #expect(abs(number(cert, "gap") ?? 1) <= 1e-9)
        }
        try expectInputError(base + ["--set", "kl", "--radius", "0.1", "--method", "lp"], mentioning: "not polyhedral")
    }

    @Test func wassersteinCostFromExpressionAndFile() throws {
        let fromExpr = try rmfg(base + ["--set", "wasserstein", "--radius", "0.3", "--cost", "abs(s - t)", "--format", "json"])
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rmfg-cost-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let csv = dir.appendingPathComponent("cost.csv")
        try "# c(s,t) = |s - t|\n0,1,2\n1,0,1\n2,1,0\n".write(to: csv, atomically: true, encoding: .utf8)
        let fromFile = try rmfg(base + ["--set", "wasserstein", "--radius", "0.3", "--cost-file", csv.path, "--format", "json"])
        #expect(fromExpr.status == 0 && fromFile.status == 0)
        // Mass 0.3 moves one step down: from state 2 to 1 costs 1 per unit.
        // σ = 2.3 − 0.3 = 2.0.
        #expect(isApproximatelyEqual(number(try fromExpr.json(), "value") ?? .nan, 2.0, absolute: 1e-9, relative: 1e-9))
        #expect(number(try fromExpr.json(), "value") == number(try fromFile.json(), "value"))
        try "0,1\n1,0\n".write(to: csv, atomically: true, encoding: .utf8)
        try expectInputError(base + ["--set", "wasserstein", "--radius", "0.3", "--cost-file", csv.path], mentioning: "--cost-file")
        try expectInputError(base + ["--set", "wasserstein", "--radius", "0.3", "--cost", "1"], mentioning: "--cost")
        try expectInputError(base + ["--set", "wasserstein", "--radius", "0.3", "--cost", "abs(s - "], mentioning: "--cost")
    }

    @Test func exportedLPIsReadableByGLPK() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rmfg-lp-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("inner.lp").path
        let r = try rmfg(base + ["--set", "l1", "--radius", "0.2", "--weights", "1,2,1", "--export-lp", file, "--format", "json"])
        #expect(r.status == 0)
        let sigma = try #require(number(try r.json(), "value"))
        // Read back by our own GLPK reader (rmfg lp) ...
        let back = try rmfg(["lp", file, "--format", "json"])
        #expect(back.status == 0)
        #expect(isApproximatelyEqual(number(try back.json(), "objective") ?? .nan, sigma, absolute: 1e-9, relative: 1e-9))
        // ... and by glpsol, GLPK's own command-line solver.
        if let glpsol = glpsolPath {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: glpsol)
            let out = dir.appendingPathComponent("solution.txt").path
            p.arguments = ["--lp", file, "-o", out]
            p.standardOutput = FileHandle.nullDevice
            try p.run()
            p.waitUntilExit()
            #expect(p.terminationStatus == 0)
            let text = try String(contentsOfFile: out, encoding: .utf8)
            #expect(text.contains("OPTIMAL"))
        }
    }

    @Test func exactArithmetic() throws {
        let r = try rmfg(base + ["--set", "tv", "--radius", "0.25", "--method", "both", "--exact", "--format", "json"])
        #expect(r.status == 0)
        let lp = try #require(try r.json()["lp"] as? [String: Any])
        #expect(lp["exact"] as? Bool == true)
        try expectInputError(base + ["--set", "tv", "--radius", "0.25", "--exact"], mentioning: "--exact")
    }

    @Test func textOutput() throws {
        let r = try rmfg(base + ["--set", "tv", "--radius", "0.1", "--method", "both"])
        #expect(r.status == 0)
        #expect(r.stdout.contains("σ = min_{q∈U} q·V = 2.1"))
        #expect(r.stdout.contains("agree"))
        #expect(r.stdout.contains("certificate"))
    }

    @Test func badInputIsRefused() throws {
        let ok = ["--set", "tv", "--radius", "0.1"]
        try expectInputError(["worst-case", "--nominal", "0.2,0.3,0.6", "--values", "1,2,3"] + ok, mentioning: "--nominal")
        try expectInputError(["worst-case", "--nominal", "0.5,-0.1,0.6", "--values", "1,2,3"] + ok, mentioning: "--nominal")
        try expectInputError(["worst-case", "--nominal", "0.5,x,0.5", "--values", "1,2,3"] + ok, mentioning: "--nominal")
        try expectInputError(["worst-case", "--nominal", "0.5,nan,0.5", "--values", "1,2,3"] + ok, mentioning: "--nominal")
        try expectInputError(["worst-case", "--nominal", "", "--values", "1"] + ok, mentioning: "--nominal")
        try expectInputError(["worst-case", "--nominal", "0.5,0.5", "--values", "1,2,3"] + ok, mentioning: "--values")
        try expectInputError(["worst-case", "--nominal", "0.5,0.5", "--values", "1,inf"] + ok, mentioning: "--values")
        try expectInputError(base + ["--set", "tv", "--radius", "-0.1"], mentioning: "--radius")
        try expectInputError(base + ["--set", "tv", "--radius", "nan"], mentioning: "--radius")
        try expectInputError(base + ["--set", "huge", "--radius", "0.1"], mentioning: "--set")
        try expectInputError(base + ["--set", "tv", "--radius", "0.1", "--support", "all"], mentioning: "--support")
        try expectInputError(base + ["--set", "tv", "--radius", "0.1", "--method", "magic"], mentioning: "--method")
        try expectInputError(base + ["--set", "l1", "--radius", "0.1", "--weights", "1,0,1"], mentioning: "--weights")
        try expectInputError(base + ["--set", "l1", "--radius", "0.1", "--weights", "1,1"], mentioning: "--weights")
        try expectInputError(base + ["--set", "tv", "--radius", "0.1", "--weights", "1,1,1"], mentioning: "--weights")
        try expectInputError(base + ["--set", "tv", "--radius", "0.1", "--claim", "abc"], mentioning: "--claim")
        try expectInputError(base + ["--set", "tv", "--radius", "0.1", "--export-lp", "/nonexistent/dir/x.lp"], mentioning: "--export-lp")
    }
}

@Suite("rmfg lp and --version")
struct LPCommandTests {
    @Test func bundledLP() throws {
        let r = try rmfg(["lp", "Examples/wyndor.lp", "--format", "json"])
        #expect(r.status == 0)
        let j = try r.json()
        #expect(number(j, "objective") == 36)
        #expect(numbers(j, "primal") == [2, 6])
        #expect(numbers(j, "rowDuals") == [0, 1.5, 1])
        try expectInputError(["lp", "Examples/missing.lp"], mentioning: "missing.lp")
    }

    @Test func version() throws {
        let r = try rmfg(["--version"])
        #expect(r.status == 0)
        #expect(!r.stdout.isEmpty)
    }
}
