/// Lazy population steps by tiles: several steps per pass over the chain, for chains too large
/// for the cache whose columns read only nearby states (a grid's chain: `|s − t|` at most the
/// row width).
///
/// **Why.** A step streams the whole chain (12 bytes an entry, 68 MB at 10⁶ states on the
/// 1000×1000 crowd grid) to do two floating-point operations an entry, so it is bound by memory
/// traffic, and `g` steps stream it `g` times. By tiles, each tile of `T` states takes its `g`
/// steps one after the other while its part of the chain is still in the cache
/// (Docs/Performance.md, section 8, "Twenty-fifth round").
///
/// **How** (a trapezoid split, no work done twice). With `h` the chain's *reach* (the largest
/// `|s − t|` over its entries), step `i` of `(νL)(t)` reads step `i − 1` within `h` of `t`. Phase
/// A: every tile `[a, b)` computes step `i` over `[a + i·h, b − i·h)` (from the ends of the state
/// range, not shrunk there), which reads only step `i − 1` of its own previous range. Phase B,
/// after every tile is done: around every boundary `c` between tiles, step `i` over
/// `[c − i·h, c + i·h)`, which reads step `i − 1` there (phase B's previous range) and beside it
/// (the two tiles' phase A). Each entry of each step is computed once, by the same code as
/// ``LazyPopulationSteps/apply(_:steps:stopChange:relativeStop:execution:)``'s step, so the
/// vectors are the same bit for bit. Each step's change `Σ_t |ν'_t − ν_t|` is summed by blocks
/// of ``VectorBlocks/stateBlock`` states in index order, as there: a block inside a tile's
/// phase A range as it is computed, the others by phase B once both phases have written them.
/// All `g` steps are computed before the stop rule reads their changes; a stop at step `j < g`
/// returns step `j`, as the step-by-step loop does.
extension LazyPopulationSteps {
    /// The most steps computed per pass over the chain: 10, the frozen-policy steps' refresh
    /// interval (``SolverRun/frozenPolicyImage(_:lazySteps:)`` applies at most that many
    /// steps of one chain).
    static let tileGroup = 10

    /// The fewest chain entries for which the steps run by tiles: 2²⁰ (12 MB). Smaller chains
    /// stay in the cache from one step to the next (the 300×300 crowd grid's, 0.45 M entries). The
    /// 500×500 grid's (1.25 M entries, 15 MB) still fits in this machine's 32 MB last-level cache
    /// and gained nothing, the 1000×1000 grid's (5 M, 68 MB) does not (Docs/Performance.md,
    /// section 8, "Twenty-fifth round").
    static let tiledEntries = 1 << 20

    /// Tile size (states) in the tests, which tile small chains; `nil` otherwise.
    @TaskLocal static var testTileStates: Int? = nil

    /// The largest `|s − t|` over the chain's entries (its column `t`, its source `s`): `O(nnz)`.
    static func reach(columnStart: [Int], sources: [Int32], stateCount n: Int) -> Int {
        var most = 0
        columnStart.withUnsafeBufferPointer { cs in
            sources.withUnsafeBufferPointer { src in
                for t in 0..<n {
                    for e in cs[t]..<cs[t + 1] { most = max(most, abs(Int(src[e]) - t)) }
                }
            }
        }
        return most
    }

    /// The tile size in states for groups of `g` steps (a multiple of ``VectorBlocks/stateBlock``),
    /// or `nil` when the steps do not run by tiles: no known reach, fewer than
    /// ``tiledEntries`` entries, or fewer than two tiles. Tiles are at least `6·g·h` states
    /// (phase A does at least two thirds of the work) and 32 blocks.
    func tileStates(group g: Int) -> Int? {
        guard let reach, g >= 1 else { return nil }
        let block = VectorBlocks.stateBlock
        let tile: Int
        if let test = Self.testTileStates {
            tile = test
        } else {
            guard columnStart[stateCount] >= Self.tiledEntries else { return nil }
            let want = max(6 * g * reach, 32 * block)
            tile = (want + block - 1) / block * block
        }
        // Phase B's ranges (and the states they read) stay apart from one boundary to the next.
        guard tile % block == 0, tile >= (2 * g + 2) * reach + 2 * block, stateCount >= 2 * tile else { return nil }
        return tile
    }

    /// ``apply(_:steps:stopChange:relativeStop:execution:)`` by tiles (see the extension's
    /// description), with the vectors in `scratch`; `nil` when the chain does not run by tiles
    /// (``tileStates(group:)``). The same image and step count bit for bit.
    func applyByTiles(_ mu: [Double], steps: Int, stopChange: Double, relativeStop: Double, execution: ExecutionMode,
                      scratch: StepScratch) -> (image: [Double], steps: Int)? {
        let n = stateCount
        guard steps >= 1, mu.count == n, tileStates(group: min(Self.tileGroup, steps)) != nil else { return nil }
        let slots = Self.tileGroup + 1
        scratch.prepare(slots: slots, stateCount: n)
        let mode = VectorBlocks.mode(count: n, execution: execution)
        var taken = 0, threshold = stopChange
        // The slot of the group's input (`nil`: `mu` itself). A group's outputs take the slots
        // after it, so they never overwrite the input they read.
        var input: Int? = nil
        while taken < steps {
            let g = min(Self.tileGroup, steps - taken)
            guard let tile = tileStates(group: g) else {
                // Not expected (a shorter group tiles whenever a longer one does): the plain steps.
                let from = input.map(scratch.copy) ?? mu
                let rest = apply(from, steps: steps - taken, stopChange: stopChange < 0 ? -1 : threshold,
                                 relativeStop: taken == 0 ? relativeStop : 0, execution: execution)
                return (rest.image, taken + rest.steps)
            }
            let outputs = (0..<g).map { ((input ?? -1) + 1 + $0) % slots }
            scratch.counted()
            let changes = mu.withUnsafeBufferPointer { m in
                group(from: input.map { UnsafePointer(scratch.slot($0)) } ?? m.baseAddress, into: outputs.map(scratch.slot),
                      tile: tile, mode: mode, wantChanges: stopChange >= 0)
            }
            for j in 0..<g {
                taken += 1
                guard stopChange >= 0 else { continue }
                if taken == 1 { threshold = max(threshold, relativeStop * changes[j]) }
                if changes[j] <= threshold { return (scratch.copy(outputs[j]), taken) }
            }
            input = outputs[g - 1]
        }
        return (input.map(scratch.copy) ?? mu, taken)
    }

    /// One group of `outputs.count` steps from `v0` (phases A and B), each step's change by
    /// blocks summed in block order (zeros without `wantChanges`).
    private func group(from v0: UnsafePointer<Double>?, into outputs: [UnsafeMutablePointer<Double>], tile: Int,
                       mode: ExecutionMode, wantChanges: Bool) -> [Double] {
        // `v0` is `mu`'s storage or a slot: never `nil` for the `n ≥ 2` states of a tiled chain.
        guard let v0 else { return [Double](repeating: .infinity, count: outputs.count) }
        let n = stateCount, g = outputs.count, h = reach ?? 0, block = VectorBlocks.stateBlock
        // `⌊n / tile⌋ ≥ 2` tiles of about equal size, cut at whole blocks: each has at least
        // `tile − block ≥ (2g + 2)·h + block` states, so its ranges never shrink below empty and
        // two boundaries' phase B ranges stay apart.
        let blocks = (n + block - 1) / block, tiles = n / tile
        let edges = (0...tiles).map { p in p == tiles ? n : p * n / tiles / block * block }
        var perBlock = [Double](repeating: 0, count: g * blocks)
        // Step i reads vectors[i] and writes vectors[i + 1].
        let vectors = UncheckedBox([UnsafeMutablePointer(mutating: v0)] + outputs)
        perBlock.withUnsafeMutableBufferPointer { pb in
            let changes = UncheckedBox(pb)
            columnStart.withUnsafeBufferPointer { cs in
            sources.withUnsafeBufferPointer { src in
            weights.withUnsafeBufferPointer { w in
                let chain = TileChain(cs: cs, src: src, w: w)
                // Phase A: every tile's trapezoid.
                VectorBlocks.forEach(count: tiles, block: 1, mode: mode) { range in
                    for p in range {
                        let a = edges[p], b = edges[p + 1]
                        for i in 0..<g {
                            let lo = a == 0 ? 0 : a + (i + 1) * h, hi = b == n ? n : b - (i + 1) * h
                            chain.steps(lo..<hi, from: vectors.value[i], into: vectors.value[i + 1], block: block,
                                        changes: wantChanges ? changes.value.baseAddress.map { $0 + i * blocks } : nil)
                        }
                    }
                }
                // Phase B: around every boundary, the growing ranges, then their blocks' changes.
                VectorBlocks.forEach(count: tiles - 1, block: 1, mode: mode) { range in
                    for p in range {
                        let c = edges[p + 1]
                        for i in 0..<g {
                            let lo = c - (i + 1) * h, hi = c + (i + 1) * h
                            chain.steps(lo..<hi, from: vectors.value[i], into: vectors.value[i + 1], block: block, changes: nil)
                            guard wantChanges, let base = changes.value.baseAddress else { continue }
                            let (prev, next) = (vectors.value[i], vectors.value[i + 1])
                            for k in (lo / block)..<((hi + block - 1) / block) {
                                var change = 0.0
                                for t in (k * block)..<min(n, k * block + block) { change += abs(next[t] - prev[t]) }
                                base[i * blocks + k] = change
                            }
                        }
                    }
                }
            }}}
        }
        return (0..<g).map { i in
            var total = 0.0
            for k in 0..<blocks { total += perBlock[i * blocks + k] }
            return total
        }
    }
}

/// A chain's columns as buffers, for the tiles' steps.
private struct TileChain {
    let cs: UnsafeBufferPointer<Int>
    let src: UnsafeBufferPointer<Int32>
    let w: UnsafeBufferPointer<Double>

    /// One lazy step over `range` (`out_t = ½ cur_t + ½ Σ cur_s P(s, t)`, the plain step's
    /// arithmetic); with `changes`, each block of `block` states wholly inside `range` writes
    /// its change at its index (blocks cut by the range are left to phase B).
    @inline(__always)
    func steps(_ range: Range<Int>, from cur: UnsafeMutablePointer<Double>, into out: UnsafeMutablePointer<Double>, block: Int,
               changes: UnsafeMutablePointer<Double>?) {
        guard !range.isEmpty else { return }
        var lo = range.lowerBound
        while lo < range.upperBound {
            let k = lo / block
            let hi = min(range.upperBound, k * block + block)
            var change = 0.0
            for t in lo..<hi {
                var acc = 0.0
                for e in cs[t]..<cs[t + 1] { acc += cur[Int(src[e])] * w[e] }
                let x = 0.5 * cur[t] + 0.5 * acc
                out[t] = x
                change += abs(x - cur[t])
            }
            if let changes, lo == k * block, hi == k * block + block || hi == cs.count - 1 { changes[k] = change }
            lo = hi
        }
    }
}

/// The vectors of the tiled steps (``LazyPopulationSteps/applyByTiles(_:steps:stopChange:relativeStop:execution:scratch:)``),
/// kept between calls so that each group writes memory already mapped (at 10⁶ states 88 MB,
/// which fresh pages would fault in and zero at every call). Used by one solve at a time; the
/// tiles' tasks write disjoint states of it.
final class StepScratch: @unchecked Sendable {
    private var storage: UnsafeMutablePointer<Double>? = nil
    private var capacity = 0
    private var stride = 0
    /// The groups of steps taken by tiles with this scratch (for the tests).
    private(set) var groups = 0

    init() {}

    deinit { storage?.deallocate() }

    /// Room for `slots` vectors of `n` states (kept when it is already there).
    func prepare(slots: Int, stateCount n: Int) {
        guard stride != n || capacity < slots * n else { return }
        storage?.deallocate()
        storage = UnsafeMutablePointer<Double>.allocate(capacity: slots * n)
        storage?.initialize(repeating: 0, count: slots * n)
        (capacity, stride) = (slots * n, n)
    }

    func counted() { groups += 1 }

    /// Vector `i`'s first state.
    func slot(_ i: Int) -> UnsafeMutablePointer<Double> {
        guard let storage else { preconditionFailure("step scratch used before prepare") }
        return storage + i * stride
    }

    /// Vector `i` as an array.
    func copy(_ i: Int) -> [Double] {
        let from = slot(i)
        return [Double](unsafeUninitializedCapacity: stride) { buffer, count in
            if let base = buffer.baseAddress { base.initialize(from: from, count: stride) }
            count = stride
        }
    }
}
