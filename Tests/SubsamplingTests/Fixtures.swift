import Foundation
import GameFiles
import Subsampling
import TestSupport

/// A tiny game file: 2 global states, 2 local states, `n` agents (TestSupport's fixture).
func tinyGameText(agents n: Int = 3, discount: Double = 0.5, episodes: Int = 4000, horizon: Int = 4) -> String {
    tinyAlternatingGameText(agents: n, discount: discount, episodes: episodes, horizon: horizon)
}

func tinyGame(agents n: Int = 3, discount: Double = 0.5, episodes: Int = 4000, horizon: Int = 4) throws -> AlternatingGame {
    try AlternatingGameFile.parse(text: tinyGameText(agents: n, discount: discount, episodes: episodes, horizon: horizon), path: "tiny.yaml")
}

/// A random game with the given sizes (rows drawn from a seeded generator).
func randomGame(seed: UInt64, agents n: Int, g: Int = 2, mg: Int = 2, l: Int = 2, ml: Int = 2, discount: Double = 0.7) throws -> AlternatingGame {
    var rng = SplitMix64(seed: seed)
    func u() -> Double { Double(rng.next() >> 11) * 0x1.0p-53 }
    func row(_ count: Int) -> [Double] {
        let raw = (0..<count).map { _ in u() + 0.05 }
        let s = raw.reduce(0, +)
        return raw.map { $0 / s }
    }
    return try AlternatingGame(
        name: "random", agents: n, discount: discount,
        globalStates: (0..<g).map { "g\($0)" }, globalActions: (0..<mg).map { "b\($0)" },
        localStates: (0..<l).map { "l\($0)" }, localActions: (0..<ml).map { "c\($0)" },
        globalReward: (0..<g).map { _ in (0..<mg).map { _ in u() } },
        globalTransition: (0..<g).map { _ in (0..<mg).map { _ in row(g) } },
        localReward: (0..<g).map { _ in (0..<l).map { _ in (0..<ml).map { _ in u() } } },
        localTransition: (0..<g).map { _ in (0..<l).map { _ in (0..<ml).map { _ in row(l) } } },
        globalInitial: row(g), localInitial: row(l))
}

/// The repository root (for the bundled examples).
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

func example(_ name: String) throws -> AlternatingGame {
    try AlternatingGameFile.load(path: repositoryRoot.appendingPathComponent("Examples/alternating/\(name)").path)
}
