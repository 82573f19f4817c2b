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

    /// An error.
    public init(file: String, field: String, message: String, position: FilePosition? = nil) {
        self.file = file
        self.field = field
        self.message = message
        self.position = position
    }

    /// The message, on one line.
    public var description: String {
        let at = position.map { " (\($0))" } ?? ""
        return field.isEmpty ? "\(file)\(at): \(message)" : "\(file): \(field)\(at): \(message)"
    }
}
