import ArgumentParser

/// The value of an integer flag (`--max-iterations 500`), as ArgumentParser reads it.
///
/// Text that is not an integer at all (`abc`, `1.5`) stays argument-parser's usage error
/// (status 64, Docs/CLI.md). An integer beyond the range of `Int` (`99999999999999999999999`)
/// is an integer all the same: it is kept, and ``value(flag:)`` refuses it like every other
/// invalid value, with one line naming the flag and exit status 2.
struct WholeNumber: ExpressibleByArgument, ExpressibleByIntegerLiteral, Sendable {
    /// The text as given.
    let text: String
    /// The value, `nil` when it is beyond the range of `Int`.
    let parsed: Int?

    init?(argument: String) {
        let digits = argument.first == "-" || argument.first == "+" ? argument.dropFirst() : argument[...]
        guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isWholeNumber }) else { return nil }
        text = argument
        parsed = Int(argument)
    }

    init(integerLiteral value: Int) {
        text = String(value)
        parsed = value
    }

    var defaultValueDescription: String { text }

    /// The value, or an ``InputError`` `flag: '…' is out of range, …`.
    func value(flag: String) throws -> Int {
        guard let parsed else {
            throw InputError("\(flag): '\(text)' is out of range, expected an integer from \(Int.min) to \(Int.max)")
        }
        return parsed
    }
}

extension Optional where Wrapped == WholeNumber {
    /// The value of an optional integer flag, checked as in ``WholeNumber/value(flag:)``.
    func value(flag: String) throws -> Int? {
        try map { try $0.value(flag: flag) }
    }
}
