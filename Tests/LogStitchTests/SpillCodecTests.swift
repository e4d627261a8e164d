import Foundation
import Testing

@testable import LogStitch

/// Records parked in the spill must come back field for field, including
/// values written as "same as the last one" across separately flushed pieces.
@Suite struct SpillCodecTests {
    func event(_ id: String, stream: String, time: Int64) -> LambdaEvent {
        let e = LambdaEvent(kind: .report)
        e.requestId = RequestId(id)
        e.time = time
        e.logGroup = "/aws/lambda/orders"
        e.logStream = stream
        e.durationUs = 1_500
        e.billedDurationUs = 2_000
        e.memorySizeMB = 512
        e.file = 3
        e.line = Int(time % 1000)
        return e
    }

    /// The sender pass skips the fields it does not need by their encoding:
    /// with every field of an event set, it must land on the next event.
    @Test func senderPassReadsEveryLambdaFieldInStep() {
        let trace = TraceId(epoch: 1, high: 2, low: 3)
        func full(_ id: String, function: String) -> LambdaEvent {
            let e = event(id, stream: "s", time: 10)
            e.function = function
            e.version = "7"
            e.initDurationUs = 1
            e.restoreDurationUs = 2
            e.billedRestoreDurationUs = 3
            e.maxMemoryUsedMB = 4
            e.status = .error
            e.errorType = "E"
            e.errorMessage = "m"
            e.traceId = trace
            e.segmentId = 0x3d75_2a1b_1bbe_37e0
            e.sampled = true
            e.runtimeOverheadUs = 5
            return e
        }
        var lambda = SpillWriter(), statements = SpillWriter()
        for e in [full("a", function: "first"), full("b", function: "second")] {
            lambda.tag(.lambdaEvent)
            e.encode(&lambda)
        }
        let q = SlowQuery(engine: .mysql)
        q.instance = "db"
        q.user = "app"
        q.end = 10
        q.text = "SELECT 1"
        q.keys.requestId = "b"
        statements.tag(.query)
        q.encode(&statements)
        let spilled: [SpillTag: Data] = [.lambdaEvent: Data(lambda.bytes), .query: Data(statements.bytes)]
        let index = SenderLearner.learn({ kind in spilled[kind].map { [$0] } ?? [] }, ownsEnd: { _ in true })
        #expect(index.functions(instance: "db", user: "app") == ["second"])
    }

    /// Kinds and statuses are spilled as their index in a table.
    @Test func kindAndStatusCodesIndexTheirTables() {
        for (i, k) in LambdaEvent.Kind.all.enumerated() { #expect(k.code == Int64(i), "\(k)") }
        for (i, s) in InvocationStatus.all.enumerated() { #expect(s.code == Int64(i), "\(s)") }
    }

    @Test func lambdaEventsRoundTripAcrossPieces() {
        // Two pieces, as two flushes append them to one bucket file.
        var first = SpillWriter(), second = SpillWriter()
        let events = [
            event("a", stream: "s1", time: 1), event("b", stream: "s1", time: 2), event("c", stream: "s2", time: 3),
        ]
        for e in events[0..<2] {
            first.tag(.lambdaEvent)
            e.encode(&first)
        }
        second.tag(.lambdaEvent)
        events[2].encode(&second)
        second.tag(.lambdaEvent)
        events[1].encode(&second)
        let file = first.bytes + second.bytes
        // The repeated group costs one byte after its first appearance in a piece.
        #expect(first.bytes.count < 2 * 40 + "/aws/lambda/orders".utf8.count)
        var decoded: [LambdaEvent] = []
        file.withUnsafeBytes { raw in
            var r = SpillReader(raw)
            while !r.atEnd {
                #expect(SpillTag(rawValue: r.byte()) == .lambdaEvent)
                decoded.append(LambdaEvent(&r))
            }
        }
        #expect(decoded.map(\.requestId) == ["a", "b", "c", "b"])
        #expect(decoded.map(\.logStream) == ["s1", "s1", "s2", "s1"])
        #expect(decoded.allSatisfy { $0.logGroup == "/aws/lambda/orders" && $0.function == nil })
        #expect(decoded.map(\.time) == [1, 2, 3, 2])
        #expect(decoded.allSatisfy { $0.durationUs == 1_500 && $0.billedDurationUs == 2_000 && $0.memorySizeMB == 512 })
    }

    /// Events of one source in a row are written as "the same as before"
    /// by identity; a source missing its group or stream in between must
    /// not let a later event inherit the wrong strings, and decoded events
    /// of one source in a row share one object.
    @Test func sharedSourcesRoundTripAroundPartialOnes() {
        let a = LogSource(logGroup: "/aws/lambda/orders", logStream: "s1")
        let streamOnly = LogSource(logGroup: nil, logStream: "s2")
        let groupOnly = LogSource(logGroup: "/aws/lambda/other", logStream: nil)
        let sameAsA = LogSource(logGroup: "/aws/lambda/orders", logStream: "s1")
        // An envelope's owner: with it, then the same strings without it.
        let owned = LogSource(logGroup: "/aws/lambda/orders", logStream: "s1", owner: "123456789012")
        let sources: [LogSource?] = [a, a, streamOnly, a, groupOnly, a, nil, sameAsA, a, owned, owned, a, owned]
        var w = SpillWriter()
        for (i, source) in sources.enumerated() {
            let e = event("e\(i)", stream: "x", time: Int64(i))
            e.source = source
            w.tag(.lambdaEvent)
            e.encode(&w)
        }
        var decoded: [LambdaEvent] = []
        w.bytes.withUnsafeBytes { raw in
            var r = SpillReader(raw)
            while !r.atEnd {
                #expect(SpillTag(rawValue: r.byte()) == .lambdaEvent)
                decoded.append(LambdaEvent(&r))
            }
        }
        #expect(decoded.map(\.logGroup) == sources.map { $0?.logGroup })
        #expect(decoded.map(\.logStream) == sources.map { $0?.logStream })
        #expect(decoded.map { $0.source?.owner } == sources.map { $0?.owner })
        #expect(decoded[9].source === decoded[10].source)
        #expect(decoded[0].source === decoded[1].source)
        #expect(decoded[7].source === decoded[8].source)
        #expect(decoded[3].source !== decoded[2].source)
    }

    @Test func requestsAndStatementsRoundTrip() {
        let r = ApiGatewayRequest(
            requestId: "req-1", apiId: "a1b2c3d4e5", stage: "prod", method: "GET", route: "/orders/{id}",
            accountId: "123456789012")
        r.status = 200
        r.start = 1_704_067_201_000_000
        r.responseLatencyMs = 912
        r.integrationRequestId = "l-1"
        r.traceId = TraceId(validating: "1-65920081-8f1c6d2a4b3e5f6a7b8c9d01")
        let q = SlowQuery(engine: .postgresql)
        q.instance = "orders-pg"
        q.database = "orders"
        q.user = "app"
        q.end = 1_704_067_202_000_000
        q.durationUs = 25_412
        q.text = "SELECT 1"
        q.keys.requestId = "l-1"
        q.fingerprint = "select ?"
        q.fingerprintId = "E3C0A6B8F1D2C4A5"
        var w = SpillWriter()
        for _ in 0..<2 {
            w.tag(.request)
            r.encode(&w)
            w.tag(.query)
            q.encode(&w)
        }
        var requests: [ApiGatewayRequest] = [], queries: [SlowQuery] = []
        w.bytes.withUnsafeBytes { raw in
            var rd = SpillReader(raw)
            while !rd.atEnd {
                switch SpillTag(rawValue: rd.byte()) {
                case .request: requests.append(ApiGatewayRequest(&rd))
                case .query: queries.append(SlowQuery(&rd))
                default: Issue.record("unexpected tag")
                }
            }
        }
        #expect(requests.count == 2 && queries.count == 2)
        for d in requests {
            #expect(d.requestId == "req-1" && d.apiId == "a1b2c3d4e5" && d.stage == "prod" && d.route == "/orders/{id}")
            #expect(d.status == 200 && d.start == 1_704_067_201_000_000 && d.responseLatencyMs == 912)
            #expect(d.traceId?.text == "1-65920081-8f1c6d2a4b3e5f6a7b8c9d01" && d.accountId == "123456789012")
            #expect(d.domainName == nil && d.integrationRequestId == "l-1")
        }
        for d in queries {
            #expect(d.instance == "orders-pg" && d.database == "orders" && d.user == "app" && d.clientHost == nil)
            #expect(d.durationUs == 25_412 && d.keys.requestId == "l-1")
            #expect(d.fingerprint == "select ?" && d.fingerprintId == "E3C0A6B8F1D2C4A5")
        }
    }

    /// Two workers append pieces of many buckets and kinds to their own
    /// files, interleaved and flushed several times; each bucket reads back
    /// whole, and the sender pass can ask for one kind alone.
    @Test func storeReadsBackEachBucketAndKind() throws {
        let dir = makeTempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let store = try SpillStore(parent: dir)
        defer { store.remove() }
        var writers = [SpillStore.Writer(store: store), SpillStore.Writer(store: store)]
        let base: Int64 = 1_704_067_200_000_000
        var expected: [Int64: [String]] = [:]
        for round in 0..<3 {
            for i in 0..<40 {
                let w = i % 2
                let t = base + Int64(i % 4) * SpillStore.bucketMicros + Int64(round)
                var file = ParsedFile()
                let e = event("e-\(round)-\(i)", stream: "s\(w)", time: t)
                file.lambdaEvents = [e]
                if i % 5 == 0 {
                    let q = SlowQuery(engine: .mysql)
                    q.instance = "db"
                    q.end = t
                    q.durationUs = 10
                    q.text = "q-\(round)-\(i)"
                    file.queries = [q]
                }
                try writers[w].add(file)
                expected[SpillStore.bucket(t), default: []].append("e-\(round)-\(i)")
            }
            for w in writers.indices { try writers[w].flush() }
        }
        #expect(store.buckets.count == 4)
        for b in store.buckets {
            let read = store.read(bucket: b)
            #expect(Set(read.lambdaEvents.map(\.requestId!.text)) == Set(expected[b]!))
            #expect(read.lambdaEvents.count == expected[b]!.count)
            var statements = 0
            SpillReader.forEachRecord(in: store.spilled(bucket: b, kinds: [.query])) { r, tag in
                #expect(tag == .query)
                _ = SlowQuery(&r)
                statements += 1
            }
            #expect(statements == read.queries.count && statements > 0)
        }
        #expect(store.readFailure == nil)
    }

    /// A bucket holding one request many times (a line repeated, one
    /// access log given twice) reads back one copy of it, the earliest by
    /// (file, line), whichever worker wrote it first; other requests stay.
    @Test func copiesOfARequestReadBackOnce() throws {
        let dir = makeTempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let store = try SpillStore(parent: dir)
        defer { store.remove() }
        var writers = [SpillStore.Writer(store: store), SpillStore.Writer(store: store)]
        let t: Int64 = 1_704_067_200_000_000
        for i in 0..<10_000 {
            let r = ApiGatewayRequest(
                requestId: RequestId(i % 1000 == 999 ? "other-\(i)" : "same"), apiId: "a", stage: "prod", method: "GET",
                route: "/")
            r.start = i % 1000 == 998 ? t + 1 : t
            r.file = 1 + (i * 7919) % 10_000
            r.line = i
            var file = ParsedFile()
            file.requests = [r]
            try writers[i % 2].add(file)
        }
        for w in writers.indices { try writers[w].flush() }
        let read = store.read(bucket: SpillStore.bucket(t))
        // "same" at t, "same" at t + 1, and ten others.
        #expect(read.requests.count == 12)
        let same = read.requests.filter { $0.requestId == "same" && $0.start == t }
        #expect(same.count == 1 && same.first?.file == 1 && same.first?.line == 0)
        #expect(read.requests.filter { $0.requestId.text.hasPrefix("other-") }.count == 10)
    }

    /// Common values come back equal whether or not the reader still has
    /// them at hand (more distinct values than it keeps, empty ones too).
    @Test func commonStringsComeBackExactly() {
        var values: [String] = []
        for i in 0..<60 {
            values.append(
                i % 3 == 0
                    ? "/orders/{orderId}" : i % 7 == 0 ? "" : "route-\(i % 23)-" + String(repeating: "x", count: i % 5))
        }
        var w = SpillWriter()
        for v in values { w.string(v) }
        w.bytes.withUnsafeBytes { raw in
            var r = SpillReader(raw)
            #expect(values.map { _ in r.commonString() } == values)
            #expect(r.atEnd)
            #expect(r.recent.count <= RecentStrings.capacity)
        }
    }

    /// Statement classes come back exactly across pieces: each piece (a
    /// new writer) numbers its classes from 0 again, the reader reads the
    /// pieces as one stream, and an id seen with another fingerprint is a
    /// class of its own.
    @Test func queryClassesComeBackAcrossPieces() {
        let pieces: [[(String, String)]] = [
            [("select ?", "A1"), ("update t set x=?", "B2"), ("select ?", "A1"), ("", ""), ("select ?", "A1")],
            [
                ("update t set x=?", "B2"), ("delete from t", "C3"), ("update t set x=?", "B2"), ("other", "A1"),
                ("select ?", "A1"),
            ],
        ]
        var bytes: [UInt8] = []
        for piece in pieces {
            var w = SpillWriter()
            for (f, id) in piece { w.queryClass(f, id) }
            bytes += w.bytes
        }
        // 7 definitions (78 bytes of strings and 5 of header each: no
        // pt-query-digest id), 3 repeats of 2.
        #expect(bytes.count == 119)
        bytes.withUnsafeBytes { raw in
            var r = SpillReader(raw)
            let read = pieces.joined().map { _ in r.queryClass() }
            #expect(read.map(\.0) == pieces.joined().map(\.0))
            #expect(read.map(\.1) == pieces.joined().map(\.1))
            #expect(r.atEnd)
            var s = SpillReader(raw)
            for _ in pieces.joined() { s.skipQueryClass() }
            #expect(s.atEnd)
        }
    }

    /// Requests go to the spill as the parser read them, without an object;
    /// the bytes must be those of the object's own encoding, so both read
    /// back alike: escapes, non-ASCII and invalid UTF-8 (repaired the same
    /// way), absent values, and repeated values (stage, API, domain) that
    /// change, repeat, or are equal as Strings but not as bytes.
    @Test func requestsReadStraightToTheSpillEncodeAsTheirObjectsDo() {
        let csv =
            "$context.requestId,$context.identity.sourceIp,$context.requestTimeEpoch,$context.httpMethod,$context.resourcePath,$context.status,$context.responseLatency,$context.integrationLatency,$context.integration.requestId,$context.stage,$context.apiId"
        var lines: [[UInt8]] = [
            Array(
                #"{"requestId":"c12d1542-b79e-4e79-a158-fdf36452a81b","ip":"1.128.0.0","requestTime":"26/Jul/2023:12:07:03 +0000","httpMethod":"GET","resourcePath":"/pets/{petId}","path":"/prod/pets/7","status":"200","protocol":"HTTP/1.1","responseLength":"48","stage":"prod","apiId":"asad15n3p0","domainName":"asad15n3p0.execute-api.us-east-1.amazonaws.com","userAgent":"curl/8 \"quoted\" caf\u00e9"}"#
                    .utf8),
            Array(
                #"{"requestId":"r2","httpMethod":"POST","status":"-","stage":"prod","apiId":"asad15n3p0","domainName":"asad15n3p0.execute-api.us-east-1.amazonaws.com","userAgent":"-","xrayTraceId":"Root=1-65920080-e47df32a3a62429308cab724"}"#
                    .utf8),
            Array(
                "b2000000-0000-4000-8000-000000000001,203.0.113.5,1704067202000,GET,/orders/{orderId},200,75,70,3F2B8C1E-5D4A-4E6F-9A0B-1C2D3E4F5A11,staging,a1b2c3d4e5"
                    .utf8),
            Array("r4,203.0.113.5,1704067202.5,GET,/caf\u{e9},503,-,-,-,caf\u{e9},a1b2c3d4e5".utf8),
            // The same stage, decomposed: equal as a String, other bytes.
            Array("r5,203.0.113.5,1704067203000,GET,/x,200,1,1,-,cafe\u{301},a1b2c3d4e5".utf8),
        ]
        // Invalid UTF-8 in a path and a stage.
        lines.append(
            Array("r6,203.0.113.5,1704067204000,GET,/bad".utf8) + [0xFF, 0xFE] + Array(",200,1,1,-,st".utf8) + [0xC3]
                + Array(",a1b2c3d4e5".utf8))
        var viaObjects = SpillWriter(), viaFields = SpillWriter()
        var parser = ApiGatewayLogParser(templates: [try! ApiGatewayTemplate(csv)])
        var parsed = 0
        for (n, line) in lines.enumerated() {
            line.withUnsafeBytes { bytes in
                guard case .request = parser.read(bytes, time: 1_704_067_200_000_000) else { return }
                parsed += 1
                parser.fields.encode(&viaFields, file: 1, line: n)
                let r = parser.request()
                r.file = 1
                r.line = n
                r.encode(&viaObjects)
            }
        }
        #expect(parsed == lines.count)
        #expect(viaFields.bytes == viaObjects.bytes)
        #expect(viaFields.bytes.count > 300)
    }

    /// Statements read back from a spill file keep their text where the
    /// read put it: the same text, length and bytes as written (UTF-8 of
    /// several widths included), without a String until one is asked for.
    @Test func spilledStatementTextIsTheTextWritten() {
        let texts = [
            "SELECT 1", "", "UPDATE t SET name = 'Zoë 北京 🚀' WHERE id = 7", String(repeating: "x", count: 70_000),
        ]
        var w = SpillWriter()
        for text in texts {
            let q = SlowQuery(engine: .mysql)
            q.text = text
            q.fingerprint = "select ?"
            q.fingerprintId = "E3C0A6B8F1D2C4A5"
            w.tag(.query)
            q.encode(&w)
        }
        var read: [SlowQuery] = []
        SpillReader.forEachRecord(in: [Data(w.bytes)]) { r, tag in
            #expect(tag == .query)
            read.append(SlowQuery(&r))
        }
        #expect(read.count == texts.count)
        for (q, text) in zip(read, texts) {
            guard case .spilled(let data, let range) = q.storedText else {
                Issue.record("text was made a String on reading")
                continue
            }
            #expect(q.text == text)
            #expect(q.textByteCount == text.utf8.count)
            #expect(Array(data[range]) == Array(text.utf8))
            q.text = "changed"
            #expect(q.text == "changed" && q.textByteCount == 7)
        }
    }
}
