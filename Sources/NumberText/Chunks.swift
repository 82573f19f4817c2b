import Dispatch

/// The text of `piece(0..<count)` built as the concatenation of `piece` over consecutive
/// chunks of `chunk` indices, in order; the chunks are built on all cores when there are
/// at least two (`DispatchQueue.concurrentPerform`). `piece` must depend only on its range,
/// so the text is the same as one call's whatever the cores (tested): writing the results
/// of a 10⁶-state game formats about 15 million numbers (Docs/Performance.md, section 10).
package func inChunks(count: Int, chunk: Int, _ piece: (Range<Int>) -> String) -> String {
    guard let parts = chunkParts(count: count, chunk: chunk, piece) else { return piece(0..<count) }
    var text = ""
    text.reserveCapacity(parts.reduce(0) { $0 + $1.utf8.count })
    for part in parts { text += part }
    return text
}

/// `piece(0..<count)` built as the concatenation of `piece` over consecutive chunks of
/// `chunk` indices, in order, the chunks on all cores when there are at least two; `piece`
/// must depend only on its range, so the array is the same as one call's (tested).
package func inChunks<T>(count: Int, chunk: Int, map piece: (Range<Int>) -> [T]) -> [T] {
    guard let parts = chunkParts(count: count, chunk: chunk, piece) else { return piece(0..<count) }
    var all: [T] = []
    all.reserveCapacity(count)
    for part in parts { all += part }
    return all
}

/// `piece` of each chunk of `chunk` consecutive indices of `0..<count`, in order, built on
/// all cores (`DispatchQueue.concurrentPerform`); `nil` when there is only one chunk.
private func chunkParts<P>(count: Int, chunk: Int, _ piece: (Range<Int>) -> P) -> [P]? {
    let size = max(1, chunk)
    let chunks = (count + size - 1) / size
    guard chunks > 1 else { return nil }
    var parts = [P?](repeating: nil, count: chunks)
    parts.withUnsafeMutableBufferPointer { buffer in
        guard let base = buffer.baseAddress else { return }
        let out = ChunkSlots(base: base)
        withoutActuallyEscaping(piece) { piece in
            let body = ChunkBody(piece: piece)
            DispatchQueue.concurrentPerform(iterations: chunks) { c in
                // Each chunk writes only its own slot.
                (out.base + c).pointee = body.piece((c * size)..<min(count, (c + 1) * size))
            }
        }
    }
    return parts.compactMap { $0 }
}

/// The slots of ``chunkParts(count:chunk:_:)``, written by disjoint chunks.
private struct ChunkSlots<P>: @unchecked Sendable {
    let base: UnsafeMutablePointer<P?>
}

/// The piece builder of ``chunkParts(count:chunk:_:)``, called on several threads: it reads
/// only values its caller keeps alive and unchanged during the call.
private struct ChunkBody<P>: @unchecked Sendable {
    let piece: (Range<Int>) -> P
}
