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
    /// The start and end of the line of `/proc/self/maps` that starts at `address`, if any.
    static func mapping(startingAt address: UInt) -> (start: UInt, end: UInt)? {
        guard let maps = try? String(contentsOfFile: "/proc/self/maps", encoding: .utf8) else { return nil }
        for line in maps.split(separator: "\n") {
            let range = line.prefix { $0 != " " }.split(separator: "-")
            guard range.count == 2, let start = UInt(range[0], radix: 16), let end = UInt(range[1], radix: 16) else { continue }
            if start == address { return (start, end) }
        }
        return nil
    }

    /// With `rmfg`'s allocator settings on (as in the executable), the storage is the start of
    /// an anonymous mapping of at least its size (a block from `malloc` or `calloc` starts
    /// after a chunk header, never at a mapping's start), none of its pages is resident
    /// before use (`mincore`), and it reads as zeros.
    @Test func storageIsAnUntouchedMappingOfItsOwn() throws {
        #if os(Linux) && canImport(Glibc)
        let settingsTaken = ProcessMemory.keepFreedMemory()
        defer { if settingsTaken { ProcessMemory.restoreDefaults() } }
        let count = TemporaryPaths.slotCount * TemporaryPaths.slotSize
        let storage = TemporaryPaths.makeStorage()
        defer { munmap(storage, count) }
        let address = UInt(bitPattern: storage)
        let region = try #require(Self.mapping(startingAt: address), "no mapping starts at the storage")
        #expect(region.end - region.start >= UInt(count))
        let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))
        var resident = [UInt8](repeating: 0, count: (count + pageSize - 1) / pageSize)
        #expect(mincore(storage, count, &resident) == 0)
        #expect(resident.allSatisfy { $0 & 1 == 0 }, "\(resident.filter { $0 & 1 != 0 }.count) pages resident")
        for slot in stride(from: 0, to: TemporaryPaths.slotCount, by: 37) {
            #expect(storage[slot * TemporaryPaths.slotSize] == 0)
        }
        #endif
    }
}
