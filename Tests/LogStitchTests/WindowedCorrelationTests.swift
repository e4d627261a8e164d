import Foundation
import Testing

@testable import LogStitch

/// Correlation runs in half-hour blocks with margins sized by the longest
/// span the logs declare. These cases put partners on both sides of a block
/// boundary and check that they still meet.
@Suite struct WindowedCorrelationTests {
    static let minute: Int64 = 60 * 1_000_000

    @Test func marginFollowsTheLongestDeclaredSpan() {
        #expect(SpillStore.bucketMicros == 2 * Self.minute)
        #expect(WindowedCorrelation.marginBuckets(longestSpan: 0) == 1)
        #expect(WindowedCorrelation.marginBuckets(longestSpan: 6_553_000) == 1)  // 6.5 s
        #expect(WindowedCorrelation.marginBuckets(longestSpan: 1 * Self.minute) == 1)  // 1 min + 1 min slack
        #expect(WindowedCorrelation.marginBuckets(longestSpan: 1 * Self.minute + 1) == 2)
        #expect(WindowedCorrelation.marginBuckets(longestSpan: 13 * Self.minute) == 7)
        #expect(WindowedCorrelation.marginBuckets(longestSpan: 15 * Self.minute) == 8)  // Lambda's limit
        #expect(WindowedCorrelation.marginBuckets(longestSpan: .max) == 10)  // garbled record: 20 min
    }

    @Test func lastBlocksAreCutInHalves() {
        #expect(WindowedCorrelation.blockBuckets == 15)
        #expect(WindowedCorrelation.halvedBlocks == 4)
        // Buckets with data: all of blocks 0 to 3, and two buckets of block 4.
        let buckets: [Int64] = Array(0...59) + [60, 72]
        // Block 0 whole; the last four in halves of 8 buckets, those without data left out.
        #expect(
            WindowedCorrelation.blocks(buckets: buckets)
                == [0...14, 15...22, 23...29, 30...37, 38...44, 45...52, 53...59, 60...67, 68...74])
        // Fewer blocks than that: all of them in halves; time before 1970 too.
        #expect(WindowedCorrelation.blocks(buckets: [-16, -1, 3]) == [-22...(-16), -7...(-1), 0...7])
        #expect(WindowedCorrelation.blocks(buckets: []).isEmpty)
    }

    /// A dense stretch is cut into smaller blocks so that no window loads
    /// more records than the budget; a sparse one is left whole (issue:
    /// faults, item 10).
    @Test func denseBlocksAreCutByRecordCount() {
        let buckets: [Int64] = Array(0...89)
        // Buckets 0–14 (the first half hour) hold 100,000 records each, the rest 1,000.
        func records(_ b: Int64) -> Int { (0...14).contains(b) ? 100_000 : (0...89).contains(b) ? 1_000 : 0 }
        let cut = WindowedCorrelation.blocks(buckets: buckets, records: records, margin: 1, budget: 350_000)
        // A window is its owned buckets and one on each side. Before bucket 0
        // there is nothing, so 0…1 loads 300,000; then one bucket each (three
        // dense buckets); 13…14 reaches 15's 1,000. The next half hour
        // (14's 100,000 and 16,000) stays whole.
        let dense: [ClosedRange<Int64>] = [0...1] + (2...12).map { Int64($0)...Int64($0) } + [13...14]
        #expect(Array(cut.prefix(dense.count)) == dense)
        #expect(cut[dense.count] == 15...29)
        for block in cut {
            let load = ((block.lowerBound - 1)...(block.upperBound + 1)).reduce(0) { $0 + records($1) }
            #expect(load <= 350_000 || block.count == 1)
        }
        // Every bucket owned exactly once.
        #expect(cut.flatMap { Array($0) } == Array(0...89))
        // Under the budget: what time alone cuts.
        #expect(
            WindowedCorrelation.blocks(buckets: buckets, records: records, margin: 1, budget: 10_000_000)
                == WindowedCorrelation.blocks(buckets: buckets))
    }

    /// Blocks hand over pieces as they fill, in any order across blocks:
    /// the files get them in block order, each block's in the order made,
    /// and the totals of every block once.
    @Test func blockPiecesReachTheFilesInBlockOrder() throws {
        let dir = makeTempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        func staged(_ name: String) -> StagedFile {
            StagedFile(
                fd: open(dir + "/" + name, O_WRONLY | O_CREAT | O_TRUNC, 0o644), path: dir + "/" + name,
                compress: false, bufferBytes: 8 << 10)
        }
        let segments = staged("segments"), requests = staged("requests")
        let coordinator = WindowedCorrelation.Coordinator(
            count: 3, files: .init(segments: segments, requests: requests))
        func piece(_ text: String) -> ByteSink {
            let b = ByteSink(capacity: 64)
            Array(text.utf8).withUnsafeBytes { b.append($0) }
            return b
        }
        func finished(requests n: Int) -> WindowedCorrelation.BlockResult {
            var r = WindowedCorrelation.BlockResult()
            r.totals.counts.requests = n
            return r
        }
        // Block 2 first (kept), then block 0 (written as made), block 1 while 0 is open.
        coordinator.emit(2, segments: piece("s2a "))
        coordinator.emit(0, segments: piece("s0a "))
        coordinator.emit(1, segments: piece("s1a "))
        coordinator.emit(2, rows: piece("r2a "))
        coordinator.emit(0, segments: piece("s0b "))
        coordinator.finish(2, finished(requests: 100))
        coordinator.emit(1, rows: piece("r1a "))
        coordinator.emit(0, rows: piece("r0a "))
        #expect(coordinator.nextToWrite == 0)
        coordinator.finish(0, finished(requests: 1))
        #expect(coordinator.nextToWrite == 1)
        coordinator.emit(1, segments: piece("s1b "))
        coordinator.finish(1, finished(requests: 10))
        #expect(coordinator.nextToWrite == 3)
        #expect(coordinator.pending.isEmpty)
        try segments.close()
        try requests.close()
        #expect(try String(contentsOfFile: dir + "/segments", encoding: .utf8) == "s0a s0b s1a s1b s2a ")
        #expect(try String(contentsOfFile: dir + "/requests", encoding: .utf8) == "r0a r1a r2a ")
        #expect(coordinator.totals.counts.requests == 111)
    }

    /// One request just before 01:00, its Lambda invocation and one
    /// statement that carries the Lambda request id in a comment.
    func scenario(
        dir: String, requestStart: String, epochMs: Int64, latencyMs: Int, lambdaStart: String,
        lambdaEnd: String, durationMs: String, queryAt: String
    ) {
        let lambdaId = "5e1f0000-0000-4000-8000-00000000abcd"
        write(
            dir + "/apigateway/prod/access.log",
            Array(
                """
                {"requestId":"b2000000-0000-4000-8000-000000000001","ip":"198.51.100.7","requestTime":"\(requestStart)","requestTimeEpoch":"\(epochMs)","httpMethod":"GET","resourcePath":"/orders/{orderId}","path":"/prod/orders/42","status":"200","responseLength":"482","responseLatency":"\(latencyMs)","integrationLatency":"\(latencyMs - 5)","integrationRequestId":"\(lambdaId)","xrayTraceId":"1-65920ea7-8f1c6d2a4b3e5f6a7b8c9d01","stage":"prod","apiId":"a1b2c3d4e5","userAgent":"curl/8.5.0"}

                """.utf8))
        write(
            dir + "/exportedlogs/aws/lambda/long-handler/task/2024/01/01/[$LATEST]0123456789abcdef/000000",
            Array(
                """
                \(lambdaStart) START RequestId: \(lambdaId) Version: $LATEST
                \(lambdaEnd) END RequestId: \(lambdaId)
                \(lambdaEnd) REPORT RequestId: \(lambdaId)\tDuration: \(durationMs) ms\tBilled Duration: 1 ms\tMemory Size: 512 MB\tMax Memory Used: 91 MB\t

                """.utf8))
        let t = queryAt
        let pgTime = t.prefix(10) + " " + t.dropFirst(11).prefix(8) + " UTC"
        write(
            dir + "/exportedlogs/aws/rds/instance/orders-pg/postgresql/task/orders-pg.0/000000",
            Array(
                """
                \(t) \(pgTime):10.0.12.36(51544):app@orders:[4242]:LOG:  duration: 25.412 ms  statement: SELECT 1 FROM stock /*request_id='\(lambdaId)'*/

                """.utf8))
    }

    func requestRow(_ out: String) throws -> [String: String] {
        let csv = try String(contentsOfFile: out + "/requests.csv", encoding: .utf8).split(separator: "\n").map {
            $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        }
        #expect(csv.count == 2)
        return Dictionary(uniqueKeysWithValues: zip(csv[0], csv[1]))
    }

    @Test func longInvocationMeetsItsRequestAndStatementAcrossTheHour() throws {
        // 00:59:55 request, a 13-minute invocation, a statement at 01:12:
        // the REPORT and the statement lie in the next block, 13 minutes on.
        let dir = makeTempDir(), out = makeTempDir()
        defer {
            try? FileManager.default.removeItem(atPath: dir)
            try? FileManager.default.removeItem(atPath: out)
        }
        scenario(
            dir: dir, requestStart: "01/Jan/2024:00:59:55 +0000", epochMs: 1_704_070_795_000, latencyMs: 780_100,
            lambdaStart: "2024-01-01T00:59:55.050Z", lambdaEnd: "2024-01-01T01:12:55.050Z", durationMs: "780000.00",
            queryAt: "2024-01-01T01:12:00.000Z")
        let result = try ConvertJob.run(ScenarioTests.options([dir], out: out))
        #expect(result.status == .success)
        let row = try requestRow(out)
        #expect(row["lambda_join"] == "request_id")
        #expect(row["duration_ms"] == "780000")
        #expect(row["db_queries"] == "1")
        #expect(row["db_ms"] == "25.412")
    }

    @Test func shortInvocationStraddlingTheHourIsJoined() throws {
        // The request starts in one block, its invocation in the next.
        let dir = makeTempDir(), out = makeTempDir()
        defer {
            try? FileManager.default.removeItem(atPath: dir)
            try? FileManager.default.removeItem(atPath: out)
        }
        scenario(
            dir: dir, requestStart: "01/Jan/2024:00:59:59 +0000", epochMs: 1_704_070_799_900, latencyMs: 300,
            lambdaStart: "2024-01-01T01:00:00.000Z", lambdaEnd: "2024-01-01T01:00:00.150Z", durationMs: "150.00",
            queryAt: "2024-01-01T01:00:00.100Z")
        let result = try ConvertJob.run(ScenarioTests.options([dir], out: out))
        #expect(result.status == .success)
        let row = try requestRow(out)
        #expect(row["lambda_join"] == "request_id")
        #expect(row["duration_ms"] == "150")
        #expect(row["db_queries"] == "1")
        let segments = try String(contentsOfFile: out + "/segments.ndjson", encoding: .utf8).split(separator: "\n")
        #expect(segments.count == 3)  // stage, Lambda service, Lambda function (one trace, written once)
    }
}

/// Several hours of requests and invocations, so that correlation runs over
/// many blocks: outputs must not depend on how many workers take them.
@Suite struct BlockWorkersTests {
    /// `hours` of one request a minute, each with its invocation (START in
    /// one file, REPORT in another, so every join crosses files).
    func writeHours(_ hours: Int, into dir: String) {
        var access = "", starts = "", reports = ""
        let base: Int64 = 1_704_067_200  // 2024-01-01T00:00:00Z
        for m in 0..<(hours * 60) {
            let t = base + Int64(m) * 60 + 7
            let rid = String(format: "c3000000-0000-4000-8000-%012d", m)
            let lid = String(format: "d4000000-0000-4000-8000-%012d", m)
            access +=
                #"{"requestId":"\#(rid)","ip":"198.51.100.7","requestTime":"-","requestTimeEpoch":"\#(t * 1000)","httpMethod":"GET","resourcePath":"/orders/{orderId}","path":"/prod/orders/\#(m)","status":"200","responseLength":"482","responseLatency":"120","integrationLatency":"110","integrationRequestId":"\#(lid)","xrayTraceId":"-","stage":"prod","apiId":"a1b2c3d4e5","userAgent":"curl/8.5.0"}"#
                + "\n"
            let start = Timestamp.formatISO8601Millis((t * 1000 + 5) * 1000)
            let end = Timestamp.formatISO8601Millis((t * 1000 + 105) * 1000)
            starts += "\(start) START RequestId: \(lid) Version: $LATEST\n"
            reports +=
                "\(end) REPORT RequestId: \(lid)\tDuration: 100.00 ms\tBilled Duration: 100 ms\tMemory Size: 512 MB\tMax Memory Used: 91 MB\t\n"
        }
        write(dir + "/apigateway/prod/access.log", Array(access.utf8))
        write(
            dir + "/exportedlogs/aws/lambda/orders/task/2024/01/01/[$LATEST]0123456789abcdef/000000", Array(starts.utf8)
        )
        write(
            dir + "/exportedlogs/aws/lambda/orders/task/2024/01/01/[$LATEST]0123456789abcdef/000001",
            Array(reports.utf8))
    }

    @Test func sameOutputsWithOneTwoOrFourWorkers() throws {
        let dir = makeTempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        writeHours(7, into: dir)
        func outputs(jobs: Int, compress: Bool) throws -> [String: Data] {
            let out = makeTempDir()
            defer { try? FileManager.default.removeItem(atPath: out) }
            var options = ScenarioTests.options([dir], out: out)
            options.jobs = jobs
            options.compress = compress
            let result = try ConvertJob.run(options)
            #expect(result.status == .success)
            var files: [String: Data] = [:]
            for name in ["segments.ndjson", "requests.csv", "routes.csv", "functions.csv"] {
                files[name] = FileManager.default.contents(atPath: out + "/" + name + (compress ? ".gz" : ""))
            }
            return files
        }
        let plain = try [1, 2, 4].map { try outputs(jobs: $0, compress: false) }
        #expect(plain[0] == plain[1] && plain[1] == plain[2])
        // Each block's text is compressed on its own: the same blocks whatever the workers.
        let compressed = try [1, 2, 4].map { try outputs(jobs: $0, compress: true) }
        #expect(compressed[0].values.allSatisfy { !$0.isEmpty })
        #expect(compressed[0] == compressed[1] && compressed[1] == compressed[2])
        let rows = String(decoding: plain[0]["requests.csv"] ?? Data(), as: UTF8.self).split(separator: "\n")
        #expect(rows.count == 1 + 7 * 60)
        #expect(rows.dropFirst().allSatisfy { $0.contains(",request_id,") })
        let documents = String(decoding: plain[0]["segments.ndjson"] ?? Data(), as: UTF8.self).split(separator: "\n")
        #expect(documents.count == 3 * 7 * 60)
    }
}
