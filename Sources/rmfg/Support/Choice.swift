import Ambiguity
import ArgumentParser
import MeanField
import Plots
import Population

/// A `String`-backed enum that a flag names by its raw values.
protocol FlagValue: CaseIterable, RawRepresentable, Sendable where RawValue == String {
    /// What an invalid value is told to be instead: `one of: a, b, c` by default.
    static var expectedValues: String { get }
}

extension FlagValue {
    static var expectedValues: String { "one of: " + allCases.map(\.rawValue).joined(separator: ", ") }
}

extension AmbiguityKind: FlagValue {}
extension TieRule: FlagValue {
    static var expectedValues: String { "index or split" }
}
extension SupportRestriction: FlagValue {
    static var expectedValues: String { "simplex or nominal" }
}
extension EquilibriumMethod: FlagValue {}
extension PopulationModel: FlagValue {}
extension InnerMethod: FlagValue {}
extension OutputFormat: FlagValue {
    static var expectedValues: String { "text or json" }
}
extension FigureFormat: FlagValue {
    static var expectedValues: String { "svg, png or pdf" }
}
extension FigureWidth: FlagValue {
    static var expectedValues: String { "screen, column or page" }
}
extension TrueModel: FlagValue {
    static var expectedValues: String { "worst-case, nominal or random" }
}

/// The value of an enum flag (`--set tv`), as ArgumentParser reads it.
///
/// Parsing never fails here, so that an invalid name is not an argument-parser usage
/// error (status 64, several lines) but reaches ``value(flag:)``, which refuses it like
/// every other invalid input: one line naming the flag and the accepted values, exit
/// status 2 (Docs/CLI.md). `--help` lists the accepted values.
enum Choice<Value: FlagValue>: ExpressibleByArgument, Sendable {
    case valid(Value)
    case invalid(String)

    init(argument: String) {
        // Only the listed values (`allCases`): a method such as `support-newton` labels results
        // but cannot be requested.
        self = Value.allCases.first { $0.rawValue == argument }.map(Choice.valid) ?? .invalid(argument)
    }

    init(_ value: Value) { self = .valid(value) }

    static var allValueStrings: [String] { Value.allCases.map(\.rawValue) }

    var defaultValueDescription: String {
        switch self {
        case let .valid(value): value.rawValue
        case let .invalid(text): text
        }
    }

    /// The value, or an ``InputError`` `flag: 'text', expected …`.
    func value(flag: String) throws -> Value {
        switch self {
        case let .valid(value): return value
        case let .invalid(text): throw InputError("\(flag): '\(text)', expected \(Value.expectedValues)")
        }
    }
}

extension Optional {
    /// The value of an optional enum flag, checked as in ``Choice/value(flag:)``.
    func value<V>(flag: String) throws -> V? where Wrapped == Choice<V> {
        try map { try $0.value(flag: flag) }
    }
}
