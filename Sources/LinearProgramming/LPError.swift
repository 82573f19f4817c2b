/// Errors from the LinearProgramming module. Infeasibility and unboundedness
/// are not errors: they are reported by ``LPSolution/status``.
public enum LPError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The option or argument an ``LPError/invalidOption(name:reason:)`` names; `rawValue` is
    /// its name in messages.
    public enum Field: String, Sendable, Hashable, CaseIterable {
        /// ``LPOptions/primalTolerance``.
        case primalTolerance
        /// ``LPOptions/dualTolerance``.
        case dualTolerance
        /// ``LPOptions/pivotTolerance``.
        case pivotTolerance
        /// ``LPOptions/iterationLimit``.
        case iterationLimit
        /// ``LPOptions/timeLimit``.
        case timeLimit
        /// The objective coefficients given to a bank slot.
        case coefficients
        /// The output buffer given to a bank slot.
        case out
        /// The secondary objective of a bank slot.
        case secondary
        /// The tolerance of a bank slot's secondary objective.
        case tolerance
        /// A bank slot.
        case slot
    }

    /// A variable (column) is invalid; `index` is 0-based.
    case invalidVariable(index: Int, name: String?, reason: String)
    /// A constraint (row) is invalid; `index` is 0-based.
    case invalidConstraint(index: Int, name: String?, reason: String)
    /// The objective constant is not finite.
    case invalidObjectiveConstant(Double)
    /// An ``LPOptions`` value is out of GLPK's range, or an argument of a bank slot is
    /// invalid (`name` names it).
    case invalidOption(name: Field, reason: String)
    /// The program exceeds GLPK's index range.
    case tooLarge(String)
    /// GLPK refused the problem (for example an invalid basis) or failed
    /// in a way that has no status. `code` is GLPK's return code.
    case solverFailure(code: Int, message: String)
    /// Exact arithmetic (``LPOptions/exact``) cannot read the program's numbers
    /// exactly: scaling them to integers would leave the double range.
    case notExactlyRepresentable(String)
    /// Reading or writing a file failed.
    case file(path: String, message: String)
    /// A CPLEX LP file declares integer or binary columns (`General`, `Binary`, …):
    /// it is an integer program, which ``LinearProgram`` does not hold. `column` names
    /// the first such column, `count` how many there are.
    case integerVariables(path: String, column: String, count: Int)

    /// The message, on one line.
    public var description: String {
        switch self {
        case let .invalidVariable(index, name, reason):
            "variable \(index)\(name.map { " ('\($0)')" } ?? ""): \(reason)"
        case let .invalidConstraint(index, name, reason):
            "constraint \(index)\(name.map { " ('\($0)')" } ?? ""): \(reason)"
        case let .invalidObjectiveConstant(value):
            "objective constant is \(value), expected a finite number"
        case let .invalidOption(name, reason):
            "option \(name.rawValue) \(reason)"
        case let .tooLarge(message):
            "problem too large: \(message)"
        case let .solverFailure(code, message):
            "GLPK failed (code \(code)): \(message)"
        case let .notExactlyRepresentable(message):
            "exact arithmetic: \(message)"
        case let .file(path, message):
            "\(path): \(message)"
        case let .integerVariables(path, column, count):
            "\(path): column '\(column)' is integer or binary (\(count) such column\(count == 1 ? "" : "s")); only linear programs are supported, not integer programs"
        }
    }
}
