import Testing

@testable import LogStitch

/// The byte-level helpers the parsers' hot loops stand on, each against the
/// plain definition it shortcuts: prefix and equality tests that look at the
/// first byte before memcmp, substring search by memchr, and the
/// fingerprint steps that copy runs between the bytes they rewrite.
@Suite struct ByteScanTests {
    @Test func prefixAndEqualityAgreeWithTheirDefinition() {
        let views = ["", "S", "SE", "SET timestamp=1;", "START RequestId: x", "#", "# Time: 1"]
        for v in views {
            withBytes(v) { b in
                #expect(b.hasPrefix("") == true)
                #expect(b.hasPrefix("S") == v.hasPrefix("S"), "\(v)")
                #expect(b.hasPrefix("SET timestamp=") == v.hasPrefix("SET timestamp="), "\(v)")
                #expect(b.hasPrefix("# Time: ") == v.hasPrefix("# Time: "), "\(v)")
                #expect(b.hasPrefix("SET timestamp=1;;") == false, "\(v)")  // longer than any view
                #expect(b.equals("S") == (v == "S"), "\(v)")
                #expect(b.equals("") == v.isEmpty, "\(v)")
                #expect(b.equals("SET timestamp=1;") == (v == "SET timestamp=1;"), "\(v)")
                #expect(b.hasSuffix("1;") == v.hasSuffix("1;"), "\(v)")
            }
        }
        // Same first byte, different rest.
        #expect(!withBytes("STOP") { $0.hasPrefix("START") })
        #expect(!withBytes("Sx") { $0.equals("Sy") })
    }

    @Test func substringSearchFindsEveryOccurrenceInOrder() {
        let text = "a/*b*/c/**/d/ * /*"
        withBytes(text) { b in
            var found: [Int] = []
            var from = 0
            while let i = b.index(of: "/*", from: from) {
                found.append(i)
                from = i + 1
            }
            #expect(found == [1, 7, 16])
            #expect(b.index(of: "/*", from: 17) == nil)
            #expect(b.index(of: "/*", from: text.utf8.count) == nil)
            #expect(b.index(of: "zz") == nil)
        }
        withBytes("x") { b in #expect(b.index(of: "xy") == nil) }
    }

    /// The fingerprint's comment step, by the pattern it follows
    /// (`(?:--|#)[^'"\r\n]*(?=[\r\n]|\Z)`), on texts with many `-` and `#`.
    @Test func oneLineCommentsGoAsThePatternSays() {
        func removed(_ s: String) -> String {
            withBytes(s) { raw in
                let q = raw.bindMemory(to: UInt8.self)
                return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: q.count + 1) { buf in
                    var out = QueryFingerprint.Text(base: buf.baseAddress!, capacity: q.count + 1)
                    QueryFingerprint.removeOneLineComments(q, into: &out)
                    return String(decoding: out.bytes, as: UTF8.self)
                }
            }
        }
        #expect(removed("SELECT 1 -- why\nFROM t") == "SELECT 1 \nFROM t")
        #expect(removed("SELECT 1 # why") == "SELECT 1 ")
        #expect(removed("SELECT 'SKU-1', a-b, c - d FROM t") == "SELECT 'SKU-1', a-b, c - d FROM t")
        // A quote later on the line keeps the "comment" (it may be inside a string).
        #expect(removed("SELECT '--' FROM t") == "SELECT '--' FROM t")
        #expect(removed("x -- it's") == "x -- it's")
        #expect(removed("a--b\r\nc#d\n#e") == "a\r\nc\n")
        #expect(removed("----") == "")
        #expect(removed("-") == "-")
        #expect(removed("") == "")
    }

    @Test func multiRowInsertsKeepTheirFirstTuple() {
        func kept(_ s: String) -> String {
            withBytes(s) { raw in
                let q = raw.bindMemory(to: UInt8.self)
                return String(decoding: q[0..<QueryFingerprint.multiValueInsertLength(q)], as: UTF8.self)
            }
        }
        #expect(kept("INSERT INTO t (a, b) VALUES (1, 2), (3, 4)") == "INSERT INTO t (a, b) VALUES (1, 2)")
        #expect(kept("insert into t values(1),(2),(3)") == "insert into t values(1)")
        #expect(kept("REPLACE INTO t VALUES (f(1), 2) , (3, 4)") == "REPLACE INTO t VALUES (f(1), 2)")
        #expect(kept("INSERT IGNORE INTO t VALUES (1)") == "INSERT IGNORE INTO t VALUES (1)")
        #expect(kept("INSERT INTO vv (v) VALUES ('v'), ('w')") == "INSERT INTO vv (v) VALUES ('v')")
        #expect(kept("SELECT (1), (2)") == "SELECT (1), (2)")
        #expect(kept("INSERT INTO t SELECT * FROM u") == "INSERT INTO t SELECT * FROM u")
    }
}
