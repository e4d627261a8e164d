import Testing

@testable import LogStitch

/// The shape cache hands out the fingerprint of an earlier statement of
/// the same shape: it must be the one the full passes make.
@Suite struct StatementShapeTests {
    static let statements = [
        "SELECT * FROM t1 WHERE id = 1", "SELECT * FROM t22 WHERE id = 333",
        "SELECT * FROM t WHERE a = 'x' AND b = \"y\"", "SELECT * FROM t WHERE a = 'longer one' AND b = \"z z\"",
        "SELECT * FROM t WHERE a = 'it''s'", "SELECT * FROM t WHERE a = 'it\\'s'",
        "SELECT * FROM t WHERE a = \"say 'hi'\"",
        "SELECT * FROM t WHERE id IN (1, 2, 3)", "SELECT * FROM t WHERE id IN (4, 5)",
        "INSERT INTO t VALUES (1, 'a'), (2, 'b')", "INSERT INTO t VALUES (3, 'c'), (4, 'd'), (5, 'e')",
        "SELECT 0x1F, 0xAB, 1e5, -3.25, +7", "SELECT 0x2F, 0xCD, 2e5, -4.5, +8",
        "select a from t /* traceparent='00-5759e988bd862e3fe1be46a994272793-53995c3f42cd8ad8-01' */ where id = 9",
        "select a from t /* traceparent='00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' */ where id = 10",
        "SELECT * FROM t LIMIT 10, 20", "SELECT * FROM t LIMIT 5 OFFSET 6", "SELECT * FROM t ORDER BY a ASC, b ASC",
        "SELECT 1 UNION SELECT 2 UNION SELECT 3", "SELECT 4 UNION ALL SELECT 5",
        "SELECT * FROM t WHERE a IS NULL AND b = TRUE AND c = false", "SELECT * FROM t -- trailing 1\nWHERE x = 2",
        "SELECT /*!40001 SQL_NO_CACHE */ * FROM `t`", "SELECT /*!40002 SQL_NO_CACHE */ * FROM `t`",
        "REPLACE /*foo.bar:3/3*/ INTO checksum.checksum", "REPLACE /*foo.bar:33/3*/ INTO checksum.checksum",
        "call proc1(1, 2)", "call proc22(3)", "use db1", "USE db22",
        "SELECT 'a\nb' FROM t", "SELECT 'c\nd' FROM t", "SELECT \u{01} FROM t", "SELECT 7 FROM t",
        "UPDATE t SET a = a + 1 WHERE b = 'SKU-1'", "UPDATE t SET a = a + 22 WHERE b = 'SKU-333'",
    ]

    @Test func shapesGiveTheFullFingerprint() {
        for round in 0..<2 {
            for text in Self.statements {
                let full = QueryFingerprint.fingerprint(text)
                let (fingerprint, id) = QueryFingerprint.fingerprintAndId(text)
                #expect(fingerprint == full, "round \(round): \(text)")
                #expect(id == QueryFingerprint.fingerprintId(full), "round \(round): \(text)")
            }
        }
    }

    @Test func oneShapeIsOneClass() {
        func shape(_ s: String) -> StatementShape? {
            var t = s
            return t.withUTF8 { StatementShape($0) }
        }
        #expect(shape("SELECT * FROM t1 WHERE id = 1") == shape("SELECT * FROM t22 WHERE id = 333"))
        #expect(shape("WHERE a = 'x'") == shape("WHERE a = 'a longer value'"))
        #expect(shape("WHERE a = 'x'") == shape("WHERE a = \"x\""))  // both ? to pt-query-digest
        #expect(shape("WHERE a = 'it''s'") != shape("WHERE a = 'x'"))
        #expect(shape("SELECT \u{01}") == nil)
    }
}
