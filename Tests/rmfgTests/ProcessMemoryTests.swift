#if canImport(Glibc)
import Glibc
#endif
import Foundation
@testable import rmfg
import Testing

/// `rmfg`'s allocator settings (``ProcessMemory``): once set, a large block comes from the
/// heap instead of a fresh mapping of its own, and
/// memory a freed buffer leaves behind is cleared by every initializer that promises
/// zeros or a value. The suite restores glibc's defaults at the end; it runs serialized
/// so that no two tests of it change the process's allocator at once.
@Suite(.serialized) struct ProcessMemoryTests {
    /// Whether glibc serves a block of `bytes` bytes with its own mapping: the `IS_MMAPPED`
    /// bit (2) of the size word just before the block (glibc's chunk layout, unchanged since
    /// 1996); `nil` off glibc.
    static func servedByMapping(bytes: Int) -> Bool? {
        #if os(Linux) && canImport(Glibc)
        guard let block = malloc(bytes) else { return nil }
        defer { free(block) }
        memset(block, 0x5A, bytes)
        let sizeWord = block.load(fromByteOffset: -MemoryLayout<UInt>.stride, as: UInt.self)
        return sizeWord & 2 != 0
        #else
        return nil
        #endif
    }

    /// Whether a sanitizer's allocator stands in for glibc's: AddressSanitizer's `mallopt`
    /// accepts nothing (it returns 0, so ``ProcessMemory/keepFreedMemory()`` reports `false`)
    /// and its blocks carry no glibc chunk header for ``servedByMapping(bytes:)`` to read.
    /// `make test-sanitize` runs this suite under AddressSanitizer.
    static let sanitizerAllocator: Bool = {
        #if os(Linux) && canImport(Glibc)
        return dlsym(nil, "__asan_init") != nil || dlsym(nil, "__tsan_init") != nil
        #else
        return false
        #endif
    }()

    /// Whether `bytes` repeats with `period` (every byte equals the one `period` later):
    /// one `memcmp`, as fast in a debug build as in a release one.
    static func periodic(_ bytes: UnsafeRawBufferPointer, period: Int) -> Bool {
        guard let base = bytes.baseAddress, bytes.count > period else { return false }
        return memcmp(base, base + period, bytes.count - period) == 0
    }

    /// A 40 MiB block (above glibc's largest mmap threshold, 32 MiB, so with glibc's
    /// defaults it gets a mapping of its own unless free heap already holds it) comes from
    /// the heap with the settings, before and after the buffers below; with them, a block of the size of one just freed and dirtied reads as written through
    /// `Array(repeating:)`, `Data(count:)` (calloc) and `initialize(repeating:)`.
    @Test func largeBlocksComeFromTheHeapAndReusedMemoryIsCleared() throws {
        #if os(Linux) && canImport(Glibc)
        defer { ProcessMemory.restoreDefaults() }
        let bytes = 40 << 20
        let glibcAllocator = !Self.sanitizerAllocator
        // Under a sanitizer the settings are refused and nothing changes; the clearing checks
        // below still run against the sanitizer's allocator.
        #expect(ProcessMemory.keepFreedMemory() == glibcAllocator)
        if glibcAllocator { #expect(Self.servedByMapping(bytes: bytes) == false) }
        let count = bytes / 8
        for round in 0..<2 {
            do {
                var dirty = [Double](repeating: Double(round) + 0.5, count: count)
                dirty[count - 1] = -1
                #expect(dirty[count / 2] == Double(round) + 0.5)
            }
            let zeros = [Double](repeating: 0, count: count)
            #expect(zeros[0] == 0 && zeros.withUnsafeBytes { Self.periodic($0, period: 8) })
            let data = Data(count: bytes)
            #expect(data.first == 0 && data.withUnsafeBytes { Self.periodic($0, period: 1) })
            let raw = UnsafeMutablePointer<Double>.allocate(capacity: count)
            raw.initialize(repeating: 0.25, count: count)
            #expect(raw[0] == 0.25 && Self.periodic(UnsafeRawBufferPointer(start: raw, count: bytes), period: 8))
            raw.deallocate()
        }
        if glibcAllocator { #expect(Self.servedByMapping(bytes: bytes) == false) }
        #expect(ProcessMemory.restoreDefaults() == glibcAllocator)
        #endif
    }
}
