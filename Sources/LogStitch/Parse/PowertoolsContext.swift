/// What a structured log line of Powertools for AWS Lambda (Python,
/// TypeScript, Java) says about its invocation: every line carries the
/// Lambda request id, and most the trace, the function, whether the
/// environment was cold, and the caller's correlation id (API Gateway's
/// request id with `correlation_id_path=API_GATEWAY_REST`). Where the
/// platform lines lack these (X-Ray off, a custom log group), they join
/// the invocation to its trace and request.
struct PowertoolsContext {
    var requestId: JSONScanner.Value?
    var traceId: JSONScanner.Value?
    var function: JSONScanner.Value?
    var coldStart: JSONScanner.Value?
    var correlationId: JSONScanner.Value?
    var functionArn: JSONScanner.Value?

    /// Keeps `v` if `key` is one of Powertools' (snake case in Python and
    /// TypeScript and Java v2, camel case in Java v1).
    mutating func take(_ s: JSONScanner, _ key: ByteView, _ v: JSONScanner.Value) {
        switch key.count {
        case 19 where key.equals("function_request_id"): requestId = v
        case 17 where key.equals("functionRequestId"): requestId = v
        case 13 where key.equals("xray_trace_id"): traceId = v
        case 11 where key.equals("xrayTraceId"): traceId = v
        case 13 where key.equals("function_name"): function = v
        case 12 where key.equals("functionName"): function = v
        case 10 where key.equals("cold_start"): coldStart = v
        case 9 where key.equals("coldStart"): coldStart = v
        case 14 where key.equals("correlation_id"): correlationId = v
        case 13 where key.equals("correlationId"): correlationId = v
        case 12 where key.equals("function_arn"): functionArn = v
        case 11 where key.equals("functionArn"): functionArn = v
        default: break
        }
    }

    /// The line's context as an event, if it names an invocation.
    func event(_ s: JSONScanner, time: EpochMicros?, make: (LambdaEvent.Kind) -> LambdaEvent) -> LambdaEvent? {
        guard let r = requestId, r.kind == .string, ASCII.isUUID(s.raw(r)) else { return nil }
        let ev = make(.context)
        ev.requestId = RequestId.lowercased(s.raw(r))
        ev.time = time
        if let t = traceId, t.kind == .string { ev.traceId = TraceId.parse(s.raw(t)) }
        if let f = function, f.kind == .string, f.end > f.start { ev.function = s.string(f) }
        if let c = coldStart {
            // `true`, or "true" where a logger printed every value as a string.
            let raw = s.raw(c)
            if raw.equals("true") { ev.coldStart = true } else if raw.equals("false") { ev.coldStart = false }
        }
        if let c = correlationId, c.kind == .string, c.end > c.start { ev.correlationId = RequestId(s.raw(c)) }
        if let a = functionArn, a.kind == .string, let arn = FunctionARN(s.string(a)) { ev.functionArn = arn.text }
        return ev
    }
}

/// `arn:aws:lambda:<region>:<account>:function:<name>[:<qualifier>]`, as
/// Powertools logs it (`function_arn`): where the function's logs name its
/// region and account. Kept without the qualifier (a version or alias),
/// as X-Ray's `aws.function_arn` names the function.
struct FunctionARN {
    let text: String
    let region: String
    let account: String

    init?(_ logged: String) {
        let parts = logged.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 7 || parts.count == 8, parts[0] == "arn", parts[1].hasPrefix("aws"), parts[2] == "lambda",
            parts[5] == "function", !parts[3].isEmpty, !parts[6].isEmpty,
            parts[4].utf8.count == 12, parts[4].utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
            logged.utf8.count <= 256
        else { return nil }
        text = parts[0..<7].joined(separator: ":")
        region = String(parts[3])
        account = String(parts[4])
    }
}
