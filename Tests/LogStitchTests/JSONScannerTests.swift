import Testing

@testable import LogStitch

@Suite struct JSONScannerTests {
    /// `members` reads an object in one pass; it must accept and reject
    /// exactly what `value()` does, and report each member once, in order.
    @Test func membersAgreesWithValue() {
        let cases = [
            #"{"a":1,"b":"x\"y","c":{"d":[1,2,{"e":null}]},"f":true}"#,
            #"  { }  "#,
            #"{"a":1,"b":[2}"#,
            #"{"a":1,}"#,
            #"{"a" 1}"#,
            #"{"a":1"#,
            #"{"a":-}"#,
            #"[1,2]"#,
            #"{"k":"unterminated}"#,
        ]
        for text in cases {
            for lenient in [false, true] {
                withBytes(text) { bytes in
                    var whole = JSONScanner(bytes, lenient: lenient)
                    let expected = whole.value().flatMap { $0.kind == .object ? $0 : nil }
                    var seen: [String] = []
                    var once = JSONScanner(bytes, lenient: lenient)
                    let reader = once
                    let got = once.members { k, v in seen.append(reader.string(k) + "=" + reader.raw(v).string) }
                    #expect(got?.start == expected?.start && got?.end == expected?.end, "\(text) lenient=\(lenient)")
                    if let expected {
                        var walked: [String] = []
                        whole.forEachMember(expected) { k, v in
                            walked.append(whole.string(k) + "=" + whole.raw(v).string)
                            return true
                        }
                        #expect(seen == walked, "\(text)")
                    }
                }
            }
        }
        // The lenient bare token is a value only when asked for.
        withBytes(#"{"status":-,"a":"b"}"#) { bytes in
            var s = JSONScanner(bytes, lenient: true)
            var keys: [String] = []
            let reader = s
            #expect(s.members { k, _ in keys.append(reader.string(k)) } != nil)
            #expect(keys == ["status", "a"])
        }
    }

    /// Reads the string that `text` starts with both ways, expects the same
    /// end, escapes and position after it, and returns the byte scan's answer.
    @discardableResult
    func expectStringEndAgrees(_ text: [UInt8]) -> JSONScanner.Value? {
        text.withUnsafeBytes { raw in
            var fast = JSONScanner(raw), slow = JSONScanner(raw)
            let a = fast.string(), b = slow.scanString(from: 1)
            #expect(
                a?.end == b?.end && a?.hasEscapes == b?.hasEscapes && (b == nil || fast.position == b!.end + 1),
                "\(String(decoding: text, as: UTF8.self))")
            return b
        }
    }

    /// Strings end at the first quote no odd run of backslashes escapes.
    /// The 64-bytes-at-a-time search must agree with the byte scan on every
    /// string, start and length: quotes and backslashes dense and sparse,
    /// runs of backslashes across chunk edges, unterminated strings.
    @Test func stringEndAgreesWithTheByteScan() {
        var g: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> UInt64 {
            g = g &* 6364136223846793005 &+ 1442695040888963407
            return g >> 33
        }
        // Pieces strings are made of: plain bytes, escaped quotes and
        // backslashes, runs of backslashes, and (rarely) a bare quote.
        let pieces: [[UInt8]] = [
            [0x61], [0x62, 0x63, 0x64], [0x5C, 0x22], [0x5C, 0x5C], [0x5C, 0x5C, 0x5C], [0x5C, 0x6E], [0x22],
        ]
        var compared = 0, withEscapes = 0, terminated = 0, long = 0
        for round in 0..<4000 {
            let count = Int(next() % 120)
            var text: [UInt8] = [ASCII.quote]
            for _ in 0..<count {
                let k = Int(next() % 100)
                // A bare quote one time in a hundred, or never (round % 3 == 0).
                let piece = k == 0 && round % 3 != 0 ? pieces[6] : pieces[k % 6]
                text += piece
            }
            if round % 5 == 4, text.last == 0x5C { text.removeLast() }
            let b = expectStringEndAgrees(text)
            compared += 1
            if b != nil { terminated += 1 }
            if b?.hasEscapes == true { withEscapes += 1 }
            if (b?.end ?? text.count) > 64 { long += 1 }
        }
        // The cases covered both outcomes and both kinds of string.
        #expect(compared == 4000 && terminated > 1000 && withEscapes > 500 && terminated < 4000 && long > 1000)
    }

    /// Short strings are searched sixteen bytes at a time, then eight, then
    /// one: every length around those steps, closed or not, with trailing
    /// bytes or at the very end, and with an escape at every position, must
    /// end where the byte scan says.
    @Test func shortStringsEndWhereTheByteScanSays() {
        var compared = 0
        for length in 0...80 {
            for escapeAt in [-1] + Array(0..<length) {
                for closed in [true, false] {
                    for trailing in [[UInt8](), Array(#",  "x":1}"#.utf8)] {
                        var body = [UInt8](repeating: 0x61, count: length)
                        if escapeAt >= 0 {
                            body[escapeAt] = 0x5C
                            if escapeAt + 1 < length { body[escapeAt + 1] = 0x22 }
                        }
                        let text = [ASCII.quote] + body + (closed ? [ASCII.quote] : []) + trailing
                        expectStringEndAgrees(text)
                        compared += 1
                    }
                }
            }
        }
        #expect(compared == 4 * (81 + (0...80).reduce(0, +)))
    }
}
