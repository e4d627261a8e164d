/// Writes a trace's segment documents as one OTLP/JSON `TracesData` line,
/// the way the OpenTelemetry Collector's file exporter writes traces:
/// `resourceSpans` → `scopeSpans` → `spans`, lowerCamelCase keys, ids as
/// lower-case hex, times as unix-nanosecond decimal strings, enums as
/// integers and 64-bit integers as strings.
///
/// One span per X-Ray segment and subsegment, with the same id, parent and
/// times; attributes follow OpenTelemetry's semantic conventions (HTTP,
/// FaaS, RPC for the AWS SDK call, database), plus the older `db.system` and
/// `db.statement` that the Collector's awsxray exporter reads.
public enum OTLPTraceWriter {
    /// OTLP's span kinds (`opentelemetry.proto.trace.v1.Span.SpanKind`).
    enum Kind: Int { case `internal` = 1, server = 2, client = 3 }
    static let statusError = 2

    /// A resource and the spans it emitted, in document order.
    struct ResourceGroup {
        var key: String
        var resource: [(String, Attribute)] = []
        var spans: [TraceEntity] = []
    }

    enum Attribute {
        case string(String), int(Int64), bool(Bool)
    }

    /// Appends the line (with its newline) for one trace's documents;
    /// nothing when they hold no entity.
    public static func write(trace documents: [[TraceEntity]], to w: inout JSONWriter) {
        let groups = resourceGroups(documents)
        guard !groups.isEmpty else { return }
        let joined = documents.contains { $0.contains { $0.role == .apiGateway } }
        // A trace's entities share its id: converted once.
        var ids: (xray: String, otlp: String) = ("", "")
        w.beginDocument()
        w.beginObject()
        w.arrayStart("resourceSpans")
        for g in groups {
            w.element()
            w.beginObject()
            w.objectStart("resource")
            attributes(g.resource, &w)
            w.endObject()
            w.arrayStart("scopeSpans")
            w.element()
            w.beginObject()
            w.objectStart("scope")
            w.field("name", static: "logstitch")
            w.field("version", ConvertJob.version)
            w.endObject()
            w.arrayStart("spans")
            for e in g.spans {
                if e.traceId != ids.xray {
                    ids = (e.traceId, TraceEntity.otlpTraceId(e.traceId) ?? String(repeating: "0", count: 32))
                }
                span(e, traceId: ids.otlp, joined: joined, &w)
            }
            w.endArray()
            w.endObject()
            w.endArray()
            w.endObject()
        }
        w.endArray()
        w.endObject()
        w.newline()
    }

    /// Documents by what emitted them: an API stage, or a function (its
    /// service and function segments, and any statement documents hung
    /// from them, are one resource).
    static func resourceGroups(_ documents: [[TraceEntity]]) -> [ResourceGroup] {
        var groups: [ResourceGroup] = []
        var groupOfEntity: [String: Int] = [:]
        for doc in documents {
            guard let head = doc.first else { continue }
            let key: String
            if let p = head.parentId, !head.isSegment, let g = groupOfEntity[p] {
                key = groups[g].key
            } else if head.role == .apiGateway {
                key = "api:" + head.name
            } else {
                key = "function:" + head.name
            }
            var index = groups.firstIndex { $0.key == key }
            if index == nil {
                groups.append(ResourceGroup(key: key))
                index = groups.count - 1
            }
            let g = index!
            for e in doc { groupOfEntity[e.id] = g }
            groups[g].spans.append(contentsOf: doc)
        }
        for g in groups.indices { groups[g].resource = resource(groups[g].spans) }
        return groups
    }

    static func resource(_ spans: [TraceEntity]) -> [(String, Attribute)] {
        var out: [(String, Attribute)] = [("cloud.provider", .string("aws"))]
        if let stage = spans.first(where: { $0.role == .apiGateway }) {
            out.append(("service.name", .string(stage.name)))
            out.append(("cloud.platform", .string("aws_api_gateway")))
            if let arn = stage["resource_arn"] {
                out.append(("cloud.resource_id", .string(arn)))
                if let r = arnRegion(arn) { out.append(("cloud.region", .string(r))) }
            }
            if let a = stage["aws.api_gateway.account_id"] { out.append(("cloud.account.id", .string(a))) }
            return out
        }
        let function = spans.first { $0.role == .lambdaFunction }
        let any = function ?? spans.first
        let name = function?["annotations.function"] ?? function?["aws.resource_names.0"] ?? any?.name ?? "unknown"
        out.append(("service.name", .string(name)))
        out.append(("cloud.platform", .string("aws_lambda")))
        out.append(("faas.name", .string(name)))
        if let stream = function?["metadata.logstitch.log_stream"] { out.append(("faas.instance", .string(stream))) }
        if let mb = function?["metadata.logstitch.memory_size_mb"].flatMap({ Int64($0) }) {
            out.append(("faas.max_memory", .int(mb * 1_048_576)))
        }
        if let arn = function?["aws.function_arn"] ?? spans.first(where: { $0.role == .lambdaService })?["resource_arn"]
        {
            out.append(("cloud.resource_id", .string(arn)))
            if let r = arnRegion(arn) { out.append(("cloud.region", .string(r))) }
        }
        if let a = function?["aws.account_id"] { out.append(("cloud.account.id", .string(a))) }
        return out
    }

    /// `arn:aws:<service>:<region>:…`'s region, when it names one.
    static func arnRegion(_ arn: String) -> String? {
        let parts = arn.split(separator: ":", omittingEmptySubsequences: false)
        return parts.count > 3 && !parts[3].isEmpty ? String(parts[3]) : nil
    }

    static func span(_ e: TraceEntity, traceId: String, joined: Bool, _ w: inout JSONWriter) {
        let (name, kind, attrs) = semantics(e, joined: joined)
        w.element()
        w.beginObject()
        w.field("traceId", traceId)
        w.field("spanId", e.id.lowercased())
        if let p = e.parentId { w.field("parentSpanId", p.lowercased()) }
        w.field("name", name)
        w.field("kind", kind.rawValue)
        w.field("startTimeUnixNano", nanos(e.start))
        w.field("endTimeUnixNano", nanos(max(e.start, e.end)))
        w.arrayStart("attributes")
        for (k, v) in attrs { attribute(k, v, &w) }
        w.endArray()
        let exceptionType = e["cause.exceptions.0.type"], message = e["cause.exceptions.0.message"]
        if exceptionType != nil || message != nil {
            w.arrayStart("events")
            w.element()
            w.beginObject()
            w.field("timeUnixNano", nanos(max(e.start, e.end)))
            w.field("name", static: "exception")
            w.arrayStart("attributes")
            if let t = exceptionType { attribute("exception.type", .string(t), &w) }
            if let m = message { attribute("exception.message", .string(m), &w) }
            w.endArray()
            w.endObject()
            w.endArray()
        }
        if e.fault || e.error {
            w.objectStart("status")
            w.field("code", statusError)
            if let m = message ?? e["http.response.status"].map({ "HTTP " + $0 }) { w.field("message", m) }
            w.endObject()
        }
        w.endObject()
    }

    static func nanos(_ us: EpochMicros) -> String { us == 0 ? "0" : String(us) + "000" }

    /// The span's name, kind and attributes by what the entity stands for.
    static func semantics(_ e: TraceEntity, joined: Bool) -> (String, Kind, [(String, Attribute)]) {
        var a: [(String, Attribute)] = []
        func put(_ k: String, _ v: String?) { if let v { a.append((k, .string(v))) } }
        func put(_ k: String, int v: String?) { if let v, let n = Int64(v) { a.append((k, .int(n))) } }
        switch e.role {
        case .apiGateway:
            let method = e["http.request.method"]
            let route = e["annotations.route"] ?? e["metadata.logstitch.route"]
            put("http.request.method", method)
            put("http.route", route)
            put("url.full", e["http.request.url"])
            put("http.response.status_code", int: e["http.response.status"])
            put("http.response.body.size", int: e["http.response.content_length"])
            put("client.address", e["http.request.client_ip"])
            put("user_agent.original", e["http.request.user_agent"])
            put("aws.request_id", e["aws.api_gateway.request_id"])
            put("aws.api_gateway.rest_api_id", e["aws.api_gateway.rest_api_id"])
            put("aws.api_gateway.stage", e["aws.api_gateway.stage"])
            put("aws.extended_request_id", e["metadata.logstitch.extended_request_id"])
            put("error.message", e["metadata.logstitch.error_message"])
            let name = [method, route].compactMap { $0 }.joined(separator: " ")
            return (name.isEmpty ? e.name : name, .server, a)
        case .lambdaInvoke:
            a.append(("rpc.system", .string("aws-api")))
            a.append(("rpc.service", .string("Lambda")))
            a.append(("rpc.method", .string("Invoke")))
            put("faas.invoked_name", e["aws.function_name"])
            a.append(("faas.invoked_provider", .string("aws")))
            put("faas.invoked_region", e["aws.region"])
            put("aws.request_id", e["aws.request_id"])
            put("http.response.status_code", int: e["http.response.status"])
            return ("Lambda.Invoke", .client, a)
        case .lambdaService:
            put("faas.invocation_id", e["aws.request_id"])
            put("http.response.status_code", int: e["http.response.status"])
            return (e.name, .server, a)
        case .lambdaFunction:
            put("faas.invocation_id", e["aws.request_id"])
            if let cold = e["annotations.cold_start"] { a.append(("faas.coldstart", .bool(cold == "true"))) }
            if joined { a.append(("faas.trigger", .string("http"))) }
            put("aws.lambda.invoked_arn", e["aws.function_arn"])
            put("aws.lambda.status", e["metadata.logstitch.status"])
            return (e.name, .internal, a)
        case .statement:
            let system = (e["sql.database_type"] ?? "other_sql").lowercased()
            let (server, namespace) = databaseAddress(e)
            let summary = e["metadata.rds_slow_query.fingerprint"]
            let operation = summary.flatMap { $0.split(separator: " ").first.map { $0.uppercased() } }
            a.append(("db.system.name", .string(system)))
            a.append(("db.system", .string(system)))
            put("db.namespace", namespace)
            put("db.query.text", e["sql.sanitized_query"])
            put("db.statement", e["sql.sanitized_query"])
            put("db.query.summary", summary)
            put("db.operation.name", operation)
            put("db.user", e["sql.user"])
            put("server.address", server)
            put("db.rds.fingerprint_id", e["metadata.rds_slow_query.fingerprint_id"])
            put("db.rds.attribution", e["metadata.rds_slow_query.attribution"])
            let name = [operation, namespace ?? server].compactMap { $0 }.joined(separator: " ")
            return (name.isEmpty ? e.name : name, .client, a)
        case .initialization, .invocation, .overhead, .other:
            return (e.name, .internal, a)
        }
    }

    /// The instance and database a statement's `sql.url`
    /// (`mysql://instance/db`) names; without one, its name is the instance.
    static func databaseAddress(_ e: TraceEntity) -> (server: String, namespace: String?) {
        if let url = e["sql.url"], let r = url.range(of: "://") {
            let rest = url[r.upperBound...]
            if let slash = rest.firstIndex(of: "/") {
                return (String(rest[..<slash]), String(rest[rest.index(after: slash)...]))
            }
            return (String(rest), nil)
        }
        return (e.name, nil)
    }

    static func attributes(_ attrs: [(String, Attribute)], _ w: inout JSONWriter) {
        w.arrayStart("attributes")
        for (k, v) in attrs { attribute(k, v, &w) }
        w.endArray()
    }

    static func attribute(_ key: String, _ value: Attribute, _ w: inout JSONWriter) {
        w.element()
        w.beginObject()
        w.field("key", key)
        w.objectStart("value")
        switch value {
        case .string(let s): w.field("stringValue", s)
        case .int(let n): w.field("intValue", String(n))
        case .bool(let b): w.field("boolValue", b)
        }
        w.endObject()
        w.endObject()
    }
}
