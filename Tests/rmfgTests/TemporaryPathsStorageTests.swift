#if canImport(Glibc)
import Glibc
#endif
import Foundation
@testable import rmfg
import Testing

/// The slots of ``TemporaryPaths`` (1 MiB) must cost nothing at start: a mapping of their own,
/// no page touched until a slot is used. Since `rmfg` keeps large blocks on the heap
/// (``ProcessMemory/keepFreedMemory()``), the `calloc` that served them took them from the
/// heap and cleared part of them at every start (found 2026-12-05).
@Suite(.serialized) struct TemporaryPathsStorageTests {
    /// The whole text of a `/proc` file, read with `read(2)` until it returns 0.
    /// (`String(contentsOfFile:)` stopped part-way through `/proc/self/maps`, whose size reads
    /// as 0, and so missed the storage's line in some runs.)
    static func readProcFile(_ path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                return nil
            }
            if n == 0 { break }
            bytes.append(contentsOf: chunk[0..<n])
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The line of `/proc/self/maps` whose range holds `[address, address + count)`, if any:
    /// its start, end and path column (empty for an anonymous mapping).
    ///
    /// The kernel merges a new anonymous mapping with an adjacent one of the same protection,
    /// so the storage may lie inside a larger mapping rather than start one.
    static func mapping(holding address: UInt, count: UInt) -> (start: UInt, end: UInt, path: String)? {
        guard let maps = readProcFile("/proc/self/maps") else { return nil }
        for line in maps.split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard let rangeField = fields.first else { continue }
            let range = rangeField.split(separator: "-")
            guard range.count == 2, let start = UInt(range[0], radix: 16), let end = UInt(range[1], radix: 16) else { continue }
            if start <= address && address + count <= end {
                return (start, end, fields.count > 5 ? fields[5...].joined(separator: " ") : "")
            }
        }
        return nil
    }

    /// With `rmfg`'s allocator settings on (as in the executable), the storage is page-aligned
    /// (a block from `malloc` or `calloc` starts after a chunk header, never on a page
    /// boundary) and lies inside one anonymous mapping that is not the heap, none of its pages
    /// is resident before use (`mincore`), and it reads as zeros.
    @Test func storageIsAnUntouchedMappingOfItsOwn() throws {
        #if os(Linux) && canImport(Glibc)
        let settingsTaken = ProcessMemory.keepFreedMemory()
        defer { if settingsTaken { ProcessMemory.restoreDefaults() } }
        let count = TemporaryPaths.slotCount * TemporaryPaths.slotSize
        let storage = TemporaryPaths.makeStorage()
        defer { munmap(storage, count) }
        let address = UInt(bitPattern: storage)
        let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))
        #expect(address % UInt(pageSize) == 0, "the storage does not start a page")
        let region = try #require(Self.mapping(holding: address, count: UInt(count)), "no mapping holds the storage")
        #expect(region.path.isEmpty, "the storage lies in \(region.path), not an anonymous mapping")
        var resident = [UInt8](repeating: 0, count: (count + pageSize - 1) / pageSize)
        #expect(mincore(storage, count, &resident) == 0)
        #expect(resident.allSatisfy { $0 & 1 == 0 }, "\(resident.filter { $0 & 1 != 0 }.count) pages resident")
        for slot in stride(from: 0, to: TemporaryPaths.slotCount, by: 37) {
            #expect(storage[slot * TemporaryPaths.slotSize] == 0)
        }
        #endif
    }
}
