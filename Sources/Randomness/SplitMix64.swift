/// SplitMix64 (Steele, Lea and Flood, "Fast splittable pseudorandom number
/// generators", OOPSLA 2014): a small, fast generator whose stream depends only
/// on its seed, on every platform. Every seeded computation of the project
/// (garnet games, random kernels, finite-population simulations, Q-learning,
/// property tests) draws from it, so a seed reproduces a result bit for bit.
public struct SplitMix64: RandomNumberGenerator, Sendable, Hashable {
    /// The generator state; the next output is a function of it alone.
    @usableFromInline var state: UInt64

    /// A generator whose state is `seed`.
    public init(seed: UInt64) { state = seed }

    /// Stream `stream` of `seed`: the project's one recipe for independent streams.
    ///
    /// The state is `mix(mix((seed ⊕ c) + stream·φ) ⊕ (stream + 1))`, with `φ` the
    /// SplitMix64 increment and `c = 0x6A09E667F3BCC909`, so different streams of one seed
    /// (and the same stream of different seeds) start from decorrelated states. A sweep
    /// draws the random kernels of cell `i` from stream `i`, so a cell's numbers do not
    /// depend on which shard computes it.
    public init(seed: UInt64, stream: UInt64) {
        var s = seed ^ 0x6A09_E667_F3BC_C909
        s = Self.mix(s &+ stream &* 0x9E37_79B9_7F4A_7C15)
        self.init(seed: Self.mix(s ^ (stream &+ 1)))
    }

    /// The stream at a path of keys: stream `keys[0]` of `seed`, then stream `keys[1]`
    /// of that stream's state, and so on (``init(seed:stream:)`` at every step; a negative
    /// key is its two's-complement bit pattern). With no keys, the generator of `seed`.
    ///
    /// The finite-population simulator keys its streams by `(N, episode, step, purpose)`,
    /// so two runs that share those keys draw the same uniforms (common random numbers)
    /// whatever happened before.
    public init(seed: UInt64, streams keys: Int...) {
        var s = seed
        for k in keys { s = SplitMix64(seed: s, stream: UInt64(bitPattern: Int64(k))).state }
        self.init(seed: s)
    }

    /// The SplitMix64 output function (a bijective 64-bit mixer), used to derive
    /// independent stream seeds from keys.
    @inlinable
    public static func mix(_ x: UInt64) -> UInt64 {
        var z = x &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// The next 64 random bits.
    @inlinable
    public mutating func next() -> UInt64 {
        let z = Self.mix(state)
        state &+= 0x9E37_79B9_7F4A_7C15
        return z
    }

    /// A uniform number in `[0, 1)` with 53 random bits.
    @inlinable
    public mutating func unit() -> Double { Double(next() >> 11) * 0x1p-53 }

    /// A uniform number in `(0, 1)` (53 random bits, never 0).
    @inlinable
    public mutating func openUnit() -> Double { (Double(next() >> 11) + 0.5) * 0x1p-53 }
}
