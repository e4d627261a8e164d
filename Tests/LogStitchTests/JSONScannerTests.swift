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
                        whole.forEachMember(expected) { k, v in walked.append(whole.string(k) + "=" + whole.raw(v).string); return true }
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
}
