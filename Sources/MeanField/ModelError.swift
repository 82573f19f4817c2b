/// The error a game's reward, kernel or radius function throws when it cannot
/// produce a value at the `(s, a, μ)` it is called with (an expression that takes
/// the `log` of 0, a negative probability, a row that sums to 0, …).
///
/// ``MeanFieldGame`` catches it while it evaluates the game at a mean field and
/// rethrows it as ``MeanFieldError/model(state:action:error:)`` with the row that
/// failed, so the first failure of an evaluation stops the solve with its own
/// message. Rows are evaluated in a fixed order (every reward, then every kernel,
/// then every radius, each reporting its lowest failing row `s·m + a`, also when the
/// rows are evaluated in parallel), so the error
/// reported for a given game and `μ` does not depend on scheduling.
public struct ModelError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The field of the model that failed, as its author names it (`reward`,
    /// `transition`, `transition.expr`, `ambiguity.radius`, …).
    public var field: String
    /// One line saying what went wrong, without the row (the solver adds `s` and `a`).
    public var message: String
    /// For a kernel entry: the successor state `t` whose probability failed.
    public var successor: Int?

    /// An error of `field` with a one-line `message`.
    ///
    /// - Parameters:
    ///   - field: the model's field (`reward`, `transition`, `ambiguity.radius`, …).
    ///   - message: what went wrong, without the row.
    ///   - successor: the successor state `t` of a kernel entry, if the failure concerns one.
    public init(field: String, message: String, successor: Int? = nil) {
        self.field = field
        self.message = message
        self.successor = successor
    }

    /// `field: message` (with `t=…` first when a successor is named).
    public var description: String {
        "\(field): " + (successor.map { "t=\($0): " } ?? "") + message
    }
}
