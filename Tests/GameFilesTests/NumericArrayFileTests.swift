import Foundation
import GameFiles
import Testing
import TestSupport

/// Builds `.npy` bytes as NumPy writes them (header padded with spaces to a
/// multiple of 64 bytes, ending in a newline), or with any header text.
func npyBytes(descr: String = "<f8", fortran: Bool = false, shape: String, data: [UInt8],
              version: UInt8 = 1, header: String? = nil) -> [UInt8] {
    var dict = header ?? "{'descr': '\(descr)', 'fortran_order': \(fortran ? "True" : "False"), 'shape': \(shape), }"
    let prefix = 6 + 2 + (version == 1 ? 2 : 4)
    while (prefix + dict.utf8.count + 1) % 64 != 0 { dict += " " }
    dict += "\n"
    var out: [UInt8] = [0x93] + Array("NUMPY".utf8) + [version, 0]
    let n = dict.utf8.count
    if version == 1 {
        out += [UInt8(n & 0xFF), UInt8(n >> 8)]
    } else {
        out += [UInt8(n & 0xFF), UInt8((n >> 8) & 0xFF), UInt8((n >> 16) & 0xFF), UInt8(n >> 24)]
    }
    return out + Array(dict.utf8) + data
}

func littleEndian<T: FixedWidthInteger>(_ values: [T]) -> [UInt8] {
    values.flatMap { v in (0..<(T.bitWidth / 8)).map { UInt8(truncatingIfNeeded: v >> (8 * $0)) } }
}

func float64Bytes(_ values: [Double]) -> [UInt8] { littleEndian(values.map(\.bitPattern)) }

@Suite("Numeric array files (.npy, CSV)")
struct NumericArrayFileTests {
    // MARK: NumPy, hand-built

    @Test func readsEveryNumericTypeLittleEndian() throws {
        let x = [1.5, -0.0, 2.5e-300, -7, 1e300]
        #expect(try NumericArrayFile.parseNPY(npyBytes(shape: "(5,)", data: float64Bytes(x)), path: "a.npy")
            == NumericArray(shape: [5], values: x))
        let f: [Float] = [0.1, -3, 1e30]
        let a = try NumericArrayFile.parseNPY(npyBytes(descr: "<f4", shape: "(3,)", data: littleEndian(f.map(\.bitPattern))), path: "f.npy")
        #expect(a.values == f.map(Double.init))
        let i: [Int64] = [-5, 0, 1 << 53, -(1 << 53)]
        #expect(try NumericArrayFile.parseNPY(npyBytes(descr: "<i8", shape: "(4,)", data: littleEndian(i)), path: "i.npy").values
            == i.map(Double.init))
        let i4: [Int32] = [-1, 2, .min]
        #expect(try NumericArrayFile.parseNPY(npyBytes(descr: "<i4", shape: "(3,)", data: littleEndian(i4)), path: "i.npy").values
            == i4.map(Double.init))
        let i2: [Int16] = [-300, 7]
        #expect(try NumericArrayFile.parseNPY(npyBytes(descr: "<i2", shape: "(2,)", data: littleEndian(i2)), path: "i.npy").values == [-300, 7])
        #expect(try NumericArrayFile.parseNPY(npyBytes(descr: "|i1", shape: "(2,)", data: [0xFF, 5]), path: "b.npy").values == [-1, 5])
        #expect(try NumericArrayFile.parseNPY(npyBytes(descr: "|u1", shape: "(2,)", data: [0xFF, 5]), path: "b.npy").values == [255, 5])
        let u8: [UInt64] = [0, 1 << 53]
        #expect(try NumericArrayFile.parseNPY(npyBytes(descr: "<u8", shape: "(2,)", data: littleEndian(u8)), path: "u.npy").values == [0, 9007199254740992])
    }

    @Test func versionsShapesAndFortranOrder() throws {
        let x: [Double] = [1, 2, 3, 4, 5, 6]
        for version: UInt8 in [1, 2, 3] {
            let a = try NumericArrayFile.parseNPY(npyBytes(shape: "(2, 3)", data: float64Bytes(x), version: version), path: "m.npy")
            #expect(a == NumericArray(shape: [2, 3], values: x))
        }
        // Fortran order: the file holds columns one after the other.
        let f = try NumericArrayFile.parseNPY(npyBytes(fortran: true, shape: "(2, 3)", data: float64Bytes([1, 4, 2, 5, 3, 6])), path: "f.npy")
        #expect(f == NumericArray(shape: [2, 3], values: x))
        let f3 = try NumericArrayFile.parseNPY(npyBytes(fortran: true, shape: "(2, 2, 2)",
                                                        data: float64Bytes([0, 4, 2, 6, 1, 5, 3, 7])), path: "f.npy")
        #expect(f3.values == [0, 1, 2, 3, 4, 5, 6, 7])
        // A 0-d array holds one entry; an empty one none; Python 2's `3L`, double quotes, no trailing comma.
        #expect(try NumericArrayFile.parseNPY(npyBytes(shape: "()", data: float64Bytes([4])), path: "s.npy").values == [4])
        #expect(try NumericArrayFile.parseNPY(npyBytes(shape: "(0,)", data: []), path: "e.npy").values == [])
        let py2 = npyBytes(shape: "", data: float64Bytes([1, 2, 3]), header: #"{"descr":"<f8","fortran_order":False,"shape":(3L,)}"#)
        #expect(try NumericArrayFile.parseNPY(py2, path: "p.npy").values == [1, 2, 3])
        // Vectors: 1-D, or 2-D with one row or one column.
        for shape in [[3], [1, 3], [3, 1]] {
            #expect(try NumericArrayFile.vector(of: NumericArray(shape: shape, values: [1, 2, 3]), path: "v") == [1, 2, 3])
        }
        #expect(throws: GameFileError.self) { try NumericArrayFile.vector(of: NumericArray(shape: [2, 3], values: x), path: "v") }
        #expect(throws: GameFileError.self) { try NumericArrayFile.vector(of: NumericArray(shape: [], values: [1]), path: "v") }
    }

    /// Malformed and hostile files are refused with a message, without allocating
    /// what their header claims.
    @Test func malformedFilesAreRefused() throws {
        let three = float64Bytes([1, 2, 3])
        let cases: [([UInt8], String)] = [
            (Array("NUMPY".utf8), "not a NumPy file"),
            (Array(npyBytes(shape: "(3,)", data: three).prefix(9)), "ends inside the header"),
            (Array(npyBytes(shape: "(3,)", data: three).prefix(40)), "ends inside the header"),
            ([0x93] + Array("NUMPY".utf8) + [4, 0, 10, 0] + Array("{}        ".utf8), "format version 4.0"),
            ([0x93] + Array("NUMPY".utf8) + [2, 0, 0xFF, 0xFF, 0xFF, 0x7F], "expected at most"),
            (npyBytes(shape: "(3,)", data: Array(three.prefix(16))), "announces 3 entries"),
            (npyBytes(shape: "(3,)", data: three + [0]), "1 bytes after the 3 entries"),
            (npyBytes(shape: "(1000000000000,)", data: three), "more than \(NumericArrayFile.maximumEntries) entries"),
            (npyBytes(shape: "(999999999999999999, 999999999999999999)", data: three), "more than \(NumericArrayFile.maximumEntries) entries"),
            (npyBytes(shape: "(99999999999999999999,)", data: three), "more than 18 digits"),
            (npyBytes(descr: ">f8", shape: "(3,)", data: three), "big-endian"),
            (npyBytes(descr: "|O", shape: "(3,)", data: three), "Python objects"),
            (npyBytes(descr: "|b1", shape: "(3,)", data: [1, 0, 1]), "boolean"),
            (npyBytes(descr: "<c16", shape: "(1,)", data: Array(three.prefix(16))), "complex"),
            (npyBytes(descr: "<U3", shape: "(1,)", data: []), "text"),
            (npyBytes(descr: "<f2", shape: "(1,)", data: [0, 0]), "16-bit float"),
            // A hostile item size once overflowed `size * 8` (a trap).
            (npyBytes(descr: "<f2000000000000000000", shape: "(1,)", data: [0, 0]), "2000000000000000000-byte float"),
            (npyBytes(descr: "<f-9223372036854775807", shape: "(1,)", data: [0, 0]), "-9223372036854775807-byte float"),
            (npyBytes(descr: "<x9", shape: "(1,)", data: []), "unknown"),
            (npyBytes(shape: "", data: three, header: "{'descr': [('a', '<f8')], 'fortran_order': False, 'shape': (3,), }"), "expected a string"),
            (npyBytes(shape: "", data: three, header: "{'descr': '<f8', 'shape': (3,), }"), "expected exactly"),
            (npyBytes(shape: "", data: three, header: "{'descr': '<f8', 'fortran_order': False, 'shape': (3,), 'x': 1}"), "expected exactly"),
            (npyBytes(shape: "", data: three, header: "{'descr': '<f8', 'descr': '<f8', 'fortran_order': False, 'shape': (3,)}"), "appears twice"),
            (npyBytes(shape: "", data: three, header: "{'descr': '<f8', 'fortran_order': 0, 'shape': (3,)}"), "'fortran_order' is not True or False"),
            (npyBytes(shape: "", data: three, header: "{'descr': '<f8', 'fortran_order': False, 'shape': (3,)} junk"), "after the dictionary"),
            (npyBytes(shape: "", data: three, header: "{'descr': '<f8', 'fortran_order': False, 'shape': (-3,)}"), "expected an integer"),
            (npyBytes(shape: "", data: three, header: "{'descr': '<f8', 'fortran_order': False, 'shape': (3,}"), "expected an integer"),
            (npyBytes(shape: "", data: three, header: "{'descr': '<f8', 'fortran_order': False, 'shape': (3 4)}"), "expected ',' or ')'"),
            (npyBytes(shape: "", data: three, header: "{'descr': '<f8', 'fortran_order': False, 'shape': (3,)"), "expected ',' or '}'"),
            (npyBytes(shape: "", data: three, header: "{'descr': '<f8\\n', 'fortran_order': False, 'shape': (3,)}"), "escapes"),
            (npyBytes(shape: "", data: three, header: "{'descr': '<f8', 'fortran_order': False, 'shape': (3,), 'é': 1}"), "not printable ASCII"),
            (npyBytes(descr: "<i8", shape: "(1,)", data: littleEndian([Int64(1) << 53 + 1])), "beyond 2^53"),
            (npyBytes(descr: "<u8", shape: "(1,)", data: littleEndian([UInt64.max])), "beyond 2^53"),
        ]
        for (bytes, mention) in cases {
            #expect {
                _ = try NumericArrayFile.parseNPY(bytes, path: "bad.npy")
            } throws: { error in
                let text = "\(error)"
                let ok = text.contains(mention) && text.hasPrefix("bad.npy")
                if !ok { Issue.record("'\(mention)' not in: \(text)") }
                return ok
            }
        }
    }

    /// Random corruptions of valid files (bytes changed, inserted, removed; truncations)
    /// are read or refused with a ``GameFileError``, never a crash, and whatever is
    /// read holds exactly the entries its shape announces.
    @Test func corruptedFilesNeverCrash() {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next(_ n: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int((state >> 33) % UInt64(max(n, 1)))
        }
        let seeds = [npyBytes(shape: "(3,)", data: float64Bytes([1, 2, 3])),
                     npyBytes(descr: "<i4", fortran: true, shape: "(2, 2)", data: littleEndian([Int32(1), 2, 3, 4]), version: 2),
                     npyBytes(descr: "|u1", shape: "(1, 4)", data: [1, 2, 3, 4], version: 3)]
        let alphabet = Array("{}()[]',: 0123456789<>|=fiuObTrueFals\n\"L-".utf8) + [0x00, 0xFF, 0x80, 0x0A]
        var read = 0, refused = 0
        for k in 0..<20000 {
            var bytes = seeds[k % seeds.count]
            for _ in 0...next(4) {
                let at = next(bytes.count)
                switch next(4) {
                case 0: if at < bytes.count { bytes[at] = alphabet[next(alphabet.count)] }
                case 1: bytes.insert(alphabet[next(alphabet.count)], at: at)
                case 2: if at < bytes.count { bytes.remove(at: at) }
                default: bytes = Array(bytes.prefix(at))
                }
            }
            do {
                let a = try NumericArrayFile.parseNPY(bytes, path: "fuzz.npy")
                #expect(a.values.count == a.shape.reduce(1, *))
                read += 1
            } catch {
                #expect(error.description.hasPrefix("fuzz.npy"))
                refused += 1
            }
        }
        #expect(read + refused == 20000)
        #expect(refused > 5000)
    }

    /// The file readers agree with the byte parser, and refuse what it refuses.
    @Test func filesOnDisk() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rmfg-npy-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        func write(_ name: String, _ bytes: [UInt8]) throws -> String {
            let path = dir.appendingPathComponent(name).path
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            return path
        }
        let v = try write("v.npy", npyBytes(shape: "(1, 3)", data: float64Bytes([0.2, 0.3, 0.5])))
        #expect(try NumericArrayFile.readVector(path: v) == [0.2, 0.3, 0.5])
        #expect(try NumericArrayFile.readNPY(path: v).shape == [1, 3])
        // The magic decides, not the name; a .npy name without the magic is refused.
        let renamed = try write("v.dat", npyBytes(shape: "(3,)", data: float64Bytes([1, 2, 3])))
        #expect(try NumericArrayFile.readVector(path: renamed) == [1, 2, 3])
        let fake = try write("fake.npy", Array("1,2,3\n".utf8))
        #expect(throws: GameFileError.self) { try NumericArrayFile.readVector(path: fake) }
        // Hostile header: 10^12 entries claimed, 24 bytes held.
        let hostile = try write("h.npy", npyBytes(shape: "(1000000000000,)", data: float64Bytes([1, 2, 3])))
        #expect(throws: GameFileError.self) { try NumericArrayFile.readVector(path: hostile) }
        let trailing = try write("t.npy", npyBytes(shape: "(3,)", data: float64Bytes([1, 2, 3, 4])))
        #expect { try NumericArrayFile.readVector(path: trailing) } throws: { "\($0)".contains("bytes after the 3 entries") }
        let matrix = try write("m.npy", npyBytes(shape: "(2, 2)", data: float64Bytes([1, 2, 3, 4])))
        #expect { try NumericArrayFile.readVector(path: matrix) } throws: { "\($0)".contains("expected a vector") }
        #expect(throws: GameFileError.self) { try NumericArrayFile.readVector(path: dir.appendingPathComponent("none.npy").path) }
        #expect(throws: GameFileError.self) { try NumericArrayFile.readVector(path: dir.path) }
        let binary = try write("b.csv", [0xFF, 0xFE, 0x00])
        #expect { try NumericArrayFile.readVector(path: binary) } throws: { "\($0)".contains("UTF-8") }
    }

    // MARK: CSV

    @Test func csvRowOrColumn() throws {
        #expect(try NumericArrayFile.parseCSVVector("0.2, 0.3,0.5\n", path: "r.csv") == [0.2, 0.3, 0.5])
        #expect(try NumericArrayFile.parseCSVVector("# p\n0.2\n\n0.3 # middle\r\n5e-1\n", path: "c.csv") == [0.2, 0.3, 0.5])
        #expect(try NumericArrayFile.parseCSVVector("-0,1E3,-2\n", path: "r.csv") == [0, 1000, -2])
        let cases: [(String, String)] = [
            ("", "no numbers"),
            ("# only a comment\n\n", "no numbers"),
            ("1,2\n3,4\n", "line 1 has 2 entries"),
            ("1\n2,3\n", "line 2 has 2 entries"),
            ("1,,3\n", "line 1, entry 2: '' is not a number"),
            ("1\nx\n", "line 2, entry 1: 'x'"),
            ("1,2,\n", "entry 3"),
        ]
        for (text, mention) in cases {
            #expect {
                _ = try NumericArrayFile.parseCSVVector(text, path: "bad.csv")
            } throws: { error in
                let ok = "\(error)".contains(mention) && "\(error)".hasPrefix("bad.csv")
                if !ok { Issue.record("'\(mention)' not in: \(error)") }
                return ok
            }
        }
    }

    // MARK: Files written by NumPy

    /// The Python script behind ``filesWrittenByNumPy()``: writes every `.npy` file the test
    /// reads, and next to each numeric one a `.txt` file with its shape and its values.
    private static let numPyWriter = """
    import numpy as np, sys, os
    d = sys.argv[1]
    rng = np.random.default_rng(7)
    big = rng.standard_normal(100000) * 10.0 ** rng.integers(-300, 300, 100000)
    arrays = {
        'big': big,
        'f32': rng.standard_normal(17).astype('<f4'),
        'i64': rng.integers(-2**53, 2**53, 50, dtype='<i8'),
        'i32': rng.integers(-2**31, 2**31 - 1, 9, dtype='<i4'),
        'u8': np.arange(12, dtype='<u1'),
        'row': rng.random((1, 7)),
        'col': rng.random((7, 1)),
        'fortran': np.asfortranarray(rng.random((3, 4))),
        'c3d': rng.random((2, 3, 4)),
        'f3d': np.asfortranarray(rng.random((2, 3, 4))),
        'special': np.array([0.0, -0.0, 5e-324, 1.7976931348623157e308, np.inf, -np.inf]),
    }
    for name, a in arrays.items():
        np.save(os.path.join(d, name + '.npy'), a)
        with open(os.path.join(d, name + '.txt'), 'w') as f:
            f.write(' '.join(str(x) for x in a.shape) + '\\n')
            f.write('\\n'.join(repr(float(x)) for x in np.ascontiguousarray(a).ravel()) + '\\n')
    # Format 2.0 and 3.0 headers.
    from numpy.lib import format as fmt
    for version in [(2, 0), (3, 0)]:
        with open(os.path.join(d, 'v%d.npy' % version[0]), 'wb') as f:
            fmt.write_array(f, arrays['row'], version=version)
    np.save(os.path.join(d, 'big_endian.npy'), np.arange(3, dtype='>f8'))
    np.save(os.path.join(d, 'object.npy'), np.array([1, 'a'], dtype=object), allow_pickle=True)
    np.save(os.path.join(d, 'bool.npy'), np.array([True, False]))
    np.save(os.path.join(d, 'complex.npy'), np.array([1j]))
    np.save(os.path.join(d, 'structured.npy'), np.zeros(2, dtype=[('a', '<f8'), ('b', '<i4')]))
    np.save(os.path.join(d, 'float16.npy'), np.zeros(2, dtype='<f2'))
    """

    /// The array that Python printed to `name.txt` in `dir`.
    private static func expected(_ name: String, in dir: URL) throws -> NumericArray {
        let text = try String(contentsOfFile: dir.appendingPathComponent(name + ".txt").path, encoding: .utf8)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        let shape = lines[0].split(separator: " ").compactMap { Int($0) }
        let values = lines.dropFirst().filter { !$0.isEmpty }.map { line -> Double in
            switch line {
            case "inf": .infinity
            case "-inf": -.infinity
            default: Double(line) ?? .nan
            }
        }
        return NumericArray(shape: shape, values: values)
    }

    /// Files written by `numpy.save` (skipped when python3 with numpy is not installed):
    /// every dtype it is asked for, orders and shapes, and 100,000 entries, compared
    /// with the values Python prints (shortest round-trip `repr`, read back exactly).
    @Test(.enabled(if: pythonWithNumPy() != nil, "needs python3 with numpy"))
    func filesWrittenByNumPy() throws {
        let python = try #require(pythonWithNumPy())
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rmfg-numpy-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try runPython(python, Self.numPyWriter, dir.path)
        for name in ["big", "f32", "i64", "i32", "u8", "row", "col", "fortran", "c3d", "f3d", "special"] {
            let read = try NumericArrayFile.readNPY(path: dir.appendingPathComponent(name + ".npy").path)
            let want = try Self.expected(name, in: dir)
            #expect(read.shape == want.shape, "\(name)")
            #expect(read.values.count == want.values.count, "\(name)")
            #expect(zip(read.values, want.values).allSatisfy { $0.bitPattern == $1.bitPattern }, "\(name) differs")
        }
        #expect(try NumericArrayFile.readVector(path: dir.appendingPathComponent("big.npy").path).count == 100_000)
        for name in ["v2", "v3"] {
            #expect(try NumericArrayFile.readNPY(path: dir.appendingPathComponent(name + ".npy").path) == NumericArrayFile.readNPY(path: dir.appendingPathComponent("row.npy").path))
        }
        for (name, mention) in [("big_endian", "big-endian"), ("object", "Python objects"), ("bool", "boolean"),
                                ("complex", "complex"), ("structured", "structured"), ("float16", "16-bit float")] {
            #expect {
                try NumericArrayFile.readVector(path: dir.appendingPathComponent(name + ".npy").path)
            } throws: { error in
                let ok = "\(error)".contains(mention)
                if !ok { Issue.record("\(name): '\(mention)' not in \(error)") }
                return ok
            }
        }
    }
}


/// Runs a Python script with `argument`, failing the test when it fails.
func runPython(_ python: String, _ script: String, _ argument: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: python)
    p.arguments = ["-c", script, argument]
    let err = Pipe()
    p.standardError = err
    try p.run()
    let message = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    p.waitUntilExit()
    #expect(p.terminationStatus == 0, "python failed: \(message)", sourceLocation: sourceLocation)
}
