import Testing

@testable import LogStitch

/// Request ids held as two words must behave exactly as their text would:
/// same text back, same equality, same order, same hash-based joins.
@Suite struct RequestIdTests {
    let samples = [
        "3f2b8c1e-5d4a-4e6f-9a0b-1c2d3e4f5a01", "00000000-0000-0000-0000-000000000000",
        "ffffffff-ffff-ffff-ffff-ffffffffffff", "a1000000-0000-4000-8000-000000000004",
        "3F2B8C1E-5D4A-4E6F-9A0B-1C2D3E4F5A01",  // upper case: kept as text
        "JvDbMhTaoAMEbXA=", "", "3f2b8c1e-5d4a-4e6f-9a0b-1c2d3e4f5a0",  // not UUIDs
        "3f2b8c1e_5d4a-4e6f-9a0b-1c2d3e4f5a01", "3f2b8c1e-5d4a-4e6f-9a0b-1c2d3e4f5a0g",
        "ä2b8c1e-5d4a-4e6f-9a0b-1c2d3e4f5a01",
    ]

    @Test func textRoundTripsAndOnlyCanonicalUUIDsAreWords() {
        for s in samples {
            let id = RequestId(s)
            #expect(id.text == s)
            #expect(id.withText { String(decoding: $0, as: UTF8.self) } == s)
            let bytes = Array(s.utf8)
            #expect(bytes.withUnsafeBytes { RequestId($0) } == id)
            let canonical =
                s.utf8.count == 36 && s == s.lowercased() && s.allSatisfy { $0.isHexDigit || $0 == "-" }
                && [8, 13, 18, 23].allSatisfy { Array(s.utf8)[$0] == ASCII.minus }
            #expect(id.isUUID == canonical, "\(s)")
        }
    }

    @Test func orderAndEqualityAreThoseOfTheText() {
        let ids = samples.map { RequestId($0) }
        for (a, sa) in zip(ids, samples) {
            for (b, sb) in zip(ids, samples) {
                #expect((a < b) == (sa < sb), "\(sa) < \(sb)")
                #expect((a == b) == (sa == sb))
            }
        }
    }

    @Test func lowercasingMakesUUIDs() {
        let upper = "3F2B8C1E-5D4A-4E6F-9A0B-1C2D3E4F5A01"
        let id = Array(upper.utf8).withUnsafeBytes { RequestId.lowercased($0) }
        #expect(id.isUUID)
        #expect(id == RequestId(upper.lowercased()))
        #expect(RequestId(upper).lowercasedIfNeeded == id)
        #expect(RequestId("already-lower").lowercasedIfNeeded == nil)
        #expect(Array("AbC=".utf8).withUnsafeBytes { RequestId.lowercased($0) } == RequestId("abc="))
    }

    @Test func indexJoinsLikeADictionary() {
        var index = RequestIdIndex()
        var reference: [String: Int] = [:]
        for (i, s) in samples.enumerated() {
            index[RequestId(s)] = i
            reference[s] = i
        }
        for s in samples + ["missing", "3f2b8c1e-5d4a-4e6f-9a0b-1c2d3e4f5a02"] {
            #expect(index[RequestId(s)] == reference[s], "\(s)")
        }
    }

    @Test func spillRoundTrip() {
        var w = SpillWriter()
        let ids: [RequestId?] = samples.map { RequestId($0) } + [nil]
        for id in ids { w.requestId(id) }
        let bytes = w.bytes
        bytes.withUnsafeBytes { raw in
            var r = SpillReader(raw)
            for id in ids { #expect(r.requestId() == id) }
            #expect(r.atEnd)
            var s = SpillReader(raw)
            for _ in ids { s.skipRequestId() }
            #expect(s.atEnd)
        }
    }
}
