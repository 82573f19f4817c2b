#if canImport(Glibc)
import Glibc
#endif

/// Large fresh buffers on transparent huge pages.
///
/// glibc serves every allocation above its mmap threshold (at most 32 MiB on 64-bit
/// Linux) with a fresh anonymous mapping and unmaps it on `free`, so each large buffer a
/// solve allocates is faulted in again, one 4 KiB page at a time (2.7 M page faults in a
/// 10⁶-state solve). Where transparent huge pages are in `madvise` mode (the common
/// default), ``advise(_:byteCount:)`` marks the whole pages of such a buffer with
/// `MADV_HUGEPAGE` before its first write, so the kernel faults it in 2 MiB at a time.
///
/// Advice only: the buffer's contents, size and lifetime are unchanged, a failing
/// `madvise` (no THP support, `never` mode, not Linux) is ignored, and no memory outside
/// the buffer's own whole pages is marked. Safe in any process that loads the library.
package enum HugePages {
    /// Buffers of at least this many bytes are advised (4 MiB: two huge pages, so at
    /// least one aligned 2 MiB block lies inside the buffer).
    package static let minimumBytes = 1 << 22

    /// The system's base page size (4 KiB when it cannot be read).
    package static let pageSize: Int = {
        #if canImport(Glibc)
        let size = sysconf(Int32(_SC_PAGESIZE))
        return size > 0 ? size : 4096
        #else
        return 4096
        #endif
    }()

    /// The whole pages inside `[start, start + byteCount)`, as an address range (empty
    /// when no whole page fits).
    package static func wholePages(start: Int, byteCount: Int) -> Range<Int> {
        let page = pageSize
        let lo = (start + page - 1) / page * page
        let hi = (start + byteCount) / page * page
        return hi > lo ? lo..<hi : lo..<lo
    }

    /// Asks for huge pages on the whole pages of a buffer of `byteCount` bytes at
    /// `start`, when it has at least ``minimumBytes``. Call it before the buffer's first
    /// write; returns whether the advice was given (and accepted by the kernel).
    @discardableResult
    package static func advise(_ start: UnsafeMutableRawPointer?, byteCount: Int) -> Bool {
        guard let start, byteCount >= minimumBytes else { return false }
        #if os(Linux) && canImport(Glibc)
        let pages = wholePages(start: Int(bitPattern: start), byteCount: byteCount)
        guard !pages.isEmpty, let base = UnsafeMutableRawPointer(bitPattern: pages.lowerBound) else { return false }
        return madvise(base, pages.count, MADV_HUGEPAGE) == 0
        #else
        return false
        #endif
    }

    /// An array of `count` copies of `value`, its storage advised for huge pages before
    /// it is written when it is large (the same array as `Array(repeating:count:)`).
    package static func array<T: BitwiseCopyable>(repeating value: T, count: Int) -> [T] {
        guard count > 0, count * MemoryLayout<T>.stride >= minimumBytes else {
            return [T](repeating: value, count: count)
        }
        return [T](unsafeUninitializedCapacity: count) { buffer, initialized in
            advise(UnsafeMutableRawPointer(buffer.baseAddress), byteCount: count * MemoryLayout<T>.stride)
            buffer.initialize(repeating: value)
            initialized = count
        }
    }
}
