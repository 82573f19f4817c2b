/// A game file that does not follow the format (Docs/Format.md), or a value
/// that became invalid during solving. One line naming the file, the field
/// (with `s`, `a`, `t` where they apply), what was found and what was expected.
public struct GameFileError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file's path as given.
    public var file: String
    /// The field, e.g. `ambiguity.radius` or `transition`.
    public var field: String
    /// What was found and what was expected.
    public var message: String
    /// Where in the file, when known.
    public var position: FilePosition?
    /// The command-line override the error concerns (`--param`, `--initial`), `nil` when
    /// it concerns the file itself.
    public var override: Override?

    /// An input that replaces a part of a game file for one run.
    public enum Override: Sendable, Hashable {
        /// `--param NAME=VALUE`: its syntax, or a name the file does not declare.
        case parameters
        /// `--initial`, the starting mean field: `entry` is `[k]` for one entry, empty for
        /// the whole.
        case initial(entry: String)

        /// The name of the same input in the C ABI and Python (`params`, `initial`,
        /// `initial[1]`).
        public var parameterName: String {
            switch self {
            case .parameters: "params"
            case let .initial(entry): "initial" + entry
            }
        }
    }

    /// An error.
    public init(file: String, field: String, message: String, position: FilePosition? = nil, override: Override? = nil) {
        self.file = file
        self.field = field
        self.message = message
        self.position = position
        self.override = override
    }

    /// This error as one about `override` (the file and field as they are).
    func concerning(_ override: Override) -> GameFileError {
        var e = self
        e.override = override
        return e
    }

    /// The message, on one line.
    public var description: String {
        let at = position.map { " (\($0))" } ?? ""
        return field.isEmpty ? "\(file)\(at): \(message)" : "\(file): \(field)\(at): \(message)"
    }
}
