import Foundation
import Testing

@testable import LogStitch

/// MySQL and MariaDB slow-log variants, read as pt-query-digest reads them
/// (its classes are what DBAs compare against), and percona-toolkit's own
/// sample slow logs compared class for class with pt-query-digest.
@Suite struct SlowLogVariantTests {
    func classes(_ out: ParsedFile) -> [String: Int] {
        out.queries.reduce(into: [:]) { $0[$1.fingerprint, default: 0] += 1 }
    }

    /// MariaDB with log_slow_verbosity=explain (after MariaDB's
    /// documentation), an empty Schema before QC_hit, a schema name with a
    /// newline, admin commands and a `use`-only entry.
    @Test func mariadbVerbosityExplainAndOddSchemas() throws {
        let text = try String(
            contentsOfFile: repoRoot + "/testdata/mysql/mariadb-verbosity-explain.log", encoding: .utf8)
        let (out, outcomes) = parseRaw(text)
        #expect(
            !outcomes.contains {
                if case .rejected = $0 { return true }
                return false
            })
        let q = out.queries
        #expect(q.count == 6)
        #expect(q[0].text == "select count(*) from customer, nation where c_nationkey=n_nationkey and n_name='GERMANY'")
        #expect(q[0].database == "dbt3sf1")
        #expect(q[0].durationUs == 5_524_103)
        #expect(q[0].rowsExamined == 65633)
        #expect(q[1].database == nil)  // `Schema:   QC_hit: No`
        #expect(q[1].fingerprint == "show /*!? global */ status")
        #expect(q[1].connectionId == 58027)
        #expect(q[2].database == "sales\nreports")
        #expect(q[2].fingerprint == "select region, sum(total) from orders group by region")
        #expect(q[2].durationUs == 1_250_000)
        #expect(q[3].fingerprint == "administrator command: Init DB")
        #expect(q[4].text == MySQLSlowLogParser.noQuery)  // `use dbt3sf1;` alone, as pt-query-digest counts it
        #expect(q[4].fingerprint == "")
        #expect(q[5].fingerprint == "administrator command: Quit")
        #expect(!classes(out).keys.contains { $0.contains("qc_hit") || $0.contains("explain") })
    }

    /// What a replica and an admin session write: the session settings
    /// before a replayed statement, `USE` sent by a client, an admin
    /// command before any header.
    @Test func replicaSettingsAndClientUseAreNotMetadataAlike() throws {
        let text = try String(contentsOfFile: repoRoot + "/testdata/mysql/replica-and-admin.log", encoding: .utf8)
        let (out, outcomes) = parseRaw(text)
        #expect(
            !outcomes.contains {
                if case .rejected = $0 { return true }
                return false
            })
        #expect(
            classes(out) == [
                "administrator command: Quit": 1, "insert into d?onch (word?, vid?) values(?+)": 1,
                "use ?": 1, "": 1, "update t set b = b ? ? where user_id=?": 1,
            ])
        let insert = try #require(out.queries.first { $0.text.hasPrefix("INSERT") })
        #expect(insert.text == "INSERT INTO db1.conch (word3, vid83)\nVALUES ('211', '18')")
        #expect(insert.end == 1_795_489_201_000_000)
    }

    /// percona-toolkit's t/lib/samples/slowlogs (72 files, from its Debian
    /// source package; `.ci/run` fetches them and installs pt-query-digest).
    @Test func agreesWithPtQueryDigestOnPerconasSamples() throws {
        let samples =
            ProcessInfo.processInfo.environment["LOGSTITCH_PT_SAMPLES"] ?? repoRoot + "/.build/pt-samples/slowlogs"
        let required = ProcessInfo.processInfo.environment["LOGSTITCH_REQUIRE_TOOLS"] == "1"
        let havePt = FileManager.default.isExecutableFile(atPath: "/usr/bin/pt-query-digest")
        let haveSamples = FileManager.default.fileExists(atPath: samples)
        guard havePt && haveSamples else {
            // CI installs both (LOGSTITCH_REQUIRE_TOOLS=1): there, a missing tool fails the test.
            #expect(!required, "pt-query-digest or the samples are missing (\(samples))")
            if !required {
                print(
                    "skipped here: pt-query-digest and percona-toolkit's samples are not installed (.ci/run installs them)"
                )
            }
            return
        }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", repoRoot + "/scripts/pt-agreement.py", samples, CLI.fastBinary, "--min", "95"]
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        #expect(p.terminationStatus == 0, "\(text)")
        let last = text.split(separator: "\n").last.map(String.init) ?? ""
        #expect(last.hasPrefix("agreement: "), "\(text)")
        print(last)
    }
}
