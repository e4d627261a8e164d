import Foundation
import Testing

@testable import LogStitch

/// Feeds a raw file's lines through the record parser, as the reader would.
func parseRaw(_ text: String, group: String? = nil, options: ParseOptions = ParseOptions()) -> (
    ParsedFile, [RecordOutcome]
) {
    var parser = try! LogRecordParser(options: options)
    parser.beginFile(InputFile(index: 0, path: "test.log"))
    var outcomes: [RecordOutcome] = []
    for (i, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
    where !(i > 0 && line.isEmpty && i == text.split(separator: "\n", omittingEmptySubsequences: false).count - 1) {
        outcomes.append(
            withBytes(String(line)) {
                parser.consume(
                    LogRecord(file: 0, line: i + 1, timestamp: nil, logGroup: group, logStream: nil, message: $0))
            })
    }
    parser.endFile()
    _ = parser.takeLateRejects()
    return (parser.output, outcomes)
}

@Suite struct SlowQueryParserTests {
    @Test func mysql80FileWithHeadersAndExtras() throws {
        let text = try String(contentsOfFile: repoRoot + "/testdata/mysql/mysql-8.0-slow.log", encoding: .utf8)
        let (out, outcomes) = parseRaw(text, group: "/aws/rds/instance/orders-mysql/slowquery")
        #expect(out.queries.count == 8)
        #expect(outcomes.filter { $0 == .ignored }.count == 6)  // two header blocks
        #expect(
            !outcomes.contains {
                if case .rejected = $0 { return true }
                return false
            })
        let q = out.queries[0]
        #expect(q.engine == .mysql)
        #expect(q.instance == "orders-mysql")
        #expect(q.database == "orders")
        #expect(q.user == "app")
        #expect(q.clientHost == "10.0.12.34")
        #expect(q.connectionId == 42)
        #expect(q.end == Timestamp.micros(year: 2024, month: 1, day: 1, hour: 0, minute: 0, second: 1, micro: 532_412))
        #expect(q.endResolution == 1)
        #expect(q.durationUs == 400_118)
        #expect(q.lockTimeUs == 120)
        #expect(q.rowsSent == 1)
        #expect(q.rowsExamined == 120_000)
        #expect(q.keys.traceId?.text == "1-65920081-8f1c6d2a4b3e5f6a7b8c9d01")
        #expect(q.sanitizedQuery == "SELECT * FROM orders WHERE id = ?")
        // The second statement of thread 42 inherits its database.
        #expect(out.queries[1].database == "orders")
        #expect(out.queries[2].database == "employees")
        #expect(out.queries[2].clientHost == "10.1.0.158")
        #expect(out.queries[2].text.hasPrefix("SELECT last_name, MAX(salary) AS salary FROM employees\n    INNER JOIN"))
        #expect(out.queries[2].text.hasSuffix("LIMIT 10, 20"))
        #expect(out.queries[5].text == "administrator command: Quit")
        #expect(out.queries[5].user == "rdsadmin")
    }

    @Test func mariaDBInheritsTimeAndReadsThreadLine() throws {
        let text = try String(contentsOfFile: repoRoot + "/testdata/mysql/mariadb-10.6-slow.log", encoding: .utf8)
        let (out, _) = parseRaw(text)
        #expect(out.queries.count == 3)
        let t = Timestamp.micros(year: 2024, month: 1, day: 1, hour: 0, minute: 0, second: 1)
        #expect(out.queries[0].end == t)
        #expect(out.queries[0].endResolution == 1_000_000)
        #expect(out.queries[1].end == t)  // no # Time line: inherited
        #expect(out.queries[1].connectionId == 37)
        #expect(out.queries[1].database == "employees")
        #expect(out.queries[2].end == Timestamp.micros(year: 2024, month: 1, day: 1, hour: 10, minute: 15, second: 30))
        #expect(out.queries[2].keys.requestId == "3f2b8c1e-5d4a-4e6f-9a0b-1c2d3e4f5a01")
    }

    @Test func mysqlEntryAsOneCloudWatchEvent() {
        var parser = try! LogRecordParser(options: ParseOptions())
        parser.beginFile(InputFile(index: 0, path: "x"))
        let msg =
            "# Time: 2024-01-01T00:00:01.000000Z\n# User@Host: a[a] @  [1.2.3.4]  Id: 5\n# Query_time: 1.000000  Lock_time: 0.000000 Rows_sent: 0  Rows_examined: 0\nSET timestamp=1704067200;\nSELECT 1;"
        let outcome = withBytes(msg) {
            parser.consume(
                LogRecord(
                    file: 0, line: 1, timestamp: 1, logGroup: "/aws/rds/instance/db1/slowquery", logStream: "db1",
                    message: $0))
        }
        #expect(outcome == .parsed(.mysql))
        let broken = withBytes("# Time: 2024-01-01T00:00:01.000000Z\n# User@Host: a[a] @  [1.2.3.4]  Id: 5\nSELECT 1;")
        {
            parser.consume(
                LogRecord(
                    file: 0, line: 2, timestamp: 1, logGroup: "/aws/rds/instance/db1/slowquery", logStream: "db1",
                    message: $0))
        }
        #expect(broken == .rejected("MySQL slow-log entry without a '# Query_time:' line"))
        parser.endFile()
        #expect(parser.output.queries.count == 1)
        #expect(parser.output.queries[0].instance == "db1")
    }

    @Test func postgresDurationDetailAndContinuation() {
        let text = """
            2024-01-01 00:00:02 UTC:10.0.12.36(51544):app@orders:[4242]:LOG:  duration: 25.412 ms  execute <unnamed>: SELECT * FROM stock WHERE sku = $1 /*request_id='3f2b8c1e-5d4a-4e6f-9a0b-1c2d3e4f5a11'*/
            2024-01-01 00:00:02 UTC:10.0.12.36(51544):app@orders:[4242]:DETAIL:  parameters: $1 = 'SKU-1'
            2019-10-20 03:00:32 UTC:172.21.7.53(49654):user@db:[1371]:LOG:  duration: 39401.431 ms  statement:
            \t                    UPDATE linkages.building_to_state SET link_supersede_date = '2017-12-11T10:00:00+00:00'
            \t                    WHERE secondary_record_id = '5922ac64b459027b169a64bd58286a2010e1e232';
            2024-01-01 00:00:04 UTC::@:[355]:LOG:  checkpoint starting: time
            2024-01-01 00:00:05 UTC:2600:1f18::1(5432):app@orders:[77]:LOG:  duration: 3668.685 ms  execute S_1: SELECT 1
            2023-08-12 05:46:31 UTC:121.7.242.90(53756):postgres@mytest:[2018]:LOG:  duration: 482.362 ms  plan:
            \tQuery Text: SELECT * FROM t WHERE id = $1
            \tSeq Scan on t  (cost=0.00..30.50 rows=990 width=105)
            """
        let (out, outcomes) = parseRaw(text, group: "/aws/rds/instance/orders-pg/postgresql")
        #expect(outcomes.count == 10)
        #expect(outcomes[5] == .ignored)
        #expect(out.queries.count == 4)
        let q = out.queries[0]
        #expect(q.engine == .postgresql)
        #expect(q.instance == "orders-pg")
        #expect(q.user == "app")
        #expect(q.database == "orders")
        #expect(q.clientHost == "10.0.12.36")
        #expect(q.connectionId == 4242)
        #expect(q.durationUs == 25_412)
        #expect(q.end == Timestamp.micros(year: 2024, month: 1, day: 1, hour: 0, minute: 0, second: 2))
        #expect(q.endResolution == 1_000_000)
        #expect(q.parameters == "$1 = 'SKU-1'")
        #expect(q.keys.requestId == "3f2b8c1e-5d4a-4e6f-9a0b-1c2d3e4f5a11")
        #expect(out.queries[1].text.hasPrefix("UPDATE linkages.building_to_state SET link_supersede_date"))
        #expect(out.queries[1].text.hasSuffix("WHERE secondary_record_id = '5922ac64b459027b169a64bd58286a2010e1e232'"))
        #expect(
            out.queries[1].sanitizedQuery
                == "UPDATE linkages.building_to_state SET link_supersede_date = ? WHERE secondary_record_id = ?")
        #expect(out.queries[2].clientHost == "2600:1f18::1")
        #expect(out.queries[3].text == "SELECT * FROM t WHERE id = $1")
    }

    @Test func customPostgresPrefix() throws {
        var options = ParseOptions()
        options.postgresPrefix = "%m [%p] %q%u@%d "
        let (out, _) = parseRaw(
            "2024-01-01 00:00:02.250 UTC [99] app@orders LOG:  duration: 5.000 ms  statement: SELECT 2",
            options: options)
        let q = try #require(out.queries.first)
        #expect(q.end == Timestamp.micros(year: 2024, month: 1, day: 1, hour: 0, minute: 0, second: 2, micro: 250_000))
        #expect(q.endResolution == 1000)
        #expect(q.connectionId == 99)
        #expect(q.database == "orders")
    }

    @Test func sqlCommentKeys() {
        let a = SQLCommentKeys.extract(
            "SELECT * FROM FOO /*action='%2Fparam*d',controller='index',framework='spring',traceparent='00-5bd66ef5095369c7b0d1f8f4bd33716a-c532cb4098ac3dd2-01'*/"
        )
        #expect(a.traceId?.text == "1-5bd66ef5-095369c7b0d1f8f4bd33716a")
        let u = SQLCommentKeys.extract(
            "SELECT 1 /*Request_ID='3F2B8C1E%2D5D4A-4E6F-9A0B-1C2D3E4F5A6B',route='%2Forders'*/")
        #expect(u.requestId == "3f2b8c1e-5d4a-4e6f-9a0b-1c2d3e4f5a6b")  // key without case, value URL-decoded
        #expect(SQLCommentKeys.extract("SELECT 1 /*reqid='\\\"r-7\\\"'*/").requestId == "r-7")
        let b = SQLCommentKeys.extract(
            "/* xray_trace_id=1-65920080-8f1c6d2a4b3e5f6a7b8c9d0e; request_id=3F2B8C1E-5D4A-4E6F-9A0B-1C2D3E4F5A6B */ SELECT 1"
        )
        #expect(b.traceId?.text == "1-65920080-8f1c6d2a4b3e5f6a7b8c9d0e")
        #expect(b.requestId == "3f2b8c1e-5d4a-4e6f-9a0b-1c2d3e4f5a6b")
        let c = SQLCommentKeys.extract(
            "SELECT 1 -- X-Amzn-Trace-Id: Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8")
        #expect(c.traceId?.text == "1-5759e988-bd862e3fe1be46a994272793")
        let d = SQLCommentKeys.extract(
            "SELECT '/* not a comment traceparent=00-5bd66ef5095369c7b0d1f8f4bd33716a-c532cb4098ac3dd2-01 */'")
        #expect(d.isEmpty)
        let e = SQLCommentKeys.extract(
            "SELECT 1 /*application:shop,controller:orders,aws_request_id:'3f2b8c1e-5d4a-4e6f-9a0b-1c2d3e4f5a6b'*/")
        #expect(e.requestId == "3f2b8c1e-5d4a-4e6f-9a0b-1c2d3e4f5a6b")
        #expect(
            SQLCommentKeys.extract("SELECT 1 /*traceparent='00-00000000000000000000000000000000-c532cb4098ac3dd2-01'*/")
                .traceId == nil)
    }

    @Test func fingerprintsFollowPtQueryDigest() {
        #expect(
            QueryFingerprint.fingerprint("SELECT * FROM orders WHERE id IN (1, 2, 3) AND name = 'x' AND f = NULL")
                == "select * from orders where id in(?+) and name = ? and f = ?")
        #expect(
            QueryFingerprint.fingerprint("INSERT INTO t (a,b) VALUES (1,'x'),(2,'y')")
                == "insert into t (a,b) values(?+)")
        #expect(QueryFingerprint.fingerprint("use orders") == "use ?")
        #expect(QueryFingerprint.fingerprint("SELECT /*!40001 SQL_NO_CACHE */ * FROM `t`") == "mysqldump")
        #expect(QueryFingerprint.fingerprint("select a from t limit 10 offset 5") == "select a from t limit ?")
        #expect(QueryFingerprint.fingerprintId("select * from orders where id = ? ") == "f917a9dee8273d8e")
        #expect(MD5.hex("") == "d41d8cd98f00b204e9800998ecf8427e")
        #expect(MD5.hex("The quick brown fox jumps over the lazy dog") == "9e107d9d372bb6826bd81d3542a419d6")
    }

    /// Lengths around the 64-byte block and the 56-byte padding boundary
    /// (the tail takes one block or two), checked against Python's hashlib.
    @Test func md5AcrossBlockBoundaries() {
        let expected: [(Int, String)] = [
            (55, "ef1772b6dff9a122358552954ad0df65"), (56, "3b0c8ac703f828b04c6c197006d17218"),
            (63, "b06521f39153d618550606be297466d5"), (64, "014842d480b571495a4a0363793f7367"),
            (65, "c743a45e0d2e6a95cb859adae0248435"), (119, "8a7bd0732ed6a28ce75f6dabc90e1613"),
            (120, "5f61c0ccad4cac44c75ff505e1f1e537"), (128, "e510683b3f5ffe4093d021808bc6ff70"),
            (1000, "cabe45dcc9ae5b66ba86600cca6b8ba8"),
        ]
        for (n, hex) in expected { #expect(MD5.hex(String(repeating: "a", count: n)) == hex, "\(n) bytes") }
    }

    @Test func sanitizedQueryKeepsIdentifiersAndPlaceholders() {
        #expect(
            QueryFingerprint.sanitize(
                "SELECT t1.a FROM t1 WHERE b = 'it''s' AND c = 42.5 AND d = $1 /* x */;", engine: .postgresql)
                == "SELECT t1.a FROM t1 WHERE b = ? AND c = ? AND d = $1")
        #expect(
            QueryFingerprint.sanitize("UPDATE x SET y = \"secret\", z = NULL", engine: .mysql)
                == "UPDATE x SET y = ?, z = ?")
        #expect(
            QueryFingerprint.sanitize("SELECT \"Col\" FROM t WHERE e = E'a\\'b'", engine: .postgresql)
                == "SELECT \"Col\" FROM t WHERE e = ?")
    }

    static var ptQueryDigestInstalled: Bool { FileManager.default.isExecutableFile(atPath: "/usr/bin/pt-query-digest") }

    /// Class for class agreement with percona-toolkit on the committed slow logs.
    @Test(
        .enabled(
            if: ptQueryDigestInstalled,
            "pt-query-digest is not installed (apt-get install percona-toolkit); comparison skipped"),
        arguments: ["testdata/mysql/mysql-8.0-slow.log", "testdata/mysql/mariadb-10.6-slow.log"])
    func fingerprintsMatchPtQueryDigest(_ path: String) throws {
        let json = CLI.shell("pt-query-digest --limit 100%:10000 --output json '\(repoRoot)/\(path)' 2>/dev/null")
        let doc = try JSONSerialization.jsonObject(with: Data(json.utf8)) as! [String: Any]
        let classes = doc["classes"] as! [[String: Any]]
        // Their fingerprint → checksum. Our classes are theirs without the
        // trailing space a trailing comment leaves (see `queryClass`), and
        // keep their checksum as `ptChecksum` where that differs.
        var theirs: [String: String] = [:]
        for c in classes { theirs[c["fingerprint"] as! String] = (c["checksum"] as! String).suffix(16).lowercased() }
        let text = try String(contentsOfFile: repoRoot + "/" + path, encoding: .utf8)
        let (out, _) = parseRaw(text)
        let ours = Set(out.queries.map(\.fingerprint))
        #expect(ours == Set(theirs.keys.map { String($0.reversed().drop { $0 == " " }.reversed()) }))
        for q in out.queries {
            let pt = QueryFingerprint.fingerprint(q.text)
            #expect(theirs[pt] == (q.ptChecksum ?? q.fingerprintId), "\(pt)")
            #expect((q.ptChecksum != nil) == (pt != q.fingerprint))
        }
    }
}
