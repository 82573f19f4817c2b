import Foundation
@testable import MeanField
import Testing

/// Large buffers advised for transparent huge pages (``HugePages``): the advice changes
/// neither contents nor sizes, covers only the buffer's own whole pages, and reaches the
/// kernel (the mapping's `hg` flag in `/proc/self/smaps`) where it is accepted.
struct HugePagesTests {
    /// The whole pages inside a byte range, against a page-by-page enumeration.
    @Test func wholePagesAreTheFullPagesInsideTheRange() {
        let page = HugePages.pageSize
        #expect(page > 0 && page & (page - 1) == 0)
        let starts = [0, 1, page - 1, page, page + 1, 5 * page + 17]
        let counts = [0, 1, page - 1, page, page + 1, 2 * page, 3 * page - 5, 7 * page + 3]
        for start in starts {
            for count in counts {
                // Brute force: every page [p, p + page) with start ≤ p and p + page ≤ start + count.
                var inside: [Int] = []
                var p = 0
                while p + page <= start + count {
                    if p >= start { inside.append(p) }
                    p += page
                }
                let range = HugePages.wholePages(start: start, byteCount: count)
                let expected = inside.isEmpty ? 0..<0 : inside[0]..<(inside[inside.count - 1] + page)
                #expect(range.count == expected.count, "start \(start), count \(count)")
                if !expected.isEmpty { #expect(range == expected, "start \(start), count \(count)") }
                #expect(range.lowerBound % page == 0 && range.upperBound % page == 0)
            }
        }
    }

    /// `HugePages.array(repeating:count:)` is `Array(repeating:count:)` below and above the
    /// advised size, for floating-point, integer and Boolean elements.
    @Test func filledArraysEqualPlainOnes() {
        let small = HugePages.minimumBytes / MemoryLayout<Double>.stride - 1
        let large = 3 * HugePages.minimumBytes / MemoryLayout<Double>.stride + 5
        for count in [0, 1, small, large] {
            #expect(HugePages.array(repeating: 0.25, count: count) == [Double](repeating: 0.25, count: count))
            #expect(HugePages.array(repeating: -7 as Int, count: count) == [Int](repeating: -7, count: count))
            #expect(HugePages.array(repeating: 3 as Int32, count: count) == [Int32](repeating: 3, count: count))
        }
        let flags = HugePages.array(repeating: true, count: HugePages.minimumBytes + 1)
        #expect(flags.count == HugePages.minimumBytes + 1 && flags.allSatisfy { $0 })
    }

    /// `makeArray` with advised storage: the body writes a pattern, and the array holds
    /// exactly the written prefix (a body that writes fewer elements than the capacity).
    @Test func advisedMakeArrayKeepsTheWrittenPrefix() {
        let capacity = HugePages.minimumBytes / MemoryLayout<Int>.stride * 2 + 3
        let written = capacity - 1000
        let array: [Int] = makeArray(capacity: capacity) { buffer in
            for i in 0..<written { buffer[i] = i &* 2_654_435_761 }
            return written
        }
        #expect(array.count == written)
        var mismatches = 0
        for i in 0..<written where array[i] != i &* 2_654_435_761 { mismatches += 1 }
        #expect(mismatches == 0)
    }

    /// Advice on a buffer already written keeps its bytes; the advice is refused for
    /// small buffers and a missing address; where the kernel accepts it, the mapping that
    /// holds the buffer carries the `hg` (huge page advised) flag.
    @Test func adviceKeepsContentsAndMarksTheMapping() throws {
        let count = 4 * HugePages.minimumBytes / MemoryLayout<UInt64>.stride
        let buffer = UnsafeMutablePointer<UInt64>.allocate(capacity: count)
        defer { buffer.deallocate() }
        for i in 0..<count { buffer[i] = UInt64(i) &* 0x9E37_79B9_7F4A_7C15 }
        let given = HugePages.advise(UnsafeMutableRawPointer(buffer), byteCount: count * 8)
        var mismatches = 0
        for i in 0..<count where buffer[i] != UInt64(i) &* 0x9E37_79B9_7F4A_7C15 { mismatches += 1 }
        #expect(mismatches == 0)
        #expect(!HugePages.advise(UnsafeMutableRawPointer(buffer), byteCount: HugePages.minimumBytes - 1))
        #expect(!HugePages.advise(nil, byteCount: 1 << 30))
        #if os(Linux)
        let thp = (try? String(contentsOfFile: "/sys/kernel/mm/transparent_hugepage/enabled", encoding: .utf8)) ?? ""
        if thp.contains("[madvise]") || thp.contains("[always]") { #expect(given) }
        guard given else { return }
        let address = UInt(bitPattern: Int(bitPattern: buffer)) + UInt(count * 4)
        let flags = try #require(Self.vmFlags(containing: address))
        #expect(flags.contains("hg"))
        #endif
    }

    /// The `VmFlags` of the mapping in `/proc/self/smaps` that contains `address`.
    static func vmFlags(containing address: UInt) -> [Substring]? {
        guard let smaps = try? String(contentsOfFile: "/proc/self/smaps", encoding: .utf8) else { return nil }
        var inside = false
        for line in smaps.split(separator: "\n") {
            let fields = line.split(separator: " ")
            if let range = fields.first, range.contains("-"), fields.count >= 5, !range.hasSuffix(":") {
                let bounds = range.split(separator: "-")
                if bounds.count == 2, let lo = UInt(bounds[0], radix: 16), let hi = UInt(bounds[1], radix: 16) {
                    inside = lo <= address && address < hi
                    continue
                }
            }
            if inside, line.hasPrefix("VmFlags:") { return Array(fields.dropFirst()) }
        }
        return nil
    }
}
