import Ambiguity

/// Errors thrown by the MeanField module. Every case names what is wrong and where.
///
/// Game data are validated when a ``MeanFieldGame`` is built and every time it is
/// evaluated at a new mean field (``MeanFieldGame/snapshot(at:)``), so a value that
/// becomes invalid only at some mean field the solver visits is reported with the
/// offending `(s, a)` and the value found. An error thrown by the game's own
/// functions arrives as ``model(state:action:error:)``.
public enum MeanFieldError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The structural parameter of a game an error concerns; `rawValue` is its name in
    /// messages (the game file's field).
    public enum Field: String, Sendable, Hashable, CaseIterable {
        /// The number of states.
        case states
        /// The number of actions.
        case actions
        /// The discount factor.
        case discount
        /// The state names, one per state.
        case stateNames
        /// The action names, one per action.
        case actionNames
        /// The rewards (of a table game), one row of actions per state.
        case reward
        /// The transition rows, one per `(s, a)`.
        case transition
        /// The radii (of a table game), one row of actions per state.
        case ambiguityRadius = "ambiguity.radius"
        /// The weights of a weighted l1 set, one per state.
        case ambiguityWeights = "ambiguity.weights"
        /// The ground cost of a Wasserstein set, `n × n`.
        case ambiguityCost = "ambiguity.cost"
    }

    /// The solver option an error concerns; `rawValue` is its name in messages (the
    /// option's property name; a game file writes it under `solver.`, except `initial`).
    public enum Option: String, Sendable, Hashable, CaseIterable {
        /// The outer method.
        case method
        /// The soft-max temperature `τ`.
        case temperature
        /// The damping of the fixed-point iteration.
        case damping
        /// The mirror-descent step.
        case learningRate
        /// The equilibrium tolerance.
        case tolerance
        /// The most outer iterations.
        case maxIterations
        /// The memory of Anderson acceleration.
        case andersonMemory
        /// Anderson's population steps per map evaluation.
        case andersonSteps
        /// The starting mean field.
        case initial
        /// The tolerance of a value solve.
        case valueTolerance
        /// The most sweeps of a value solve.
        case maxSweeps
        /// The `Q` values given to a soft-max policy.
        case qValues
        /// The test radius of a robustness sweep (Experiments).
        case testRadius
    }

    /// A structural parameter of the game is invalid (`field` names it).
    case invalidGame(field: Field, message: String)
    /// `r(s, a, μ)` is not a finite number.
    case invalidReward(state: Int, action: Int, value: Double)
    /// `P̂(·|s, a, μ)` is not a probability vector on the game's states.
    case invalidKernel(state: Int, action: Int, message: String)
    /// `ρ(s, a, μ)` is negative, infinite or NaN.
    case invalidRadius(state: Int, action: Int, value: Double)
    /// The game's reward, kernel or radius function threw `error` for row `(s, a)`.
    case model(state: Int, action: Int, error: ModelError)
    /// A mean field is not a probability vector of the game's length.
    case invalidMeanField(String)
    /// A policy is not a stochastic matrix of the game's shape.
    case invalidPolicy(String)
    /// A solver option is out of range (`field` names it).
    case invalidOption(field: Option, message: String)
    /// The Ambiguity module rejected an inner problem (LP path).
    case ambiguity(AmbiguityError)
    /// A numerical failure that valid input should not produce (a singular
    /// system, a non-finite value function); the message says where.
    case numerical(String)

    /// The message without the leading field name that ``description`` adds for
    /// ``invalidPolicy(_:)`` and ``invalidMeanField(_:)``, for a caller that names the
    /// field itself (`file.csv: policy: row 0 sums to 1.1, …`, not `policy: policy: …`);
    /// ``description`` for every other case.
    public var detail: String {
        switch self {
        case let .invalidPolicy(message), let .invalidMeanField(message): message
        default: description
        }
    }

    /// A one-line message naming the field or row and the value found.
    public var description: String {
        switch self {
        case let .invalidGame(field, message): "\(field.rawValue): \(message)"
        case let .invalidReward(s, a, v): "reward at s=\(s), a=\(a): \(v), expected a finite number"
        case let .invalidKernel(s, a, message): "transition at s=\(s), a=\(a): \(message)"
        case let .invalidRadius(s, a, v): "ambiguity.radius at s=\(s), a=\(a): \(v), expected a finite number >= 0"
        case let .model(s, a, error):
            "\(error.field) at s=\(s), a=\(a)" + (error.successor.map { ", t=\($0)" } ?? "") + ": \(error.message)"
        case let .invalidMeanField(message): "mean field: \(message)"
        case let .invalidPolicy(message): "policy: \(message)"
        case let .invalidOption(field, message): "\(field.rawValue): \(message)"
        case let .ambiguity(error): "ambiguity: \(error)"
        case let .numerical(message): "numerical failure: \(message)"
        }
    }
}
