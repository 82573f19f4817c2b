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
    /// The argument an error concerns; `rawValue` is its name in messages (the
    /// parameter's name).
    public enum Field: String, Sendable, Hashable, CaseIterable {
        /// The population size `N`.
        case agents
        /// The number of Monte Carlo episodes.
        case episodes
        /// The number of steps (horizon) of an episode or a simulation.
        case steps
        /// The tagged nature's exact evaluation, which must match the estimate's game and `N`.
        case nature
        /// The policy, of the game's shape.
        case policy
        /// The soft-max temperature.
        case temperature
        /// The agents' counts per state.
        case counts
        /// The game (the exact evaluation needs two states).
        case game
        /// The model of the others' kernels.
        case trueModel
        /// The tolerance of an exact evaluation.
        case tolerance
        /// The number of samples of a Lipschitz estimate.
        case samples
        /// The neighbourhood `δ` of a Lipschitz estimate.
        case neighborhood
    }

    /// An argument is out of range (`field` names it).
    case invalidArgument(field: Field, message: String)
    /// The game rejected an evaluation (invalid data at some visited `μ^N`) or a solve failed.
    case game(MeanFieldError)

    /// A one-line message.
    public var description: String {
        switch self {
        case let .invalidArgument(field, message): "\(field.rawValue): \(message)"
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
