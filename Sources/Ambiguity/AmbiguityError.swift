/// Errors thrown by the Ambiguity module. Each names the offending field.
public enum AmbiguityError: Error, Sendable, Equatable, CustomStringConvertible {
    /// An argument is invalid: `field` names it (`nominal`, `values`, `radius`,
    /// `weights`, `cost`, …), `message` says what was found and what was expected.
    case invalidArgument(field: String, message: String)
    /// The linear program behind the LP path did not reach optimality.
    case linearProgram(String)
    /// The input is valid but a quantity to report (`σ`, a certificate bound, a dual
    /// multiplier) is beyond the double range, so no correct finite number exists.
    case outOfRange(String)

    /// The message, on one line.
    public var description: String {
        switch self {
        case let .invalidArgument(field, message): "\(field): \(message)"
        case let .linearProgram(message): "linear program: \(message)"
        case let .outOfRange(message): "out of range: \(message)"
        }
    }
}
