/// The access-log fields logstitch reads, named by their `$context` variables.
public enum ApiGatewayField: Int, CaseIterable, Sendable {
    case requestId, extendedRequestId, apiId, stage, httpMethod, resourcePath, routeKey, path, domainName,
        protocolName, status, responseLength, requestTime, requestTimeEpoch, responseLatency,
        integrationLatency, integrationRequestId, xrayTraceId, sourceIp, userAgent, errorMessage, accountId,
        eventType, connectionId, errorResponseType

    /// `$context.<name>` → field; nil for variables that are read but not used.
    public static func from(variable: String) -> ApiGatewayField? {
        switch variable {
        case "requestId": return .requestId
        case "extendedRequestId": return .extendedRequestId
        case "apiId": return .apiId
        case "stage": return .stage
        case "httpMethod": return .httpMethod
        case "resourcePath": return .resourcePath
        case "routeKey": return .routeKey
        case "path": return .path
        case "domainName": return .domainName
        case "protocol": return .protocolName
        case "status": return .status
        case "responseLength": return .responseLength
        case "requestTime": return .requestTime
        case "requestTimeEpoch": return .requestTimeEpoch
        case "responseLatency": return .responseLatency
        case "integrationLatency", "integration.latency": return .integrationLatency
        case "integration.requestId", "awsEndpointRequestId": return .integrationRequestId
        case "xrayTraceId": return .xrayTraceId
        case "identity.sourceIp": return .sourceIp
        case "identity.userAgent": return .userAgent
        case "error.message", "error.messageString", "integrationErrorMessage", "integration.error":
            return .errorMessage
        case "identity.accountId", "accountId": return .accountId
        case "eventType": return .eventType
        case "connectionId": return .connectionId
        case "error.responseType": return .errorResponseType
        default: return nil
        }
    }

    /// What a value of this field can look like in a text template.
    var valueClass: TemplateMatcher.ValueClass {
        switch self {
        case .status, .responseLength, .responseLatency, .integrationLatency: return .integer
        case .requestTimeEpoch: return .decimal
        case .requestTime: return .clfTime
        case .routeKey, .userAgent, .errorMessage, .path, .resourcePath: return .any
        default: return .token
        }
    }

    /// Key names that default (template-less) JSON access logs use, per AWS's
    /// console examples and common practice.
    static let defaultJSONKeys: [String: ApiGatewayField] = [
        "requestId": .requestId, "extendedRequestId": .extendedRequestId, "apiId": .apiId, "stage": .stage,
        "httpMethod": .httpMethod, "method": .httpMethod, "resourcePath": .resourcePath, "routeKey": .routeKey,
        "path": .path, "domainName": .domainName, "protocol": .protocolName, "status": .status,
        "responseLength": .responseLength, "requestTime": .requestTime, "requestTimeEpoch": .requestTimeEpoch,
        "responseLatency": .responseLatency, "integrationLatency": .integrationLatency,
        "integration.latency": .integrationLatency, "integration_latency": .integrationLatency,
        "integrationRequestId": .integrationRequestId, "integration.requestId": .integrationRequestId,
        "integration_requestId": .integrationRequestId, "awsEndpointRequestId": .integrationRequestId,
        "xrayTraceId": .xrayTraceId, "ip": .sourceIp, "sourceIp": .sourceIp, "identity.sourceIp": .sourceIp,
        "userAgent": .userAgent, "user_agent": .userAgent, "identity.userAgent": .userAgent,
        "errorMessage": .errorMessage, "error.message": .errorMessage, "error": .errorMessage,
        "eventType": .eventType, "connectionId": .connectionId,
        "accountId": .accountId, "errorResponseType": .errorResponseType, "error.responseType": .errorResponseType,
        "responseType": .errorResponseType,
    ]
}

/// A stage's access-log format compiled into a matcher: JSON templates map
/// their keys to fields (whatever the keys are called); any other template
/// (CLF, CSV, XML, free text) becomes a `TemplateMatcher`.
public struct ApiGatewayTemplate: Sendable {
    public enum Kind: Sendable {
        case json([String: ApiGatewayField])
        case text(TemplateMatcher)
    }
    public let kind: Kind
    public let source: String

    /// The matcher of a text template.
    var matcher: TemplateMatcher? {
        if case .text(let m) = kind { return m }
        return nil
    }

    public struct Invalid: Error, CustomStringConvertible {
        public var description: String
    }

    public static let restCLF =
        "$context.identity.sourceIp $context.identity.caller $context.identity.user [$context.requestTime] \"$context.httpMethod $context.resourcePath $context.protocol\" $context.status $context.responseLength $context.requestId $context.extendedRequestId"
    public static let httpCLF =
        "$context.identity.sourceIp - - [$context.requestTime] \"$context.httpMethod $context.routeKey $context.protocol\" $context.status $context.responseLength $context.requestId"

    public init(_ template: String) throws {
        source = template
        let trimmed = template.trimmingCharacters(in: " \t\r\n")
        if trimmed.hasPrefix("{") {
            kind = .json(try Self.compileJSON(trimmed))
        } else {
            kind = .text(try Self.compileText(trimmed))
        }
    }

    /// Walks the template as (lenient) JSON: each value that is a
    /// `$context.x` variable maps its key path (`a.b` for nested objects).
    static func compileJSON(_ t: String) throws -> [String: ApiGatewayField] {
        var bytes = Array(t.utf8)
        var map: [String: ApiGatewayField] = [:]
        let ok = bytes.withUnsafeMutableBytes { raw -> Bool in
            let b = ByteView(raw)
            var s = JSONScanner(b, lenient: true)
            guard let root = s.value(), root.kind == .object else { return false }
            func walk(_ obj: JSONScanner.Value, _ prefix: String) {
                s.forEachMember(obj) { k, v in
                    let key = prefix + s.string(k)
                    if v.kind == .object {
                        walk(v, key + ".")
                    } else {
                        let text = s.string(v)
                        if let r = text.range(of: "$context.") {
                            var name = String(text[r.upperBound...])
                            while let l = name.last, !(l.isLetter || l.isNumber || l == "_") { name.removeLast() }
                            if let f = ApiGatewayField.from(variable: name) { map[key] = f }
                        }
                    }
                    return true
                }
            }
            walk(root, "")
            return true
        }
        guard ok else { throw Invalid(description: "JSON access-log template is not a JSON object: \(t)") }
        guard map.values.contains(.requestId) || map.values.contains(.extendedRequestId) else {
            throw Invalid(
                description:
                    "access-log template must contain $context.requestId or $context.extendedRequestId (API Gateway requires it): \(t)"
            )
        }
        return map
    }

    static func compileText(_ t: String) throws -> TemplateMatcher {
        let b = Array(t.utf8)
        var segments: [TemplateMatcher.Segment] = []
        var literal: [UInt8] = []
        var fields: [ApiGatewayField] = []
        var i = 0
        let marker = Array("$context.".utf8)
        while i < b.count {
            if b[i] == 0x24, i + marker.count <= b.count, Array(b[i..<(i + marker.count)]) == marker {
                var j = i + marker.count
                while j < b.count, ASCII.isHexOrWord(b[j]) || b[j] == ASCII.dot { j += 1 }
                // A trailing dot is punctuation, not part of the name.
                while j > i + marker.count, b[j - 1] == ASCII.dot { j -= 1 }
                let name = String(decoding: b[(i + marker.count)..<j], as: UTF8.self)
                if !literal.isEmpty {
                    segments.append(.literal(literal))
                    literal = []
                }
                let f = ApiGatewayField.from(variable: name)
                if let f { fields.append(f) }
                let slot = f?.rawValue ?? ApiGatewayField.allCases.count
                segments.append(.value(slot: slot, f?.valueClass ?? .any))
                i = j
                continue
            }
            literal.append(b[i])
            i += 1
        }
        if !literal.isEmpty { segments.append(.literal(literal)) }
        guard fields.contains(.requestId) || fields.contains(.extendedRequestId) else {
            throw Invalid(
                description:
                    "access-log template must contain $context.requestId or $context.extendedRequestId (API Gateway requires it): \(t)"
            )
        }
        return TemplateMatcher(segments: segments, slotCount: ApiGatewayField.allCases.count + 1, anchoredAtEnd: true)
    }
}
