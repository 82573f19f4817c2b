/// An invalid global/local game (Docs/Alternating.md): the field it concerns and
/// what was found and expected, in one line.
///
/// The model knows nothing of files: a reader (GameFiles' `AlternatingGameFile`) or
/// the CLI adds the file's name.
public struct AlternatingGameError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The field of the game an error concerns; `rawValue` is its name in a game file.
    public enum Field: String, Sendable, Hashable, CaseIterable {
        /// The game as a whole (the state and action spaces).
        case game = ""
        /// `agents`.
        case agents
        /// `observed` (also a k outside `1...agents` given to a study).
        case observed
        /// `discount`.
        case discount
        /// `global.reward`.
        case globalReward = "global.reward"
        /// `global.transition`.
        case globalTransition = "global.transition"
        /// `global.initial`.
        case globalInitial = "global.initial"
        /// `local.reward`.
        case localReward = "local.reward"
        /// `local.transition`.
        case localTransition = "local.transition"
        /// `local.initial`.
        case localInitial = "local.initial"
        /// `learning.episodes`.
        case episodes = "learning.episodes"
        /// `learning.horizon`.
        case horizon = "learning.horizon"
        /// `learning.exploration`.
        case exploration = "learning.exploration"
        /// `learning.stepExponent`.
        case stepExponent = "learning.stepExponent"
        /// `learning.rounds`.
        case rounds = "learning.rounds"
        /// `learning.tolerance`.
        case tolerance = "learning.tolerance"
    }

    /// The field.
    public var field: Field
    /// What was found and what was expected.
    public var message: String

    /// An error about `field`.
    public init(_ field: Field, _ message: String) {
        self.field = field
        self.message = message
    }

    /// `field: message`, or the message alone for the game as a whole.
    public var description: String { field == .game ? message : "\(field.rawValue): \(message)" }
}
