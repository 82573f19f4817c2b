import Foundation
@testable import GameFiles
import Testing

/// `FieldReader.isBlank` replaced `trimmingCharacters(in: .whitespaces).isEmpty` (Foundation)
/// in the check that an expression is not empty text (2026-12-05): it must answer as
/// Foundation does for every Unicode scalar and for strings that mix them.
@Suite struct FieldReaderBlankTests {
    /// Every Unicode scalar on its own, against the set Foundation trims
    /// (`CharacterSet.whitespaces`), and the scalars near the members through
    /// `trimmingCharacters` itself.
    @Test func everyScalarAnswersAsFoundationDoes() {
        var mismatches: [UInt32] = []
        var members: [UInt32] = []
        for value in UInt32(0)...0x10FFFF {
            guard let scalar = Unicode.Scalar(value) else { continue }
            let expected = CharacterSet.whitespaces.contains(scalar)
            if expected { members.append(value) }
            if FieldReader.isBlank(String(scalar)) != expected { mismatches.append(value) }
        }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(10).map { String($0, radix: 16) })")
        #expect(members.count == 19)  // tab, the 17 space separators, U+200B
        let near: [UInt32] = members.flatMap { [$0 &- 1, $0, $0 + 1] } + [0x0A, 0x0D, 0x0B, 0x0C, 0x85, 0x2028, 0x2029, 0xFEFF, 0x180E]
        for value in near {
            guard let scalar = Unicode.Scalar(value) else { continue }
            let text = String(scalar)
            #expect(FieldReader.isBlank(text) == text.trimmingCharacters(in: .whitespaces).isEmpty, "\(String(value, radix: 16))")
        }
    }

    /// Strings of several scalars (members, newlines, letters, a combining mark), and the
    /// empty string, against `trimmingCharacters(in: .whitespaces).isEmpty`.
    @Test func mixedStringsAnswerAsTrimmingDoes() {
        let pieces = ["", " ", "\t", "\u{A0}", "\u{2003}", "\u{200B}", "\u{3000}", "\n", "\r\n", "x", "0", "\u{301}", "\u{200C}", "é"]
        var state: UInt64 = 16
        var texts: [String] = pieces
        for _ in 0..<400 {
            var text = ""
            for _ in 0..<Int(state % 5) {
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                text += pieces[Int((state >> 33) % UInt64(pieces.count))]
            }
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            texts.append(text)
        }
        for text in texts {
            #expect(FieldReader.isBlank(text) == text.trimmingCharacters(in: .whitespaces).isEmpty, "\(text.unicodeScalars.map { $0.value })")
        }
    }
}
