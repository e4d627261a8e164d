extension ApiGatewayLogParser {
    /// A request's values as read, where they lie: in the line, or (values
    /// with JSON escapes) in `escapedValues`. Valid until the next line is
    /// read. A run that spills writes them to the spill as they are; no
    /// `ApiGatewayRequest` or String is made for them until the request is
    /// read back (PERFORMANCE.md, "requests straight to the spill").
    struct RequestFields {
        var requestId: RequestId = ""
        var extendedRequestId: ByteView?, apiId: ByteView?, stage: ByteView?, method: ByteView?, route: ByteView?
        var path: ByteView?, domainName: ByteView?, protocolName: ByteView?, sourceIp: ByteView?, userAgent: ByteView?
        var errorMessage: ByteView?, accountId: ByteView?
        /// WebSocket APIs: CONNECT, MESSAGE or DISCONNECT, and the connection.
        var eventType: ByteView?, connectionId: ByteView?
        /// `$context.error.responseType`: why the gateway answered an error itself.
        var errorResponseType: ByteView?
        var status: Int?
        var responseLength: Int64?
        var start: EpochMicros?
        var startResolution: EpochMicros = 1000
        var responseLatencyMs: Int64?
        var integrationLatencyMs: Int64?
        var integrationRequestId: RequestId?
        var traceId: TraceId?
    }

    /// Decoded values with JSON escapes, held until the next line (the
    /// fields point into it).
    final class EscapedValues {
        private var storage = UnsafeMutableRawBufferPointer.allocate(byteCount: 1024, alignment: 1)
        /// Copies `values` in, one after another, and returns where each lies.
        func hold(_ values: [[UInt8]]) -> [ByteView] {
            let total = values.reduce(0) { $0 + $1.count }
            if total > storage.count {
                storage.deallocate()
                storage = .allocate(byteCount: max(total, 2 * storage.count), alignment: 1)
            }
            var at = 0, views: [ByteView] = []
            for v in values {
                v.withUnsafeBytes {
                    if let src = $0.baseAddress {
                        storage.baseAddress!.advanced(by: at).copyMemory(from: src, byteCount: v.count)
                    }
                }
                views.append(ByteView(rebasing: UnsafeRawBufferPointer(storage)[at..<(at + v.count)]))
                at += v.count
            }
            return views
        }
        deinit { storage.deallocate() }
    }
}
