import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing

/// Whether `data` is well-formed XML.
private func isWellFormedXML(_ data: Data) -> Bool {
    XMLParser(data: data).parse()
}

/// A scratch folder removed by the caller.
private func scratchFolder(_ name: String) throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("rmfg-\(name)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

@Suite("Issue 14: names in SVG, inner solver reporting")
struct Issue14MiscCommandTests {
    /// A game name with every C0 control, ANSI escapes and markup still gives well-formed SVGs.
    @Test func controlCharactersInNamesGiveWellFormedSVG() throws {
        let dir = try scratchFolder("svg")
        defer { try? FileManager.default.removeItem(at: dir) }
        let controls = (1..<0x20).map { String(format: "\\x%02X", $0) }.joined()
        let game = """
        name: "bar\(controls)\\e[31m<red> & \\"q\\" 'a'\\x7F\\x85"
        states: [S, I]
        actions: 2
        discount: 0.9
        reward: "s - 0.1 * a"
        transition: "t == a"
        solver:
          temperature: 0.5

        """
        let path = dir.appendingPathComponent("game.yaml")
        try game.write(to: path, atomically: true, encoding: .utf8)
        let out = dir.appendingPathComponent("out")
        let r = try rmfg(["solve", path.path, "--output", out.path, "--quiet"])
        #expect(r.status == 0, "\(r.stderr)")
        let svgs = try FileManager.default.contentsOfDirectory(atPath: out.path).filter { $0.hasSuffix(".svg") }
        #expect(svgs.count >= 3)
        for name in svgs {
            let data = try Data(contentsOf: out.appendingPathComponent(name))
            #expect(isWellFormedXML(data), "\(name) is not well-formed XML")
            #expect(!data.contains(0x1B), "\(name) contains a raw ESC")
        }
    }

    /// `--inner lp` with kl or chi2 says that the dual solver was used, in text and JSON.
    @Test func innerLPWithDivergenceSetsIsReported() throws {
        for set in ["kl", "chi2"] {
            let text = try rmfg(["solve", "Examples/sis-epidemic.yaml", "--set", set, "--radius", "0.05", "--inner", "lp", "--quiet"])
            #expect(text.status == 0 || text.status == 1, "\(text.stderr)")
            #expect(text.stdout.contains("inner dual (\(set) is not polyhedral"), "\(text.stdout)")
            let json = try rmfg(["solve", "Examples/sis-epidemic.yaml", "--set", set, "--radius", "0.05", "--inner", "lp", "--format", "json"])
            let object = try json.json()
            #expect(object["inner"] as? String == "dual")
            #expect((object["innerNote"] as? String)?.contains("not polyhedral") == true)
        }
        let tv = try rmfg(["solve", "Examples/sis-epidemic.yaml", "--set", "tv", "--radius", "0.05", "--inner", "lp", "--format", "json"])
        let object = try tv.json()
        #expect(object["inner"] as? String == "lp")
        #expect(object["innerNote"] == nil)
        let plain = try rmfg(["solve", "Examples/sis-epidemic.yaml", "--format", "json"])
        #expect(try plain.json()["inner"] as? String == "closed-form")
    }
}
