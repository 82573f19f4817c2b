#if canImport(Glibc)
import Glibc
#endif

/// The `rmfg` process's allocator settings: freed memory is kept for reuse.
///
/// glibc serves every allocation above its mmap threshold (128 KiB, rising to at most
/// 32 MiB) with a fresh anonymous mapping and unmaps it on `free`, and trims the heap's
/// free top above 128 KiB. A large solve allocates and frees buffers of tens to hundreds
/// of megabytes at every sweep, Newton step and population step, so each one is faulted in
/// and zeroed by the kernel again: 2.7 M page faults and 11–30 s of system time in a
/// 10⁶-state `rmfg solve` (Docs/Performance.md, section 10). With ``keepFreedMemory()`` the
/// main arena serves large blocks from the heap (`M_MMAP_MAX` 0) and keeps up to 2 GiB of
/// free top (`M_TRIM_THRESHOLD`), so later buffers reuse pages the process already has.
///
/// Only the executable calls it, once, before any work (`Sources/RMFGMain/main.swift`);
/// the libraries never change the allocator of a process that loads them (Python's
/// `librobustmfg`, a test bundle). Every buffer the code reads is written first (Swift's
/// initializers, `calloc` clearing reused memory), so results do not change; the cost is
/// that memory freed in the middle of the heap stays in the process until it exits.
package enum ProcessMemory {
    /// glibc's `mallopt` parameters (`malloc.h`, not in Swift's Glibc module).
    private static let trimThreshold: Int32 = -1, mmapMax: Int32 = -4

    /// glibc's defaults, which ``restoreDefaults()`` sets again.
    package static let defaultMmapMax: Int32 = 65_536, defaultTrimThreshold: Int32 = 128 * 1024

    private typealias Mallopt = @convention(c) (Int32, Int32) -> Int32

    /// glibc's `mallopt`, or `nil` off glibc.
    private static let mallopt = glibcFunction("mallopt", as: Mallopt.self)

    /// Large blocks from the heap and up to 2 GiB of its free top kept; returns whether
    /// both settings were accepted (`false` off glibc, where nothing changes).
    @discardableResult
    package static func keepFreedMemory() -> Bool {
        set(mmapMax: 0, trimThreshold: Int32.max)
    }

    /// glibc's default settings again (for tests that set ``keepFreedMemory()`` in-process).
    @discardableResult
    package static func restoreDefaults() -> Bool {
        set(mmapMax: defaultMmapMax, trimThreshold: defaultTrimThreshold)
    }

    private static func set(mmapMax maps: Int32, trimThreshold trim: Int32) -> Bool {
        guard let mallopt else { return false }
        let mapsSet = mallopt(mmapMax, maps) == 1
        let trimSet = mallopt(trimThreshold, trim) == 1
        return mapsSet && trimSet
    }
}

/// The C library's function `name` as `type` (a `@convention(c)` function type): for glibc
/// functions that Swift's Glibc module does not declare (`mallopt`, `strfromd`); `nil` off
/// glibc or where the function is missing.
func glibcFunction<Function>(_ name: String, as type: Function.Type) -> Function? {
    #if os(Linux) && canImport(Glibc)
    guard let symbol = dlsym(nil, name) else { return nil }
    return unsafeBitCast(symbol, to: type)
    #else
    return nil
    #endif
}
