import Testing

@testable import LogStitch

/// The eight-bytes-at-a-time checks must agree with the byte-by-byte rule
/// for every byte value at every position, including bytes ≥ 0x80 next to
/// the ones looked for (where borrows between lanes could mislead).
@Suite struct WordScanTests {
    func jsonNeedsEscape(_ b: UInt8) -> Bool { b < 0x20 || b == 0x22 || b == 0x5C || b == 0x7F }
    func csvNeedsQuotes(_ b: UInt8) -> Bool { b == 0x2C || b == 0x22 || b == 0x0D || b == 0x0A }

    @Test func agreesWithTheByteRuleEverywhere() {
        var disagreements = 0
        for length in [1, 7, 8, 9, 16, 19] {
            for position in 0..<length {
                for value in 0...255 {
                    for filler: UInt8 in [0x41, 0xFF, 0x80, 0x21] {
                        var bytes = [UInt8](repeating: filler, count: length)
                        bytes[position] = UInt8(value)
                        let expectJSON = !bytes.contains(where: jsonNeedsEscape)
                        let expectCSV = !bytes.contains(where: csvNeedsQuotes)
                        bytes.withUnsafeBufferPointer { buf in
                            if JSONWriter.needsNoEscaping(buf) != expectJSON { disagreements += 1 }
                            if CSVWriter.plain(buf) != expectCSV { disagreements += 1 }
                        }
                    }
                }
            }
        }
        #expect(disagreements == 0)
        #expect([UInt8]().withUnsafeBufferPointer { JSONWriter.needsNoEscaping($0) && CSVWriter.plain($0) })
    }

    /// Lowercasing eight bytes at a time changes exactly the bytes A–Z,
    /// whatever sits beside them (UTF-8 continuation bytes included).
    @Test func lowercasingAgreesWithTheByteRule() {
        var disagreements = 0
        for length in [1, 7, 8, 9, 16, 36] {
            // Each lane of a word and the byte-at-a-time tail.
            for position in Set([0, 1, 6, 7, 8, 9, 15, length - 1]) where position < length {
                for value in 0...255 {
                    for filler: UInt8 in [0x41, 0x5A, 0x61, 0xC3, 0x80, 0x40, 0x5B] {
                        var bytes = [UInt8](repeating: filler, count: length)
                        bytes[position] = UInt8(value)
                        let got = bytes.withUnsafeBytes { Array($0.lowercasedString.utf8) }
                        let want = Array(String(decoding: bytes.map(ASCII.lower), as: UTF8.self).utf8)
                        if got != want { disagreements += 1 }
                    }
                }
            }
        }
        #expect(disagreements == 0)
    }

    /// Eight hex digits at once agree with reading them one by one, for
    /// every byte value in every lane (with and without capitals allowed).
    @Test func parseHex8AgreesWithTheByteRule() {
        func reference(_ bytes: [UInt8], upper: Bool) -> UInt32? {
            var v: UInt32 = 0
            for b in bytes {
                guard let h = ASCII.hexValue(b), upper || !(0x41...0x46).contains(b) else { return nil }
                v = v << 4 | UInt32(h)
            }
            return v
        }
        var disagreements = 0
        for position in 0..<8 {
            for value in 0...255 {
                for filler: UInt8 in [0x30, 0x39, 0x61, 0x66, 0x41, 0x46] {
                    var bytes = [UInt8](repeating: filler, count: 8)
                    bytes[position] = UInt8(value)
                    let word = bytes.withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }
                    for upper in [false, true]
                    where ASCII.parseHex8(word, upper: upper) != reference(bytes, upper: upper) {
                        disagreements += 1
                    }
                }
            }
        }
        #expect(disagreements == 0)
        #expect(
            ASCII.parseHex8(Array("0123abcd".utf8).withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }, upper: false)
                == 0x0123_ABCD)
    }

    /// Segment ids: sixteen digits of either case, and nothing else.
    @Test func parseHex16ReadsExactlySixteenDigits() {
        func parse(_ s: String) -> UInt64? { Array(s.utf8).withUnsafeBytes { ASCII.parseHex16($0) } }
        #expect(parse("3d752a1b1bbe37e0") == 0x3d75_2a1b_1bbe_37e0)
        #expect(parse("3D752A1B1BBE37E0") == 0x3d75_2a1b_1bbe_37e0)
        #expect(parse("ffffffffffffffff") == UInt64.max)
        #expect(parse("0000000000000000") == 0)
        #expect(parse("3d752a1b1bbe37e") == nil)
        #expect(parse("3d752a1b1bbe37e00") == nil)
        #expect(parse("3d752a1b1bbe37eg") == nil)
        #expect(parse("3d752a1b-bbe37e0") == nil)
    }

    /// Digit counts from the bit length agree with the decimal text, at
    /// every power of ten and either side of it.
    @Test func digitCountAgreesWithTheText() {
        var values: [UInt64] = [0, 1, 9, UInt64.max, UInt64.max - 1]
        var p: UInt64 = 10
        for _ in 1...19 {
            values += [p - 1, p, p + 1]
            p = p &* 10
        }
        var g: UInt64 = 7
        for _ in 0..<2_000 {
            g = g &* 6364136223846793005 &+ 1442695040888963407
            values.append(g >> (g % 64))
        }
        for v in values { #expect(ASCII.digitCount(v) == String(v).count, "\(v)") }
    }

    @Test func hexNibbleAgreesWithHexValue() {
        for b in 0...255 {
            let byte = UInt8(b)
            let expected = ASCII.hexValue(byte) ?? 0xFF
            #expect(ASCII.hexNibble(byte) == expected, "byte \(b)")
        }
        // And the ids built on it: upper case accepted, one bad digit anywhere refused.
        #expect(
            TraceId(validating: "1-65920081-8F1C6D2A4B3E5F6A7B8C9D01")?.text == "1-65920081-8f1c6d2a4b3e5f6a7b8c9d01")
        for i in [2, 9, 11, 18, 19, 34] {
            var t = Array("1-65920081-8f1c6d2a4b3e5f6a7b8c9d01".utf8)
            t[i] = UInt8(ascii: "g")
            #expect(TraceId(validating: String(decoding: t, as: UTF8.self)) == nil)
        }
        let uuid = Array("3f2b8c1e-5d4a-4e6f-9a0b-1c2d3e4f5a01".utf8)
        #expect(uuid.withUnsafeBytes { ASCII.isUUID($0) })
        for i in [0, 7, 9, 35] {
            var u = uuid
            u[i] = UInt8(ascii: "z")
            #expect(!u.withUnsafeBytes { ASCII.isUUID($0) })
        }
    }

    @Test func firstOfFindsTheFirstMatchingByte() {
        var seed: UInt64 = 7
        var wrong = 0
        for _ in 0..<20_000 {
            var bytes = [UInt8](repeating: 0, count: 8)
            for j in 0..<8 {
                seed = seed &* 6364136223846793005 &+ 1442695040888963407
                // Mostly ordinary bytes, some quotes and backslashes, some bytes just below them.
                let pick = Int(seed >> 59)
                bytes[j] =
                    pick < 2
                    ? 0x22 : pick < 4 ? 0x5C : pick < 6 ? 0x21 : pick < 8 ? 0x5B : UInt8(truncatingIfNeeded: seed >> 33)
            }
            let expected = bytes.firstIndex { $0 == 0x22 || $0 == 0x5C } ?? 8
            let word = bytes.withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }
            if WordScan.firstOf(word, 0x22, 0x5C) != expected { wrong += 1 }
        }
        #expect(wrong == 0)
    }

    @Test func jsonEscapesControlBytesQuotesAndBackslashes() {
        var w = JSONWriter()
        w.string("a\u{01}b\u{1F}\u{7F}\t\n\r\"\\é")
        #expect(String(decoding: w.bytes, as: UTF8.self) == #""a\u0001b\u001f\u007f\t\n\r\"\\é""#)
        var ids = JSONWriter()
        ids.beginObject()
        ids.field("id", hexId: 0x00ab_cdef_0123_4567)
        ids.endObject()
        #expect(String(decoding: ids.bytes, as: UTF8.self) == #"{"id":"00abcdef01234567"}"#)
    }
}
