import Foundation
import Testing

@testable import LogStitch

/// Real logs are big: a busy PostgreSQL log has hundreds of thousands of
/// statements, a slow log thousands of connections. Every record that goes
/// through the production path (parsers draining into the spill, read back
/// by time) must come out with the fields it has when parsed on its own.
/// Fixed-width counters, caches and drains only show their bugs at scale,
/// so each source kind is read here at 200,000 records in one file and the
/// five files together make 1,000,000 records in one run.
@Suite(.serialized) struct ScaleTests {
    static let perFile = ProcessInfo.processInfo.environment["SCALE_RECORDS"].flatMap { Int($0) } ?? 200_000

    /// Lines written the way each service writes them (the shapes of the
    /// hand-written fixtures in testdata/), with values that vary per record.
    enum Shape: CaseIterable {
        case apiGateway, lambda, mysql, postgresUTC, postgresLocal

        var path: String {
            switch self {
            case .apiGateway: return "apigw/access.log"
            case .lambda: return "aws/lambda/orders-api/2026/11/24/stream.log"
            case .mysql: return "mysql-slowquery.log"
            case .postgresUTC: return "postgresql.log.2026-11-24-03"
            case .postgresLocal: return "postgresql.log.2026-11-24-04"
            }
        }

        /// The lines of record `i` (one record per line, except MySQL entries).
        func lines(_ i: Int) -> [String] {
            let uuid = String(format: "%08x-%04x-4%03x-8%03x-%012x", i, i % 65536, i % 4096, (i / 7) % 4096, i * 31)
            let second = i % 3600
            let hh = 3 + second / 3600, mm = (second / 60) % 60, ss = second % 60
            let clock = String(format: "%02d:%02d:%02d", hh, mm, ss)
            switch self {
            case .apiGateway:
                return [
                    "{\"requestId\":\"\(uuid)\",\"ip\":\"10.0.\(i % 256).\(i % 200)\",\"requestTimeEpoch\":\"\(1_795_921_200_000 + i * 7)\","
                        + "\"httpMethod\":\"\(i % 3 == 0 ? "POST" : "GET")\",\"resourcePath\":\"/orders/{id}\",\"status\":\"\(200 + (i % 4) * 100)\","
                        + "\"responseLength\":\"\(i % 9000)\",\"responseLatency\":\"\(i % 3000)\",\"integrationLatency\":\"\(i % 2900)\","
                        + "\"stage\":\"prod\",\"apiId\":\"a1b2c3d4e5\",\"integrationRequestId\":\"\(uuid)\"}"
                ]
            case .lambda:
                switch i % 3 {
                case 0: return ["START RequestId: \(uuid) Version: $LATEST"]
                case 1: return ["END RequestId: \(uuid)"]
                default:
                    return [
                        "REPORT RequestId: \(uuid)\tDuration: \(i % 9000).\(i % 100) ms\tBilled Duration: \(i % 9000 + 1) ms\t"
                            + "Memory Size: 512 MB\tMax Memory Used: \(60 + i % 400) MB\t"
                            + (i % 11 == 0 ? "Init Duration: \(100 + i % 900).25 ms\t" : "")
                    ]
                }
            case .mysql:
                let micros = String(format: "%06d", i % 1_000_000)
                return [
                    "# Time: 2026-11-24T\(clock).\(micros)Z",
                    "# User@Host: app[app] @  [10.0.\(i % 250).\(i % 7)]  Id: \(1000 + i % 5000)",
                    "# Query_time: \(i % 10).\(String(format: "%06d", i % 999_983))  Lock_time: 0.000\(i % 1000)  Rows_sent: \(i % 50)  Rows_examined: \(i % 100_000)",
                    "use shop\(i % 40);",
                    "SET timestamp=\(1_795_921_200 + second);",
                    "SELECT * FROM t\(i % 20) WHERE id = \(i) AND name = 'n\(i)';",
                ]
            case .postgresUTC:
                return [
                    "2026-11-24 \(clock) UTC:10.0.\(i % 250).1(\(40000 + i % 20000)):app@orders:[\(1000 + i % 5000)]:LOG:  duration: \(i % 5000).\(String(format: "%03d", i % 1000)) ms  statement: SELECT \(i) FROM t\(i % 30) WHERE id = \(i);"
                ]
            case .postgresLocal:
                // log_timezone Europe/Berlin in winter: CET, one hour ahead of UTC.
                return [
                    "2026-11-24 \(String(format: "%02d", hh + 1)):\(String(format: "%02d:%02d", mm, ss)) CET:10.0.\(i % 250).1(\(40000 + i % 20000)):app@orders:[\(1000 + i % 5000)]:LOG:  duration: \(i % 5000).\(String(format: "%03d", i % 1000)) ms  statement: UPDATE t\(i % 30) SET n = \(i) WHERE id = \(i);"
                ]
            }
        }
    }

    /// A record's fields as text, for comparing two parses of it.
    static func describe(_ r: ApiGatewayRequest) -> String {
        "\(r.line) \(r.requestId) \(r.apiId ?? "-") \(r.stage ?? "-") \(r.method ?? "-") \(r.route ?? "-") \(r.status ?? -1) "
            + "\(r.responseLength ?? -1) \(r.start ?? -1) \(r.responseLatencyMs ?? -1) \(r.integrationLatencyMs ?? -1) "
            + "\(r.integrationRequestId.map { "\($0)" } ?? "-") \(r.sourceIp ?? "-")"
    }

    static func describe(_ e: LambdaEvent) -> String {
        "\(e.line) \(e.kind) \(e.requestId.map { "\($0)" } ?? "-") \(e.time ?? -1) \(e.source?.logGroup ?? "-") \(e.source?.logStream ?? "-") "
            + "\(e.durationUs ?? -1) \(e.billedDurationUs ?? -1) \(e.memorySizeMB ?? -1) \(e.maxMemoryUsedMB ?? -1) \(e.initDurationUs ?? -1)"
    }

    static func describe(_ q: SlowQuery) -> String {
        "\(q.line) \(q.engine) \(q.instance) \(q.database ?? "-") \(q.user ?? "-") \(q.clientHost ?? "-") \(q.connectionId ?? -1) "
            + "\(q.end) \(q.endResolution) \(q.durationUs) \(q.lockTimeUs ?? -1) \(q.rowsSent ?? -1) \(q.rowsExamined ?? -1) "
            + "[\(q.text)] [\(q.fingerprint)] \(q.fingerprintId) [\(q.sanitizedQuery)]"
    }

    static func describe(_ p: ParsedFile) -> [String] {
        p.requests.map { describe($0) } + p.lambdaEvents.map { describe($0) } + p.queries.map { describe($0) }
    }

    /// Reads `files` as `convert` does (two workers, records drained into
    /// the spill as files are read) and reads every bucket back.
    static func throughSpill(_ files: [InputFile], options: ParseOptions) throws -> [Int: [String]] {
        let store = try SpillStore(parent: makeTempDir())
        defer { store.remove() }
        let scheduler = FileScheduler(files: files, progress: false)
        try scheduler.run(jobs: 2, limits: ReaderLimits(), parse: options, spill: store)
        for (i, report) in scheduler.reports.enumerated() {
            #expect(report?.rejected == 0, "\(files[i].path): \(report?.rejects.first?.reason ?? "")")
            #expect(report?.recordsSeen == report?.parsedTotal)
        }
        var byFile: [Int: [String]] = [:]
        for bucket in store.buckets {
            let part = store.read(bucket: bucket)
            for r in part.requests { byFile[r.file, default: []].append(describe(r)) }
            for e in part.lambdaEvents { byFile[e.file, default: []].append(describe(e)) }
            for q in part.queries { byFile[q.file, default: []].append(describe(q)) }
        }
        return byFile
    }

    /// Each record of `shape` parsed on its own: a parser that has seen
    /// nothing else (beginFile resets all it inherits) and no drain.
    static func alone(_ shape: Shape, count: Int, file: InputFile, options: ParseOptions) throws -> [String] {
        var parser = try LogRecordParser(options: options)
        var out: [String] = []
        var lineNo = 1
        for i in 0..<count {
            parser.beginFile(file)
            for line in shape.lines(i) {
                var bytes = Array(line.utf8)
                let outcome = bytes.withUnsafeMutableBytes { raw in
                    parser.consume(
                        LogRecord(
                            file: file.index, line: lineNo, timestamp: nil, source: file.pathSource,
                            message: UnsafeRawBufferPointer(raw)))
                }
                if case .rejected(let why) = outcome { Issue.record("record \(i) alone: \(why)") }
                lineNo += 1
            }
            parser.endFile()
            out += describe(parser.output)
        }
        return out
    }

    @Test func aMillionRecordsKeepEveryField() throws {
        let dir = makeTempDir()
        var options = ParseOptions()
        options.postgresPrefix = PostgresLogParser.rdsPrefix
        for shape in Shape.allCases {
            var text = ""
            text.reserveCapacity(Self.perFile * 200)
            for i in 0..<Self.perFile {
                for l in shape.lines(i) {
                    text += l
                    text += "\n"
                }
            }
            write(dir + "/" + shape.path, gzip(Array(text.utf8)))
        }
        let files = try InputDiscovery.expand([dir])
        #expect(files.count == Shape.allCases.count)
        let spilled = try Self.throughSpill(files, options: options)
        #expect(spilled.values.reduce(0) { $0 + $1.count } == Shape.allCases.count * Self.perFile)
        for file in files {
            let shape = Shape.allCases.first { file.path.hasSuffix($0.path) }!
            let expected = try Self.alone(shape, count: Self.perFile, file: file, options: options)
            let got = (spilled[file.index] ?? []).sorted {
                Int($0.prefix { $0 != " " })! < Int($1.prefix { $0 != " " })!
            }
            #expect(got.count == Self.perFile, "\(shape)")
            let mismatches = zip(got, expected).filter { $0 != $1 }
            #expect(
                mismatches.isEmpty,
                "\(shape): \(mismatches.count) records differ, first: \(mismatches.first.map { "\($0.0)\n  alone: \($0.1)" } ?? "")"
            )
            if shape == .postgresUTC || shape == .postgresLocal || shape == .mysql {
                let empty = got.filter { $0.contains("[] ") }
                #expect(empty.isEmpty, "\(shape): \(empty.count) statements without a fingerprint")
            }
        }
    }

    /// The issue's shape: one PostgreSQL file of a million statements, as
    /// the release binary reads it. Every statement lands in its class.
    @Test func aMillionStatementPostgresFileHasNoEmptyFingerprint() throws {
        let dir = makeTempDir()
        var text: [UInt8] = []
        text.reserveCapacity(130_000_000)
        let statements = 1_000_000, tables = 30
        for i in 0..<statements {
            let ss = i % 60, mm = (i / 60) % 60
            text += Array(
                "2026-11-24 03:\(mm < 10 ? "0" : "")\(mm):\(ss < 10 ? "0" : "")\(ss) UTC:10.0.0.1(5432):app@orders:[\(1000 + i % 4000)]:LOG:  duration: 1.\(i % 100) ms  statement: SELECT \(i) FROM t\(i % tables) WHERE id = \(i * 7);\n"
                    .utf8)
        }
        write(dir + "/in/postgresql.log.2026-11-24-03", text)
        let r = CLI.run(["convert", "--output", dir + "/out", dir + "/in"], binary: CLI.fastBinary)
        #expect(r.status == 0, "\(r.stderr)")
        let rows = try String(contentsOfFile: dir + "/out/queries.csv", encoding: .utf8).split(separator: "\n")
            .dropFirst()
        var counts: [String: Int] = [:]
        for row in rows {
            let cols = row.split(separator: ",", omittingEmptySubsequences: false)
            counts[String(cols[4]), default: 0] += Int(cols[5])!
        }
        #expect(counts[""] == nil)
        // pt-query-digest's fingerprint turns t7's digit into `?` too: one class.
        #expect(counts == ["select ? from t? where id = ?": statements])
    }
}
