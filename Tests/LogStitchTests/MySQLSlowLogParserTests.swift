import Testing

@testable import LogStitch

/// The MySQL/MariaDB slow-log parser fed line by line, as a raw slow-log
/// file feeds it: each entry's header lines, `use` and `SET timestamp`,
/// statements over several lines, what later entries inherit, and the
/// reasons an entry is not a statement. Lines are written from the MySQL
/// and MariaDB manuals' descriptions of the slow query log.
@Suite struct MySQLSlowLogParserTests {
    struct Fed {
        var kinds: [MySQLSlowLogParser.LineKind] = []
        var queries: [SlowQuery] = []
        var incomplete: [(line: Int, reason: String)] = []
    }

    /// Feeds `lines` to one parser (line numbers from 1), then ends the file.
    func feed(_ lines: [String], parser: inout MySQLSlowLogParser) -> Fed {
        var fed = Fed()
        for (n, line) in lines.enumerated() {
            let kind = withBytes(line) { b in
                parser.feed(
                    b, recordTime: nil, file: 0, lineNo: n + 1, completed: &fed.queries, incomplete: &fed.incomplete)
            }
            fed.kinds.append(kind)
        }
        parser.finish(&fed.queries, &fed.incomplete, last: true)
        return fed
    }

    func feed(_ lines: [String]) -> Fed {
        var p = MySQLSlowLogParser()
        p.instance = "orders-mysql"
        return feed(lines, parser: &p)
    }

    func utc(_ y: Int, _ mo: Int, _ d: Int, _ h: Int, _ mi: Int, _ s: Int, _ us: Int = 0) -> EpochMicros {
        Timestamp.micros(year: y, month: mo, day: d, hour: h, minute: mi, second: s, micro: us)
    }

    @Test func aMySQL8EntryGivesEveryField() throws {
        let fed = feed([
            "/rdsdbbin/mysql/bin/mysqld, Version: 8.0.28 (Source distribution). started with:",
            "Tcp port: 3306  Unix socket: /tmp/mysql.sock",
            "Time                 Id Command    Argument",
            "# Time: 2026-11-24T03:00:00.071548Z",
            "# User@Host: app[app] @  [10.0.16.16]  Id:  3016",
            "# Query_time: 1.547353  Lock_time: 0.000961 Rows_sent: 1  Rows_examined: 93973",
            "use shop4;",
            "SET timestamp=1795489200;",
            "SELECT o.id FROM orders o",
            "WHERE o.customer_id = 654990;",
        ])
        #expect(fed.kinds == [.noise, .noise, .noise] + Array(repeating: .entry, count: 7))
        #expect(fed.incomplete.isEmpty)
        let q = try #require(fed.queries.first)
        #expect(fed.queries.count == 1)
        #expect(q.engine == .mysql && q.instance == "orders-mysql")
        #expect(q.user == "app" && q.clientHost == "10.0.16.16" && q.connectionId == 3016)
        #expect(q.database == "shop4")
        #expect(q.end == utc(2026, 11, 24, 3, 0, 0, 71548) && q.endResolution == 1)
        #expect(q.durationUs == 1_547_353 && q.lockTimeUs == 961 && q.rowsSent == 1 && q.rowsExamined == 93973)
        // Lines joined by newlines, the final ';' gone (as pt-query-digest reads it).
        #expect(q.text == "SELECT o.id FROM orders o\nWHERE o.customer_id = 654990")
        #expect(q.fingerprint == "select o.id from orders o where o.customer_id = ?")
        #expect(q.line == 4)
    }

    @Test func aConnectionKeepsItsDatabaseAcrossEntries() throws {
        // `use` is logged once per change: later entries of the connection
        // inherit it, other connections do not.
        let fed = feed([
            "# Time: 2026-11-24T03:00:01.000000Z",
            "# User@Host: app[app] @  [10.0.0.1]  Id:    7",
            "# Query_time: 0.5  Lock_time: 0.0 Rows_sent: 0  Rows_examined: 1",
            "use shop1;",
            "SELECT 1;",
            "# Time: 2026-11-24T03:00:02.000000Z",
            "# User@Host: app[app] @  [10.0.0.2]  Id:    8",
            "# Query_time: 0.5  Lock_time: 0.0 Rows_sent: 0  Rows_examined: 1",
            "SELECT 2;",
            "# Time: 2026-11-24T03:00:03.000000Z",
            "# User@Host: app[app] @  [10.0.0.1]  Id:    7",
            "# Query_time: 0.5  Lock_time: 0.0 Rows_sent: 0  Rows_examined: 1",
            "SELECT 3;",
        ])
        #expect(fed.queries.map(\.text) == ["SELECT 1", "SELECT 2", "SELECT 3"])
        #expect(fed.queries.map(\.database) == ["shop1", nil, "shop1"])
        #expect(fed.queries.map(\.connectionId) == [7, 8, 7])
    }

    @Test func mariaDBEntriesInheritTheSecondTheyShare() throws {
        // MariaDB prints `# Time:` only when the second changes, in its
        // short form (one-second resolution), and Thread_id/Schema lines.
        let fed = feed([
            "# Time: 241124  3:00:05",
            "# User@Host: app[app] @ localhost []",
            "# Thread_id: 42  Schema: orders  QC_hit: No",
            "# Query_time: 0.000120  Lock_time: 0.000040  Rows_sent: 1  Rows_examined: 1",
            "SELECT 1;",
            "# User@Host: app[app] @ localhost []",
            "# Thread_id: 43  Schema:   QC_hit: No",
            "# Query_time: 0.000200  Lock_time: 0.000000  Rows_sent: 0  Rows_examined: 0",
            "SELECT 2;",
        ])
        #expect(fed.queries.count == 2)
        let (a, b) = (fed.queries[0], fed.queries[1])
        #expect(a.end == utc(2024, 11, 24, 3, 0, 5) && b.end == a.end)
        #expect(a.endResolution == 1_000_000 && b.endResolution == 1_000_000)
        #expect(a.database == "orders" && a.connectionId == 42 && a.clientHost == "localhost")
        // An empty Schema is no database (not "QC_hit:").
        #expect(b.database == nil && b.connectionId == 43 && b.durationUs == 200)
    }

    @Test func onlySetTimestampGivesTheEndFromTheStart() throws {
        // No `# Time:` at all: SET timestamp is when the statement started.
        let fed = feed([
            "# User@Host: app[app] @  [10.0.0.1]  Id:    9",
            "# Query_time: 2.000000  Lock_time: 0.0 Rows_sent: 0  Rows_examined: 0",
            "SET timestamp=1795489200;",
            "UPDATE stock SET n = n - 1 WHERE sku = 'a';",
        ])
        let q = try #require(fed.queries.first)
        #expect(q.end == 1_795_489_200_000_000 + 2_000_000 && q.endResolution == 1_000_000)
        #expect(q.text == "UPDATE stock SET n = n - 1 WHERE sku = 'a'")
    }

    @Test func administratorCommandsAndUseOnlyEntriesAreGroupedAsPtQueryDigestDoes() throws {
        let fed = feed([
            "# Time: 2026-11-24T03:00:00.000001Z",
            "# User@Host: app[app] @  [10.0.0.1]  Id:    7",
            "# Query_time: 0.1  Lock_time: 0.0 Rows_sent: 0  Rows_examined: 0",
            "use shop1;",
            "# Time: 2026-11-24T03:00:00.000002Z",
            "# User@Host: app[app] @  [10.0.0.1]  Id:    7",
            "# Query_time: 0.1  Lock_time: 0.0 Rows_sent: 0  Rows_examined: 0",
            "# administrator command: Quit;",
        ])
        // A `use`-only entry followed by another is pt-query-digest's "/* No query */".
        #expect(fed.queries.map(\.text) == [MySQLSlowLogParser.noQuery, "administrator command: Quit"])
        #expect(fed.queries[1].fingerprint == "administrator command: Quit")
        #expect(fed.queries[0].database == "shop1" && fed.queries[1].database == "shop1")
    }

    @Test func entriesThatAreNotStatementsSayWhy() {
        let fed = feed([
            "# Time: 2026-11-24T03:00:00.000001Z",
            "# User@Host: app[app] @  [10.0.0.1]  Id:    7",
            "SELECT 1;",
            "# Time: 2026-11-24T03:00:01.000001Z",
            "# User@Host: app[app] @  [10.0.0.1]  Id:    7",
            "# Query_time: 0.1  Lock_time: 0.0 Rows_sent: 0  Rows_examined: 0",
        ])
        #expect(fed.queries.isEmpty)
        #expect(fed.incomplete.map(\.line) == [1, 4])
        #expect(
            fed.incomplete.map(\.reason) == [
                "MySQL slow-log entry without a '# Query_time:' line", "MySQL slow-log entry without a statement",
            ])
        // A line before any entry is not the parser's to take.
        #expect(feed(["SELECT 1;"]).kinds == [.unexpected])
        #expect(feed(["", "   "]).kinds == [.noise, .noise])
        #expect(feed(["# Time: yesterday"]).kinds == [.unexpected])
    }

    @Test func forgettingPreviousEntriesDropsWhatTheyWouldLeave() throws {
        // CloudWatch events come in no order: each is an entry of its own.
        var p = MySQLSlowLogParser()
        _ = feed(
            [
                "# Time: 241124  3:00:05", "# Thread_id: 42  Schema: orders  QC_hit: No",
                "# Query_time: 0.1  Lock_time: 0.0  Rows_sent: 0  Rows_examined: 0", "SELECT 1;",
            ], parser: &p)
        p.forgetPreviousEntries()
        let fed = feed(
            [
                "# Thread_id: 42  Schema:   QC_hit: No",
                "# Query_time: 0.1  Lock_time: 0.0  Rows_sent: 0  Rows_examined: 0", "SELECT 2;",
            ], parser: &p)
        let q = try #require(fed.queries.first)
        #expect(q.end == 0 && q.database == nil)
    }
}
