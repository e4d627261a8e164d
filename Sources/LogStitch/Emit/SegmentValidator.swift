/// Checks segment documents against AWS's schema (v1.0.0) and the rules the
/// X-Ray service and its main consumers enforce (see shared/reference
/// xray-spec.md §6): sizes, ids, names, times, types, namespaces, HTTP,
/// causes, annotations, metadata, SQL, and trace-level parent links.
public enum SegmentValidator {
    public struct Problem: Sendable, Equatable {
        public var line: Int
        public var message: String
    }

    public struct Report: Sendable {
        public var documents = 0
        public var invalidDocuments = 0
        /// Traces whose documents, each valid, do not make one tree (two roots).
        public var invalidTraces = 0
        /// Documents holding an entity whose time is not inside its
        /// parent's (X-Ray takes them, but draws them wrong; Initialization
        /// and Restore, which X-Ray itself puts before their function
        /// segment's start, are exempt).
        public var outsideParent = 0
        /// Documents whose trace id X-Ray would refuse by age (`XRayAgeLimit`):
        /// valid, but an upload would lose them.
        public var tooOldForXRay = 0
        public var aheadOfXRay = 0
        /// The first `problemLimit` problems by line; the rest are counted.
        public var problems: [Problem] = []
        public var problemsNotListed = 0
    }

    /// Problems listed in a report; past it they are counted (a file whose
    /// every document is bad would otherwise hold its size in messages).
    public static let problemLimit = 10_000

    /// A parsed JSON value; validation is off the hot path, so a tree is fine.
    indirect enum Node {
        case object([(String, Node)])
        case array([Node])
        case string(String)
        case number(String)
        case bool(Bool)
        case null

        subscript(_ key: String) -> Node? {
            if case .object(let members) = self { return members.first { $0.0 == key }?.1 }
            return nil
        }
        var string: String? {
            if case .string(let s) = self { return s }
            return nil
        }
        var number: Double? {
            if case .number(let s) = self { return Double(s) }
            return nil
        }
        var isInteger: Bool {
            if case .number(let s) = self { return !s.contains(".") && !s.contains("e") && !s.contains("E") }
            return false
        }
    }

    static func node(_ s: JSONScanner, _ v: JSONScanner.Value) -> Node {
        switch v.kind {
        case .object:
            var members: [(String, Node)] = []
            s.forEachMember(v) { k, val in
                members.append((s.string(k), node(s, val)))
                return true
            }
            return .object(members)
        case .array:
            var items: [Node] = []
            s.forEachElement(v) {
                items.append(node(s, $0))
                return true
            }
            return .array(items)
        case .string: return .string(s.string(v))
        case .number: return .number(s.raw(v).string)
        case .bool: return .bool(s.raw(v).equals("true"))
        case .null, .bare: return .null
        }
    }

    /// Reads a segment file, gzip-compressed (`--compress`) or not.
    public static func validate(ndjson: [UInt8], age: XRayAgeLimit? = nil) -> Report {
        var check = Checker()
        check.age = age
        ndjson.withUnsafeBytes { all in all.forEachField(separatedBy: ASCII.lf) { check.document($0) } }
        // In memory up to its budget, a temporary file past it: for a file
        // this size the budget is never passed.
        return (try? check.finish()) ?? check.report
    }

    /// Validates a file as it is read (gzip or not), a line at a time: the
    /// text is never held whole (a day's 2.8 M documents were 3 GB of it).
    /// `budget`: trace-level records held in memory before they go to
    /// temporary files (TMPDIR), 32 bytes each.
    public static func validate(path: String, budget: Int = 1 << 20, age: XRayAgeLimit? = nil) throws -> Report {
        var check = Checker(budget: budget)
        check.age = age
        try LineFile.forEachLine(path: path) { line, _ in
            check.document(line)
            return true
        }
        return try check.finish()
    }

    /// The checks, fed one document (line) at a time. Each document is
    /// checked as it comes; what the trace-level checks need (every id,
    /// parent link and root, 32 bytes each) is parked by trace in
    /// `PartitionedRecords` and checked one partition at a time at the end,
    /// so memory stays bounded whatever the file's size.
    struct Checker {
        var report = Report()
        /// One id, parent link or root of a document, by trace.
        struct TraceEntity: BitwiseCopyable {
            var epoch: UInt32, high: UInt32, low: UInt64
            var id: UInt64
            /// The entity's span (for an id) or the document's (for a parent link), µs.
            var start: Int64, end: Int64
            var line: Int32
            var kind: Kind
            /// Whether the document already has problems of its own.
            var bad: Bool
            enum Kind: UInt8, BitwiseCopyable { case id, parent, root }
            var trace: TraceId { TraceId(epoch: epoch, high: high, low: low) }
        }
        static let partitions = 64
        var entities: PartitionedRecords<TraceEntity>
        /// Texts the compact records cannot spell back (ids that are not 16
        /// lower-case hex digits, traces not in canonical case): each one is
        /// a problem of its document already or in upper case; up to
        /// `problemLimit` are kept, past that a message spells them in
        /// canonical form.
        var oddIds: [UInt64: String] = [:]
        var oddTraces: [Int32: String] = [:]
        var lineNo = 0
        var failure: Error?
        var age: XRayAgeLimit?

        init(budget: Int = 1 << 20) { entities = PartitionedRecords(partitions: Self.partitions, budget: budget) }

        static func compactId(_ id: String) -> UInt64 {
            var t = id
            if let v = t.withUTF8({ b -> UInt64? in b.count == 16 ? ASCII.parseHex16(UnsafeRawBufferPointer(b)) : nil })
            {
                return v
            }
            return StableHash.fnv(id)
        }
        static func hex(_ v: UInt64) -> String {
            let digits = String(v, radix: 16)
            return String(repeating: "0", count: 16 - digits.count) + digits
        }

        mutating func park(_ trace: TraceId, _ id: UInt64, _ kind: TraceEntity.Kind, span: (Int64, Int64)?, bad: Bool) {
            guard failure == nil else { return }
            let e = TraceEntity(
                epoch: trace.epoch, high: trace.high, low: trace.low, id: id, start: span?.0 ?? .min,
                end: span?.1 ?? .max,
                line: Int32(truncatingIfNeeded: lineNo), kind: kind, bad: bad)
            let partition = Int(
                StableHash.mix(UInt64(trace.epoch) ^ UInt64(trace.high) << 32 ^ trace.low) % UInt64(Self.partitions))
            do { try entities.append(e, partition: partition) } catch { failure = error }
        }

        mutating func compact(_ id: String) -> UInt64 {
            let v = Self.compactId(id)
            if oddIds.count < problemLimit, Self.hex(v) != id { oddIds[v] = id }
            return v
        }

        mutating func document(_ raw: ByteView) {
            lineNo += 1
            let line = raw.trimmed()
            guard line.count > 0 else { return }
            report.documents += 1
            var problems: [String] = []
            if line.count > 65536 { problems.append("document is \(line.count) bytes; X-Ray's limit is 64 KB") }
            var s = JSONScanner(line)
            guard let v = s.value(), v.kind == .object,
                ({
                    s.skipWhitespace()
                    return s.atEnd
                })()
            else {
                list([Problem(line: lineNo, message: "not a single JSON object")])
                report.invalidDocuments += 1
                return
            }
            let doc = node(s, v)
            let independent = doc["type"] != nil
            if let t = doc["type"], t.string != "subsegment" { problems.append("type must be \"subsegment\"") }
            guard let traceText = doc["trace_id"]?.string else {
                problems.append("missing trace_id")
                list(problems.map { Problem(line: lineNo, message: $0) })
                report.invalidDocuments += 1
                return
            }
            let valid = validTraceId(traceText)
            if !valid { problems.append("trace_id '\(traceText)' is not 1-<8 hex>-<24 hex>") }
            var t = traceText
            let trace = valid ? t.withUTF8 { TraceId.parse(UnsafeRawBufferPointer($0)) } : nil
            switch trace.flatMap({ age?.verdict($0) }) {
            case .tooOld?: report.tooOldForXRay += 1
            case .ahead?: report.aheadOfXRay += 1
            default: break
            }
            if let trace, oddTraces.count < problemLimit, trace.text != traceText {
                oddTraces[Int32(truncatingIfNeeded: lineNo)] = traceText
            }
            if independent, doc["parent_id"]?.string.map(validId) != true {
                problems.append("independent subsegment needs a 16-hex parent_id")
            }
            entity(doc, path: "", isSegment: !independent, enclosingId: nil, &problems) { _ in }
            if !problems.isEmpty {
                report.invalidDocuments += 1
                list(problems.map { Problem(line: lineNo, message: $0) })
            }
            var spans: [(id: String, span: (Int64, Int64)?)] = []
            var outside: [String] = []
            SegmentValidator.nesting(doc, parent: nil, isRoot: true, origin: doc["origin"]?.string, &spans, &outside)
            if !outside.isEmpty {
                outsideLines.insert(Int32(truncatingIfNeeded: lineNo))
                list(outside.map { Problem(line: lineNo, message: $0) })
            }
            guard let trace else { return }
            let bad = !problems.isEmpty
            let own = SegmentValidator.span(doc)
            if !independent, doc["parent_id"] == nil { park(trace, 0, .root, span: nil, bad: bad) }
            if let p = doc["parent_id"]?.string { park(trace, compact(p), .parent, span: own, bad: bad) }
            for (id, span) in spans where validId(id) { park(trace, compact(id), .id, span: span, bad: bad) }
        }

        /// Lines of documents outside their parent's time (one count each).
        var outsideLines = Set<Int32>()

        /// Keeps the first `problemLimit` problems by (line, message). Those
        /// of documents arrive in line order, the trace-level ones at the
        /// end in any order: the list is cut back whenever it doubles.
        mutating func list(_ new: [Problem]) {
            report.problems += new
            if report.problems.count >= 2 * problemLimit { cutProblems() }
        }
        mutating func cutProblems() {
            report.problems.sort { ($0.line, $0.message) < ($1.line, $1.message) }
            if report.problems.count > problemLimit {
                report.problemsNotListed += report.problems.count - problemLimit
                report.problems.removeLast(report.problems.count - problemLimit)
            }
        }

        /// Trace-level, a partition at a time: ids unique in their trace,
        /// parents resolve, one root per trace.
        mutating func finish() throws -> Report {
            if let failure { throw failure }
            for p in 0..<Self.partitions {
                var records = try entities.records(of: p)
                records.sort { a, b in
                    (a.epoch, a.high, a.low, a.id, a.kind.rawValue, a.line) < (
                        b.epoch, b.high, b.low, b.id, b.kind.rawValue, b.line
                    )
                }
                check(records)
            }
            entities.close()
            report.outsideParent = outsideLines.count
            cutProblems()
            return report
        }

        /// One partition's records, sorted by (trace, id, kind, line).
        mutating func check(_ records: [TraceEntity]) {
            var madeBad = Set<Int32>()
            func problem(_ e: TraceEntity, _ message: String) {
                list([Problem(line: Int(e.line), message: message)])
                if !e.bad, madeBad.insert(e.line).inserted { report.invalidDocuments += 1 }
            }
            var i = 0
            while i < records.count {
                // One trace.
                var j = i
                var roots = 0
                while j < records.count, records[j].epoch == records[i].epoch, records[j].high == records[i].high,
                    records[j].low == records[i].low
                {
                    j += 1
                }
                let trace = records[i].trace
                var k = i
                while k < j {
                    // One id of the trace: its ids (by line), then the parent links to it.
                    var m = k
                    while m < j, records[m].id == records[k].id { m += 1 }
                    var lastIdLine: Int32?
                    var lastIdSpan: TraceEntity?
                    for e in records[k..<m] {
                        switch e.kind {
                        case .id:
                            if let other = lastIdLine {
                                problem(
                                    e,
                                    "id \(oddIds[e.id] ?? Self.hex(e.id)) is not unique in trace \(oddTraces[e.line] ?? trace.text) (also on line \(other))"
                                )
                            }
                            lastIdLine = e.line
                            lastIdSpan = e
                        case .parent:
                            if lastIdLine == nil {
                                problem(
                                    e, "parent_id \(oddIds[e.id] ?? Self.hex(e.id)) is not an id in trace \(trace.text)"
                                )
                            } else if let p = lastIdSpan, e.start != .min, p.start != .min,
                                e.start < p.start || e.end > p.end
                            {
                                list([
                                    Problem(
                                        line: Int(e.line),
                                        message:
                                            "document (\(SegmentValidator.seconds(e.start))–\(SegmentValidator.seconds(e.end))) is not inside the time of its parent \(oddIds[e.id] ?? Self.hex(e.id)) (\(SegmentValidator.seconds(p.start))–\(SegmentValidator.seconds(p.end)))"
                                    )
                                ])
                                outsideLines.insert(e.line)
                            }
                        case .root:
                            roots += 1
                        }
                    }
                    k = m
                }
                if roots > 1 {
                    list([Problem(line: 0, message: "trace \(trace.text) has \(roots) root segments")])
                    report.invalidTraces += 1
                }
                i = j
            }
        }
    }

    /// An entity's start and end in µs, when both are numbers.
    static func span(_ e: Node) -> (Int64, Int64)? {
        guard let s = e["start_time"]?.number, let en = e["end_time"]?.number, s.isFinite, en.isFinite,
            abs(s) < 1e11, abs(en) < 1e11
        else { return nil }
        return (Int64((s * 1e6).rounded()), Int64((en * 1e6).rounded()))
    }

    static func seconds(_ us: Int64) -> String {
        let sign = us < 0 ? "-" : ""
        let a = us.magnitude
        let frac = String(a % 1_000_000)
        return sign + String(a / 1_000_000) + "." + String(repeating: "0", count: 6 - frac.count) + frac
    }

    /// Collects every entity's id and span, and says where an embedded
    /// subsegment is not inside its parent. Initialization and Restore
    /// under an `AWS::Lambda::Function` segment are exempt: X-Ray puts them
    /// before the segment's start (xray-spec.md §2.3, R32).
    static func nesting(
        _ e: Node, parent: (name: String, span: (Int64, Int64))?, isRoot: Bool, origin: String?,
        _ spans: inout [(id: String, span: (Int64, Int64)?)], _ outside: inout [String]
    ) {
        guard case .object = e else { return }
        let own = span(e)
        let name = e["name"]?.string ?? "?"
        if let id = e["id"]?.string { spans.append((id, own)) }
        if let p = parent, let o = own, o.0 < p.span.0 || o.1 > p.span.1 {
            let exempt = (name == "Initialization" || name == "Restore") && origin == "AWS::Lambda::Function"
            if !exempt {
                outside.append(
                    "subsegment '\(name)' (\(seconds(o.0))–\(seconds(o.1))) is not inside its parent '\(p.name)' (\(seconds(p.span.0))–\(seconds(p.span.1)))"
                )
            }
        }
        guard case .array(let subs)? = e["subsegments"] else { return }
        let me = own.map { (name: name, span: $0) }
        for s in subs { nesting(s, parent: me, isRoot: false, origin: isRoot ? origin : nil, &spans, &outside) }
    }

    static func validTraceId(_ t: String) -> Bool {
        let b = Array(t.utf8)
        guard b.count == 35, b[0] == 0x31, b[1] == ASCII.minus, b[10] == ASCII.minus else { return false }
        for i in 2..<35 where i != 10 { if ASCII.hexValue(b[i]) == nil { return false } }
        return true
    }

    static func validId(_ id: String) -> Bool {
        let b = Array(id.utf8)
        return b.count == 16 && b.allSatisfy { ASCII.hexValue($0) != nil } && id != "0000000000000000"
    }

    static func validName(_ n: String) -> Bool {
        let count = n.unicodeScalars.count
        guard count >= 1, count <= 200 else { return false }
        return n.unicodeScalars.allSatisfy(SegmentDocumentWriter.isNameScalar)
    }

    static func entity(
        _ e: Node, path: String, isSegment: Bool, enclosingId: String?, _ problems: inout [String],
        _ sawId: (String) -> Void
    ) {
        let here = path.isEmpty ? "" : path + ": "
        guard case .object = e else {
            problems.append("\(here)subsegment is not an object")
            return
        }
        if let n = e["name"]?.string {
            if !validName(n) { problems.append("\(here)name '\(n)' has characters X-Ray rejects or is not 1–200 long") }
        } else {
            problems.append("\(here)missing name")
        }
        var myId: String?
        if let id = e["id"]?.string {
            if validId(id) {
                myId = id
                sawId(id)
            } else {
                problems.append("\(here)id '\(id)' is not 16 hex digits")
            }
        } else {
            problems.append("\(here)missing id")
        }
        let start = e["start_time"]?.number
        if start == nil { problems.append("\(here)start_time missing or not a number") }
        if let s = start, s < 946684800 || s > 4294967295 { problems.append("\(here)start_time \(s) is out of range") }
        if let end = e["end_time"] {
            guard let en = end.number else {
                problems.append("\(here)end_time is not a number")
                return
            }
            if let s = start, en < s { problems.append("\(here)end_time is before start_time") }
        } else if case .bool(true)? = e["in_progress"] {
        } else {
            problems.append("\(here)needs end_time or in_progress: true")
        }
        for flag in ["in_progress", "error", "throttle", "fault"] {
            if let f = e[flag] { if case .bool = f {} else { problems.append("\(here)\(flag) must be a boolean") } }
        }
        if !isSegment, let p = e["parent_id"]?.string, let enc = enclosingId, p != enc {
            problems.append("\(here)embedded subsegment's parent_id differs from its enclosing entity's id")
        }
        if let ns = e["namespace"] {
            if let s = ns.string, s == "aws" || s == "remote" {
            } else {
                problems.append("\(here)namespace must be \"aws\" or \"remote\"")
            }
        }
        if let http = e["http"] {
            if let req = http["request"] {
                for k in ["method", "url", "user_agent", "client_ip"] {
                    if let v = req[k] {
                        guard let s = v.string else {
                            problems.append("\(here)http.request.\(k) must be a string")
                            continue
                        }
                        if s.count > 250 { problems.append("\(here)http.request.\(k) is longer than 250") }
                    }
                }
            }
            if let resp = http["response"] {
                if let st = resp["status"] {
                    if !st.isInteger || !(100...599).contains(Int(st.number ?? 0)) {
                        problems.append("\(here)http.response.status must be an integer 100–599")
                    }
                }
                if let cl = resp["content_length"], !cl.isInteger {
                    problems.append("\(here)http.response.content_length must be an integer")
                }
            }
        }
        if let user = e["user"], (user.string?.count ?? 251) > 250 {
            problems.append("\(here)user must be a string of at most 250")
        }
        if let cause = e["cause"] {
            switch cause {
            case .string(let s): if s.utf8.count != 16 { problems.append("\(here)cause id must be 16 characters") }
            case .object:
                if case .array(let exs)? = cause["exceptions"] {
                    for ex in exs {
                        if ex["id"]?.string.map(validId) != true {
                            problems.append("\(here)exception id must be 16 hex digits")
                        }
                        for k in ["truncated", "skipped"] {
                            if let v = ex[k], !v.isInteger {
                                problems.append("\(here)exception \(k) must be an integer")
                            }
                        }
                    }
                }
            default: problems.append("\(here)cause must be an exception id or an object")
            }
        }
        if let ann = e["annotations"] {
            if case .object(let members) = ann {
                for (k, v) in members {
                    if k.isEmpty || k.count > 500 || !k.utf8.allSatisfy({ ASCII.isHexOrWord($0) }) {
                        problems.append("\(here)annotation key '\(k)' must be [A-Za-z0-9_]")
                    }
                    switch v {
                    case .string(let s):
                        if s.count > 1000 { problems.append("\(here)annotation '\(k)' is longer than 1000") }
                    case .number, .bool: break
                    default: problems.append("\(here)annotation '\(k)' must be a string, number or boolean")
                    }
                }
            } else {
                problems.append("\(here)annotations must be an object")
            }
        }
        if let meta = e["metadata"] {
            if case .object(let members) = meta {
                for (k, v) in members {
                    if case .object = v {
                    } else {
                        problems.append("\(here)metadata namespace '\(k)' must be an object")
                    }
                }
            } else {
                problems.append("\(here)metadata must be an object")
            }
        }
        if let sql = e["sql"] {
            if case .object(let members) = sql {
                for (k, v) in members where v.string == nil { problems.append("\(here)sql.\(k) must be a string") }
                if let url = sql["url"]?.string {
                    if !sqlURLValid(url) { problems.append("\(here)sql.url '\(url)' is not scheme://host/database") }
                    if let r = url.range(of: "://"),
                        url[r.upperBound...].split(separator: "/").first?.contains("@") == true,
                        url[r.upperBound...].split(separator: "@").first?.contains(":") == true
                    {
                        problems.append("\(here)sql.url must not carry a password")
                    }
                }
                if let u = sql["user"]?.string, u.count > 250 { problems.append("\(here)sql.user is longer than 250") }
            } else {
                problems.append("\(here)sql must be an object")
            }
        }
        if let subs = e["subsegments"] {
            guard case .array(let items) = subs else {
                problems.append("\(here)subsegments must be an array")
                return
            }
            for (i, sub) in items.enumerated() {
                let name = sub["name"]?.string ?? "#\(i)"
                entity(
                    sub, path: path.isEmpty ? name : path + " > " + name, isSegment: false, enclosingId: myId,
                    &problems, sawId)
            }
        }
    }

    /// `^(.+//.+)/([^?]+)\??.*$`, the shape the OpenTelemetry receiver requires.
    /// `scheme://host/database`, as the Collector's X-Ray receiver requires
    /// (it refuses the document otherwise).
    static func sqlURLValid(_ url: String) -> Bool {
        guard let r = url.range(of: "//"), r.lowerBound > url.startIndex else { return false }
        let afterScheme = url[r.upperBound...]
        guard let slash = afterScheme.firstIndex(of: "/"), slash > afterScheme.startIndex else { return false }
        let db = afterScheme[afterScheme.index(after: slash)...].prefix { $0 != "?" }
        return !db.isEmpty
    }
}
