@testable import GameFiles
import Testing
import TestSupport

/// `JSONParser.eightDigits`, the fraction digits of a JSON number eight at a time: the value of
/// eight ASCII digits, `nil` for anything else (every byte position, every non-digit byte) and
/// for fewer than eight bytes.
@Suite struct EightDigitsTests {
    static func naive(_ bytes: [UInt8], at index: Int) -> UInt64? {
        guard index >= 0, bytes.count - index >= 8 else { return nil }
        var value: UInt64 = 0
        for b in bytes[index..<(index + 8)] {
            guard b >= 0x30, b <= 0x39 else { return nil }
            value = value * 10 + UInt64(b - 0x30)
        }
        return value
    }

    static func check(_ bytes: [UInt8], at index: Int) -> Bool {
        bytes.withUnsafeBufferPointer { JSONParser.eightDigits($0, at: index) } == naive(bytes, at: index)
    }

    @Test func agreesWithDigitByDigit() {
        let digits = Array("1234567890".utf8)
        #expect(digits.withUnsafeBufferPointer { JSONParser.eightDigits($0, at: 0) } == 12_345_678)
        #expect(digits.withUnsafeBufferPointer { JSONParser.eightDigits($0, at: 2) } == 34_567_890)
        #expect(digits.withUnsafeBufferPointer { JSONParser.eightDigits($0, at: 3) } == nil)
        #expect(Array("00000000".utf8).withUnsafeBufferPointer { JSONParser.eightDigits($0, at: 0) } == 0)
        #expect(Array("99999999".utf8).withUnsafeBufferPointer { JSONParser.eightDigits($0, at: 0) } == 99_999_999)
        // One byte of every value at every position of an otherwise all-digit word.
        for position in 0..<8 {
            for byte in 0...255 {
                var bytes = Array("31415926".utf8)
                bytes[position] = UInt8(byte)
                #expect(Self.check(bytes, at: 0), "byte \(byte) at \(position)")
            }
        }
        var seed: UInt64 = 8
        for _ in 0..<20_000 {
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            let word = seed
            let bytes = (0..<10).map { i -> UInt8 in
                let r = UInt8(truncatingIfNeeded: word >> (6 * UInt64(i)))
                return r % 4 == 0 ? r : 0x30 + r % 10  // mostly digits
            }
            #expect(Self.check(bytes, at: Int(word % 4)))
        }
    }
}
