import Foundation
@testable import GameFiles
import MeanField
import Testing

/// A "billion laughs" document: `levels` levels of `width` aliases to the level below.
func laughs(levels: Int, width: Int, asKey: Bool = false) -> String {
    var lines = ["name: bad", "l0: &l0 [" + Array(repeating: "\"lol\"", count: width).joined(separator: ",") + "]"]
    for k in 1..<levels {
        lines.append("l\(k): &l\(k) [" + Array(repeating: "*l\(k - 1)", count: width).joined(separator: ",") + "]")
    }
    if asKey { lines.append("? *l\(levels - 1)\n: 1") }
    return lines.joined(separator: "\n") + "\n"
}

@Suite("YAML alias expansion is bounded before it is built")
struct AliasBombTests {
    /// The scan counts exactly what expanding would build (keys included), without expanding.
    @Test func scanCountsTheExpansion() throws {
        for (levels, width) in [(1, 3), (2, 3), (3, 4), (4, 5)] {
            let text = laughs(levels: levels, width: width)
            let scan = YAMLScan.scan(text, limit: 1_000_000, maximumDepth: 200)
            #expect(scan.outcome == .fine)
            // Root mapping, the `name` key and value, then per level a key and the expanded list
            // (1 + w + w² + … + w^(k+1) nodes).
            var expected = 3
            for k in 0..<levels { expected += 2 + (1...k + 1).reduce(0) { acc, j in acc + Int(pow(Double(width), Double(j))) } }
            #expect(scan.nodes == expected, "levels \(levels), width \(width)")
            // The tree built from it has the same number of values minus the keys.
            let root = try #require(try DocumentReader.parseYAML(text))
            func count(_ n: DocumentNode) -> Int {
                switch n.value {
                case let .array(a): 1 + a.reduce(0) { $0 + count($1) }
                case let .object(o): 1 + o.reduce(0) { $0 + 1 + count($1.value) }
                default: 1
                }
            }
            #expect(count(root) == expected)
        }
    }

    /// 10^9 values are refused by the scan, which stops at the limit: its count never exceeds
    /// `limit + 1`, so the work is bounded by the text and the limit, not the expansion.
    @Test func billionLaughsIsRefusedByTheScan() throws {
        for asKey in [false, true] {
            let text = laughs(levels: 9, width: 10, asKey: asKey)
            let scan = YAMLScan.scan(text, limit: DocumentReader.maximumExpandedValues, maximumDepth: 200)
            #expect(scan.outcome == .tooLarge)
            #expect(scan.nodes == DocumentReader.maximumExpandedValues + 1)
            // A small limit is hit after a few hundred nodes.
            #expect(YAMLScan.scan(text, limit: 100, maximumDepth: 200) == (.tooLarge, 101))
            #expect(throws: DocumentError.syntax("document too large (more than 5,000,000 values after expanding aliases)")) {
                try DocumentReader.parseYAML(text)
            }
        }
    }

    @Test func refusalIsOneLineNamingTheFile() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("laughs-\(getpid()).yaml").path
        try laughs(levels: 9, width: 10).write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect {
            try GameFile.load(path: path)
        } throws: { error in
            guard let e = error as? GameFileError else { return false }
            return e.description.hasPrefix(path) && !e.description.contains("\n")
                && e.message.contains("YAML syntax error: document too large") && e.message.contains("after expanding aliases")
        }
    }

    /// Nesting is refused by the scan too, before the recursive composer sees it.
    @Test func deepNestingIsRefusedByTheScan() {
        let deep = "a: &a x\nb: " + String(repeating: "[", count: 300) + "*a" + String(repeating: "]", count: 300) + "\n"
        #expect(YAMLScan.scan(deep, limit: 1_000_000, maximumDepth: 200).outcome == .tooDeep)
        #expect(throws: DocumentError.syntax("nesting deeper than 200 levels")) { try DocumentReader.parseYAML(deep) }
    }

    /// Legitimate aliases still load, shadowed anchors use the latest definition, and an
    /// undefined alias is still reported by the composer with its position.
    @Test func ordinaryAliasesStillWork() throws {
        let text = "a: &x [1, 2]\nb: *x\nc: &x 3\nd: *x\n"
        #expect(YAMLScan.scan(text, limit: 100, maximumDepth: 200) == (.fine, 1 + 4 + 4 + 2 + 2))
        let root = try #require(try DocumentReader.parseYAML(text))
        guard case let .object(pairs) = root.value else { Issue.record("not a mapping"); return }
        #expect(pairs.map(\.key) == ["a", "b", "c", "d"])
        #expect(pairs[3].value.value == .number(3))
        #expect(throws: DocumentError.self) { try DocumentReader.parseYAML("a: *nothing\nb: &y 1\n") }
    }
}

@Suite("Docs/Format.md matches behaviour")
struct FormatDocumentationTests {
    static var formatText: String {
        get throws { try String(contentsOf: Paths.root.appendingPathComponent("Docs/Format.md"), encoding: .utf8) }
    }

    /// The reference example at the top of Format.md loads, solves and converges.
    @Test func referenceExampleSolves() throws {
        let text = try Self.formatText
        let start = try #require(text.range(of: "```yaml\n"))
        let end = try #require(text.range(of: "```", range: start.upperBound..<text.endIndex))
        let yaml = String(text[start.upperBound..<end.lowerBound])
        #expect(yaml.contains("name: beach-bar"))
        let (file, game) = try loadGame(yaml)
        let result = try game.solveEquilibrium(options: file.equilibriumOptions)
        #expect(result.converged)
        #expect(result.exploitability <= file.solver.tolerance && result.stationarityResidual <= 1e-6)
    }

    /// Names may not clash with function names (states, actions and parameters).
    @Test func functionNamesAreRefused() throws {
        let base = "name: bad\nstates: [S, I]\nactions: 2\ndiscount: 0.9\nreward: \"0\"\ntransition: \"t == a\"\n"
        for function in ["abs", "exp", "log", "sqrt", "floor", "ceil", "min", "max", "mod", "pow", "if", "clamp", "sum"] {
            let state = try #require(loadError(base.replacingOccurrences(of: "[S, I]", with: "[S, \(function)]")))
            #expect(state.field == "states[1]" && state.message.contains("function name"), "\(function): \(state)")
            let parameter = try #require(loadError(base + "parameters:\n  \(function): 1\n"))
            #expect(parameter.field == "parameters.\(function)" && parameter.message.contains("function name"))
        }
    }

    /// Weights and costs present for a set that does not use them are checked anyway.
    @Test func unusedWeightsAndCostsAreChecked() throws {
        let base = "name: bad\nstates: 3\nactions: 2\ndiscount: 0.9\nreward: \"0\"\ntransition: \"t == a\"\nambiguity:\n  radius: 0.1\n"
        for set in ["tv", "linf", "kl", "chi2", "wasserstein", "none"] {
            let cost = set == "wasserstein" ? "\n  cost: \"abs(s - t)\"" : ""
            let weights = try #require(loadError(base + "  set: \(set)\n  weights: \"t - 1\"\(cost)\n"))
            #expect(weights.field == "ambiguity.weights" && weights.message.contains("t=0"), "\(set): \(weights)")
            if set != "wasserstein" {
                let bad = try #require(loadError(base + "  set: \(set)\n  cost: \"s - t\"\n"))
                #expect(bad.field == "ambiguity.cost", "\(set): \(bad)")
            }
        }
        // Valid unused weights and costs are fine.
        _ = try loadGame(base + "  set: tv\n  weights: \"1 + t\"\n  cost: \"abs(s - t)\"\n")
    }

    /// `ambiguity.radius` is required for every set except `none`, where it defaults to 0.
    @Test func radiusIsRequiredExceptForNone() throws {
        let base = "name: g\nstates: 2\nactions: 2\ndiscount: 0.9\nreward: \"0\"\ntransition: \"t == a\"\nambiguity:\n"
        let (file, _) = try loadGame(base + "  set: none\n")
        #expect(file.radiusSource == "0")
        let missing = try #require(loadError(base + "  set: tv\n"))
        #expect(missing.field == "ambiguity.radius" && missing.message.contains("missing"))
    }

    /// `solver.inner: lp` with a set that is not polyhedral is reported as the dual solver.
    @Test func innerSolverUsedIsReported() throws {
        let base = "name: g\nstates: 2\nactions: 2\ndiscount: 0.9\nreward: \"s\"\ntransition: \"t == a\"\nsolver:\n  inner: INNER\nambiguity:\n  radius: 0.1\n  set: "
        for (inner, set, used) in [("lp", "kl", "dual"), ("lp", "chi2", "dual"), ("lp", "tv", "lp"), ("closed-form", "kl", "closed-form")] {
            let (file, _) = try loadGame(base.replacingOccurrences(of: "INNER", with: inner) + set + "\n")
            #expect(file.innerSolverUsed == used)
            #expect((file.innerSolverNote != nil) == (used == "dual"))
        }
    }
}
