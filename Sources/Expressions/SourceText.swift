/// A position in the text of an expression.
///
/// Lines and columns are 1-based and counted in Unicode scalars, so for
/// ordinary ASCII input a column is the character you would count by hand.
public struct SourcePosition: Sendable, Hashable, CustomStringConvertible {
    /// The 1-based line number.
    public var line: Int
    /// The 1-based column within ``line``.
    public var column: Int
    /// Whether the source spans several lines; if so ``description`` names the line too.
    public var sourceIsMultiline: Bool

    /// Creates a position; `sourceIsMultiline` decides whether ``description`` mentions the line.
    public init(line: Int, column: Int, sourceIsMultiline: Bool = false) {
        self.line = line
        self.column = column
        self.sourceIsMultiline = sourceIsMultiline
    }

    /// `column 7`, or `line 2, column 3` when the source has several lines.
    public var description: String {
        sourceIsMultiline || line > 1 ? "line \(line), column \(column)" : "column \(column)"
    }
}

/// The text of an expression, split into Unicode scalars, with a line index.
struct SourceText: Sendable {
    let scalars: [Unicode.Scalar]
    /// Offsets (into `scalars`) at which each line starts; `lineStarts[0] == 0`.
    let lineStarts: [Int]

    init(_ string: String) {
        let scalars = Array(string.unicodeScalars)
        var starts = [0]
        for (i, c) in scalars.enumerated() where c == "\n" { starts.append(i + 1) }
        self.scalars = scalars
        self.lineStarts = starts
    }

    var count: Int { scalars.count }

    /// The position of the scalar at `offset` (the end of input is a valid offset).
    func position(at offset: Int) -> SourcePosition {
        // Binary search for the last line start <= offset.
        var lo = 0, hi = lineStarts.count - 1
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if lineStarts[mid] <= offset { lo = mid } else { hi = mid - 1 }
        }
        return SourcePosition(line: lo + 1, column: offset - lineStarts[lo] + 1,
                              sourceIsMultiline: lineStarts.count > 1)
    }

    /// The source text in `range`, whitespace collapsed and shortened to about
    /// `limit` characters, for quoting in messages.
    func excerpt(_ range: Range<Int>, limit: Int = 60) -> String {
        let lower = max(0, min(range.lowerBound, scalars.count))
        let upper = max(lower, min(range.upperBound, scalars.count))
        var out = String.UnicodeScalarView()
        var lastWasSpace = false
        for c in scalars[lower..<upper] {
            let isSpace = c == " " || c == "\n" || c == "\t" || c == "\r"
            if isSpace {
                if !lastWasSpace { out.append(" ") }
            } else {
                out.append(c)
            }
            lastWasSpace = isSpace
        }
        var text = String(out).trimmingSpaces()
        if text.count > limit { text = String(text.prefix(limit - 1)) + "…" }
        return text
    }
}

extension String {
    func trimmingSpaces() -> String {
        var s = Substring(self)
        while s.first == " " { s = s.dropFirst() }
        while s.last == " " { s = s.dropLast() }
        return String(s)
    }
}
