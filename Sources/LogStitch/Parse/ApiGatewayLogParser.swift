#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Parses API Gateway access-log lines with the stage templates given by
/// `--apigw-format` (first match wins), else with the default JSON key
/// names and the documented CLF formats.
public struct ApiGatewayLogParser {
    public let templates: [ApiGatewayTemplate]
    var slots: [Range<Int>?] = []
    var values: [ByteView?] = Array(repeating: nil, count: ApiGatewayField.allCases.count)
    /// Routes, methods and user agents repeat line after line (see `RecentStrings`).
    var recent = RecentStrings()
    /// Scratch for JSON lines, kept between lines: the key path of nested
    /// members, and values that had escapes (locals captured by the member
    /// function were boxed on the heap, twice per line).
    var jsonPath: [UInt8] = []
    var escaped: [(ApiGatewayField, String)] = []

    public enum Result {
        case request(ApiGatewayRequest)
        case notApiGateway
        case malformed(String)
    }

    /// What `read` made of a line; a request's values are then in `fields`.
    enum Outcome {
        case request
        case notApiGateway
        case malformed(String)
    }

    /// The last request read (see `RequestFields`).
    private(set) var fields = RequestFields()
    /// Where values with JSON escapes are decoded to (see `EscapedValues`).
    let escapedValues = EscapedValues()

    public init(templates: [ApiGatewayTemplate]) {
        self.templates = templates
        templateTables = templates.map { t in
            if case .json(let map) = t.kind { return KeyTable(map) }
            return nil
        }
        // Copies of their own: the templates are shared by every worker (see `ownCopy`).
        templateMatchers = templates.map { $0.matcher?.ownCopy() }
        templateReadsBraceLines = templates.map { $0.matcher?.mayMatchBraceLine ?? true }
        // Without templates given, the documented CLF formats are tried after JSON.
        defaultMatchers = [ApiGatewayTemplate.restCLF, ApiGatewayTemplate.httpCLF].compactMap {
            try! ApiGatewayTemplate($0).matcher
        }
    }

    /// Each template's matcher (text) or key table (JSON), taken out of the
    /// templates once: reading them out of an enum per line copies them.
    let templateMatchers: [TemplateMatcher?]
    /// Whether each template can match a line that begins with `{` (see
    /// `TemplateMatcher.mayMatchBraceLine`): trying a JSON line against a
    /// CSV template only to fail is measurable (PERFORMANCE.md, "brace lines").
    let templateReadsBraceLines: [Bool]
    let defaultMatchers: [TemplateMatcher]

    /// Key path → field, as bytes, bucketed by length. Every member of every
    /// JSON line is looked up here, so candidates are first told apart by
    /// their first eight bytes, read as one word.
    struct KeyTable {
        struct Entry {
            var head: UInt64
            var bytes: [UInt8]
            var field: ApiGatewayField
        }
        var byLength: [[Entry]] = Array(repeating: [], count: 65)
        init(_ map: [String: ApiGatewayField]) {
            for (k, f) in map where k.utf8.count < 65 {
                let bytes = Array(k.utf8)
                byLength[bytes.count].append(
                    Entry(head: bytes.withUnsafeBytes { Self.head($0) }, bytes: bytes, field: f))
            }
        }

        /// The first eight bytes (fewer, zero padded) as a word.
        @inline(__always) static func head(_ key: ByteView) -> UInt64 {
            guard let p = key.baseAddress else { return 0 }
            if key.count >= 8 { return p.loadUnaligned(as: UInt64.self) }
            var v: UInt64 = 0
            for i in 0..<key.count { v |= UInt64(p.load(fromByteOffset: i, as: UInt8.self)) << UInt64(8 * i) }
            return v
        }

        func lookup(_ key: ByteView) -> ApiGatewayField? {
            guard key.count < 65 else { return nil }
            let h = Self.head(key)
            for e in byLength[key.count] where e.head == h {
                if key.count <= 8 { return e.field }
                let same = e.bytes.withUnsafeBytes {
                    memcmp($0.baseAddress! + 8, key.baseAddress! + 8, key.count - 8) == 0
                }
                if same { return e.field }
            }
            return nil
        }
        func lookup(_ key: [UInt8]) -> ApiGatewayField? { key.withUnsafeBytes { lookup($0) } }
    }
    /// Built once: the default key names, and each JSON template's keys.
    let defaultTable = KeyTable(ApiGatewayField.defaultJSONKeys)
    let templateTables: [KeyTable?]

    /// Reads a line into a request (see `request()`), or says why not.
    public mutating func parse(_ line: ByteView, time: EpochMicros?) -> Result {
        switch read(line, time: time) {
        case .request: return .request(request())
        case .notApiGateway: return .notApiGateway
        case .malformed(let why): return .malformed(why)
        }
    }

    /// Reads a line; a request's values are then in `fields`.
    mutating func read(_ line: ByteView, time: EpochMicros?) -> Outcome {
        let m = line.trimmed()
        guard m.count > 0 else { return .notApiGateway }
        // By index, borrowed: enumerating would copy (retain and release) each template per line.
        let brace = m[0] == ASCII.leftBrace
        for i in templates.indices {
            if brace && !templateReadsBraceLines[i] { continue }
            if templateTables[i] != nil {
                guard brace else { continue }
                if let r = applyJSON(templateTables[i]!, m, time: time, requireHTTPKey: false) { return r }
            } else if let r = apply(templateMatchers[i]!, m, time: time) {
                return r
            }
        }
        if brace {
            if let r = applyJSON(defaultTable, m, time: time, requireHTTPKey: true) { return r }
            return .notApiGateway
        }
        for i in defaultMatchers.indices { if let r = apply(defaultMatchers[i], m, time: time) { return r } }
        return .notApiGateway
    }

    /// A text template's match, built into a request.
    mutating func apply(_ matcher: borrowing TemplateMatcher, _ m: ByteView, time: EpochMicros?) -> Outcome? {
        var end = 0
        guard matcher.match(m, slots: &slots, end: &end) else { return nil }
        // By raw value (`allCases` would build its array per line).
        for i in values.indices {
            values[i] = slots[i].map { m.slice($0.lowerBound, $0.upperBound) }
        }
        return build(time: time)
    }

    /// Reads a JSON line (leniently: `"status":-` occurs) through a key map.
    mutating func applyJSON(_ table: KeyTable, _ m: ByteView, time: EpochMicros?, requireHTTPKey: Bool) -> Outcome? {
        var s = JSONScanner(m, lenient: true)
        let reader = s
        for i in values.indices { values[i] = nil }
        escaped.removeAll(keepingCapacity: true)
        // Key paths are matched as bytes (`a.b` for nested objects): no String per key.
        jsonPath.removeAll(keepingCapacity: true)
        func assign(_ f: ApiGatewayField, _ v: JSONScanner.Value) {
            if v.kind == .string && v.hasEscapes {
                escaped.append((f, reader.string(v)))
            } else {
                values[f.rawValue] = reader.raw(v)
            }
        }
        func member(_ k: JSONScanner.Value, _ v: JSONScanner.Value) {
            // Top-level keys (nearly all) are looked up where they lie.
            if jsonPath.isEmpty && !k.hasEscapes && v.kind != .object {
                if let f = table.lookup(reader.raw(k)) { assign(f, v) }
                return
            }
            let mark = jsonPath.count
            if mark > 0 { jsonPath.append(ASCII.dot) }
            if k.hasEscapes { reader.decode(k, into: &jsonPath) } else { jsonPath.append(contentsOf: reader.raw(k)) }
            defer { jsonPath.removeLast(jsonPath.count - mark) }
            if v.kind == .object {
                reader.forEachMember(v) {
                    member($0, $1)
                    return true
                }
                return
            }
            if let f = table.lookup(jsonPath) { assign(f, v) }
        }
        // One pass over the line: members are looked up as they are read.
        guard s.members(member) != nil else {
            return requireHTTPKey ? nil : .malformed("access log line is not a JSON object as its template is")
        }
        if requireHTTPKey {
            let present = values
            func has(_ f: ApiGatewayField) -> Bool { present[f.rawValue] != nil || escaped.contains { $0.0 == f } }
            guard has(.requestId) || has(.extendedRequestId),
                has(.httpMethod) || has(.status) || has(.routeKey) || has(.resourcePath) || has(.requestTime)
                    || has(.requestTimeEpoch)
            else { return nil }
        }
        // Values with JSON escapes are decoded into storage held until the next line.
        if !escaped.isEmpty {
            let views = escapedValues.hold(escaped.map { Array($0.1.utf8) })
            for i in views.indices { values[escaped[i].0.rawValue] = views[i] }
        }
        return build(time: time)
    }

    @inline(__always) func value(_ f: ApiGatewayField) -> ByteView? {
        guard let v = values[f.rawValue] else { return nil }
        let t = v.trimmed()
        guard t.count > 0 else { return nil }
        // "-", "(none)" and "null" mean absent; told apart by the first byte
        // (this runs for every field of every access-log line).
        switch t[0] {
        case ASCII.minus: if t.count == 1 { return nil }
        case 0x28: if t.equals("(none)") { return nil }
        case 0x6E: if t.equals("null") { return nil }
        default: break
        }
        return t
    }

    static let idLimits: [(ApiGatewayField, Int)] = [
        (.requestId, 128), (.extendedRequestId, 128), (.apiId, 64), (.stage, 128),
        (.integrationRequestId, 128), (.accountId, 64), (.connectionId, 128),
    ]

    mutating func build(time: EpochMicros?) -> Outcome {
        guard let rid = value(.requestId) ?? value(.extendedRequestId) else {
            return .malformed("API Gateway access log without $context.requestId or $context.extendedRequestId")
        }
        // API Gateway's ids are tens of bytes: a longer one is not one.
        if rid.count > 128 || (values[ApiGatewayField.extendedRequestId.rawValue]?.count ?? 0) > 128
            || (values[ApiGatewayField.apiId.rawValue]?.count ?? 0) > 64
            || (values[ApiGatewayField.stage.rawValue]?.count ?? 0) > 128
            || (values[ApiGatewayField.integrationRequestId.rawValue]?.count ?? 0) > 128
            || (values[ApiGatewayField.accountId.rawValue]?.count ?? 0) > 64
            || (values[ApiGatewayField.connectionId.rawValue]?.count ?? 0) > 128
        {
            for (field, limit) in Self.idLimits {
                if let v = value(field), v.count > limit {
                    return .malformed("API Gateway \(field) longer than \(limit) bytes")
                }
            }
        }
        var f = RequestFields()
        f.method = value(.httpMethod)
        if let rp = value(.resourcePath) {
            f.route = rp
        } else if let rk = value(.routeKey) {
            // HTTP APIs: "GET /pets/{id}" → method GET, route /pets/{id}; "$default" stays.
            if let sp = rk.index(of: ASCII.space) {
                if f.method == nil { f.method = rk.prefix(sp) }
                f.route = rk.dropFirst(sp + 1)
            } else {
                f.route = rk
            }
        }
        if let st = value(.status) {
            guard let v = st.parseInt(), v >= 100, v <= 599 else {
                return .malformed("API Gateway status is not an HTTP status code")
            }
            f.status = Int(v)
        }
        f.requestId = RequestId(rid)
        f.extendedRequestId = value(.extendedRequestId)
        f.apiId = value(.apiId)
        f.stage = value(.stage)
        f.path = value(.path)
        f.domainName = value(.domainName)
        f.protocolName = value(.protocolName)
        f.sourceIp = value(.sourceIp)
        f.userAgent = value(.userAgent)
        f.errorMessage = value(.errorMessage)
        f.accountId = value(.accountId)
        f.eventType = value(.eventType)
        f.connectionId = value(.connectionId)
        f.errorResponseType = value(.errorResponseType)
        f.responseLength = value(.responseLength)?.parseInt()
        if let e = value(.requestTimeEpoch), let v = e.parseFixed(scale: 3) {
            // REST logs milliseconds (13 digits), HTTP APIs seconds (10 digits).
            let intDigits = e.index(of: ASCII.dot) ?? e.count
            if intDigits >= 12 {
                f.start = v
                f.startResolution = 1000
            }  // v is ms×1000 = µs
            else {
                f.start = v * 1000
                f.startResolution = e.index(of: ASCII.dot) != nil ? 1000 : 1_000_000
            }
        } else if let rt = value(.requestTime), let t = Timestamp.parseCLF(rt) {
            f.start = t
            f.startResolution = 1_000_000
        } else if let t = time {
            // The CloudWatch event time of an access log is the request start in ms.
            f.start = t
            f.startResolution = 1000
        }
        f.responseLatencyMs = value(.responseLatency)?.parseInt()
        f.integrationLatencyMs = value(.integrationLatency)?.parseInt()
        f.integrationRequestId = value(.integrationRequestId).map(RequestId.lowercased)
        if let x = value(.xrayTraceId) { f.traceId = TraceId.parse(x) }
        fields = f
        return .request
    }

    /// The request in `fields`, as an object. Routes, methods and user
    /// agents repeat line after line, so theirs are shared strings.
    mutating func request() -> ApiGatewayRequest {
        let f = fields
        let r = ApiGatewayRequest(
            requestId: f.requestId, extendedRequestId: f.extendedRequestId?.string, apiId: f.apiId?.string,
            stage: f.stage?.string, method: f.method.map { recent.string($0) },
            route: f.route.map { recent.string($0) },
            path: f.path?.string, domainName: f.domainName?.string, protocolName: f.protocolName?.string,
            sourceIp: f.sourceIp?.string, userAgent: f.userAgent.map { recent.string($0) },
            errorMessage: f.errorMessage?.string, accountId: f.accountId?.string,
            eventType: f.eventType.map { recent.string($0) }, connectionId: f.connectionId?.string,
            errorResponseType: f.errorResponseType.map { recent.string($0) })
        r.status = f.status
        r.responseLength = f.responseLength
        r.start = f.start
        r.startResolution = f.startResolution
        r.responseLatencyMs = f.responseLatencyMs
        r.integrationLatencyMs = f.integrationLatencyMs
        r.integrationRequestId = f.integrationRequestId
        r.traceId = f.traceId
        return r
    }
}
