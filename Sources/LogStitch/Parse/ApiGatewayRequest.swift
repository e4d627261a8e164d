/// One API Gateway access log record, whatever template wrote it.
/// Absent values (`-`, `(none)`, empty) are nil.
/// A class: records are passed around a lot and never shared between threads
/// while being changed, so a reference beats copying a dozen strings.
public final class ApiGatewayRequest: @unchecked Sendable {
    public var requestId: RequestId = ""
    public var extendedRequestId: String?
    public var apiId: String?
    public var stage: String?
    public var method: String?
    /// Resource path (REST) or route key (HTTP APIs).
    public var route: String?
    public var path: String?
    public var domainName: String?
    public var protocolName: String?
    public var status: Int?
    public var responseLength: Int64?
    /// Request start; `startResolution` says how precise it is (1 ms from
    /// `requestTimeEpoch` on REST, 1 s from `requestTime` or HTTP-API epochs).
    public var start: EpochMicros?
    public var startResolution: EpochMicros = 1000
    public var responseLatencyMs: Int64?
    public var integrationLatencyMs: Int64?
    /// `$context.integration.requestId`: the Lambda RequestId for Lambda integrations.
    public var integrationRequestId: RequestId?
    public var traceId: TraceId?
    public var sourceIp: String?
    public var userAgent: String?
    public var errorMessage: String?
    public var accountId: String?
    /// Where it was read, for reports and rejects.
    public var file: Int = 0
    public var line: Int = 0

    public init() {}
}
