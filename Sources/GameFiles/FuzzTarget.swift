/// The entry point the fuzzer (Fuzz/GameFileFuzzer) drives: parse arbitrary
/// bytes as a game file (YAML, then JSON), build the game and evaluate it at
/// its initial mean field. Any thrown error is an acceptable outcome; a crash,
/// a hang or an abort is a bug.
package enum GameFileFuzzTarget {
    /// Runs one input. Returns whether it produced a valid game.
    @discardableResult
    package static func run(_ bytes: [UInt8]) -> Bool {
        let text = String(decoding: bytes, as: UTF8.self)
        var ok = false
        for json in [false, true] {
            do throws(GameFileError) {
                let file = try GameFile.parse(text: text, path: "fuzz", json: json)
                _ = try file.makeGame()
                ok = true
            } catch {
                _ = error.description
            }
        }
        return ok
    }
}
