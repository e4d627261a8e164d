import Testing

@testable import LogStitch

/// `StringIndex` must answer exactly as `[String: Int]` does for the
/// correlator's use: set (inserting or overwriting) and get, across growth.
@Suite struct StringIndexTests {
    @Test func agreesWithDictionary() {
        var index = StringIndex(capacity: 4)
        var dict: [String: Int] = [:]
        var seed: UInt64 = 42
        func next() -> UInt64 {
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            return seed >> 20
        }
        for step in 0..<20_000 {
            // Ids like Lambda's, a few thousand distinct ones, some short.
            let n = next() % 3000
            let key = n % 7 == 0 ? "id-\(n)" : "3f2b8c1e-5d4a-4e6f-9a0b-\(String(n, radix: 16).leftPadded(12))"
            index[key] = step
            dict[key] = step
        }
        #expect(index.count == dict.count)
        for (k, v) in dict { #expect(index[k] == v) }
        #expect(index["absent"] == nil)
        #expect(index[""] == nil)
        index[""] = 7
        #expect(index[""] == 7)
    }
}
