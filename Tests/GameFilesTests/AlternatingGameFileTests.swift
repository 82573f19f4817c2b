import Foundation
import GameFiles
import Subsampling
import Testing
import TestSupport

/// Global/local game files (Docs/Alternating.md), read by GameFiles into the plain Subsampling model.
@Suite("Global/local game files")
struct AlternatingGameFileTests {
    func expectRefusal(_ edit: (String) -> String, field: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let text = edit(tinyAlternatingGameText())
        do {
            _ = try AlternatingGameFile.parse(text: text, path: "bad.yaml")
            Issue.record("accepted a malformed file (expected an error naming \(field))", sourceLocation: sourceLocation)
        } catch {
            #expect(error.file == "bad.yaml", sourceLocation: sourceLocation)
            #expect(error.field == field, "\(error)", sourceLocation: sourceLocation)
            #expect(!error.description.contains("\n"), sourceLocation: sourceLocation)
        }
    }

    @Test("bundled examples load")
    func examplesLoad() throws {
        let robots = try AlternatingGameFile.load(path: Paths.example("alternating/multi-robot.yaml"))
        #expect(robots.globalStates == ["t00", "t10", "t01", "t11"])
        #expect(robots.localActions == ["stay", "flipx", "flipy"])
        let federated = try AlternatingGameFile.load(path: Paths.example("alternating/federated.yaml"))
        #expect(federated.agents == 8 && federated.observed == 4)
    }

    @Test("malformed files are refused naming the field")
    func malformed() {
        expectRefusal({ $0.replacingOccurrences(of: "agents: 3\n", with: "") }, field: "agents")
        expectRefusal({ $0.replacingOccurrences(of: "agents: 3", with: "agents: 3\nobserved: 5") }, field: "observed")
        expectRefusal({ $0.replacingOccurrences(of: "discount: 0.5", with: "discount: 1.5") }, field: "discount")
        expectRefusal({ $0.replacingOccurrences(of: "0.9 * (tl == working)", with: "0.8 * (tl == working)") }, field: "local.transition")
        expectRefusal({ $0.replacingOccurrences(of: "0.8 * (tg == busy)", with: "-0.8 * (tg == busy)") }, field: "global.transition")
        expectRefusal({ $0.replacingOccurrences(of: "- 0.1 * (al == work)", with: "- 0.1 * (tl == work)") }, field: "local.reward")
        expectRefusal({ $0.replacingOccurrences(of: "-0.3 * (ag == push)", with: "-0.3 * (sl == push)") }, field: "global.reward")
        expectRefusal({ $0.replacingOccurrences(of: "  actions: [rest, work]", with: "  actions: [rest, work]\n  colour: red") }, field: "local.colour")
        expectRefusal({ $0.replacingOccurrences(of: "  states: [idle, working]", with: "  states: [idle, calm]") }, field: "local.states[1]")
        expectRefusal({ $0.replacingOccurrences(of: "exploration: 0.3", with: "exploration: 2") }, field: "learning.exploration")
        expectRefusal({ $0.replacingOccurrences(of: "bonus[sg]", with: "bonus[sg + 5]") }, field: "local.reward")
        expectRefusal({ $0.replacingOccurrences(of: "agents: 3", with: "agents: 3\nextra: 1") }, field: "extra")
        expectRefusal({ $0.replacingOccurrences(of: "agents: 3", with: "agents: 0") }, field: "agents")
        expectRefusal({ $0.replacingOccurrences(of: "  reward: \"-0.3 * (ag == push)\"\n", with: "") }, field: "global.reward")
        expectRefusal({ $0.replacingOccurrences(of: "agents: 3", with: "agents: 20000") }, field: "agents")
    }

    /// The tables the reader evaluates equal the formulas of the tiny game computed
    /// here directly (index order: calm busy / wait push / idle working / rest work).
    @Test("the evaluated tables match the formulas")
    func tablesMatchFormulas() throws {
        let game = try AlternatingGameFile.parse(text: tinyAlternatingGameText(agents: 3, discount: 0.5), path: "tiny.yaml")
        let bonus = [0.2, 1.0]
        for sg in 0..<2 {
            for ag in 0..<2 {
                #expect(game.globalReward[sg][ag] == -0.3 * Double(ag))
                let expected = ag == 1 ? [0.2, 0.8] : [0.7, 0.3]
                #expect(game.globalTransition[sg][ag] == expected)
            }
            for sl in 0..<2 {
                for al in 0..<2 {
                    #expect(game.localReward[sg][sl][al] == bonus[sg] * Double(sl) - 0.1 * Double(al))
                    let expected = al == 1 ? [0.1, 0.9] : [0.6 + 0.4 * Double(sl == 0 ? 1 : 0), 0.4 * Double(sl)]
                    #expect(game.localTransition[sg][sl][al] == expected, "sg=\(sg) sl=\(sl) al=\(al)")
                }
            }
        }
        #expect(game.globalInitial == [0.5, 0.5] && game.localInitial == [0.5, 0.5])
        #expect(game.learning.episodes == 4000 && game.learning.horizon == 4 && game.learning.seed == 11)
        #expect(game.learning.exploration == 0.3 && game.learning.rounds == 10)
    }

    /// An error of the model (found after the tables are read) names the file and the field.
    @Test("model errors become game-file errors naming the file")
    func modelErrorsNameTheFile() {
        let error = GameFileError(AlternatingGameError(.localTransition, "at x: row sums to 0.9, expected 1 (within 1e-9)"),
                                  file: "g.yaml")
        #expect(error.description == "g.yaml: local.transition: at x: row sums to 0.9, expected 1 (within 1e-9)")
        let whole = GameFileError(AlternatingGameError(.game, "every state and action space needs at least one element"), file: "g.yaml")
        #expect(whole.description == "g.yaml: every state and action space needs at least one element")
    }
}
