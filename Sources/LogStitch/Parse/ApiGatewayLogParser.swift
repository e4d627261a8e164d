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
        defaultMatchers = [ApiGatewayTemplate.restCLF, ApiGatewayTemplate.httpCLF].compactMap { try! ApiGatewayTemplate($0).matcher }
    }

    /// Each template's matcher (text) or key table (JSON), taken out of the
    /// templates once: reading them out of an enum per line copies them.
    let templateMatchers: [TemplateMatcher?]
    /// Whether each template can match a line that begins with `{` (see
    /// `TemplateMatcher.mayMatchBraceLine`): a JSON line tried against a
    /// CSV template cost 0.2 µs of failing, 0.14 cpu-s over a day.
    let templateReadsBraceLines: [Bool]
    let defaultMatchers: [TemplateMatcher]

    /// Key path → field, as bytes, bucketed by length. Every member of every
    /// JSON line is looked up here, so candidates are first told apart by
    /// their first eight bytes, read as one word.
    struct KeyTable {
        struct Entry { var head: UInt64; var bytes: [UInt8]; var field: ApiGatewayField }
        var byLength: [[Entry]] = Array(repeating: [], count: 65)
        init(_ map: [String: ApiGatewayField]) {
            for (k, f) in map where k.utf8.count < 65 {
                let bytes = Array(k.utf8)
                byLength[bytes.count].append(Entry(head: bytes.withUnsafeBytes { Self.head($0) }, bytes: bytes, field: f))
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
                let same = e.bytes.withUnsafeBytes { memcmp($0.baseAddress! + 8, key.baseAddress! + 8, key.count - 8) == 0 }
                if same { return e.field }
            }
            return nil
        }
        func lookup(_ key: [UInt8]) -> ApiGatewayField? { key.withUnsafeBytes { lookup($0) } }
    }
    /// Built once: the default key names, and each JSON template's keys.
    let defaultTable = KeyTable(ApiGatewayField.defaultJSONKeys)
    let templateTables: [KeyTable?]

    public mutating func parse(_ line: ByteView, time: EpochMicros?) -> Result {
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
    mutating func apply(_ matcher: borrowing TemplateMatcher, _ m: ByteView, time: EpochMicros?) -> Result? {
        var end = 0
        guard matcher.match(m, slots: &slots, end: &end) else { return nil }
        // By raw value (`allCases` would build its array per line).
        for i in values.indices {
            values[i] = slots[i].map { m.slice($0.lowerBound, $0.upperBound) }
        }
        return build(time: time)
    }

    /// Reads a JSON line (leniently: `"status":-` occurs) through a key map.
    mutating func applyJSON(_ table: KeyTable, _ m: ByteView, time: EpochMicros?, requireHTTPKey: Bool) -> Result? {
        var s = JSONScanner(m, lenient: true)
        let reader = s
        for i in values.indices { values[i] = nil }
        escaped.removeAll(keepingCapacity: true)
        // Key paths are matched as bytes (`a.b` for nested objects): no String per key.
        jsonPath.removeAll(keepingCapacity: true)
        func assign(_ f: ApiGatewayField, _ v: JSONScanner.Value) {
            if v.kind == .string && v.hasEscapes { escaped.append((f, reader.string(v))) }
            else { values[f.rawValue] = reader.raw(v) }
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
            if v.kind == .object { reader.forEachMember(v) { member($0, $1); return true }; return }
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
                  has(.httpMethod) || has(.status) || has(.routeKey) || has(.resourcePath) || has(.requestTime) || has(.requestTimeEpoch)
            else { return nil }
        }
        // Values with JSON escapes are decoded into owned storage.
        if escaped.isEmpty { return build(time: time) }
        var storage: [[UInt8]] = escaped.map { Array($0.1.utf8) }
        return storage.withUnsafeMutableBufferPointer { buf -> Result in
            var pointers: [UnsafeMutableRawBufferPointer] = []
            for i in 0..<buf.count {
                let p = UnsafeMutableRawBufferPointer.allocate(byteCount: max(1, buf[i].count), alignment: 1)
                buf[i].withUnsafeBytes { p.copyMemory(from: $0) }
                pointers.append(p)
                values[escaped[i].0.rawValue] = ByteView(rebasing: UnsafeRawBufferPointer(p)[0..<buf[i].count])
            }
            defer { pointers.forEach { $0.deallocate() } }
            return build(time: time)
        }
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

    mutating func build(time: EpochMicros?) -> Result {
        guard let rid = value(.requestId) ?? value(.extendedRequestId) else {
            return .malformed("API Gateway access log without $context.requestId or $context.extendedRequestId")
        }
        var method = value(.httpMethod).map { recent.string($0) }
        var route: String?
        if let rp = value(.resourcePath) {
            route = recent.string(rp)
        } else if let rk = value(.routeKey) {
            // HTTP APIs: "GET /pets/{id}" → method GET, route /pets/{id}; "$default" stays.
            if let sp = rk.index(of: ASCII.space) {
                if method == nil { method = recent.string(rk.prefix(sp)) }
                route = recent.string(rk.dropFirst(sp + 1))
            } else {
                route = recent.string(rk)
            }
        }
        var status: Int?
        if let st = value(.status) {
            guard let v = st.parseInt(), v >= 100, v <= 599 else { return .malformed("API Gateway status is not an HTTP status code") }
            status = Int(v)
        }
        let r = ApiGatewayRequest(
            requestId: RequestId(rid), extendedRequestId: value(.extendedRequestId)?.string, apiId: value(.apiId)?.string,
            stage: value(.stage)?.string, method: method, route: route, path: value(.path)?.string,
            domainName: value(.domainName)?.string, protocolName: value(.protocolName)?.string,
            sourceIp: value(.sourceIp)?.string, userAgent: value(.userAgent).map { recent.string($0) },
            errorMessage: value(.errorMessage)?.string, accountId: value(.accountId)?.string)
        r.status = status
        r.responseLength = value(.responseLength)?.parseInt()
        if let e = value(.requestTimeEpoch), let v = e.parseFixed(scale: 3) {
            // REST logs milliseconds (13 digits), HTTP APIs seconds (10 digits).
            let intDigits = e.index(of: ASCII.dot) ?? e.count
            if intDigits >= 12 { r.start = v; r.startResolution = 1000 }     // v is ms×1000 = µs
            else { r.start = v * 1000; r.startResolution = e.index(of: ASCII.dot) != nil ? 1000 : 1_000_000 }
        } else if let rt = value(.requestTime), let t = Timestamp.parseCLF(rt) {
            r.start = t; r.startResolution = 1_000_000
        } else if let t = time {
            // The CloudWatch event time of an access log is the request start in ms.
            r.start = t; r.startResolution = 1000
        }
        r.responseLatencyMs = value(.responseLatency)?.parseInt()
        r.integrationLatencyMs = value(.integrationLatency)?.parseInt()
        r.integrationRequestId = value(.integrationRequestId).map(RequestId.lowercased)
        if let x = value(.xrayTraceId) { r.traceId = TraceId.parse(x) }
        return .request(r)
    }
}
