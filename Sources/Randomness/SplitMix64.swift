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
