/// One segment or subsegment of an X-Ray segment document, as the views of
/// a trace (OTLP, report.html, `logstitch show`) read it back.
///
/// The segment documents are the one source every view is drawn from, so
/// each view shows the same tree with the same times: a view never works out
/// a span of its own.
public struct TraceEntity: Sendable, Equatable {
    /// 16 hex digits.
    public var id: String
    /// The segment or subsegment it hangs from; nil for a trace's root.
    public var parentId: String?
    /// X-Ray form, `1-xxxxxxxx-<24 hex>`.
    public var traceId: String
    public var name: String
    public var start: EpochMicros
    public var end: EpochMicros
    /// A segment (a document of its own, or an independent subsegment's
    /// enclosing one), as opposed to a subsegment.
    public var isSegment: Bool
    /// `AWS::ApiGateway::Stage`, `AWS::Lambda`, `AWS::Lambda::Function`; segments only.
    public var origin: String?
    /// `aws` or `remote` for downstream calls.
    public var namespace: String?
    public var fault = false
    public var error = false
    public var throttle = false
    /// Every other leaf of the entity's object, by its dotted path
    /// (`http.request.method`, `aws.resource_names.0`,
    /// `metadata.rds_slow_query.fingerprint`): strings decoded, numbers and
    /// booleans as written. In document order; an entity has a few dozen, so
    /// a search beats hashing each one.
    public var fields: [(key: String, value: String)] = []

    public var durationMicros: Int64 { end - start }

    public subscript(_ path: String) -> String? { fields.first { $0.key == path }?.value }

    public static func == (a: TraceEntity, b: TraceEntity) -> Bool {
        a.id == b.id && a.parentId == b.parentId && a.traceId == b.traceId && a.name == b.name && a.start == b.start
            && a.end == b.end && a.isSegment == b.isSegment && a.origin == b.origin && a.namespace == b.namespace
            && a.fault == b.fault && a.error == b.error && a.throttle == b.throttle
            && a.fields.elementsEqual(b.fields) { $0 == $1 }
    }

    public init(id: String, traceId: String, name: String, start: EpochMicros, end: EpochMicros, isSegment: Bool) {
        self.id = id
        self.traceId = traceId
        self.name = name
        self.start = start
        self.end = end
        self.isSegment = isSegment
    }

    /// What kind of work the entity stands for, as every view names it.
    public enum Role: Sendable {
        case apiGateway, lambdaInvoke, lambdaService, lambdaFunction, initialization, invocation, overhead, statement,
            other
    }

    /// Worked out once, when the entity is read.
    public private(set) var role: Role = .other

    mutating func classify() { role = Self.role(self) }

    static func role(_ e: TraceEntity) -> Role {
        switch e.origin {
        case "AWS::ApiGateway::Stage": return .apiGateway
        case "AWS::Lambda": return .lambdaService
        case "AWS::Lambda::Function": return .lambdaFunction
        default: break
        }
        if e["sql.database_type"] != nil { return .statement }
        switch e.name {
        case "Lambda" where e.namespace == "aws": return .lambdaInvoke
        case "Initialization", "Restore": return .initialization
        case "Invocation": return .invocation
        case "Overhead": return .overhead
        default: return .other
        }
    }

    /// The trace id in OTLP's form: 32 lower-case hex digits (X-Ray's
    /// 8-digit time and 24-digit random part, joined).
    public static func otlpTraceId(_ xray: String) -> String? {
        let parts = xray.split(separator: "-")
        guard parts.count == 3, parts[0] == "1", parts[1].utf8.count == 8, parts[2].utf8.count == 24 else {
            return nil
        }
        let hex = (parts[1] + parts[2]).lowercased()
        return hex.utf8.allSatisfy { ASCII.hexValue($0) != nil } ? hex : nil
    }

    /// The X-Ray form of a 32-digit OTLP trace id.
    public static func xrayTraceId(_ otlp: String) -> String? {
        let hex = otlp.lowercased()
        guard hex.utf8.count == 32, hex.utf8.allSatisfy({ ASCII.hexValue($0) != nil }) else { return nil }
        return "1-" + hex.prefix(8) + "-" + hex.dropFirst(8)
    }
}
