import Foundation
import GameFiles
import MeanField
import Testing

/// `GameOverrides.parameters` (`--param`) and `GameOverrides.initial` (`--initial`):
/// applied to the document before it is interpreted, checked like the file's own values.
@Suite struct OverrideParameterTests {
    static let game = """
    name: chain
    states: 4
    actions: [left, right]
    discount: 0.9
    parameters:
      slip: 0.5
      bonus: [1, 0, 0, 2]
    reward: "bonus[s] - mu[s]"
    transition:
      successors:
        - {to: "clamp(s + 2 * a - 1, 0, states - 1)", p: "1 - slip"}
        - {to: s, p: slip}
    initial: uniform
    """

    @Test func parse() throws {
        #expect(try ParameterOverride.parse("slip=0.25") == ParameterOverride(name: "slip", shape: [], elements: [0.25]))
        #expect(try ParameterOverride.parse("x=-1e-3") == ParameterOverride(name: "x", shape: [], elements: [-1e-3]))
        #expect(try ParameterOverride.parse("m=[[1, 2], [3, 4]]") == ParameterOverride(name: "m", shape: [2, 2], elements: [1, 2, 3, 4]))
        for bad in ["slip", "=3", "slip=", "slip=abc", "m=[[1, 2], [3]]", "m=[1, \"a\"]", "m={\"a\": 1}"] {
            #expect(throws: GameFileError.self, "\(bad)") { try ParameterOverride.parse(bad) }
            do { _ = try ParameterOverride.parse(bad) } catch {
                #expect(error.description.hasPrefix("--param"), "\(error)")
                #expect(!error.description.contains("\n"))
            }
        }
    }

    @Test func replacesNumbersAndArrays() throws {
        let o = GameOverrides(parameters: [try ParameterOverride.parse("slip=0"), try ParameterOverride.parse("bonus=[0, 0, 0, 5]")])
        let (_, game) = try loadGame(Self.game, overrides: o)
        let snapshot = try game.snapshot(at: uniform(4))
        #expect(snapshot.kernels[0].indices == [0])  // s = 0, left: clamp(-1) = 0, slip 0
        #expect(snapshot.kernels[1].indices == [1])
        #expect(snapshot.rewards[6] == 5 - 0.25)
        // The last of two overrides of one name wins, as on the command line.
        let twice = GameOverrides(parameters: [try ParameterOverride.parse("slip=0.9"), try ParameterOverride.parse("slip=0")])
        #expect(try loadGame(Self.game, overrides: twice).game.snapshot(at: uniform(4)).kernels[1].indices == [1])
    }

    @Test func errorsNameTheParameterOrFlag() throws {
        let unknown = try #require(loadError(Self.game, overrides: GameOverrides(parameters: [ParameterOverride(name: "slop", shape: [], elements: [1])])))
        #expect(unknown.description == "bad.yaml: --param: 'slop' is not a parameter of the game (known: slip, bonus)")
        // A value that breaks the model: the file's own checks report it.
        let negative = try #require(loadError(Self.game, overrides: GameOverrides(parameters: [ParameterOverride(name: "slip", shape: [], elements: [2])])))
        #expect(negative.field == "transition.successors[0].p", "\(negative)")
        let shape = try #require(loadError(Self.game, overrides: GameOverrides(parameters: [ParameterOverride(name: "slip", shape: [2], elements: [1, 2])])))
        #expect(shape.field.hasPrefix("transition.successors"), "\(shape)")
        let function = try #require(loadError("name: g\nstates: 2\nactions: 1\ndiscount: 0.5\nreward: \"0\"\ntransition: \"t == s\"\n",
                                              overrides: GameOverrides(parameters: [ParameterOverride(name: "exp", shape: [], elements: [1])])))
        #expect(function.description.contains("the file declares no parameters"), "\(function)")
    }

    @Test func initialMeanField() throws {
        let (file, _) = try loadGame(Self.game, overrides: GameOverrides(initial: [0.5, 0.5, 0, 0]))
        #expect(file.initial == [0.5, 0.5, 0, 0])
        #expect(file.equilibriumOptions.initialMeanField == [0.5, 0.5, 0, 0])
        for (bad, words) in [([0.5, 0.5, 0], "expected 'uniform' or a vector of 4 probabilities"),
                             ([0.5, 0.6, 0, -0.1], "entry 3 is -0.1"), ([0.5, 0.6, 0, 0], "entries sum to 1.1")] {
            let error = try #require(loadError(Self.game, overrides: GameOverrides(initial: bad)))
            #expect(error.field == "--initial", "\(error)")
            #expect(error.override == .initial(entry: ""), "\(error)")
            #expect(error.message.contains(words), "\(error)")
        }
        // An entry that is not a number names it, for the CLI and as the ABI's `initial[1]`.
        let entry = try #require(loadError(Self.game, overrides: GameOverrides(initial: [0.5, .nan, 0.5, 0])))
        #expect(entry.field == "--initial[1]", "\(entry)")
        #expect(entry.override == .initial(entry: "[1]") && entry.override?.parameterName == "initial[1]", "\(entry)")
        // The file's own `initial` concerns no override.
        let own = try #require(loadError(Self.game.replacingOccurrences(of: "initial: uniform", with: "initial: [1, 1, 0, 0]")))
        #expect(own.field == "initial" && own.override == nil, "\(own)")
    }

    @Test func readInitialFiles() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rmfg-initial-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        func write(_ name: String, _ text: String) throws -> String {
            let url = dir.appendingPathComponent(name)
            try text.write(to: url, atomically: true, encoding: .utf8)
            return url.path
        }
        #expect(try GameOverrides.readInitial(path: try write("a.json", "[0.25, 0.75]")) == [0.25, 0.75])
        #expect(try GameOverrides.readInitial(path: try write("b.json", "{\"meanField\": [1, 0]}")) == [1, 0])
        #expect(try GameOverrides.readInitial(path: try write("c.csv", "0.5\n0.5\n")) == [0.5, 0.5])
        for (name, text) in [("d.json", "[[0.5, 0.5], [0, 0]]"), ("f.json", "{"), ("g.csv", "0.5,0.5\n0,0\n")] {
            let path = try write(name, text)
            do throws(GameFileError) {
                _ = try GameOverrides.readInitial(path: path)
                Issue.record("\(name) should fail")
            } catch {
                #expect(error.field == "--initial", "\(error)")
                #expect(error.override?.parameterName == "initial", "\(error)")
            }
        }
    }

    @Test func solverKeyIncludesParametersAndInitial() throws {
        let none = GameOverrides().solverKey
        let a = GameOverrides(parameters: [ParameterOverride(name: "slip", shape: [], elements: [0.25])]).solverKey
        let b = GameOverrides(parameters: [ParameterOverride(name: "slip", shape: [], elements: [0.5])]).solverKey
        let c = GameOverrides(parameters: [ParameterOverride(name: "bonus", shape: [2], elements: [1, 2])]).solverKey
        let d = GameOverrides(parameters: [ParameterOverride(name: "bonus", shape: [2], elements: [1, 3])]).solverKey
        let i = GameOverrides(initial: [0.5, 0.5]).solverKey
        let j = GameOverrides(initial: [1, 0]).solverKey
        #expect(Set([none, a, b, c, d, i, j]).count == 7)
        #expect(a == "param.slip=0.25")
        #expect(!c.contains("\n") && !c.contains(";"))
    }
}
