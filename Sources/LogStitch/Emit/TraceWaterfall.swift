/// A trace laid out as a waterfall: its entities depth first (children by
/// start time), each with its depth, and what made it slow. report.html
/// draws it with bars, `logstitch show` in the terminal.
public struct TraceWaterfall: Sendable {
    public struct Row: Sendable {
        public var entity: TraceEntity
        public var depth: Int
    }

    /// Where a trace's time went, as one line of "why it was slow".
    public struct Reason: Sendable, Equatable {
        public enum Kind: String, Sendable {
            case throttle = "throttle"
            case coldStart = "cold start"
            case slowStatement = "slow statement"
            case statements = "statements"
            case integration = "integration latency"
            case functionCode = "function code"
            case failure = "failure"
            case gatewayOnly = "gateway only"
        }
        public var kind: Kind
        public var durationUs: Int64
        public var detail: String
    }

    public let traceId: String
    public let rows: [Row]
    public let start: EpochMicros
    public let end: EpochMicros

    public var durationUs: Int64 { end - start }

    public init(documents: [[TraceEntity]]) {
        let all = documents.flatMap { $0 }
        let ids = Set(all.map(\.id))
        var children: [String: [TraceEntity]] = [:]
        var roots: [TraceEntity] = []
        for e in all {
            if let p = e.parentId, ids.contains(p) { children[p, default: []].append(e) } else { roots.append(e) }
        }
        func byStart(_ a: TraceEntity, _ b: TraceEntity) -> Bool { (a.start, a.id) < (b.start, b.id) }
        var rows: [Row] = []
        func visit(_ e: TraceEntity, _ depth: Int) {
            rows.append(Row(entity: e, depth: depth))
            for c in (children[e.id] ?? []).sorted(by: byStart) { visit(c, depth + 1) }
        }
        for r in roots.sorted(by: byStart) { visit(r, 0) }
        self.rows = rows
        traceId = all.first?.traceId ?? ""
        start = all.map(\.start).min() ?? 0
        end = all.map(\.end).max() ?? 0
    }

    /// The entities of one role.
    func entities(_ role: TraceEntity.Role) -> [TraceEntity] { rows.map(\.entity).filter { $0.role == role } }

    /// The root's name: the route (`GET /orders/{id}`) or the function.
    public var title: String {
        guard let root = rows.first?.entity else { return "empty trace" }
        if root.role == .apiGateway {
            let text = [root["http.request.method"], route].compactMap { $0 }.joined(separator: " ")
            return text.isEmpty ? root.name : text
        }
        return root.name
    }

    /// The request's route, when the trace has one.
    public var route: String? {
        guard let root = rows.first?.entity, root.role == .apiGateway else { return nil }
        return root["annotations.route"] ?? root["metadata.logstitch.route"]
    }

    /// The HTTP status of the request, when there is one.
    public var status: String? { rows.first?.entity["http.response.status"] }

    /// What the trace's time went on, largest first: those that take a
    /// tenth of it or more (at least the largest).
    public var reasons: [Reason] {
        let total = max(1, durationUs)
        var out: [Reason] = []
        let gateway = entities(.apiGateway).first
        if let g = gateway, g.throttle || g["http.response.status"] == "429" {
            out.append(Reason(kind: .throttle, durationUs: g.durationMicros, detail: "throttled (HTTP 429)"))
        }
        for i in entities(.initialization) {
            out.append(Reason(kind: .coldStart, durationUs: i.durationMicros, detail: "cold start: \(i.name)"))
        }
        let statements = entities(.statement)
        let statementTime = statements.reduce(Int64(0)) { $0 + $1.durationMicros }
        if let slowest = statements.max(by: { $0.durationMicros < $1.durationMicros }) {
            let what = slowest["metadata.rds_slow_query.fingerprint"] ?? slowest["sql.sanitized_query"] ?? slowest.name
            out.append(
                Reason(kind: .slowStatement, durationUs: slowest.durationMicros, detail: "slow statement: " + what))
            if statements.count > 1 {
                out.append(
                    Reason(
                        kind: .statements, durationUs: statementTime,
                        detail: "\(statements.count) statements in all"))
            }
        }
        if let g = gateway, let service = entities(.lambdaService).first {
            let outside = g.durationMicros - service.durationMicros
            if outside > 0 {
                out.append(
                    Reason(
                        kind: .integration, durationUs: outside,
                        detail: "integration latency: API Gateway and Lambda outside the function"))
            }
        }
        if let inv = entities(.invocation).first {
            let own = inv.durationMicros - statementTime
            if own > 0 {
                out.append(Reason(kind: .functionCode, durationUs: own, detail: "the function's own code"))
            }
        }
        for f in entities(.lambdaFunction) where f.fault {
            let type = f["cause.exceptions.0.type"] ?? "error"
            out.append(Reason(kind: .failure, durationUs: f.durationMicros, detail: "invocation failed: " + type))
        }
        if let g = gateway, entities(.lambdaService).isEmpty, out.isEmpty {
            let status = g["http.response.status"].map { " (HTTP \($0))" } ?? ""
            out.append(
                Reason(
                    kind: .gatewayOnly, durationUs: g.durationMicros, detail: "answered by API Gateway alone" + status))
        }
        out.sort {
            $0.durationUs != $1.durationUs ? $0.durationUs > $1.durationUs : $0.kind.rawValue < $1.kind.rawValue
        }
        let kept = out.filter { $0.durationUs * 10 >= total }
        return kept.isEmpty ? Array(out.prefix(1)) : kept
    }

    /// The entity's label in a waterfall: its name, and for a statement its fingerprint.
    public static func label(_ e: TraceEntity) -> String {
        switch e.role {
        case .statement:
            let text = e["metadata.rds_slow_query.fingerprint"] ?? e["sql.sanitized_query"] ?? ""
            return e.name + (text.isEmpty ? "" : ": " + text)
        case .lambdaService:
            return e.name + " · AWS::Lambda"
        case .lambdaFunction:
            return e.name + " · AWS::Lambda::Function" + (e["annotations.cold_start"] == "true" ? " (cold start)" : "")
        default:
            return e.name
        }
    }
}
