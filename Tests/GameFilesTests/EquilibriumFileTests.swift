import GameFiles
import Testing

/// `EquilibriumFile`: the pair `(μ, π)` of a `rmfg solve` result, read by the game-file JSON parser.
@Suite("Equilibrium files")
struct EquilibriumFileTests {
    @Test func readsAnyJSONNumbers() throws {
        let pair = try EquilibriumFile.parse(text: #"{"meanField": [0.25, 7.5e-1], "policy": [[1, 0], [-0, 1E+0]], "other": "x"}"#,
                                             path: "r.json")
        #expect(pair.meanField == [0.25, 0.75])
        #expect(pair.policy == [[1, 0], [0, 1]])
    }

    @Test func malformedFilesNameWhatIsWrong() {
        let cases: [(String, String)] = [
            ("[1, 2]", "'r.json' is not a JSON object"),
            (#"{"policy": [[1]]}"#, "'r.json' has no meanField array"),
            (#"{"meanField": [1]}"#, "'r.json' has no policy array"),
            (#"{"meanField": [1, "x"], "policy": [[1]]}"#, "meanField has a non-numeric entry (entry 2 is the text 'x')"),
            (#"{"meanField": [1], "policy": 3}"#, "policy is the number 3, expected an array of rows"),
            (#"{"meanField": [1], "policy": [[1], [1e999]]}"#, "policy row 1 entry 1 is out of the range of a Double"),
        ]
        for (text, message) in cases {
            #expect(throws: EquilibriumFileError(message), "\(text)") { try EquilibriumFile.parse(text: text, path: "r.json") }
        }
        #expect(throws: EquilibriumFileError.self) { try EquilibriumFile.parse(text: "{", path: "r.json") }
    }
}
