import Dispatch

/// Vector kernels split into fixed blocks (MeanField's linear algebra on `n`-vectors).
///
/// The blocks do not depend on the execution mode or the number of cores: a block is
/// always ``block`` consecutive indices, and a sum is the blocks' partial sums added in
/// block order. So serial and parallel runs give bit-identical results, and a vector of
/// at most ``block`` entries is summed exactly as a plain loop would.
enum VectorBlocks {
    /// Indices per block: 16,384 (tests may set ``testBlock``).
    static var block: Int { testBlock ?? 16_384 }
    /// States per block of the per-state loops (policies, policy rewards), whose results
    /// do not depend on the blocks at all.
    static var stateBlock: Int { testBlock ?? 1024 }
    /// Vectors at least this long use threads under ``ExecutionMode/automatic``
    /// (shorter ones cost less than waking a second thread): two blocks.
    static var parallelThreshold: Int { 2 * block }
    /// A small block length for tests, so that small games take the multi-block paths
    /// (read on the calling thread when a computation starts).
    @TaskLocal static var testBlock: Int? = nil

    /// Serial or parallel for a vector of `count` entries (never `.automatic`).
    static func mode(count: Int, execution: ExecutionMode) -> ExecutionMode {
        switch execution {
        case .serial: return .serial
        case .parallel: return .parallel
        case .automatic: return count >= parallelThreshold ? .parallel : .serial
        }
    }

    /// Per-state loops over sparse rows (the frozen system's products, the chain's build) with at
    /// least this many entries use threads under ``ExecutionMode/automatic`` from
    /// ``parallelStates`` states on, below ``parallelThreshold`` too (2¹⁷ entries: a pass of
    /// 0.1–0.3 ms, against the tens of microseconds a wake-up of the second core costs).
    static var parallelEntries: Int { testBlock.map { 2 * $0 } ?? 1 << 17 }
    /// The fewest states for which ``mode(count:entries:execution:)`` goes by entries: two
    /// ``stateBlock``s.
    static var parallelStates: Int { 2 * stateBlock }

    /// Serial or parallel for a per-state loop over `count` states and `entries` row entries:
    /// parallel from ``parallelThreshold`` states on, as ``mode(count:execution:)``, or from
    /// ``parallelEntries`` entries on ``parallelStates`` states or more (never `.automatic`).
    static func mode(count: Int, entries: Int, execution: ExecutionMode) -> ExecutionMode {
        guard execution == .automatic else { return mode(count: count, execution: execution) }
        return count >= parallelThreshold || count >= parallelStates && entries >= parallelEntries ? .parallel : .serial
    }

    /// Runs `body` once per block of `0..<count` (blocks of `block` indices, in parallel
    /// when `mode` allows); `body` must write only its own block's indices.
    static func forEach(count: Int, block: Int = block, mode: ExecutionMode, _ body: (Range<Int>) -> Void) {
        let blocks = (count + block - 1) / block
        guard blocks > 1, mode != .serial else {
            var lo = 0
            while lo < count {
                body(lo..<min(count, lo + block))
                lo += block
            }
            return
        }
        withoutActuallyEscaping(body) { body in
            let box = UncheckedBox(body)
            DispatchQueue.concurrentPerform(iterations: blocks) { b in
                box.value((b * block)..<min(count, b * block + block))
            }
        }
    }

    /// An exclusive prefix sum of integers over `0..<count` by blocks of `block` indices: on one
    /// thread (`mode` serial, or a single block) `fill(0..<count, 0)` alone; else `total` of each
    /// block (on threads), the block totals added in block order, and `fill` of each block from
    /// its offset (on threads). `fill(range, offset)` writes the prefix of `range` starting at
    /// `offset` and returns the offset after it; `total(range)` returns what `fill` would add.
    /// Integer sums, so the prefix is the same whatever the blocks. Returns the whole sum.
    static func prefixSum(count: Int, block: Int = block, mode: ExecutionMode, total: (Range<Int>) -> Int,
                          fill: (Range<Int>, Int) -> Int) -> Int {
        let blocks = (count + block - 1) / block
        guard blocks > 1, mode != .serial else { return fill(0..<count, 0) }
        var offsets = [Int](repeating: 0, count: blocks)
        offsets.withUnsafeMutableBufferPointer { ob in
            guard let base = ob.baseAddress else { return }
            let out = DisjointSlices(base: base)
            forEach(count: blocks, block: 1, mode: mode) { range in
                for b in range { out.base[b] = total((b * block)..<Swift.min(count, b * block + block)) }
            }
        }
        var sum = 0
        for b in 0..<blocks {
            let t = offsets[b]
            offsets[b] = sum
            sum += t
        }
        let starts = offsets
        forEach(count: blocks, block: 1, mode: mode) { range in
            for b in range { _ = fill((b * block)..<Swift.min(count, b * block + block), starts[b]) }
        }
        return sum
    }

    /// Runs `body` over the states `0..<count`, for per-state loops whose results do not depend
    /// on how the states are cut (each state's outputs are computed from inputs alone and
    /// written by one call): cut in one part per share and run on the calling thread and
    /// `helpers`' workers (``LPRowEngine/split(count:_:)``) when `mode` is serial and the
    /// engine has more than one share (a small game on the LP path, whose workers are idle
    /// between sweeps), else by blocks of `block` states (in parallel when `mode` allows).
    static func forEachState(count: Int, block: Int = stateBlock, mode: ExecutionMode, helpers: LPRowEngine?,
                             _ body: (Range<Int>) -> Void) {
        if mode == .serial, let helpers, helpers.shareCount > 1 {
            helpers.split(count: count, body)
            return
        }
        forEach(count: count, block: block, mode: mode, body)
    }

    /// `Σ` of `term` over the blocks of `0..<count`: each block's partial sum (computed by
    /// `term` in index order), then the partial sums in block order.
    static func sum(count: Int, block: Int = block, mode: ExecutionMode, _ term: (Range<Int>) -> Double) -> Double {
        reduce(count: count, block: block, mode: mode, term) { partial in
            var total = 0.0
            for x in partial { total += x }
            return total
        }
    }

    /// The largest of `term` over the blocks of `0..<count` (`max` does not depend on the
    /// order; a NaN block result propagates).
    static func max(count: Int, block: Int = block, mode: ExecutionMode, _ term: (Range<Int>) -> Double) -> Double {
        reduce(count: count, block: block, mode: mode, term) { partial in
            var m = 0.0
            for x in partial where !(x <= m) { m = x }
            return m
        }
    }

    /// How ``reducePair(count:block:mode:_:combine:_:)`` combines the block results of one of
    /// its two reductions: as ``sum(count:block:mode:_:)`` or as ``max(count:block:mode:_:)`` does.
    enum Combine {
        case sum, max

        /// `total` with one more term: `total + x`, or `Swift.max(total, x)` (a NaN term is skipped).
        @inline(__always)
        func fold(_ total: Double, _ x: Double) -> Double {
            switch self {
            case .sum: return total + x
            case .max: return Swift.max(total, x)
            }
        }

        /// The block results combined in block order.
        func callAsFunction(_ partial: some Sequence<Double>) -> Double {
            var total = 0.0
            switch self {
            case .sum:
                for x in partial { total += x }
            case .max:
                for x in partial where !(x <= total) { total = x }
            }
            return total
        }
    }

    /// Two blocked reductions in one pass over the blocks of `0..<count`: `term` returns each
    /// block's two results, combined in block order by `first` and `second`. Each result is
    /// the number ``sum(count:block:mode:_:)`` or ``max(count:block:mode:_:)`` gives for the
    /// same block terms (a single block is `term(0..<count)` itself), so a fused loop that
    /// computes both in one pass over its vectors changes nothing.
    static func reducePair(count: Int, block: Int = block, mode: ExecutionMode, _ term: (Range<Int>) -> (Double, Double),
                           combine first: Combine, _ second: Combine) -> (Double, Double) {
        let blocks = (count + block - 1) / block
        guard blocks > 1 else { return term(0..<count) }
        var partial = [Double](repeating: 0, count: 2 * blocks)
        partial.withUnsafeMutableBufferPointer { pb in
            guard let base = pb.baseAddress else { return }
            let out = DisjointSlices(base: base)
            forEach(count: blocks, block: 1, mode: mode) { b in
                for i in b { (out.base[2 * i], out.base[2 * i + 1]) = term((i * block)..<min(count, i * block + block)) }
            }
        }
        return (first(stride(from: 0, to: 2 * blocks, by: 2).lazy.map { partial[$0] }),
                second(stride(from: 1, to: 2 * blocks, by: 2).lazy.map { partial[$0] }))
    }

    /// ``reducePair(count:block:mode:_:combine:_:)`` with the blocks taken two at a time on one
    /// thread when `mode` is serial: `pair` computes two consecutive whole blocks side by side (two
    /// independent chains of additions instead of one, which a running sum in index order would
    /// otherwise wait on), returning each block's two results as `term` returns them alone; a
    /// block without a whole partner goes to `term`. Each block's results are those `term` gives,
    /// combined in the same order, so the numbers are the same bit for bit. In parallel every
    /// block goes to `term`, as before.
    static func reducePair(count: Int, block: Int = block, mode: ExecutionMode, _ term: (Range<Int>) -> (Double, Double),
                           pair: (Range<Int>, Range<Int>) -> ((Double, Double), (Double, Double)),
                           combine first: Combine, _ second: Combine) -> (Double, Double) {
        let blocks = (count + block - 1) / block
        guard blocks > 1, mode == .serial else {
            return reducePair(count: count, block: block, mode: mode, term, combine: first, second)
        }
        var partial = [Double](repeating: 0, count: 2 * blocks)
        var b = 0
        while b < blocks {
            let lo = b * block
            if b + 1 < blocks, lo + 2 * block <= count {
                let (u, w) = pair(lo..<(lo + block), (lo + block)..<(lo + 2 * block))
                (partial[2 * b], partial[2 * b + 1], partial[2 * b + 2], partial[2 * b + 3]) = (u.0, u.1, w.0, w.1)
                b += 2
            } else {
                (partial[2 * b], partial[2 * b + 1]) = term(lo..<min(count, lo + block))
                b += 1
            }
        }
        return (first(stride(from: 0, to: 2 * blocks, by: 2).lazy.map { partial[$0] }),
                second(stride(from: 1, to: 2 * blocks, by: 2).lazy.map { partial[$0] }))
    }

    /// A blocked reduction: `term` of each block of `0..<count` (blocks in parallel when
    /// `mode` allows), then `combine` of the block results in block order. A single block
    /// is `term(0..<count)` itself, not combined.
    private static func reduce(
        count: Int, block: Int, mode: ExecutionMode, _ term: (Range<Int>) -> Double,
        combine: ([Double]) -> Double
    ) -> Double {
        let blocks = (count + block - 1) / block
        guard blocks > 1 else { return term(0..<count) }
        var partial = [Double](repeating: 0, count: blocks)
        partial.withUnsafeMutableBufferPointer { pb in
            guard let base = pb.baseAddress else { return }
            let out = DisjointSlices(base: base)
            forEach(count: blocks, block: 1, mode: mode) { b in
                for i in b { out.base[i] = term((i * block)..<min(count, i * block + block)) }
            }
        }
        return combine(partial)
    }
}
