import Dispatch

/// How Bellman sweeps use the machine's cores.
public enum ExecutionMode: String, Sendable, CaseIterable, Codable, Hashable {
    /// Parallel chunks when the sweep has at least ``parallelRowThreshold`` rows, serial otherwise.
    case automatic
    /// Always one thread.
    case serial
    /// Always chunked across threads, even for small sweeps (used to test that
    /// parallel and serial results are bit-identical).
    case parallel

    /// Sweeps with at least this many `(s, a)` rows run in parallel under ``automatic``.
    public static let parallelRowThreshold = 2000
}

/// A pointer into a buffer whose disjoint slices are written by different threads.
/// Each chunk writes only its own index range, so no two threads touch one element.
package struct DisjointSlices<Element>: @unchecked Sendable {
    package let base: UnsafeMutablePointer<Element>

    /// Slices of the buffer at `base`.
    package init(base: UnsafeMutablePointer<Element>) { self.base = base }
}

package enum Parallel {
    /// Runs `body` over `0..<count` split into fixed contiguous chunks. Each index is
    /// handled by exactly one call, so results written per index are identical to a
    /// serial run regardless of scheduling.
    package static func forEachChunk(count: Int, mode: ExecutionMode, _ body: (Range<Int>) -> Void) {
        let parallel: Bool
        switch mode {
        case .serial: parallel = false
        case .parallel: parallel = count > 1
        case .automatic: parallel = count >= ExecutionMode.parallelRowThreshold
        }
        guard parallel else {
            body(0..<count)
            return
        }
        let chunkSize = max(1, min(512, (count + 15) / 16))
        let chunks = (count + chunkSize - 1) / chunkSize
        withoutActuallyEscaping(body) { body in
            let box = UncheckedBox(body)
            DispatchQueue.concurrentPerform(iterations: chunks) { c in
                let lo = c * chunkSize
                box.value(lo..<min(count, lo + chunkSize))
            }
        }
    }
}

/// Shares a closure that only writes disjoint memory with `concurrentPerform`.
struct UncheckedBox<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}

/// An array of at most `capacity` elements whose first `n` are written by `body`, which
/// returns `n` (`unsafeUninitializedCapacity` with exactly the written count). With
/// capacity 0, `body` sees an empty buffer (no base address) and the result is `[]`:
/// the standard library's initializer would otherwise store the count into the shared
/// empty-array singleton, which ThreadSanitizer reports as a race between threads.
@inline(__always)
package func makeArray<T>(capacity: Int, _ body: (UnsafeMutableBufferPointer<T>) -> Int) -> [T] {
    guard capacity > 0 else {
        _ = body(UnsafeMutableBufferPointer(start: nil, count: 0))
        return []
    }
    return [T](unsafeUninitializedCapacity: capacity) { buffer, count in count = body(buffer) }
}
