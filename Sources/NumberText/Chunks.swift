import Dispatch

/// The text of `piece(0..<count)` built as the concatenation of `piece` over consecutive
/// chunks of `chunk` indices, in order; the chunks are built on all cores when there are
/// at least two (`DispatchQueue.concurrentPerform`). `piece` must depend only on its range,
/// so the text is the same as one call's whatever the cores (tested): writing the results
/// of a 10⁶-state game formats about 15 million numbers (Docs/Performance.md, section 10).
package func inChunks(count: Int, chunk: Int, _ piece: (Range<Int>) -> String) -> String {
    let size = max(1, chunk)
    let chunks = (count + size - 1) / size
    guard chunks > 1 else { return piece(0..<count) }
    var parts = [String](repeating: "", count: chunks)
    parts.withUnsafeMutableBufferPointer { buffer in
        guard let base = buffer.baseAddress else { return }
        let out = ChunkSlots(base: base)
        withoutActuallyEscaping(piece) { piece in
            let body = ChunkBody(piece: piece)
            DispatchQueue.concurrentPerform(iterations: chunks) { c in
                let range = (c * size)..<min(count, (c + 1) * size)
                // Each chunk writes only its own slot.
                (out.base + c).pointee = body.piece(range)
            }
        }
    }
    var text = ""
    text.reserveCapacity(parts.reduce(0) { $0 + $1.utf8.count })
    for part in parts { text += part }
    return text
}

/// The slots of ``inChunks(count:chunk:_:)``'s parts, written by disjoint chunks.
private struct ChunkSlots: @unchecked Sendable {
    let base: UnsafeMutablePointer<String>
}

/// The piece builder of ``inChunks(count:chunk:_:)``, called on several threads: it reads
/// only values its caller keeps alive and unchanged during the call.
private struct ChunkBody: @unchecked Sendable {
    let piece: (Range<Int>) -> String
}

/// `piece(0..<count)` built as the concatenation of `piece` over consecutive chunks of
/// `chunk` indices, in order, the chunks on all cores when there are at least two; `piece`
/// must depend only on its range, so the array is the same as one call's (tested).
package func inChunks<T>(count: Int, chunk: Int, map piece: (Range<Int>) -> [T]) -> [T] {
    let size = max(1, chunk)
    let chunks = (count + size - 1) / size
    guard chunks > 1 else { return piece(0..<count) }
    var parts = [[T]](repeating: [], count: chunks)
    parts.withUnsafeMutableBufferPointer { buffer in
        guard let base = buffer.baseAddress else { return }
        let out = ArraySlots(base: base)
        withoutActuallyEscaping(piece) { piece in
            let body = ArrayBody(piece: piece)
            DispatchQueue.concurrentPerform(iterations: chunks) { c in
                // Each chunk writes only its own slot.
                (out.base + c).pointee = body.piece((c * size)..<min(count, (c + 1) * size))
            }
        }
    }
    var all: [T] = []
    all.reserveCapacity(count)
    for part in parts { all += part }
    return all
}

/// The slots of the array form of ``inChunks(count:chunk:map:)``, written by disjoint chunks.
private struct ArraySlots<T>: @unchecked Sendable {
    let base: UnsafeMutablePointer<[T]>
}

/// The piece builder of ``inChunks(count:chunk:map:)``, called on several threads (see ``ChunkBody``).
private struct ArrayBody<T>: @unchecked Sendable {
    let piece: (Range<Int>) -> [T]
}
