import Foundation
import Testing

@testable import LogStitch

/// PostgreSQL logs as servers write them: any `log_timezone`, any
/// `log_line_prefix` (with `%q`), background-process lines among the
/// statements. Fixtures in testdata/postgresql are written from the
/// PostgreSQL documentation's description of each escape.
@Suite struct PostgresLogParserTests {
    func utc(_ y: Int, _ mo: Int, _ d: Int, _ h: Int, _ mi: Int, _ s: Int, _ us: Int = 0) -> EpochMicros {
        Timestamp.micros(year: y, month: mo, day: d, hour: h, minute: mi, second: s, micro: us)
    }

    func time(_ printed: String, zone: PostgresTimeZone = PostgresTimeZone()) -> Result<
        EpochMicros, PostgresTimeZone.Problem
    >? {
        var cache = PostgresLogParser.ZoneCache()
        return withBytes(printed) { cache.utc($0, zone) }
    }

    @Test func abbreviationsConvertExactly() throws {
        #expect(time("2020-03-11 20:40:44 CET") == .success(utc(2020, 3, 11, 19, 40, 44)))
        #expect(time("2020-07-11 20:40:44 CEST") == .success(utc(2020, 7, 11, 18, 40, 44)))
        #expect(time("2026-01-15 08:00:00 EST") == .success(utc(2026, 1, 15, 13, 0, 0)))
        #expect(time("2026-07-15 08:00:00 EDT") == .success(utc(2026, 7, 15, 12, 0, 0)))
        #expect(time("2026-07-15 08:00:00 PDT") == .success(utc(2026, 7, 15, 15, 0, 0)))
        #expect(time("2026-07-15 08:00:00 JST") == .success(utc(2026, 7, 14, 23, 0, 0)))
        #expect(time("2026-07-15 08:00:00 AEST") == .success(utc(2026, 7, 14, 22, 0, 0)))
        #expect(time("2026-01-15 08:00:00 ACDT") == .success(utc(2026, 1, 14, 21, 30, 0)))
        #expect(time("2026-07-15 08:00:00 UTC") == .success(utc(2026, 7, 15, 8, 0, 0)))
        #expect(time("2026-07-15 08:00:00 GMT") == .success(utc(2026, 7, 15, 8, 0, 0)))
        #expect(time("2026-07-15 08:00:00.125 BST") == .success(utc(2026, 7, 15, 7, 0, 0, 125_000)))
        // Moscow was +04 from March 2011 to October 2014, +03 before and after.
        #expect(time("2012-07-11 20:40:44 MSK") == .success(utc(2012, 7, 11, 16, 40, 44)))
        #expect(time("2020-07-11 20:40:44 MSK") == .success(utc(2020, 7, 11, 17, 40, 44)))
        // An abbreviation older servers printed (PostgreSQL's Default set): Brasília -03.
        #expect(time("2012-07-11 20:40:44 BRT") == .success(utc(2012, 7, 11, 23, 40, 44)))
    }

    @Test func numericZonesConvertExactly() {
        #expect(time("2024-05-02 09:15:00 +0530") == .success(utc(2024, 5, 2, 3, 45, 0)))
        #expect(time("2024-05-02 09:15:00 +03") == .success(utc(2024, 5, 2, 6, 15, 0)))
        #expect(time("2024-05-02 09:15:00 -05") == .success(utc(2024, 5, 2, 14, 15, 0)))
        #expect(time("2024-05-02 09:15:00.5 -0330") == .success(utc(2024, 5, 2, 12, 45, 0, 500_000)))
        #expect(time("2024-05-02 09:15:00 +0545") == .success(utc(2024, 5, 2, 3, 30, 0)))
    }

    @Test func ambiguousAndUnknownZonesAreRejectedWithTheReason() throws {
        guard case .failure(let ist)? = time("2026-07-15 08:00:00 IST") else {
            Issue.record("IST read without a zone")
            return
        }
        #expect(ist.reason.contains("ambiguous"))
        #expect(ist.reason.contains("Asia/Kolkata +05:30"))
        #expect(ist.reason.contains("Europe/Dublin +01:00"))
        #expect(ist.reason.contains("--pg-timezone"))
        guard case .failure(let pst)? = time("2026-07-15 08:00:00 PST") else {
            Issue.record("PST read as one zone")
            return
        }
        #expect(pst.reason.contains("Asia/Manila +08:00"))
        guard case .failure(let xyz)? = time("2026-07-15 08:00:00 XYZ") else {
            Issue.record("XYZ read")
            return
        }
        #expect(xyz.reason.contains("'XYZ' is not used by the tz database"))
        #expect(time("2026-07-15 08:00:00 +5") == nil)  // not a zone PostgreSQL prints
    }

    @Test func declaredZoneSettlesAmbiguity() throws {
        let india = try PostgresTimeZone(declared: "Asia/Kolkata")
        #expect(time("2026-07-15 08:00:00 IST", zone: india) == .success(utc(2026, 7, 15, 2, 30, 0)))
        let ireland = try PostgresTimeZone(declared: "Europe/Dublin")
        #expect(time("2026-07-15 08:00:00 IST", zone: ireland) == .success(utc(2026, 7, 15, 7, 0, 0)))
        #expect(time("2026-01-15 08:00:00 GMT", zone: ireland) == .success(utc(2026, 1, 15, 8, 0, 0)))
        let manila = try PostgresTimeZone(declared: "Asia/Manila")
        #expect(time("2026-07-15 08:00:00 PST", zone: manila) == .success(utc(2026, 7, 15, 0, 0, 0)))
        let la = try PostgresTimeZone(declared: "America/Los_Angeles")
        #expect(time("2026-01-15 08:00:00 PST", zone: la) == .success(utc(2026, 1, 15, 16, 0, 0)))
        // An abbreviation the declared zone does not use still means what the tz database says.
        #expect(time("2026-01-15 08:00:00 CET", zone: la) == .success(utc(2026, 1, 15, 7, 0, 0)))
        #expect(throws: PostgresTimeZone.UnknownZone.self) { try PostgresTimeZone(declared: "Asia/Nowhere") }
        #expect(throws: PostgresTimeZone.UnknownZone.self) { try PostgresTimeZone(declared: "../../etc/passwd") }
    }

    @Test func rdsPrefixInCentralEuropeanTime() throws {
        let text = try String(contentsOfFile: repoRoot + "/testdata/postgresql/cet-rds-prefix.log", encoding: .utf8)
        let (out, outcomes) = parseRaw(text, group: "/aws/rds/instance/orders-pg/postgresql")
        #expect(
            !outcomes.contains {
                if case .rejected = $0 { return true }
                return false
            })
        #expect(outcomes.filter { $0 == .ignored }.count == 2)  // connection authorized, checkpoint
        #expect(out.queries.count == 4)
        let q = out.queries
        #expect(q[0].end == utc(2020, 3, 11, 19, 40, 44))
        #expect(q[0].clientHost == "[local]")
        #expect(q[0].user == "postgres")
        #expect(q[0].database == "template1")
        #expect(q[1].end == utc(2020, 3, 11, 19, 40, 46))
        #expect(q[1].durationUs == 1_532_412)
        #expect(q[1].parameters == "$1 = '42'")
        #expect(q[1].fingerprint == "select * from orders where id = $?")
        #expect(q[2].text == "UPDATE orders\nSET state = 'paid'\nWHERE id = 42")
        #expect(q[2].fingerprint == "update orders set state = ? where id = ?")
        // The first hour of summer time: 03:00 CEST is 01:00 UTC.
        #expect(q[3].end == utc(2020, 3, 29, 1, 0, 1))
        #expect(q.allSatisfy { $0.instance == "orders-pg" && $0.endResolution == 1_000_000 })
    }

    @Test func percentQStopsBackgroundProcessesPrefixes() throws {
        var options = ParseOptions()
        options.postgresPrefix = "%m [%p] %q%u@%d "
        let text = try String(
            contentsOfFile: repoRoot + "/testdata/postgresql/default-prefix-q-kolkata.log", encoding: .utf8)
        let (out, outcomes) = parseRaw(text, options: options)
        #expect(outcomes == [.parsed(.postgresql), .ignored, .ignored, .ignored, .parsed(.postgresql)])
        #expect(out.queries.count == 2)
        #expect(out.queries[0].end == utc(2024, 5, 2, 3, 45, 0, 250_000))
        #expect(out.queries[0].endResolution == 1000)
        #expect(out.queries[0].user == "app")
        #expect(out.queries[0].database == "shop")
        #expect(out.queries[1].end == utc(2024, 5, 2, 3, 45, 5, 999_000))
        #expect(out.queries[1].connectionId == 4101)
    }

    @Test func aLineWhoseZoneCannotBeReadIsRejectedForThatReason() {
        let (out, outcomes) = parseRaw(
            "2026-07-15 08:00:00 IST:10.0.0.1(5432):app@orders:[1003]:LOG:  duration: 1.53 ms  statement: SELECT 1;",
            group: "/aws/rds/instance/db/postgresql")
        #expect(out.queries.isEmpty)
        guard case .rejected(let why) = outcomes[0] else {
            Issue.record("not rejected: \(outcomes)")
            return
        }
        #expect(why.hasPrefix("PostgreSQL time zone 'IST' is ambiguous"))
    }

    /// csvlog as PostgreSQL 16 writes it (26 columns): a statement over four
    /// physical lines with doubled quotes, a DETAIL in the statement's own
    /// record, an IPv6 client, a checkpoint, an ERROR.
    @Test func csvlogIsReadFromItsContent() throws {
        let text = try String(contentsOfFile: repoRoot + "/testdata/postgresql/csvlog-pg16.csv", encoding: .utf8)
        let (out, outcomes) = parseRaw(text)
        // 10 physical lines: 4 statements (one over 4 lines), connection, checkpoint, error.
        #expect(
            outcomes == [
                .ignored, .parsed(.postgresql), .parsed(.postgresql), .parsed(.postgresql), .parsed(.postgresql),
                .parsed(.postgresql), .parsed(.postgresql), .ignored, .ignored, .parsed(.postgresql),
            ])
        let q = out.queries
        #expect(q.count == 4)
        #expect(q.map(\.line) == [2, 3, 4, 10])
        #expect(q[0].end == utc(2026, 11, 24, 3, 0, 1, 123_000))
        #expect(q[0].endResolution == 1000)
        #expect(q[0].durationUs == 1532)
        #expect(q[0].user == "app")
        #expect(q[0].database == "orders")
        #expect(q[0].connectionId == 12775)
        #expect(q[0].clientHost == "10.0.1.17")
        #expect(q[0].text == "SELECT * FROM orders WHERE id = 42")
        #expect(q[1].clientHost == "2600:1f18:4a3::17")
        #expect(q[1].parameters == "$1 = 'SKU-1'")
        #expect(q[1].keys.traceId?.description == "1-5759e988-bd862e3fe1be46a994272793")
        #expect(q[1].fingerprint == "select name from products where sku = $?")
        #expect(q[2].text == "UPDATE orders\n\tSET note = 'said \"hi\", twice',\n\t    state = 'paid'\n\tWHERE id = 42")
        #expect(q[2].fingerprint == "update orders set note = ?, state = ? where id = ?")
        #expect(q[3].clientHost == "[local]")
        #expect(q[3].durationUs == 27)
    }

    /// csvlog of PostgreSQL 12 and before (23 columns), in Berlin time across
    /// the spring change.
    @Test func olderCsvlogInLocalTime() throws {
        let text = try String(contentsOfFile: repoRoot + "/testdata/postgresql/csvlog-pg12-berlin.csv", encoding: .utf8)
        let (out, outcomes) = parseRaw(text)
        #expect(outcomes == [.parsed(.postgresql), .parsed(.postgresql)])
        #expect(out.queries.map(\.end) == [utc(2020, 3, 11, 19, 40, 44, 512_000), utc(2020, 3, 29, 1, 0, 1, 20_000)])
        #expect(out.queries.map(\.text) == ["select 1", "SELECT 3"])
    }

    /// jsonlog (PostgreSQL 15+): the same statements as the csvlog fixture.
    @Test func jsonlogIsReadFromItsContent() throws {
        let text = try String(contentsOfFile: repoRoot + "/testdata/postgresql/jsonlog-pg16.json", encoding: .utf8)
        let (out, outcomes) = parseRaw(text)
        #expect(outcomes == [.ignored, .parsed(.postgresql), .parsed(.postgresql), .parsed(.postgresql), .ignored])
        let q = out.queries
        #expect(q.count == 3)
        #expect(q[0].end == utc(2026, 11, 24, 3, 0, 1, 123_000))
        #expect(q[0].clientHost == "10.0.1.17")
        #expect(q[0].connectionId == 12775)
        #expect(q[1].clientHost == "2600:1f18:4a3::17")
        #expect(q[1].parameters == "$1 = 'SKU-1'")
        #expect(q[1].durationUs == 25_412)
        #expect(q[2].end == utc(2026, 11, 24, 3, 0, 3, 4_000))  // 04:00 CET
        #expect(q[2].text == "UPDATE orders\n\tSET note = 'said \"hi\", twice',\n\t    state = 'paid'\n\tWHERE id = 42")
    }

    @Test func brokenCsvlogRecordsAreRejectedWithTheReason() {
        // A quote that never closes: held to the end of the file, then rejected.
        let cut =
            "2026-11-24 03:00:01.123 UTC,\"app\",\"orders\",12775,\"10.0.1.17:51234\",6742e1a0.31e7,2,\"SELECT\",2026-11-24 03:00:00 UTC,4/12,0,LOG,00000,\"duration: 1.5 ms  statement: SELECT 'a\nFROM t"
        var parser = try! LogRecordParser(options: ParseOptions())
        let file = InputFile(index: 0, path: "postgresql.log")
        parser.beginFile(file)
        var outcomes: [RecordOutcome] = []
        for (i, l) in cut.split(separator: "\n").enumerated() {
            var b = Array(l.utf8)
            outcomes.append(
                b.withUnsafeMutableBytes {
                    parser.consume(
                        LogRecord(
                            file: 0, line: i + 1, timestamp: nil, source: file.pathSource,
                            message: UnsafeRawBufferPointer($0)))
                })
        }
        parser.endFile()
        #expect(outcomes == [.parsed(.postgresql), .parsed(.postgresql)])
        #expect(
            parser.takeLateRejects().map(\.reason) == [
                "csvlog record cut off at the end of the file (a quoted field never closes)"
            ])
        #expect(parser.output.queries.isEmpty)
        // Too few columns.
        let (_, short) = parseRaw("2026-11-24 03:00:01.123 UTC,\"app\",\"orders\",12775,LOG")
        #expect(short == [.rejected("csvlog record with 5 fields (PostgreSQL writes 23 to 26)")])
    }

    /// The prefix matcher gives up on `%t` at the first candidate no printed
    /// time can begin with, and never on one some time can: every printed
    /// form, cut anywhere after its 19th byte, may begin a time; a csvlog
    /// line or anything else after the time may not.
    @Test func whatATimeCanBeginWith() {
        let times = [
            "2026-11-24 03:00:00 UTC", "2026-11-24 03:00:00.123 CEST", "2026-11-24 03:00:00 +0530",
            "2026-11-24 03:00:00 -05", "2026-11-24 03:00:00.123456", "2026-11-24 03:00:00 ChST",
        ]
        for t in times {
            let bytes = Array(t.utf8)
            for n in 19...bytes.count {
                let may = bytes[0..<n].withUnsafeBytes { PostgresTimestamp.mayBeginTime($0) }
                #expect(may, "\(t) cut at \(n)")
            }
        }
        for v in [
            "2026-11-24 03:00:00.123 UTC,\"app\",\"orders\"", "2026-11-24 03:00:00 UTC:10.0.0.1(5432)",
            "2026-11-24 03:00:00,123", "2026-11-24 03:00:00 EUROPEAN", "2026-11-24 03:00:00 +05300",
            "2026-11-24 03:00:00 5", "2026-13-24 03:00:00 UTC",
        ] {
            #expect(!withBytes(v) { PostgresTimestamp.mayBeginTime($0) }, "\(v)")
        }
        // Every form the parser reads is one the matcher keeps trying.
        for t in times { #expect(withBytes(t) { PostgresTimestamp.hasShape($0) }, "\(t)") }
    }
}
