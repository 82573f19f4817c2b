import Foundation
import LinearProgramming
import Testing
import TestSupport

/// Reading CPLEX LP files: integer programs are refused, parse errors carry GLPK's message.
@Suite("CPLEX LP import")
struct CPLEXRead {
    /// A scratch file holding `text`, removed by the caller's `defer`.
    static func file(_ text: String, name: String = "p.lp") throws -> (path: String, dir: URL) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rmfg-lpread-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let path = dir.appendingPathComponent(name).path
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return (path, dir)
    }

    /// max 3x + 2y s.t. 2x + 2y <= 9, x <= 4: the relaxation's optimum is 13 (x = 4, y = 0.5);
    /// with x, y integer it is 12 (x = 4, y = 0). (TestSupport's fixture.)
    static let program = integerProgramLP

    @Test(arguments: ["General\n x y\n", "Integer\n y\n", "Binary\n y\n", "General\n y\nBinary\n x\n"])
    func integerProgramsAreRefused(section: String) throws {
        let (path, dir) = try Self.file(Self.program + section + "End\n")
        defer { try? FileManager.default.removeItem(at: dir) }
        do throws(LPError) {
            _ = try LinearProgram(cplexFile: path)
            Issue.record("an integer program was read as its relaxation")
        } catch {
            guard case let .integerVariables(p, column, count) = error else {
                Issue.record("unexpected error \(error)")
                return
            }
            #expect(p == path)
            #expect(["x", "y"].contains(column))
            #expect(count == (section.contains("x") && section.contains("y") ? 2 : 1))
            #expect(error.description.contains("not integer programs"))
        }
    }

    @Test func theSameProgramWithoutTheSectionIsALinearProgram() throws {
        let (path, dir) = try Self.file(Self.program + "End\n")
        defer { try? FileManager.default.removeItem(at: dir) }
        let lp = try LinearProgram(cplexFile: path)
        #expect(abs(try lp.solve().objective - 13) <= 1e-9)
    }

    @Test func parseErrorsCarryGLPKsMessageAndLine() throws {
        let cases: [(String, String)] = [
            ("Maximize\n obj: 5 x + 4 y\nSubject To\n c1: 6 x + 4 y <= 24\n c2: x + 2 y <= 6\n c3: x <= 1e400\nEnd\n",
             "line 6: numeric constant '1e400' out of range"),
            ("Maximize\n obj: x +\n", "line 2:"),
            ("Minimize\n obj: x\nSubject To\n c1: x >= 1\nBounds\n x <= <= 3\nEnd\n", "line 6:"),
        ]
        for (text, expected) in cases {
            let (path, dir) = try Self.file(text)
            defer { try? FileManager.default.removeItem(at: dir) }
            do throws(LPError) {
                _ = try LinearProgram(cplexFile: path)
                Issue.record("read a malformed file: \(text)")
            } catch {
                guard case let .file(p, message) = error else { Issue.record("unexpected \(error)"); continue }
                #expect(p == path)
                #expect(message.hasPrefix(expected), "\(message)")
                #expect(!message.contains("\n"))
            }
        }
    }

    /// GLPK's terminal hook is per thread: concurrent reads each get their own file's message.
    @Test func concurrentReadsKeepTheirOwnMessages() async throws {
        var files: [(path: String, dir: URL, line: Int)] = []
        for k in 0..<16 {
            // The bad constant sits on line 3 + k.
            let padding = (0..<k).map { " c\($0): x <= \($0 + 1)\n" }.joined()
            let text = "Maximize\n obj: x\nSubject To\n\(padding) bad: x <= 1e999\nEnd\n"
            let (path, dir) = try Self.file(text, name: "f\(k).lp")
            files.append((path, dir, 4 + k))
        }
        defer { for f in files { try? FileManager.default.removeItem(at: f.dir) } }
        let messages = await withTaskGroup(of: (Int, String).self) { group in
            for (k, f) in files.enumerated() {
                group.addTask {
                    for _ in 0..<20 {
                        do throws(LPError) { _ = try LinearProgram(cplexFile: f.path) } catch {
                            if case let .file(_, message) = error, !message.hasPrefix("line \(f.line):") { return (k, message) }
                        }
                    }
                    return (k, "ok")
                }
            }
            var out: [String] = []
            for await (_, m) in group { out.append(m) }
            return out
        }
        #expect(messages.allSatisfy { $0 == "ok" }, "\(messages)")
    }
}
