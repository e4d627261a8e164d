import Foundation
import Testing

@testable import LogStitch

/// Files logstitch recognises but does not read are rejected once, as a
/// whole, naming what they are: never read as text and rejected line by line.
struct ForeignInputTests {
    /// Made with the real tools from one API Gateway access log (see testdata/compressed).
    @Test(arguments: [
        ("access.log.bz2", "bzip2"), ("access.log.xz", "xz"), ("access.log.zst", "zstd"),
        ("access.zip", "zip"), ("access.log.sz", "Snappy"), ("access.log.lz4", "lz4"),
    ])
    func otherCompressionsAreNamed(file: String, name: String) {
        let r = readFile(repoRoot + "/testdata/compressed/" + file)
        #expect(r.records.isEmpty)
        #expect(r.report.recordsSeen == 0)
        #expect(
            r.report.fileError?.hasPrefix("\(name)-compressed file: logstitch reads gzip and plain text only") == true)
        #expect(r.report.rejects.count == 1)
        #expect(r.report.rejects.first?.line == 0)
    }

    @Test func otherCompressionInsideGzipIsNamedToo() {
        let dir = makeTempDir()
        let zst = FileManager.default.contents(atPath: repoRoot + "/testdata/compressed/access.log.zst")!
        write(dir + "/access.log.zst.gz", gzip([UInt8](zst)))
        let r = readFile(dir + "/access.log.zst.gz")
        #expect(r.report.compression == "gzip")
        #expect(r.report.fileError?.hasPrefix("zstd-compressed file") == true)
    }

    /// Hand-written from each format's documentation (testdata/foreign).
    @Test(arguments: [
        ("postgres-syslog.log", "PostgreSQL log written through syslog (log_destination=syslog)"),
        ("heroku-postgres.log", "Heroku Postgres log (logplex)"),
        ("cloudsql-export.json", "Google Cloud SQL log export"),
        ("pgbouncer.log", "PgBouncer log"),
    ])
    func foreignFormatsAreRejectedOnce(file: String, what: String) {
        let r = readFile(repoRoot + "/testdata/foreign/" + file)
        #expect(r.records.isEmpty)
        #expect(r.report.recordsSeen == 0)
        #expect(r.report.rejects.map(\.line) == [0])
        #expect(r.report.fileError == "\(what): outside what logstitch reads (\(ForeignFormat.readFormats))")
    }

    @Test func syslogOfAnotherProgramNamesIt() {
        let line = Array("<134>1 2026-11-24T03:00:01.003Z web1 nginx 4242 - - GET /".utf8)
        let f = line.withUnsafeBytes { ForeignFormat.detect(ByteView($0)) }
        #expect(f?.reason.hasPrefix("syslog-format log (program 'nginx')") == true)
    }

    /// Every format logstitch does read starts unlike all of them.
    @Test func readFormatsAreNotForeign() throws {
        let firstLines = [
            "2026-11-24 03:00:01 UTC:10.0.0.1(5432):app@orders:[1003]:LOG:  duration: 1.5 ms  statement: SELECT 1",
            "2026-11-24 03:00:01.123 UTC [1003] LOG:  duration: 1.5 ms  statement: SELECT 1",
            "2026-11-24 03:00:01.123 UTC,\"app\",\"orders\",1003,\"10.0.0.1:5432\",6743a1b0.3eb,1,\"SELECT\",2026-11-24 03:00:00 UTC,3/0,0,LOG,00000,\"duration: 1.5 ms  statement: SELECT 1\",,,,,,,,,\"psql\",\"client backend\",,0",
            "# Time: 2026-11-24T03:00:01.123456Z",
            "/rdsdbbin/mysql/bin/mysqld, Version: 8.0.35 (Source distribution). started with:",
            "START RequestId: 8f507cfc-4d0a-4a7e-8b2f-2d4c1e0f9a11 Version: $LATEST",
            "2026-11-24T03:00:01.123Z\t8f507cfc-4d0a-4a7e-8b2f-2d4c1e0f9a11\tINFO\thello",
            "198.51.100.7 - - [24/Nov/2026:03:00:01 +0000] \"GET /orders HTTP/1.1\" 200 482 a1b2",
            "{\"requestId\":\"a1\",\"httpMethod\":\"GET\",\"status\":\"200\"}",
        ]
        for l in firstLines {
            let bytes = Array(l.utf8)
            let f = bytes.withUnsafeBytes { ForeignFormat.detect(ByteView($0)) }
            #expect(f == nil, "\(l)")
        }
    }
}
