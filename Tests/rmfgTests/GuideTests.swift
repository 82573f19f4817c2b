import Foundation
import Testing

/// Runs every command of Docs/Guide.md and README.md (their ```console blocks) and
/// compares its output with the text shown (wall-clock times masked), like
/// argument-parser's example tests, so neither can drift from the program.
/// `scripts/update-guide.py` rewrites the blocks after an intended change.
@Suite("Docs/Guide.md and README.md commands")
struct GuideTests {
    struct Example: CustomStringConvertible {
        let command: String
        let expected: String
        var description: String { command }
    }

    /// The ```console blocks: a `$ rmfg …` line followed by its output.
    static let examples: [Example] = ["Docs/Guide.md", "README.md"].flatMap(examples(in:))

    static func examples(in file: String) -> [Example] {
        let path = repositoryRoot.appendingPathComponent(file).path
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return [] }
        var out: [Example] = []
        let blocks = text.components(separatedBy: "```console\n").dropFirst()
        for block in blocks {
            guard let end = block.range(of: "\n```") else { continue }
            let body = String(block[..<end.lowerBound])
            var lines = body.components(separatedBy: "\n")
            let command = lines.removeFirst()
            out.append(Example(command: command, expected: lines.joined(separator: "\n")))
        }
        return out
    }

    /// Masks wall-clock times such as "(anderson, 0.004 s)".
    static func normalize(_ s: String) -> String {
        let pattern = try? NSRegularExpression(pattern: #"\d+\.\d+ s\)"#)
        let range = NSRange(s.startIndex..., in: s)
        let masked = pattern?.stringByReplacingMatches(in: s, range: range, withTemplate: "<time> s)") ?? s
        return masked.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Splits a shell-like command line (double quotes only).
    static func arguments(_ command: String) -> [String] {
        var args: [String] = [], current = "", quoted = false
        for ch in command {
            if ch == "\"" { quoted.toggle(); continue }
            if ch == " " && !quoted {
                if !current.isEmpty { args.append(current); current = "" }
            } else {
                current.append(ch)
            }
        }
        if !current.isEmpty { args.append(current) }
        return args
    }

    @Test func guideHasExamples() {
        #expect(Self.examples(in: "Docs/Guide.md").count >= 8)
        #expect(Self.examples(in: "README.md").count >= 1)
    }

    @Test(arguments: GuideTests.examples)
    func commandOutputMatches(_ example: Example) throws {
        var args = Self.arguments(example.command)
        #expect(args.first == "$" && args.dropFirst().first == "rmfg")
        args.removeFirst(2)
        let r = try rmfg(args)
        let shown = r.status == 2 ? r.stderr : r.stdout
        #expect(Self.normalize(shown) == Self.normalize(example.expected), "\(example.command) (status \(r.status))")
    }
}
