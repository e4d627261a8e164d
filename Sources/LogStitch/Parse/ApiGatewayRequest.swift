/// One API Gateway access log record, whatever template wrote it.
/// Absent values (`-`, `(none)`, empty) are nil.
/// A class: records are passed around a lot and never shared between threads
/// while being changed, so a reference beats copying a dozen strings. The
/// ids and strings are constants, set once by `init`: a writer can then
/// read them in place, where a `var` would be retained and released around
/// every use (the writers read them tens of millions of times a run).
public final class ApiGatewayRequest: @unchecked Sendable {
    public let requestId: RequestId
    public let extendedRequestId: String?
    public let apiId: String?
    public let stage: String?
    public let method: String?
    /// Resource path (REST) or route key (HTTP APIs).
    public let route: String?
    public let path: String?
    public let domainName: String?
    public let protocolName: String?
    /// `$context.integration.requestId`: the Lambda RequestId for Lambda integrations.
    public var integrationRequestId: RequestId?
    public var traceId: TraceId?
    /// Request start; `startResolution` says how precise it is (1 ms from
    /// `requestTimeEpoch` on REST, 1 s from `requestTime` or HTTP-API epochs).
    public var startResolution: EpochMicros = 1000
    // Optional numbers in 8 bytes each, not 16 (see `Compact`).
    @Compact public var status: Int? = nil
    @Compact public var responseLength: Int64? = nil
    @Compact public var start: EpochMicros? = nil
    @Compact public var responseLatencyMs: Int64? = nil
    @Compact public var integrationLatencyMs: Int64? = nil
    public let sourceIp: String?
    public let userAgent: String?
    public let errorMessage: String?
    /// `$context.error.responseType` (`INTEGRATION_TIMEOUT`, `THROTTLED`,
    /// `DEFAULT_5XX`, …): why the gateway answered an error itself.
    public let errorResponseType: String?
    public let accountId: String?
    /// WebSocket APIs' `$context.eventType` (CONNECT, MESSAGE, DISCONNECT)
    /// and `$context.connectionId`; nil for REST and HTTP APIs.
    public let eventType: String?
    public let connectionId: String?
    /// Where it was read, for reports and rejects.
    public var file: Int = 0
    public var line: Int = 0

    public init(
        requestId: RequestId = "", extendedRequestId: String? = nil, apiId: String? = nil, stage: String? = nil,
        method: String? = nil, route: String? = nil, path: String? = nil, domainName: String? = nil,
        protocolName: String? = nil, sourceIp: String? = nil, userAgent: String? = nil, errorMessage: String? = nil,
        accountId: String? = nil, eventType: String? = nil, connectionId: String? = nil,
        errorResponseType: String? = nil
    ) {
        self.errorResponseType = errorResponseType
        self.requestId = requestId
        self.extendedRequestId = extendedRequestId
        self.apiId = apiId
        self.stage = stage
        self.method = method
        self.route = route
        self.path = path
        self.domainName = domainName
        self.protocolName = protocolName
        self.sourceIp = sourceIp
        self.userAgent = userAgent
        self.errorMessage = errorMessage
        self.accountId = accountId
        self.eventType = eventType
        self.connectionId = connectionId
    }

    /// A WebSocket API's message: it has a connection, not an HTTP method.
    public var isWebSocket: Bool { eventType != nil || connectionId != nil }
}
