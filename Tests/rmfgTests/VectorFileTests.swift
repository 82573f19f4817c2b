import Foundation
import Testing
import TestSupport

/// `.npy` bytes of a little-endian float64 vector, as `numpy.save` writes them.
func npyFloat64(_ values: [Double], shape: String? = nil) -> Data {
    var header = "{'descr': '<f8', 'fortran_order': False, 'shape': \(shape ?? "(\(values.count),)"), }"
    while (10 + header.utf8.count + 1) % 64 != 0 { header += " " }
    header += "\n"
    var out: [UInt8] = [0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(header.utf8.count & 0xFF), UInt8(header.utf8.count >> 8)]
    out += Array(header.utf8)
    for v in values { out += (0..<8).map { UInt8(truncatingIfNeeded: v.bitPattern >> (8 * $0)) } }
    return Data(out)
}

/// `worst-case --nominal-file` and `--values-file`.
@Suite("rmfg worst-case vectors from files")
struct VectorFileTests {
    static let tv = ["worst-case", "--set", "tv", "--radius", "0.1", "--format", "json"]

    /// The output, which echoes the instance: the same however the vectors were given.
    static func answer(_ r: CommandResult) throws -> String { r.stdout }

    @Test func filesGiveTheSameAnswerAsInlineVectors() throws {
        let dir = try ScratchFolder()
        let inline = try rmfg(Self.tv + ["--nominal", "0.2,0.3,0.5", "--values", "1,2,3"])
        #expect(inline.status == 0, "\(inline.stderr)")
        let row = try dir.write("p-row.csv", "# nominal\n0.2, 0.3, 0.5\n")
        let column = try dir.write("v-col.csv", "1\n# comment\n\n2\n3 # last\n")
        let p = dir.path("p.npy"), v = dir.path("v.npy"), vRow = dir.path("v-row.npy")
        try npyFloat64([0.2, 0.3, 0.5]).write(to: URL(fileURLWithPath: p))
        try npyFloat64([1, 2, 3]).write(to: URL(fileURLWithPath: v))
        try npyFloat64([1, 2, 3], shape: "(1, 3)").write(to: URL(fileURLWithPath: vRow))
        for args in [["--nominal-file", row, "--values-file", column], ["--nominal-file", p, "--values-file", v],
                     ["--nominal", "0.2,0.3,0.5", "--values-file", vRow], ["--nominal-file", p, "--values", "1,2,3"]] {
            let r = try rmfg(Self.tv + args)
            #expect(r.status == 0, "\(args): \(r.stderr)")
            #expect(try Self.answer(r) == Self.answer(inline), "\(args)")
        }
    }

    /// 100,000 entries (20 times what a command line holds): the .npy and CSV forms agree,
    /// and at radius 0 σ is p·V.
    @Test func longVectors() throws {
        let dir = try ScratchFolder()
        let n = 100_000
        let seed = TestSeed()
        var rng = seed.generator
        let weights = (0..<n).map { _ in Double.random(in: 0.5...1.5, using: &rng) }
        let total = weights.reduce(0, +)
        let p = weights.map { $0 / total }
        let v = (0..<n).map { k in Double(k % 97) - 48 + Double.random(in: -1...1, using: &rng) }
        try npyFloat64(p).write(to: URL(fileURLWithPath: dir.path("p.npy")))
        try npyFloat64(v).write(to: URL(fileURLWithPath: dir.path("v.npy")))
        _ = try dir.write("p.csv", p.map { "\($0)" }.joined(separator: "\n") + "\n")
        _ = try dir.write("v.csv", v.map { "\($0)" }.joined(separator: ",") + "\n")
        let npy = try rmfg(Self.tv + ["--nominal-file", dir.path("p.npy"), "--values-file", dir.path("v.npy")])
        #expect(npy.status == 0, "\(npy.stderr)")
        let csv = try rmfg(Self.tv + ["--nominal-file", dir.path("p.csv"), "--values-file", dir.path("v.csv")])
        #expect(csv.status == 0, "\(csv.stderr)")
        #expect(npy.stdout == csv.stdout, "\(seed)")
        #expect(numbers(try npy.json(), "distribution")?.count == n)
        let zero = try rmfg(["worst-case", "--set", "tv", "--radius", "0", "--format", "json",
                             "--nominal-file", dir.path("p.npy"), "--values-file", dir.path("v.npy")])
        #expect(zero.status == 0, "\(zero.stderr)")
        let dot = zip(p, v).map(*).reduce(0, +)
        #expect(abs((number(try zero.json(), "value") ?? .nan) - dot) <= 1e-9 + 1e-12 * abs(dot), "\(seed)")
    }

    /// Files written by numpy itself: float64, int64 and float32 vectors, a column.
    @Test(.enabled(if: pythonWithNumPy() != nil, "needs python3 with numpy"))
    func filesWrittenByNumPy() throws {
        let python = try #require(pythonWithNumPy())
        let dir = try ScratchFolder()
        let script = """
        import numpy as np, sys, os
        d = sys.argv[1]
        np.save(os.path.join(d, 'p.npy'), np.array([0.25, 0.25, 0.5]))
        np.save(os.path.join(d, 'v64.npy'), np.array([3, -1, 2], dtype=np.int64))
        np.save(os.path.join(d, 'v32.npy'), np.array([[3.0], [-1.0], [2.0]], dtype=np.float32))
        np.save(os.path.join(d, 'big.npy'), np.arange(6, dtype='>f8'))
        np.save(os.path.join(d, 'matrix.npy'), np.ones((2, 3)))
        np.save(os.path.join(d, 'object.npy'), np.array([1, None], dtype=object), allow_pickle=True)
        np.save(os.path.join(d, 'long_p.npy'), np.full(100000, 1e-5))
        np.save(os.path.join(d, 'long_v.npy'), np.arange(100000, dtype=np.int64) - 50000)
        """
        let p = Process()
        p.executableURL = URL(fileURLWithPath: python)
        p.arguments = ["-c", script, dir.url.path]
        try p.run()
        p.waitUntilExit()
        try #require(p.terminationStatus == 0)
        let inline = try rmfg(Self.tv + ["--nominal", "0.25,0.25,0.5", "--values", "3,-1,2"])
        for values in ["v64.npy", "v32.npy"] {
            let r = try rmfg(Self.tv + ["--nominal-file", dir.path("p.npy"), "--values-file", dir.path(values)])
            #expect(r.status == 0, "\(r.stderr)")
            #expect(try Self.answer(r) == Self.answer(inline), "\(values)")
        }
        let long = try rmfg(["worst-case", "--set", "tv", "--radius", "0", "--format", "json",
                             "--nominal-file", dir.path("long_p.npy"), "--values-file", dir.path("long_v.npy")])
        #expect(long.status == 0, "\(long.stderr)")
        #expect(abs((number(try long.json(), "value") ?? .nan) + 0.5) <= 1e-9)  // mean of -50000...49999
        let base = Self.tv + ["--nominal-file", dir.path("p.npy")]
        try expectInputError(base + ["--values-file", dir.path("big.npy")], mentioning: "--values-file: \(dir.path("big.npy")): dtype '>f8' (big-endian)")
        try expectInputError(base + ["--values-file", dir.path("matrix.npy")], mentioning: "expected a vector")
        try expectInputError(base + ["--values-file", dir.path("object.npy")], mentioning: "Python objects")
    }

    /// CSV files with Windows line ends ("\r\n", a single Character in Swift) read like Unix ones.
    @Test func windowsLineEnds() throws {
        let dir = try ScratchFolder()
        let p = try dir.write("p.csv", "0.2\r\n0.3\r\n0.5\r\n")
        let cost = try dir.write("c.csv", "# cost\r\n0,1,2\r\n1,0,1\r\n2,1,0\r\n")
        let inline = try rmfg(["worst-case", "--set", "wasserstein", "--radius", "0.1", "--nominal", "0.2,0.3,0.5",
                               "--values", "1,2,3", "--format", "json"])
        let r = try rmfg(["worst-case", "--set", "wasserstein", "--radius", "0.1", "--nominal-file", p,
                          "--values", "1,2,3", "--cost-file", cost, "--format", "json"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout == inline.stdout)
    }

    @Test func badFilesAndFlagsAreOneLineErrors() throws {
        let dir = try ScratchFolder()
        let p = try dir.write("p.csv", "0.2,0.3,0.5\n")
        let v = try dir.write("v.csv", "1,2,3\n")
        let base = Self.tv
        try expectInputError(base + ["--nominal", "0.2,0.3,0.5", "--nominal-file", p, "--values", "1,2,3"],
                             mentioning: "--nominal and --nominal-file: give one of them")
        try expectInputError(base + ["--nominal-file", p, "--values", "1,2,3", "--values-file", v],
                             mentioning: "--values and --values-file: give one of them")
        try expectInputError(base + ["--values", "1,2,3"], mentioning: "--nominal: missing")
        try expectInputError(base + ["--nominal-file", p], mentioning: "--values: missing")
        try expectInputError(base + ["--nominal-file", dir.path("none.csv"), "--values", "1,2,3"], mentioning: "--nominal-file")
        let unnormalized = try dir.write("u.csv", "0.2\n0.3\n0.6\n")
        try expectInputError(base + ["--nominal-file", unnormalized, "--values", "1,2,3"], mentioning: "--nominal-file: entries sum to")
        let short = try dir.write("short.csv", "1,2\n")
        try expectInputError(base + ["--nominal-file", p, "--values-file", short], mentioning: "--values-file: 2 entries, expected 3")
        let infinite = try dir.write("inf.csv", "1\ninf\n3\n")
        try expectInputError(base + ["--nominal-file", p, "--values-file", infinite], mentioning: "entry 2 is inf")
        let matrix = try dir.write("m.csv", "1,2\n3,4\n")
        try expectInputError(base + ["--nominal-file", p, "--values-file", matrix], mentioning: "one row or one column")
        let word = try dir.write("w.csv", "1,two,3\n")
        try expectInputError(base + ["--nominal-file", p, "--values-file", word], mentioning: "line 1, entry 2: 'two' is not a number")
        let empty = try dir.write("e.csv", "# nothing\n")
        try expectInputError(base + ["--nominal-file", p, "--values-file", empty], mentioning: "no numbers")
        // A hostile header claiming 10^12 entries is refused at once.
        let hostile = npyFloat64([1, 2, 3], shape: "(1000000000000,)")
        try hostile.write(to: URL(fileURLWithPath: dir.path("h.npy")))
        try expectInputError(base + ["--nominal-file", p, "--values-file", dir.path("h.npy")], mentioning: "more than 2147483648 entries")
        let full = npyFloat64([1, 2, 3])
        let truncated = full.prefix(full.count - 8)
        try truncated.write(to: URL(fileURLWithPath: dir.path("t.npy")))
        try expectInputError(base + ["--nominal-file", p, "--values-file", dir.path("t.npy")], mentioning: "announces 3 entries")
        try Data("1,2,3".utf8).write(to: URL(fileURLWithPath: dir.path("fake.npy")))
        try expectInputError(base + ["--nominal-file", p, "--values-file", dir.path("fake.npy")], mentioning: "not a NumPy file")
    }
}

