import Expressions
import Testing
import TestSupport

@Suite("Robustness")
struct RobustnessTests {
    @Test func deepNestingIsAnErrorNotACrash() throws {
        for source in [
            String(repeating: "(", count: 10_000),
            String(repeating: "(", count: 10_000) + "1" + String(repeating: ")", count: 10_000),
            String(repeating: "-", count: 10_000) + "1",
            String(repeating: "not ", count: 10_000) + "1",
            String(repeating: "abs(", count: 10_000) + "1" + String(repeating: ")", count: 10_000),
            String(repeating: "v[", count: 10_000) + "0" + String(repeating: "]", count: 10_000),
            String(repeating: "2^-", count: 10_000) + "1",
        ] {
            let error = try #require(fixture.failure(source))
            #expect(error.kind == .nestingTooDeep(limit: 200))
            #expect(error.stage == .syntax)
            #expect(error.position != nil)
        }
        // The 201st '(' is the one too many.
        #expect(fixture.failure(String(repeating: "(", count: 10_000))?.position?.column == 201)
    }

    @Test func nestingUpToTheLimitWorks() throws {
        let depth = 200
        let source = String(repeating: "(", count: depth) + "1" + String(repeating: ")", count: depth)
        #expect(try fixture.value(source) == 1)
        let deeper = "(" + source + ")"
        #expect(fixture.failure(deeper)?.kind == .nestingTooDeep(limit: 200))
        let calls = String(repeating: "abs(", count: depth) + "x" + String(repeating: ")", count: depth)
        #expect(try fixture.value(calls, ["x": -2]) == 2)
        let mixed = String(repeating: "(x + ", count: 100) + "1" + String(repeating: ") * 1", count: 100)
        #expect(try fixture.value(mixed, ["x": 1]) == 101)
    }

    @Test func longFlatInputIsFine() throws {
        let terms = 50_000
        let sum = Array(repeating: "1", count: terms).joined(separator: " + ")
        #expect(try fixture.value(sum) == Double(terms))
        let withVariable = Array(repeating: "x", count: terms).joined(separator: " + ")
        #expect(try fixture.value(withVariable, ["x": 2]) == Double(2 * terms))
        let powers = Array(repeating: "x", count: 5_000).joined(separator: " ^ ")
        #expect(try fixture.value(powers, ["x": 1]) == 1)
        let logic = Array(repeating: "x", count: 5_000).joined(separator: " and ")
        #expect(try fixture.value(logic, ["x": 3]) == 1)
        let args = "max(" + (0..<5_000).map { "x + \($0)" }.joined(separator: ", ") + ")"
        #expect(try fixture.value(args, ["x": 0]) == 4_999)
    }

    /// Random sources from a replayable seed (`RMFG_TEST_SEED`, printed on failure); a crash
    /// kills the run before any message, so the seed is also printed up front.
    @Test func garbageNeverCrashes() {
        let seed = TestSeed()
        print("garbageNeverCrashes: \(seed)")
        var rng = seed.generator
        let alphabet = Array("()[]+-*/%^,.<>=!&| 0123456789eEsmuxvnotadrif\n")
        for _ in 0..<2_000 {
            let length = Int.random(in: 0...40, using: &rng)
            let source = String((0..<length).map { _ in alphabet.randomElement(using: &rng) ?? " " })
            // Any outcome is fine as long as it is a value or a typed error.
            if let error = fixture.failure(source, ["x": 1, "s": 2]) {
                #expect(!error.description.isEmpty, "\(source.debugDescription), \(seed)")
            }
        }
    }
}
