import Ambiguity
import Foundation
import MeanField

// The Population module: the mean-field policy in a game of `N` agents
// (Docs/Theory.md, §4; Docs/Population.md).
//
// - ``FinitePopulation``: the `N`-agent simulator and the Monte Carlo estimate
//   of the deviation gain `ε_N` (common random numbers, 95% intervals).
// - ``TwoStateEvaluation``: the exact deviator problem of a two-state game.
// - ``LipschitzConstants``: numerical constants and the non-asymptotic bound.

/// Which kernel moves the agents of the `N`-agent game (the "true model").
public enum TrueModel: String, Sendable, CaseIterable, Codable, Hashable {
    /// Nature's reported worst case in `U(s, a, μ^N)` against the agents' robust values
    /// `V^{π*}_{μ^N}` (the `N`-agent analogue of `population: worst-case`).
    case worstCase = "worst-case"
    /// The nominal kernel `P̂(·|s, a, μ^N)`.
    case nominal
    /// Per step and per `(s, a)`, a kernel drawn inside `U(s, a, μ^N)`: the mixture
    /// `(1 − u) P̂ + u q` of the nominal row and nature's worst case `q` against a random
    /// value vector (`u` and the vector uniform on `[0, 1]`), seeded.
    case random
}

/// Errors of the Population module: one line naming the field or the cause.
public enum PopulationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// An argument is out of range (`field` names it).
    case invalidArgument(field: String, message: String)
    /// The game rejected an evaluation (invalid data at some visited `μ^N`) or a solve failed.
    case game(MeanFieldError)

    /// A one-line message.
    public var description: String {
        switch self {
        case let .invalidArgument(field, message): "\(field): \(message)"
        case let .game(error): error.description
        }
    }
}

/// Runs a MeanField computation, wrapping its error.
@inline(__always)
func lift<T>(_ body: () throws(MeanFieldError) -> T) throws(PopulationError) -> T {
    do { return try body() } catch { throw .game(error) }
}

/// `Σ_a π(a)[r(a) − τ log π(a)]` with `0 log 0 = 0`, for one state's row.
@inline(__always)
func regularizedReward(policy: [Double], offset: Int, rewards: [Double], rewardOffset: Int,
                       actions m: Int, temperature tau: Double) -> Double {
    var acc = 0.0
    for a in 0..<m {
        let p = policy[offset + a]
        guard p > 0 else { continue }
        acc += p * rewards[rewardOffset + a]
        if tau > 0 { acc -= tau * p * mathLog(p) }
    }
    return acc
}

@inline(__always) func mathLog(_ x: Double) -> Double { log(x) }
