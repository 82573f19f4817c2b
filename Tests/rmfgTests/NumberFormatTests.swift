import Foundation
@testable import rmfg
import Testing

/// `cFormat` (the C library's `vsnprintf`, used by `rmfg solve`'s text output since it
/// costs a tenth of Foundation's formatter) must print exactly what `String(format:)`
/// printed before, for every number the solver can produce.
@Suite("Number text of the CLI: vsnprintf as String(format:)")
struct NumberFormatTests {
    static let formats = ["%.6f", "%.3e", "%.3f", "%.2f", "%.1f"]

    /// Special and boundary values: signed zeros, NaN, infinities, subnormals, the
    /// largest double (309 characters in `%f`: longer than the first buffer), halfway
    /// cases of the rounding, integers.
    static let special: [Double] = [
        0, -0.0, 1, -1, 0.5, 5e-7, -5e-7, 4.9999999e-7, 0.0000005, 1.0000005, 2.5e-6, 0.125, 0.0625, 1.0005, 2.0005,
        9.9995e-3, 123_456.789, 1e300, -1e300, 1e-300, .nan, -.nan, .infinity, -.infinity,
        .leastNonzeroMagnitude, -.leastNonzeroMagnitude, .leastNormalMagnitude, .greatestFiniteMagnitude,
        -.greatestFiniteMagnitude, .ulpOfOne, 0.1, 0.2, 0.3, 1e15, 1e16 + 2, -123_456_789.123_456_789,
    ]

    /// SplitMix64: the next number of the stream `state`.
    static func splitMix(_ state: inout UInt64) -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    @Test func specialValuesMatchFoundation() {
        for format in Self.formats {
            for x in Self.special {
                #expect(cFormat(format, x) == String(format: format, x), "\(format) of \(x)")
            }
        }
    }

    /// Random magnitudes across the whole exponent range and random bit patterns
    /// (NaN payloads, subnormals), with a fixed seed.
    @Test func randomValuesMatchFoundation() {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> UInt64 { Self.splitMix(&state) }
        var mismatches = 0
        for _ in 0..<20_000 {
            let mantissa = Double(next() >> 11) * 0x1p-53 * 20 - 10
            let exponent = Int(next() % 629) - 320
            let values = [mantissa * pow(10, Double(exponent)), Double(bitPattern: next()),
                          Double(Int64(next() % 2_000_001) - 1_000_000) / 1e6 + 5e-7]
            for x in values {
                for format in Self.formats where cFormat(format, x) != String(format: format, x) {
                    mismatches += 1
                    Issue.record("\(format) of \(x): '\(cFormat(format, x))' against '\(String(format: format, x))'")
                }
            }
            if mismatches > 10 { break }
        }
        #expect(mismatches == 0)
    }

    /// `fixedSix` (integer arithmetic) prints what `vsnprintf`'s `%.6f` prints: special values,
    /// random magnitudes (1e-12 to 1e13, both sides of its 10¹² cut-over) and bit patterns, and
    /// exact ties of the sixth decimal (`j/2^k`, whose halfway cases printf rounds to even).
    @Test func fixedSixMatchesTheCLibrary() {
        var state: UInt64 = 20_261_203
        func next() -> UInt64 { Self.splitMix(&state) }
        var values = Self.special + [1e12, -1e12, 999_999_999_999.9999, 0.0000015, 0.0000025, 0.0078125, -0.0078125]
        for _ in 0..<100_000 {
            values.append((Double(next() >> 11) * 0x1p-52 - 1) * pow(10, Double(Int(next() % 26)) - 12))
            values.append(Double(bitPattern: next()))
            values.append(Double(Int64(next() % 20_000_001) - 10_000_000) / Double(1 << Int(next() % 24)))
        }
        let mismatches = values.filter { fixedSix($0) != cFormat("%.6f", $0) }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(5).map { "\($0): '\(fixedSix($0))' against '\(cFormat("%.6f", $0))'" })")
    }

    /// The text of one number through glibc's `strfromd` and through `vsnprintf`, the way
    /// `cFormat` used to call it (`withVaList`).
    static func bothWays(_ format: String, _ x: Double) -> (strfromd: String, vsnprintf: String) {
        withUnsafeTemporaryAllocation(of: CChar.self, capacity: 400) { buffer in
            guard let base = buffer.baseAddress else { return ("", "") }
            let a = CNumberFormat.viaStrfromd(base, 400, format, x) >= 0 ? String(cString: base) : "failed"
            let b = CNumberFormat.viaVaList(base, 400, format, x) >= 0 ? String(cString: base) : "failed"
            return (a, b)
        }
    }

    /// `cFormat` takes `strfromd` for `%.Nc` formats since 2026-12-05 (no `withVaList`, whose
    /// first cast scanned every conformance record of `rmfg`): it must print what
    /// `vsnprintf` prints, on the special values and on random values and bit patterns.
    @Test func strfromdPrintsWhatVsnprintfPrints() {
        #if os(Linux)
        #expect(CNumberFormat.hasStrfromd)
        #endif
        guard CNumberFormat.hasStrfromd else { return }
        var state: UInt64 = 20_261_205
        func next() -> UInt64 { Self.splitMix(&state) }
        var values = Self.special
        for _ in 0..<5_000 {
            values.append((Double(next() >> 11) * 0x1p-52 - 1) * pow(10, Double(Int(next() % 620)) - 310))
            values.append(Double(bitPattern: next()))
        }
        var mismatches: [String] = []
        for format in Self.formats + ["%.0e", "%.17g", "%e", "%.1f"] {
            for x in values {
                let (a, b) = Self.bothWays(format, x)
                if a != b { mismatches.append("\(format) of \(x): '\(a)' against '\(b)'") }
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(5))")
    }

    /// Only `%`, an optional precision and one conversion go to `strfromd`.
    @Test func onlyPlainFormatsGoToStrfromd() {
        for format in ["%.6f", "%.3e", "%e", "%.17g", "%.0f", "%a", "%.12G"] {
            #expect(CNumberFormat.isPlain(format), "\(format)")
        }
        for format in ["", "%", "%.", "%.3", "%5.2f", "%-.3e", "%+.3e", "%.3le", "%.3d", "x%.3e", "%.3e s", "%%", "%.3e%"] {
            #expect(!CNumberFormat.isPlain(format), "\(format)")
        }
    }
}
