import Foundation
import GameFiles
import Testing
import TestSupport

/// ``PairFiles`` read directly (the `rmfg evaluate` inputs): every format, the shapes a
/// tool may write, and one error naming the file and field for each kind of bad input.
@Suite struct PairFilesTests {
    final class Folder {
        let url: URL
        init() throws {
            url = FileManager.default.temporaryDirectory.appendingPathComponent("pairfiles-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        }
        deinit { try? FileManager.default.removeItem(at: url) }
        func write(_ name: String, _ text: String) throws -> String {
            let path = url.appendingPathComponent(name).path
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            return path
        }
        func write(_ name: String, bytes: [UInt8]) throws -> String {
            let path = url.appendingPathComponent(name).path
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            return path
        }
    }

    static let policy = [0.25, 0.75, 1.0, 0.0, 0.5, 0.5]

    @Test func policyInEveryFormat() throws {
        let dir = try Folder()
        let paths = [
            try dir.write("p.csv", "0.25,0.75\n1,0\n0.5,0.5\n"),
            try dir.write("solve.csv", "state,left,right\nA,0.25,0.75\nB,1,0\nC,0.5,0.5\n"),
            try dir.write("p.json", "[[0.25, 0.75], [1, 0], [0.5, 0.5]]"),
            try dir.write("o.json", "{\"policy\": [[0.25, 0.75], [1, 0], [0.5, 0.5]], \"other\": 1}"),
            try dir.write("p.npy", bytes: npyBytes(shape: "(3, 2)", data: float64Bytes(Self.policy))),
        ]
        for path in paths {
            let p = try PairFiles.readPolicy(path: path, stateCount: 3, actionCount: 2)
            #expect(p.probabilities == Self.policy, "\(path)")
        }
    }

    @Test func meanFieldInEveryShape() throws {
        let dir = try Folder()
        let mu = [0.2, 0.3, 0.5]
        let paths = [
            try dir.write("row.csv", "0.2,0.3,0.5\n"),
            try dir.write("column.csv", "0.2\n0.3\n0.5\n"),
            try dir.write("headed.csv", "state,meanField,other\n0,0.2,9\n1,0.3,9\n2,0.5,9\n"),
            try dir.write("m.json", "[0.2, 0.3, 0.5]"),
            try dir.write("o.json", "{\"meanField\": [0.2, 0.3, 0.5]}"),
            try dir.write("flat.npy", bytes: npyBytes(shape: "(3,)", data: float64Bytes(mu))),
            try dir.write("row.npy", bytes: npyBytes(shape: "(1, 3)", data: float64Bytes(mu))),
            try dir.write("column.npy", bytes: npyBytes(shape: "(3, 1)", data: float64Bytes(mu))),
        ]
        for path in paths {
            #expect(try PairFiles.readMeanField(path: path, stateCount: 3) == mu, "\(path)")
        }
    }

    /// Each bad input is a ``GameFileError`` naming the file and field, with the reason.
    @Test(arguments: [
        ("short.csv", "0.25,0.75\n1,0\n", "shape 2 x 2, expected 3 x 2"),
        ("wide.json", "[[0.2, 0.3, 0.5], [1, 0, 0], [0, 0, 1]]", "shape 3 x 3, expected 3 x 2"),
        ("sum.csv", "0.25,0.7\n1,0\n0.5,0.5\n", "sum"),
        ("negative.csv", "1.25,-0.25\n1,0\n0.5,0.5\n", "entry (0, 1) is -0.25"),
        ("ragged.json", "[[0.25, 0.75], [1], [0.5, 0.5]]", "rows of different lengths"),
        ("text.csv", "a,b\nc,d\n", "line"),
        ("nokey.json", "{\"pi\": [[1, 0]]}", "without the key \"policy\""),
        ("bad.json", "[[0.25, 0.75],", "invalid JSON"),
    ])
    func badPolicies(name: String, text: String, mention: String) throws {
        let dir = try Folder()
        let path = try dir.write(name, text)
        do {
            _ = try PairFiles.readPolicy(path: path, stateCount: 3, actionCount: 2)
            Issue.record("\(name): accepted")
        } catch {
            #expect(error.field == "policy", "\(name): \(error)")
            #expect(error.description.contains(path), "\(name): \(error)")
            #expect(error.description.contains(mention), "\(name): '\(mention)' not in \(error)")
        }
    }

    @Test(arguments: [
        ("long.csv", "0.2,0.3,0.4,0.1\n", "expected a vector of 3 entries"),
        ("matrix.json", "[[0.2, 0.3], [0.4, 0.1]]", "expected a vector of 3 entries"),
        ("sum.csv", "0.2,0.3,0.4\n", "sum to"),
        ("negative.json", "[0.7, 0.5, -0.2]", "entry 2 is -0.2"),
        ("empty.csv", "# nothing\n", "no numbers"),
    ])
    func badMeanFields(name: String, text: String, mention: String) throws {
        let dir = try Folder()
        let path = try dir.write(name, text)
        do {
            _ = try PairFiles.readMeanField(path: path, stateCount: 3)
            Issue.record("\(name): accepted")
        } catch {
            #expect(error.field == "meanField", "\(name): \(error)")
            #expect(error.description.contains(mention), "\(name): '\(mention)' not in \(error)")
        }
    }

    @Test func unreadableAndBinaryFiles() throws {
        let dir = try Folder()
        #expect(throws: GameFileError.self) { try PairFiles.readMeanField(path: dir.url.appendingPathComponent("none.csv").path, stateCount: 3) }
        let binary = try dir.write("b.csv", bytes: [0xFF, 0xFE, 0x00, 0x41])
        #expect(throws: GameFileError.self) { try PairFiles.readPolicy(path: binary, stateCount: 3, actionCount: 2) }
    }
}
