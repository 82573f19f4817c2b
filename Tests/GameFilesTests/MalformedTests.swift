import Foundation
import GameFiles
import Testing

/// The malformed-file corpus (`Malformed/`, shared with the fuzzer's seed corpus):
/// every file is rejected with a one-line `GameFileError` naming the expected field.
@Suite struct MalformedTests {
    /// File name → the exact `field` of the error (`""` for whole-file problems).
    static let expectedField: [String: String] = [
        "discount-one.yaml": "discount",
        "discount-text.yaml": "discount",
        "discount-nan.yaml": "discount",
        "name-missing.yaml": "name",
        "name-number.yaml": "name",
        "description-list.yaml": "description",
        "states-zero.yaml": "states",
        "states-fraction.yaml": "states",
        "states-mapping.yaml": "states.a",
        "actions-empty-list.yaml": "actions",
        "state-name-duplicate.yaml": "states[1]",
        "state-name-invalid.yaml": "states[1]",
        "state-name-reserved.yaml": "states[0]",
        "action-name-number.yaml": "actions[0]",
        "state-name-function.yaml": "states[1]",
        "action-name-function.yaml": "actions[1]",
        "parameter-function-name.yaml": "parameters.log",
        "weights-unused-zero.yaml": "ambiguity.weights",
        "cost-unused-negative.yaml": "ambiguity.cost",
        "yaml-alias-bomb.yaml": "",
        "yaml-alias-key-bomb.yaml": "",
        "parameter-clashes-state.yaml": "parameters.A",
        "parameter-ragged.yaml": "parameters.m[1]",
        "parameter-nan.yaml": "parameters.x",
        "parameter-text.yaml": "parameters.x",
        "parameters-list.yaml": "parameters",
        "unknown-top-key.yaml": "rewards",
        "unknown-ambiguity-key.yaml": "ambiguity.radious",
        "unknown-solver-key.yaml": "solver.tolerence",
        "unknown-transition-key.yaml": "transition.normalise",
        "reward-missing.yaml": "reward",
        "reward-syntax.yaml": "reward",
        "reward-unknown-name.yaml": "reward",
        "reward-uses-t.yaml": "reward",
        "reward-log-zero.yaml": "reward",
        "reward-division-by-zero.yaml": "reward",
        "reward-index-out-of-range.yaml": "reward",
        "reward-constant-index.yaml": "reward",
        "reward-empty.yaml": "reward",
        "reward-boolean.yaml": "reward",
        "transition-missing.yaml": "transition",
        "transition-row-sum.yaml": "transition",
        "transition-negative.yaml": "transition",
        "transition-normalize-zero.yaml": "transition.expr",
        "transition-normalize-text.yaml": "transition.normalize",
        "transition-normalize-table.yaml": "transition.normalize",
        "transition-two-kinds.yaml": "transition",
        "transition-list.yaml": "transition",
        "table-shape.yaml": "transition.table",
        "table-row-sum.yaml": "transition.table",
        "table-negative.yaml": "transition.table",
        "table-unknown-parameter.yaml": "transition.table",
        "sparse-index-out-of-range.yaml": "transition.sparse[1]",
        "sparse-missing-row.yaml": "transition.sparse",
        "sparse-duplicate.yaml": "transition.sparse",
        "sparse-shape.yaml": "transition.sparse",
        "ambiguity-set-unknown.yaml": "ambiguity.set",
        "ambiguity-set-missing.yaml": "ambiguity.set",
        "radius-negative.yaml": "ambiguity.radius",
        "radius-missing.yaml": "ambiguity.radius",
        "radius-negative-at-state.yaml": "ambiguity.radius",
        "radius-division-by-zero.yaml": "ambiguity.radius",
        "support-unknown.yaml": "ambiguity.support",
        "wasserstein-without-cost.yaml": "ambiguity.cost",
        "cost-nonzero-diagonal.yaml": "ambiguity.cost",
        "cost-zero-off-diagonal.yaml": "ambiguity.cost",
        "cost-negative.yaml": "ambiguity.cost",
        "cost-uses-a.yaml": "ambiguity.cost",
        "weights-zero.yaml": "ambiguity.weights",
        "weights-uses-mu.yaml": "ambiguity.weights",
        "population-unknown.yaml": "population",
        "initial-length.yaml": "initial",
        "initial-sum.yaml": "initial",
        "initial-negative.yaml": "initial",
        "initial-text.yaml": "initial",
        "solver-list.yaml": "solver",
        "solver-method-unknown.yaml": "solver.method",
        "solver-temperature-negative.yaml": "solver.temperature",
        "solver-damping-zero.yaml": "solver.damping",
        "solver-damping-large.yaml": "solver.damping",
        "solver-learning-rate-zero.yaml": "solver.learningRate",
        "solver-tolerance-zero.yaml": "solver.tolerance",
        "solver-max-iterations-zero.yaml": "solver.maxIterations",
        "solver-max-iterations-fraction.yaml": "solver.maxIterations",
        "solver-inner-unknown.yaml": "solver.inner",
        "yaml-syntax.yaml": "",
        "yaml-duplicate-key.yaml": "",
        "empty.yaml": "",
        "comment-only.yaml": "",
        "not-a-mapping.yaml": "",
        "json-syntax.json": "",
        "json-wrong-type.json": "states",
        "json-unknown-key.json": "solver.tolerence",
        "json-empty.json": "",
    ]

    static var corpus: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: Paths.malformed.path)) ?? []).sorted()
    }

    @Test func corpusAndTableAgree() {
        let files = Set(Self.corpus)
        #expect(files.count >= 30)
        #expect(files == Set(Self.expectedField.keys), "missing: \(Set(Self.expectedField.keys).subtracting(files)), unlisted: \(files.subtracting(Self.expectedField.keys))")
    }

    @Test(arguments: MalformedTests.corpus)
    func malformedFileIsRejected(_ name: String) throws {
        let path = Paths.malformed.appendingPathComponent(name).path
        let expected = try #require(Self.expectedField[name], "no expected field for \(name)")
        let error: GameFileError
        do {
            let file = try GameFile.load(path: path)
            _ = try file.makeGame()
            Issue.record("\(name) was accepted")
            return
        } catch let e {
            error = e
        }
        #expect(error.field == expected, "\(name): \(error)")
        #expect(error.file == path)
        #expect(!error.message.isEmpty)
        #expect(!error.message.contains("\n"), "\(name): message spans several lines: \(error.message)")
        #expect(!error.description.contains("\n"))
        #expect(error.description.hasPrefix(path))
        if !expected.isEmpty { #expect(error.description.contains(expected)) }
    }

    @Test func yamlSyntaxErrorGivesLineAndColumn() throws {
        let path = Paths.malformed.appendingPathComponent("yaml-syntax.yaml").path
        #expect {
            try GameFile.load(path: path)
        } throws: { error in
            guard let e = error as? GameFileError else { return false }
            return e.message.contains("YAML syntax error") && e.message.contains("line 5") && e.message.contains("column")
        }
    }

    @Test func jsonSyntaxErrorIsNamed() throws {
        let path = Paths.malformed.appendingPathComponent("json-syntax.json").path
        #expect {
            try GameFile.load(path: path)
        } throws: { error in
            (error as? GameFileError)?.message.hasPrefix("JSON syntax error") == true
        }
    }

    @Test func emptyFileSaysSo() {
        let error = loadError("", path: "empty.yaml")
        #expect(error?.field == "")
        #expect(error?.message.contains("empty") == true)
    }

    @Test func missingFileIsReported() {
        let path = Paths.malformed.appendingPathComponent("does-not-exist.yaml").path
        #expect {
            try GameFile.load(path: path)
        } throws: { error in
            guard let e = error as? GameFileError else { return false }
            return e.field == "" && e.message.contains("no such file") && e.file == path
        }
    }

    /// Errors in YAML carry the position of the offending value.
    @Test func yamlErrorsCarryPositions() throws {
        let text = """
        name: bad
        states: 2
        actions: 2
        discount: 0.9
        reward: "0"
        transition: "t == a"
        solver:
          tolerance: 0
        """
        let error = try #require(loadError(text))
        #expect(error.field == "solver.tolerance")
        #expect(error.position?.line == 8)
        #expect(error.position?.column == 14)
        #expect(error.description.contains("line 8"))
    }

    /// Load-time messages say what was found and what was expected.
    @Test func messagesSayWhatWasFoundAndExpected() throws {
        let base = "name: bad\nstates: 2\nactions: 2\nreward: \"0\"\ntransition: \"t == a\"\n"
        let discount = try #require(loadError(base + "discount: 1\n"))
        #expect(discount.message.contains("found 1") && discount.message.contains("expected 0 <= discount < 1"))
        let table = try #require(loadError(base.replacingOccurrences(of: "transition: \"t == a\"\n", with: "")
                                           + "discount: 0.5\ntransition:\n  table: [[1, 0], [0, 1]]\n"))
        #expect(table.message.contains("[2, 2]") && table.message.contains("[2, 2, 2]"))
        let row = try #require(loadError(base.replacingOccurrences(of: "t == a", with: "0.5 * (t == a)") + "discount: 0.5\n"))
        #expect(row.field == "transition")
        #expect(row.message.contains("s=0") && row.message.contains("a=0") && row.message.contains("0.5"))
        let negative = try #require(loadError(base.replacingOccurrences(of: "t == a", with: "if(t == a, 1.5, -0.5)") + "discount: 0.5\n"))
        #expect(negative.message.contains("t=1") && negative.message.contains("-0.5"))
        let names = try #require(loadError(base.replacingOccurrences(of: "states: 2", with: "states: [S, I]")
            .replacingOccurrences(of: "\"0\"", with: "\"1 / (s - I)\"") + "discount: 0.5\n"))
        #expect(names.field == "reward")
        #expect(names.message.contains("s=I"), "state names are used in messages: \(names.message)")
    }

    /// An expression written as a YAML block scalar spans several lines; its
    /// error must still be a one-line message (Docs/Format.md, "Errors").
    @Test func multiLineExpressionErrorIsOneLine() throws {
        let text = """
        name: bad
        states: 2
        actions: 2
        discount: 0.9
        reward: |
          1 - s
            + (s * 2
        transition: "t == a"
        """
        let error = try #require(loadError(text))
        #expect(error.field == "reward")
        #expect(!error.message.contains("\n"), "message: \(error.message)")
        #expect(!error.description.contains("\n"))
    }
}
