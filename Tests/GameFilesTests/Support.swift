import Foundation
import GameFiles
import MeanField
import Testing

/// Locations and helpers shared by the game-file tests.
enum Paths {
    /// `Tests/GameFilesTests`.
    static let testsDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    /// The repository root.
    static let root = testsDirectory.deletingLastPathComponent().deletingLastPathComponent()
    /// `Examples/`.
    static let examples = root.appendingPathComponent("Examples")
    /// `Tests/GameFilesTests/Malformed/`.
    static let malformed = testsDirectory.appendingPathComponent("Malformed")

    static func example(_ name: String) -> String { examples.appendingPathComponent(name).path }
}

/// Parses YAML text (or JSON with `json: true`) and builds the game, failing the test on error.
func loadGame(_ text: String, json: Bool = false, overrides: GameOverrides = GameOverrides(),
              sourceLocation: SourceLocation = #_sourceLocation) throws -> (file: GameFile, game: MeanFieldGame) {
    do {
        let file = try GameFile.parse(text: text, path: json ? "test.json" : "test.yaml", json: json, overrides: overrides)
        return (file, try file.makeGame())
    } catch {
        Issue.record("unexpected error: \(error)", sourceLocation: sourceLocation)
        throw error
    }
}

/// The `GameFileError` that parsing and building `text` throws, or `nil` (recorded as an issue) when it succeeds.
func loadError(_ text: String, json: Bool = false, path: String = "bad.yaml", overrides: GameOverrides = GameOverrides(),
               sourceLocation: SourceLocation = #_sourceLocation) -> GameFileError? {
    do {
        let file = try GameFile.parse(text: text, path: path, json: json, overrides: overrides)
        _ = try file.makeGame()
        Issue.record("expected a GameFileError, but the file loaded", sourceLocation: sourceLocation)
        return nil
    } catch {
        return error
    }
}

/// The uniform mean field on `n` states.
func uniform(_ n: Int) -> [Double] { [Double](repeating: 1 / Double(n), count: n) }
