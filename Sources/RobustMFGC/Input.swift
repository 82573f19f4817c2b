/// Checked reads of what a C caller passes: strings, lengths and double buffers.
/// Nothing here dereferences a null pointer or reads past a stated length.
package enum Input {
    /// The largest buffer length accepted (2^40 doubles; a larger length is a caller's bug).
    package static let maximumLength: Int64 = 1 << 40

    /// A required string (`field` names it in the error).
    package static func string(_ pointer: UnsafePointer<CChar>?, _ field: String) throws(ABIError) -> String {
        guard let pointer else { throw .input(field, "null pointer, expected a string") }
        return String(cString: pointer)  // invalid UTF-8 is repaired, never a trap
    }

    /// An optional string: `nil` for a null pointer.
    package static func optionalString(_ pointer: UnsafePointer<CChar>?) -> String? {
        pointer.map { String(cString: $0) }
    }

    /// A length `>= minimum` as an `Int`.
    package static func length(_ value: Int64, _ field: String, minimum: Int64 = 1) throws(ABIError) -> Int {
        guard value >= minimum, value <= maximumLength else {
            throw .input(field, "\(value), expected a length from \(minimum) to \(maximumLength)")
        }
        return Int(value)
    }

    /// `a · b` as a buffer length, refused when it overflows or exceeds ``maximumLength``.
    package static func product(_ a: Int, _ b: Int, _ field: String) throws(ABIError) -> Int {
        let (p, overflow) = a.multipliedReportingOverflow(by: b)
        guard !overflow, p <= Int(maximumLength) else { throw .input(field, "\(a) x \(b) entries, more than \(maximumLength)") }
        return p
    }

    /// A copy of `count` doubles (`field` names a null pointer).
    package static func doubles(_ pointer: UnsafePointer<Double>?, _ count: Int, _ field: String) throws(ABIError) -> [Double] {
        guard let pointer else { throw .input(field, "null pointer, expected \(count) numbers") }
        return Array(UnsafeBufferPointer(start: pointer, count: count))
    }

    /// A finite number (`field` names it).
    package static func finite(_ x: Double, _ field: String, atLeast lower: Double? = nil) throws(ABIError) -> Double {
        guard x.isFinite else { throw .input(field, "is \(x), expected a finite number") }
        if let lower, x < lower { throw .input(field, "is \(x), expected a number >= \(lower)") }
        return x
    }

    /// A writable output buffer of `count` doubles.
    package static func output(_ pointer: UnsafeMutablePointer<Double>?, _ count: Int, _ field: String) throws(ABIError)
        -> UnsafeMutableBufferPointer<Double> {
        guard let pointer else { throw .input(field, "null pointer, expected room for \(count) numbers") }
        return UnsafeMutableBufferPointer(start: pointer, count: count)
    }
}
