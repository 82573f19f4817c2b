import Foundation

/// The seed of a randomized test, so that every failure can be replayed.
///
/// `RMFG_TEST_SEED` (a decimal `UInt64`), when set, fixes the seed; otherwise each run takes
/// a fresh one from the system generator, so repeated runs keep exploring new inputs. Draw
/// every random input from ``generator`` and put the seed (its `description`) in the message
/// of every expectation: a failure then prints the seed and how to replay it, e.g.
/// `RMFG_TEST_SEED=123 swift test --filter garbageNeverCrashes`.
public struct TestSeed: Sendable, CustomStringConvertible {
    /// The seed.
    public let value: UInt64

    /// The seed of `RMFG_TEST_SEED`, or a fresh random one.
    public init() {
        if let text = ProcessInfo.processInfo.environment["RMFG_TEST_SEED"], let seed = UInt64(text) {
            value = seed
        } else {
            var system = SystemRandomNumberGenerator()
            value = system.next()
        }
    }

    /// A fixed seed (for tests that always replay the same inputs).
    public init(_ value: UInt64) { self.value = value }

    /// A generator of the stream of this seed.
    public var generator: SplitMix64 { SplitMix64(seed: value) }

    /// The seed and how to replay it.
    public var description: String { "seed \(value) (replay: RMFG_TEST_SEED=\(value) swift test --filter <test>)" }
}
