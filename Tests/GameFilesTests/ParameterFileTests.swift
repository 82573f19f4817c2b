import Ambiguity
import Foundation
import GameFiles
import MeanField
import Randomness
import Testing
import TestSupport

/// A temporary folder removed when the value is dropped.
final class TemporaryFolder {
    let url: URL
    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("rmfg-params-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(at: url) }
    func path(_ name: String) -> String { url.appendingPathComponent(name).path }
    @discardableResult func write(_ name: String, _ bytes: [UInt8]) throws -> String {
        try Data(bytes).write(to: url.appendingPathComponent(name))
        return path(name)
    }
    @discardableResult func write(_ name: String, _ text: String) throws -> String { try write(name, Array(text.utf8)) }
}

/// Parameters `{file: PATH}` (`.npy` and CSV), their load-time errors, the successor-array
/// form of `transition.sparse`, and the garnet written with `.npy` arrays.
@Suite("Parameters from files")
struct ParameterFileTests {
    /// A two-state game whose reward reads `R[s][a]` and whose transition is `table`.
    static func tableGame(reward: String = "R[s][a]", table: String = "P") -> String {
        """
        name: files
        states: 2
        actions: 2
        discount: 0.5
        parameters:
          R: {file: r.npy}
          P: {file: p.npy}
        reward: "\(reward)"
        transition: {table: \(table)}
        """
    }

    static let tableValues: [Double] = [0.25, 0.75, 1, 0, 0.5, 0.5, 0, 1]
    static let rewardValues: [Double] = [1, -2, 0.5, 3]

    /// The `.npy` files of `tableGame` and the game file itself; returns the game's path.
    static func writeTableGame(_ dir: TemporaryFolder, text: String = tableGame()) throws -> String {
        try dir.write("r.npy", npyBytes(shape: "(2, 2)", data: float64Bytes(rewardValues)))
        try dir.write("p.npy", npyBytes(shape: "(2, 2, 2)", data: float64Bytes(tableValues)))
        return try dir.write("game.yaml", text)
    }

    @Test func tableAndRewardFromNPYMatchTheInlineGame() throws {
        let dir = try TemporaryFolder()
        let fromFiles = try GameFile.load(path: try Self.writeTableGame(dir)).makeGame()
        let inline = try loadGame("""
        name: inline
        states: 2
        actions: 2
        discount: 0.5
        parameters:
          R: [[1, -2], [0.5, 3]]
          P: [[[0.25, 0.75], [1, 0]], [[0.5, 0.5], [0, 1]]]
        reward: "R[s][a]"
        transition: {table: P}
        """).game
        for mu in [[0.5, 0.5], [1.0, 0.0], [0.2, 0.8]] {
            let (x, y) = (try fromFiles.snapshot(at: mu), try inline.snapshot(at: mu))
            #expect(x.rewards == y.rewards && x.kernels == y.kernels)
        }
        // A folder path and a CSV file: the same game.
        try dir.write("r.csv", "# rewards\n1, -2\n0.5, 3  # second row\n")
        let csv = try dir.write("csv.yaml", Self.tableGame().replacingOccurrences(of: "r.npy", with: "r.csv"))
        let fromCSV = try GameFile.load(path: csv).makeGame()
        #expect(try fromCSV.snapshot(at: [0.5, 0.5]).rewards == Self.rewardValues)
    }

    /// Every bad file is one error naming `parameters.NAME` and the file; nothing loads.
    @Test func badFilesNameTheParameterAndTheFile() throws {
        let dir = try TemporaryFolder()
        let good = float64Bytes(Self.tableValues)
        let cases: [(name: String, bytes: [UInt8]?, mention: String)] = [
            ("missing.npy", nil, "no such file"),
            ("truncated.npy", npyBytes(shape: "(2, 2, 2)", data: Array(good.prefix(40))), "truncated"),
            ("trailing.npy", npyBytes(shape: "(2, 2, 2)", data: good + [0, 0]), "2 bytes after the 8 entries"),
            ("header.npy", Array(npyBytes(shape: "(2, 2, 2)", data: good).prefix(30)), "ends inside the header"),
            ("big.npy", npyBytes(descr: ">f8", shape: "(2, 2, 2)", data: good), "big-endian"),
            ("fortran.npy", npyBytes(fortran: true, shape: "(2, 2, 2)", data: good), "np.ascontiguousarray"),
            ("bool.npy", npyBytes(descr: "|b1", shape: "(2, 2, 2)", data: [UInt8](repeating: 1, count: 8)), "boolean"),
            ("half.npy", npyBytes(descr: "<f2", shape: "(2, 2, 2)", data: [UInt8](repeating: 0, count: 16)), "16-bit float"),
            ("shape.npy", npyBytes(shape: "(8,)", data: good), "holds an array of shape [8], expected [2, 2, 2]"),
            ("nan.npy", npyBytes(shape: "(2, 2, 2)", data: float64Bytes([0.25, .nan, 1, 0, 0.5, 0.5, 0, 1])), "entry [0, 0, 1] is nan"),
            ("notnpy.npy", Array("1, 2\n".utf8), "not a NumPy file"),
            ("ragged.csv", Array("0.25, 0.75\n1\n".utf8), "line 2 has 1 entries, expected 2"),
            ("word.csv", Array("0.25, x\n".utf8), "line 1, entry 2: 'x' is not a number"),
        ]
        try dir.write("r.npy", npyBytes(shape: "(2, 2)", data: float64Bytes(Self.rewardValues)))
        for (name, bytes, mention) in cases {
            if let bytes { try dir.write(name, bytes) }
            let game = try dir.write("g-\(name).yaml", Self.tableGame().replacingOccurrences(of: "p.npy", with: name))
            #expect {
                _ = try GameFile.load(path: game).makeGame()
            } throws: { error in
                let text = "\(error)"
                let ok = text.hasPrefix(game + ": parameters.P") && text.contains("'\(dir.path(name))'") && text.contains(mention)
                    && !text.contains("\n")
                if !ok { Issue.record("\(name): '\(mention)' not in: \(text)") }
                return ok
            }
        }
        // Devices are refused before anything is read (a game file naming /dev/zero cannot fill memory).
        #expect(throws: GameFileError(file: "/dev/zero", field: "", message: "not a regular file (a device, FIFO or socket cannot hold an array)")) {
            try NumericArrayFile.readArray(path: "/dev/zero")
        }
        // A mapping without `file`, or with another key.
        let noFile = Self.tableGame().replacingOccurrences(of: "{file: r.npy}", with: "[[1, 2], [3, 4]]")
        #expect(loadError(noFile.replacingOccurrences(of: "{file: p.npy}", with: "{path: p.npy}"))?.field == "parameters.P.path")
        #expect(loadError(noFile.replacingOccurrences(of: "{file: p.npy}", with: "{}"))?.description.contains("expected a number, a list of numbers or {file: PATH}") == true)
        // Fortran order with one non-trivial dimension is C order too: accepted.
        let row = try dir.write("row.npy", npyBytes(fortran: true, shape: "(1, 3)", data: float64Bytes([1, 2, 3])))
        #expect(try NumericArrayFile.readArray(path: row) == NumericArray(shape: [1, 3], values: [1, 2, 3]))
        // Other readers still reorder Fortran-order files (policies, mean fields, vectors).
        let f = try dir.write("f.npy", npyBytes(fortran: true, shape: "(2, 3)", data: float64Bytes([1, 4, 2, 5, 3, 6])))
        #expect(try NumericArrayFile.readNPY(path: f).values == [1, 2, 3, 4, 5, 6])
    }

    @Test func csvArraysAndRaggedRows() throws {
        #expect(try NumericArrayFile.parseCSV("1, 2, 3\n", path: "a.csv") == NumericArray(shape: [3], values: [1, 2, 3]))
        #expect(try NumericArrayFile.parseCSV("1\n2\n# c\n3\n", path: "a.csv") == NumericArray(shape: [3], values: [1, 2, 3]))
        #expect(try NumericArrayFile.parseCSV("1,2\r\n3,4\r\n", path: "a.csv") == NumericArray(shape: [2, 2], values: [1, 2, 3, 4]))
        #expect {
            _ = try NumericArrayFile.parseCSV("1,2\n3,4\n\n5,6,7\n", path: "a.csv")
        } throws: { error in
            "\(error)" == "a.csv: line 4 has 3 entries, expected 2 like line 1 (a ragged row: every row of a CSV matrix has the same length)"
        }
        #expect(throws: GameFileError.self) { try NumericArrayFile.parseCSV("# nothing\n", path: "a.csv") }
    }

    /// `.npy` files that numpy writes, every dtype the format names and ranks 0 to 4, read
    /// from disk and compared with numpy's own values (repr, read back exactly).
    @Test(.enabled(if: pythonWithNumPy() != nil, "needs python3 with numpy"))
    func everyDTypeAndRankAgainstNumPy() throws {
        let python = try #require(pythonWithNumPy())
        let dir = try TemporaryFolder()
        let script = """
        import numpy as np, sys, os
        d = sys.argv[1]
        rng = np.random.default_rng(11)
        shapes = [(), (7,), (3, 5), (2, 3, 4), (2, 1, 3, 2), (0, 3)]
        for dt in ['<f8', '<f4', '<i4', '<i8']:
            for r, shape in enumerate(shapes):
                if dt[1] == 'f':
                    a = (rng.standard_normal(shape) * 10.0 ** rng.integers(-30, 30, shape)).astype(dt)
                else:
                    info = np.iinfo(dt)
                    lo, hi = max(info.min, -2**53), min(info.max, 2**53)
                    a = rng.integers(lo, hi, shape, dtype=dt, endpoint=True)
                name = '%s-%d' % (dt[1:], r)
                np.save(os.path.join(d, name + '.npy'), a)
                np.savetxt(os.path.join(d, name + '.csv'), np.atleast_2d(a.astype('<f8')) if a.ndim <= 2 and a.size else np.zeros((1, 1)), delimiter=',', fmt='%r')
                with open(os.path.join(d, name + '.txt'), 'w') as f:
                    f.write(' '.join(str(x) for x in a.shape) + '\\n')
                    f.write('\\n'.join(repr(float(x)) for x in a.ravel()) + '\\n')
        """
        try runPython(python, script, dir.url.path)
        for dt in ["f8", "f4", "i4", "i8"] {
            for rank in 0..<6 {
                let name = "\(dt)-\(rank)"
                let text = try String(contentsOfFile: dir.path(name + ".txt"), encoding: .utf8)
                let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
                let shape = lines[0].split(separator: " ").compactMap { Int($0) }
                let want = lines.dropFirst().filter { !$0.isEmpty }.compactMap { Double($0) }
                let read = try NumericArrayFile.readArray(path: dir.path(name + ".npy"))
                #expect(read.shape == shape, "\(name)")
                #expect(read.values.map(\.bitPattern) == want.map(\.bitPattern), "\(name)")
            }
        }
    }

    /// A garnet written as a game file with `.npy` arrays loads as the same game as its
    /// all-inline JSON form and as the garnet built in the library from `GarnetGenerator`,
    /// and solves to the same equilibrium.
    @Test(arguments: [(12, 2, 3, UInt64(1)), (40, 3, 5, 7), (25, 4, 25, 9)])
    func garnetWithArraysIsTheLibraryGarnet(states: Int, actions: Int, branching: Int, seed: UInt64) throws {
        let spec = GarnetSpecification(states: states, actions: actions, branching: branching, seed: seed)
        let dir = try TemporaryFolder()
        let (text, arrays) = spec.arrayFiles(baseName: "g", json: false)
        for (name, bytes) in arrays { try dir.write(name, [UInt8](bytes)) }
        let withArrays = try GameFile.load(path: try dir.write("g.yaml", text))
        let inline = try GameFile.parse(text: spec.fileText(json: true), path: "g.json", json: true)
        let (jsonText, _) = spec.arrayFiles(baseName: "g", json: true)
        let withArraysJSON = try GameFile.load(path: try dir.write("g.json", jsonText))
        // The library's garnet, built directly.
        var generated = [Double](), generatedKernels = [SparseDistribution]()
        GarnetGenerator(states: states, actions: actions, branching: branching, seed: seed).forEachRow { _, _, r, t, p in
            generated.append(r)
            generatedKernels.append(SparseDistribution(indices: t, probabilities: p))
        }
        let rewards = generated, kernels = generatedKernels
        let library = try MeanFieldGame(
            stateCount: states, actionCount: actions, discount: 0.9, ambiguity: .totalVariation(),
            reward: { s, a, mu in rewards[s * actions + a] - 0.5 * mu[s] },
            kernel: { s, a, _ in kernels[s * actions + a] }, kernelDependsOnMeanField: false,
            radius: { _, _, _ in 0.1 }, radiusDependsOnMeanField: false)
        let games = [try withArrays.makeGame(), try inline.makeGame(), try withArraysJSON.makeGame()]
        let weights: [Double] = (0..<states).map { Double($0 % 3 + 1) }
        let total = weights.reduce(0, +)
        let mu: [Double] = weights.map { $0 / total }
        let expected = try library.snapshot(at: mu)
        for g in games {
            let snapshot = try g.snapshot(at: mu)
            #expect(snapshot.rewards == expected.rewards && snapshot.kernels == expected.kernels)
        }
        let options = withArrays.equilibriumOptions
        let reference = try library.solveEquilibrium(options: options).meanField
        for g in games {
            let solved = try g.solveEquilibrium(options: options).meanField
            #expect(zip(solved, reference).allSatisfy { abs($0 - $1) <= 1e-12 + 1e-12 * abs($1) })
        }
    }

    /// `transition.sparse: {targets, probabilities}`: coinciding targets add up, a target
    /// out of range is allowed where its probability is 0, and every bad row is named.
    @Test func successorArrays() throws {
        func game(_ targets: String, _ probabilities: String) -> String {
            """
            name: pair
            states: 3
            actions: 1
            discount: 0.5
            parameters:
              T: \(targets)
              P: \(probabilities)
            reward: "s"
            transition: {sparse: {targets: T, probabilities: P}}
            """
        }
        let g = try loadGame(game("[[[2, 0, 2]], [[1, 9, 1]], [[0, 0, -1]]]", "[[[0.25, 0.5, 0.25]], [[0.5, 0, 0.5]], [[0.5, 0.5, 0]]]")).game
        #expect(try g.snapshot(at: uniform(3)).kernels == [SparseDistribution(indices: [0, 2], probabilities: [0.5, 0.5]),
                                                          SparseDistribution(indices: [1], probabilities: [1]),
                                                          SparseDistribution(indices: [0], probabilities: [1])])
        let bad: [(String, String, String)] = [
            ("[[[0]], [[1]], [[3]]]", "[[[1]], [[1]], [[1]]]", "at s=2, a=0, successor 0: target 3 with probability 1, expected a whole number in 0..<3"),
            ("[[[0]], [[1.5]], [[2]]]", "[[[1]], [[1]], [[1]]]", "target 1.5"),
            ("[[[0]], [[1]], [[2]]]", "[[[1]], [[-1]], [[1]]]", "at s=1, a=0, successor 0: probability -1, expected >= 0"),
            ("[[[0]], [[1]], [[2]]]", "[[[1]], [[0.5]], [[1]]]", "at s=1, a=0: the row sums to 0.5"),
            ("[[0, 1, 2]]", "[[1, 1, 1]]", "has shape [1, 3], expected [3, 1, k]"),
            ("[[[0]], [[1]], [[2]]]", "[[[1, 0]], [[1, 0]], [[1, 0]]]", "expected the shape of transition.sparse.targets"),
        ]
        for (t, p, mention) in bad {
            let e = loadError(game(t, p))
            #expect(e?.description.contains(mention) == true, "\(mention): \(e?.description ?? "")")
        }
        #expect(loadError(game("[[[0]], [[1]], [[2]]]", "[[[1]], [[1]], [[1]]]").replacingOccurrences(of: "probabilities: P", with: "p: P"))?
            .field == "transition.sparse.p")
    }
}
