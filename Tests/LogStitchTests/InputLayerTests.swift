import Foundation
import Testing

@testable import LogStitch

@Suite struct InputLayerTests {
    /// The remembered minute gives the same times as reading every prefix
    /// whole, across minute, hour and day changes and bad seconds.
    @Test func exportPrefixTimesAgreeWithTheFullParse() {
        var a = ExportEventAssembler(enabled: true, maxBytes: 1 << 20)
        let lines = [
            "2024-01-01T05:00:00.413Z START", "2024-01-01T05:00:59.999Z x", "2024-01-01T05:00:60.000Z leap",
            "2024-01-01T05:00:61.000Z bad", "2024-01-01T05:00:0x.000Z bad", "2024-01-01T05:00:07.5Z short",
            "2024-01-01T05:01:00.000Z next", "2024-01-01T05:00:01.001Z back", "2024-01-01T23:59:59.999Z day",
            "2024-01-02T00:00:00.000Z new", "2024-01-02 00:00:00.000Z space", "2024-01-02T00:00:00.000Z again",
            "2024-13-02T00:00:00.000Z month", "2024-01-02T00:00:00.000Zx", "continuation line of any kind",
        ]
        for line in lines + lines.reversed() {
            withBytes(line) { b in #expect(a.eventTime(b) == ExportEventAssembler.eventPrefix(b), "\(line)") }
        }
        #expect(
            withBytes("2024-01-01T05:00:07.250Z x") { a.eventTime($0) }
                == Timestamp.micros(year: 2024, month: 1, day: 1, hour: 5, minute: 0, second: 7, micro: 250_000))
    }

    let dir = makeTempDir()

    func file(_ name: String, _ bytes: [UInt8]) -> String {
        let p = dir + "/" + name
        write(p, bytes)
        return p
    }

    @Test func plainTextLinesWithCRLFAndNoFinalNewline() {
        let r = readFile(file("plain.log", Array("first\r\nsecond\n\nthird".utf8)))
        #expect(r.report.compression == "plain")
        #expect(r.report.framing == "lines")
        #expect(r.records.map(\.message) == ["first", "second", "third"])
        #expect(r.records.map(\.line) == [1, 2, 4])
        #expect(r.report.recordsSeen == 4)
        #expect(r.report.ignored == 1)  // the blank line
        #expect(r.report.parsed[SourceKind.lambda.rawValue] == 3)
    }

    @Test func multiMemberGzip() {
        let members = gzip(Array("a1\na2\n".utf8)) + gzip(Array("b1\n".utf8)) + gzip(Array("c1\nc2\n".utf8))
        let r = readFile(file("multi.gz", members))
        #expect(r.report.compression == "gzip")
        #expect(r.records.map(\.message) == ["a1", "a2", "b1", "c1", "c2"])
        #expect(r.report.fileError == nil)
        #expect(r.report.uncompressedBytes == 15)
        #expect(r.report.compressedBytes == Int64(members.count))
    }

    @Test func gzipInsideGzip() {
        let inner = gzip(Array("x\ny\n".utf8))
        let r = readFile(file("double", gzip(inner)))
        #expect(r.report.compression == "gzip+gzip")
        #expect(r.records.map(\.message) == ["x", "y"])
    }

    @Test func truncatedGzipKeepsRecordsBeforeDamage() {
        var text = ""
        for i in 1...5000 { text += "line \(i) with some padding to make the member long enough\n" }
        let full = gzip(Array(text.utf8))
        let cut = Array(full.prefix(full.count / 2))
        let r = readFile(file("cut.gz", cut))
        #expect(r.report.fileError?.contains("truncated gzip member") == true)
        #expect(r.report.fileError?.contains("compressed byte \(cut.count)") == true)
        #expect(r.records.count > 100)
        #expect(r.records.first?.message == "line 1 with some padding to make the member long enough")
        // Every record kept is a whole line, numbered in order.
        for (i, rec) in r.records.enumerated() { #expect(rec.message.hasPrefix("line \(i + 1) ")) }
        #expect(r.report.rejects.contains { $0.reason.contains("truncated gzip member") })
    }

    @Test func badCRCIsReportedWithOffset() {
        var gz = gzip(Array("hello\nworld\n".utf8))
        gz[gz.count - 8] ^= 0xFF  // corrupt the CRC32 in the trailer
        let r = readFile(file("crc.gz", gz))
        #expect(r.records.map(\.message) == ["hello", "world"])
        #expect(r.report.fileError?.contains("incorrect data check") == true)
    }

    @Test func nonGzipNamedGz() {
        let r = readFile(file("fake.gz", Array("just text\n".utf8)))
        #expect(r.report.fileError?.hasPrefix("named .gz but not gzip data at byte 0") == true)
        #expect(r.records.isEmpty)
    }

    @Test func emptyFile() {
        let r = readFile(file("empty.log", []))
        #expect(r.report.framing == "empty")
        #expect(r.report.recordsSeen == 0)
        #expect(r.report.fileError == nil)
    }

    @Test func overLongLineIsRejectedNotFatal() {
        var limits = ReaderLimits()
        limits.maxLineBytes = 1024 * 1024
        let long = String(repeating: "x", count: limits.maxLineBytes + 10)
        let p = file("long.log", Array("before\n\(long)\nafter\n".utf8))
        var consumer = CollectingConsumer()
        let report = LogFileReader(limits: limits).read(InputFile(index: 0, path: p), into: &consumer)
        #expect(consumer.records.map(\.message) == ["before", "after"])
        #expect(consumer.records.map(\.line) == [1, 3])
        #expect(report.rejected == 1)
        #expect(report.recordsSeen == 3)
        #expect(report.rejects.first?.line == 2)
        #expect(report.rejects.first?.reason.contains("1048576-byte limit") == true)
    }

    @Test func cloudWatchExportWithContinuationLines() {
        let text = """
            2024-01-01T00:00:01.905Z REPORT RequestId: 3f2b8c1e-5d4a-4e6f-9a0b-1c2d3e4f5a01\tDuration: 900.25 ms\t
            XRAY TraceId: 1-65920081-8f1c6d2a4b3e5f6a7b8c9d01\tSegmentId: 3d752a1b1bbe37e0\tSampled: true\t
            2024-01-01T00:00:03.000Z 2024-01-01 00:00:03 UTC:10.0.0.1(5):a@b:[1]:LOG:  duration: 1.0 ms  statement: UPDATE t
            \tSET a = 1

            """
        let r = readFile(
            file(
                "aws/lambda/orders/task/2024/01/01/[$LATEST]0123456789abcdef0123456789abcdef/000000.gz",
                gzip(Array(text.utf8))))
        #expect(r.report.framing == "cloudwatch-export")
        #expect(r.records.count == 2)
        #expect(
            r.records[0].message
                == "REPORT RequestId: 3f2b8c1e-5d4a-4e6f-9a0b-1c2d3e4f5a01\tDuration: 900.25 ms\t\nXRAY TraceId: 1-65920081-8f1c6d2a4b3e5f6a7b8c9d01\tSegmentId: 3d752a1b1bbe37e0\tSampled: true\t"
        )
        #expect(r.records[0].timestamp == 1_704_067_201_905_000)
        #expect(r.records[0].group == "/aws/lambda/orders")
        #expect(r.records[0].stream == "2024/01/01/[$LATEST]0123456789abcdef0123456789abcdef")
        #expect(r.records[1].line == 3)
        #expect(r.records[1].message.hasSuffix("UPDATE t\n\tSET a = 1"))
    }

    func envelope(_ type: String, group: String, events: [(Int64, String)]) -> String {
        let evs = events.enumerated().map { i, e in
            "{\"id\":\"\(i)\",\"timestamp\":\(e.0),\"message\":\(jsonString(e.1))}"
        }.joined(separator: ",")
        return
            "{\"messageType\":\"\(type)\",\"owner\":\"123456789012\",\"logGroup\":\"\(group)\",\"logStream\":\"s1\",\"subscriptionFilters\":[\"f\"],\"logEvents\":[\(evs)]}"
    }

    func jsonString(_ s: String) -> String {
        String(data: try! JSONSerialization.data(withJSONObject: [s]), encoding: .utf8)!.dropFirst().dropLast()
            .description
    }

    @Test func concatenatedEnvelopesWithoutNewlines() {
        let control = envelope(
            "CONTROL_MESSAGE", group: "", events: [(1, "CWL CONTROL MESSAGE: Checking health of destination Firehose.")]
        )
        let data = envelope(
            "DATA_MESSAGE", group: "/aws/lambda/pay",
            events: [
                (1704067200123, "START RequestId: x Version: $LATEST\n"),
                (1704067200500, "quote \" and \\u00e9 \u{1F600}"),
            ])
        let bytes = gzip(Array(control.utf8)) + gzip(Array(data.utf8))
        let r = readFile(file("firehose-object", bytes))
        #expect(r.report.framing == "cloudwatch-subscription")
        #expect(r.records.map(\.message) == ["START RequestId: x Version: $LATEST", "quote \" and \\u00e9 \u{1F600}"])
        #expect(r.records[0].timestamp == 1_704_067_200_123_000)
        #expect(r.records[0].group == "/aws/lambda/pay")
        #expect(r.records[0].stream == "s1")
        #expect(r.report.recordsSeen == 3)
        #expect(r.report.ignored == 1)
    }

    /// Envelope ends are found with the messages' strings skipped 64 bytes
    /// at a time; however the bytes arrive (a buffer refill can fall inside
    /// a message, inside an escape, inside a run of backslashes), every
    /// envelope must end exactly where it does.
    @Test func envelopeBoundariesSurviveAnySplit() {
        var g: UInt64 = 42
        func next() -> UInt64 {
            g = g &* 6364136223846793005 &+ 1442695040888963407
            return g >> 33
        }
        let pieces = [
            "{\"time\":\"2024-01-01T00:00:00Z\"}", "quote \" here", "back\\slash", "\\\\\\", "}{", "{", "plain text ",
            "\\u00e9",
        ]
        var text = "", ends: [Int] = []
        for k in 0..<30 {
            var message = ""
            for _ in 0..<Int(next() % 40) { message += pieces[Int(next() % UInt64(pieces.count))] }
            text += envelope(
                "DATA_MESSAGE", group: "/g", events: [(Int64(k), message), (Int64(k), String(message.reversed()))])
            ends.append(text.utf8.count)
        }
        let bytes = Array(text.utf8)
        for round in 0..<50 {
            var found: [Int] = []
            bytes.withUnsafeBytes { raw in
                var start = 0, scanned = 0
                var boundary = EnvelopeSplitter.Boundary()
                while start < raw.count {
                    // Bytes arrive in pieces of 1 to 300 bytes (all at once in round 0).
                    let to = round == 0 ? raw.count : min(raw.count, scanned + 1 + Int(next() % 300))
                    if let end = boundary.scan(raw, from: scanned, to: to) {
                        found.append(end)
                        start = end
                        scanned = end
                        boundary = EnvelopeSplitter.Boundary()
                    } else {
                        if to == raw.count { break }  // no end before the bytes run out
                        scanned = to
                    }
                }
            }
            #expect(found == ends, "round \(round)")
        }
    }

    @Test func envelopesOnePerLineAndMalformedOne() {
        let a = envelope("DATA_MESSAGE", group: "/g", events: [(1, "one")])
        let b = envelope("DATA_MESSAGE", group: "/g", events: [(2, "two"), (3, "three")])
        let text = a + "\n" + "{\"messageType\":\"DATA_MESSAGE\",\"logEvents\":[{\"message\":}]}\n" + b + "\n"
        let r = readFile(file("nd.json", Array(text.utf8)))
        #expect(r.records.map(\.message) == ["one", "two", "three"])
        #expect(r.records.map(\.line) == [1, 3, 3])
        #expect(r.report.rejected == 1)
        #expect(r.report.rejects.first?.line == 2)
    }

    @Test func surrogatePairsDecode() {
        var out: [UInt8] = []
        withBytes("a\\ud83d\\ude00b\\u00e9\\n\\ud800x") { _ = JSONScanner.unescape($0, into: &out) }
        #expect(String(decoding: out, as: UTF8.self) == "a\u{1F600}bé\n\u{FFFD}x")
    }

    @Test func directoryTreeSortedHiddenSkipped() throws {
        let root = dir + "/tree"
        write(root + "/b/2.log", Array("x\n".utf8))
        write(root + "/a/1.log", Array("x\n".utf8))
        write(root + "/.hidden/3.log", Array("x\n".utf8))
        write(root + "/a/.dot.log", Array("x\n".utf8))
        write(root + "/c.log", Array("x\n".utf8))
        let files = try InputDiscovery.expand([root])
        #expect(files.map { String($0.path.dropFirst(root.count)) } == ["/a/1.log", "/b/2.log", "/c.log"])
        #expect(files.map(\.index) == [0, 1, 2])
        #expect(throws: InputDiscovery.MissingInput.self) { try InputDiscovery.expand([root + "/nope"]) }
    }

    @Test func pathGivesLogGroupAndStream() {
        let h = LogGroupFromPath.infer("exportedlogs/aws/rds/instance/orders-pg/postgresql/task/orders-pg.0/000000.gz")
        #expect(h.group == "/aws/rds/instance/orders-pg/postgresql")
        let l = LogGroupFromPath.infer(
            "x/aws/lambda/fn/t/2024/01/02/fn[$LATEST]0123456789abcdef0123456789abcdef/000001.gz")
        #expect(l.group == "/aws/lambda/fn")
        #expect(l.stream == "2024/01/02/fn[$LATEST]0123456789abcdef0123456789abcdef")
    }
}
