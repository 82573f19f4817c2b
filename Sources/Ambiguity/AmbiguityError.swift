/// Errors thrown by the Ambiguity module. Each names the offending field.
public enum AmbiguityError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The argument an error concerns; ``description`` is its name in messages.
    public enum Field: Sendable, Hashable, CustomStringConvertible {
        /// The nominal distribution `p`.
        case nominal
        /// The values `V`.
        case values
        /// The radius `ρ`.
        case radius
        /// The weights of a weighted l1 set.
        case weights
        /// The ground cost of a Wasserstein set.
        case cost
        /// The features of a moment set.
        case features
        /// The linear constraints of a polyhedral set.
        case constraints
        /// The relations (`<=`, `=`, `>=`) of linear constraints given as a list.
        case relations
        /// The bounds (right-hand sides) of linear constraints given as a list.
        case bounds
        /// The set as a whole (its kind, or what its linear program reports).
        case set
        /// The tie rule of a set.
        case ties
        /// The ball a polyhedral set is intersected with.
        case within
        /// The radius of that ball (`within.radius`).
        case withinRadius
        /// A field of a game document whose expressions define the set, by its path in
        /// the document (`ambiguity`, `ambiguity.within.radius`, …): set by GameFiles.
        case document(String)
        /// The set of row `(s, a)` of a game, as MeanField checks it at a mean field
        /// (`ambiguity at s=…, a=…`).
        case row(state: Int, action: Int)

        /// The name in messages: the case's name, `within.radius`, the document path, or
        /// `ambiguity at s=…, a=…`.
        public var description: String {
            switch self {
            case .nominal: "nominal"
            case .values: "values"
            case .radius: "radius"
            case .weights: "weights"
            case .cost: "cost"
            case .features: "features"
            case .constraints: "constraints"
            case .relations: "relations"
            case .bounds: "bounds"
            case .set: "set"
            case .ties: "ties"
            case .within: "within"
            case .withinRadius: "within.radius"
            case let .document(path): path
            case let .row(s, a): "ambiguity at s=\(s), a=\(a)"
            }
        }
    }

    /// An argument is invalid: `field` names it, `message` says what was found and
    /// what was expected.
    case invalidArgument(field: Field, message: String)
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

    /// The field an invalid argument names; ``Field/set`` for the other cases (the
    /// set's linear program, or a quantity it reports).
    public var field: Field {
        if case let .invalidArgument(field, _) = self { return field }
        return .set
    }

    /// The message without the field (``description`` adds `field: ` to an invalid
    /// argument's, and names the other cases).
    public var message: String {
        switch self {
        case let .invalidArgument(_, message): message
        case let .linearProgram(message): message
        case let .outOfRange(message): message
        }
    }
}
