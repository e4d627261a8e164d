import Foundation
import Testing

@testable import LogStitch

/// Every spilled record kind's encoding, decoder and partial readers agree
/// with its declared `SpillLayout` (issue: structure, item 1): skipped field
/// by field by its layout, a record ends exactly where its encoding ends,
/// and so does every reader, for records with every field set and with
/// none. A field added to `encode` but not to the layout, or a partial
/// reader left a field behind, fails here by name.
@Suite struct SpillLayoutTests {
    /// The encoded bytes of `records`, each after its tag, and where each ends.
    func encoded(_ write: (inout SpillWriter) -> Void) -> [UInt8] {
        var w = SpillWriter()
        write(&w)
        return w.bytes
    }

    /// Reads the bytes record by record with `read` and with the layout's
    /// skipper; both must stop at the same places and at the end.
    func agree<L: SpillLayout>(
        _ bytes: [UInt8], _ layout: L.Type, _ count: Int, _ what: String,
        _ read: (inout SpillReader) -> Void
    ) {
        bytes.withUnsafeBytes { raw in
            var byLayout = SpillReader(raw), byReader = SpillReader(raw)
            for k in 0..<count {
                _ = byLayout.byte()
                _ = byReader.byte()
                byLayout.skipRecord(layout)
                read(&byReader)
                #expect(byLayout.position == byReader.position, "\(what), record \(k)")
            }
            #expect(byLayout.atEnd && byReader.atEnd, "\(what)")
        }
    }

    func requests() -> [ApiGatewayRequest] {
        let full = ApiGatewayRequest(
            requestId: "a1000000-0000-4000-8000-000000000001", extendedRequestId: "Y2xhc3NpYz0=", apiId: "a1b2c3d4e5",
            stage: "prod", method: "GET", route: "/orders/{id}", path: "/prod/orders/42",
            domainName: "api.example.com", protocolName: "HTTP/1.1", sourceIp: "198.51.100.7", userAgent: "curl/8.5.0",
            errorMessage: "boom", accountId: "123456789012", eventType: "MESSAGE", connectionId: "abc=")
        full.status = 502
        full.responseLength = 10
        full.start = 1_704_067_201_000_000
        full.responseLatencyMs = 912
        full.integrationLatencyMs = 905
        full.integrationRequestId = "3f2b8c1e-5d4a-4e6f-9a0b-1c2d3e4f5a01"
        full.traceId = TraceId(validating: "1-65920081-8f1c6d2a4b3e5f6a7b8c9d01")
        full.file = 3
        full.line = 70_000
        return [full, ApiGatewayRequest(requestId: "r-2"), full]
    }

    func events() -> [LambdaEvent] {
        let full = LambdaEvent(kind: .report)
        full.requestId = "3f2b8c1e-5d4a-4e6f-9a0b-1c2d3e4f5a01"
        full.time = 1_704_067_201_905_000
        full.source = LogSource(
            logGroup: "/aws/lambda/orders", logStream: "2024/01/01/[$LATEST]ab", owner: "123456789012")
        full.function = "orders"
        full.version = "$LATEST"
        full.initDurationUs = 420_500
        full.restoreDurationUs = 1
        full.billedRestoreDurationUs = 2
        full.durationUs = 900_250
        full.billedDurationUs = 901_000
        full.memorySizeMB = 512
        full.maxMemoryUsedMB = 91
        full.status = .timeout
        full.errorType = "Sandbox.Timedout"
        full.errorMessage = "Task timed out"
        full.traceId = TraceId(validating: "1-65920081-8f1c6d2a4b3e5f6a7b8c9d01")
        full.segmentId = 0x3d75_2a1b_1bbe_37e0
        full.sampled = true
        full.runtimeOverheadUs = 120
        full.file = 2
        full.line = 9
        full.coldStart = true
        full.correlationId = "a1000000-0000-4000-8000-000000000001"
        full.functionArn = "arn:aws:lambda:eu-west-1:123456789012:function:orders"
        return [full, LambdaEvent(kind: .start), full]
    }

    func statements() -> [SlowQuery] {
        let full = SlowQuery(engine: .postgresql)
        full.instance = "orders-pg"
        full.database = "orders"
        full.user = "app"
        full.clientHost = "10.0.0.1"
        full.connectionId = 4242
        full.end = 1_704_067_202_000_000
        full.endResolution = 1_000_000
        full.durationUs = 25_412
        full.lockTimeUs = 10
        full.rowsSent = 1
        full.rowsExamined = 9000
        full.text = "SELECT * FROM stock WHERE sku = $1 /*request_id='3f2b8c1e-5d4a-4e6f-9a0b-1c2d3e4f5a11'*/"
        full.parameters = "$1 = 'SKU-1'"
        full.fingerprint = "select * from stock where sku = $?"
        full.fingerprintId = "7148D8578F1CEAD1"
        full.ptChecksum = "A2B839FF64CE4C4A"
        full.keys.requestId = "3f2b8c1e-5d4a-4e6f-9a0b-1c2d3e4f5a11"
        full.keys.traceId = TraceId(validating: "1-65920081-8f1c6d2a4b3e5f6a7b8c9d01")
        return [full, SlowQuery(engine: .mysql), full]
    }

    @Test func requestsFollowTheirLayout() {
        let rs = requests()
        let bytes = encoded { w in
            for r in rs {
                w.tag(.request)
                r.encode(&w)
            }
        }
        agree(bytes, ApiGatewayRequestLayout.self, rs.count, "decoder") { r in _ = ApiGatewayRequest(&r) }
        agree(bytes, ApiGatewayRequestLayout.self, rs.count, "sender pass") { r in
            _ = r.requestId()
            r.skipRequestUpToIntegration()
            _ = r.requestId()
            r.skipRequestRest()
        }
    }

    @Test func lambdaEventsFollowTheirLayout() {
        let es = events()
        let bytes = encoded { w in
            for e in es {
                w.tag(.lambdaEvent)
                e.encode(&w)
            }
        }
        agree(bytes, LambdaEventLayout.self, es.count, "decoder") { r in _ = LambdaEvent(&r) }
        agree(bytes, LambdaEventLayout.self, es.count, "sender pass") { r in _ = r.lambdaSenderFields() }
        // And the sender pass reads the fields it names, not its neighbours.
        bytes.withUnsafeBytes { raw in
            var r = SpillReader(raw)
            _ = r.byte()
            let f = r.lambdaSenderFields()
            #expect(f.requestId == es[0].requestId && f.trace == es[0].traceId)
            #expect(f.function.map { String(decoding: $0, as: UTF8.self) } == "orders")
            #expect(f.stream.map { String(decoding: $0, as: UTF8.self) } == "2024/01/01/[$LATEST]ab")
        }
    }

    @Test func statementsFollowTheirLayout() {
        let qs = statements()
        let bytes = encoded { w in
            for q in qs {
                w.tag(.query)
                q.encode(&w)
            }
        }
        agree(bytes, SlowQueryLayout.self, qs.count, "decoder") { r in _ = SlowQuery(&r) }
        agree(bytes, SlowQueryLayout.self, qs.count, "sender pass") { r in _ = r.commentedStatement() }
    }
}
