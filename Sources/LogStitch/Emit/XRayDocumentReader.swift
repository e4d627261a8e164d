/// Reads segment documents (one per line, as segments.ndjson holds them)
/// back into `TraceEntity`s: the document's segment, or its independent
/// subsegment, then its subsegments depth first, each linked to its parent.
public enum XRayDocumentReader {
    /// The entities of one document; nil when it is not a segment document
    /// (malformed JSON, or no id, trace id or times).
    public static func entities(_ line: ByteView) -> [TraceEntity]? {
        var r = Reader(scanner: JSONScanner(line))
        var out: [TraceEntity] = []
        guard r.entity(parent: nil, traceId: nil, isDocument: true, depth: 0, into: &out) else { return nil }
        r.scanner.skipWhitespace()
        guard r.scanner.atEnd else { return nil }
        if out.contains(where: { $0.traceId.isEmpty }) { Reader.fillTraceIds(&out) }
        return out
    }

    /// Every document of an NDJSON text, in order; lines that are not
    /// documents are skipped (and counted in `skipped`).
    public static func entities(ndjson: ByteView, skipped: inout Int) -> [[TraceEntity]] {
        var documents: [[TraceEntity]] = []
        var start = 0
        while start < ndjson.count {
            let end = ndjson.slice(start, ndjson.count).firstIndex(of: ASCII.lf).map { start + $0 } ?? ndjson.count
            if end > start {
                if let e = entities(ndjson.slice(start, end)) { documents.append(e) } else { skipped += 1 }
            }
            start = end + 1
        }
        return documents
    }

    /// One pass over a document: each value is read where it lies, an
    /// entity's members and its subsegments as they come (validating a
    /// nested object first and then walking it read every level again).
    struct Reader {
        var scanner: JSONScanner
        static let maxDepth = 64

        /// Calls `member` at each key of the object at the scanner's
        /// position; `member` reads the value. False if malformed.
        mutating func object(_ member: (inout Reader, JSONScanner.Value) -> Bool) -> Bool {
            scanner.skipWhitespace()
            guard !scanner.atEnd, scanner.bytes[scanner.position] == ASCII.leftBrace else { return false }
            scanner.position += 1
            scanner.skipWhitespace()
            if !scanner.atEnd, scanner.bytes[scanner.position] == ASCII.rightBrace {
                scanner.position += 1
                return true
            }
            while true {
                scanner.skipWhitespace()
                guard !scanner.atEnd, scanner.bytes[scanner.position] == ASCII.quote, let key = scanner.string() else {
                    return false
                }
                scanner.skipWhitespace()
                guard !scanner.atEnd, scanner.bytes[scanner.position] == ASCII.colon else { return false }
                scanner.position += 1
                guard member(&self, key) else { return false }
                scanner.skipWhitespace()
                guard !scanner.atEnd else { return false }
                let c = scanner.bytes[scanner.position]
                scanner.position += 1
                if c == ASCII.rightBrace { return true }
                guard c == ASCII.comma else { return false }
            }
        }

        /// Calls `element` at each element of the array at the scanner's position.
        mutating func array(_ element: (inout Reader) -> Bool) -> Bool {
            scanner.skipWhitespace()
            guard !scanner.atEnd, scanner.bytes[scanner.position] == ASCII.leftBracket else { return false }
            scanner.position += 1
            scanner.skipWhitespace()
            if !scanner.atEnd, scanner.bytes[scanner.position] == ASCII.rightBracket {
                scanner.position += 1
                return true
            }
            while true {
                guard element(&self) else { return false }
                scanner.skipWhitespace()
                guard !scanner.atEnd else { return false }
                let c = scanner.bytes[scanner.position]
                scanner.position += 1
                if c == ASCII.rightBracket { return true }
                guard c == ASCII.comma else { return false }
            }
        }

        /// What comes next: an object, an array, or a scalar (read).
        mutating func peek() -> UInt8? {
            scanner.skipWhitespace()
            return scanner.atEnd ? nil : scanner.bytes[scanner.position]
        }

        /// A scalar value's text: strings decoded, anything else as written.
        mutating func scalar() -> (JSONScanner.Value, String)? {
            guard let v = scanner.value() else { return nil }
            return (v, v.kind == .null ? "" : scanner.string(v))
        }

        /// One segment or subsegment and, after it, its subsegments.
        mutating func entity(
            parent: String?, traceId: String?, isDocument: Bool, depth: Int, into out: inout [TraceEntity]
        ) -> Bool {
            guard depth < Self.maxDepth else { return false }
            var fields: [(key: String, value: String)] = []
            var isSubsegmentDocument = false
            var id: String?, name: String?, trace: String?, start: EpochMicros?, end: EpochMicros?
            var parentId: String?, origin: String?, namespace: String?
            var fault = false, error = false, throttle = false
            // Subsegments come after their entity; where the document lists
            // them before its own id, they are read once it is known.
            var children: [Int] = []
            // Its place comes before its subsegments', filled once it is read.
            let me = out.count
            out.append(TraceEntity(id: "", traceId: "", name: "", start: 0, end: 0, isSegment: false))
            let ok = object { r, k in
                let key = r.scanner.string(k)
                if key == "subsegments" {
                    return r.array { r in
                        children.append(out.count)
                        // Empty when the document names them after its subsegments.
                        return r.entity(
                            parent: id ?? "", traceId: trace ?? traceId ?? "", isDocument: false, depth: depth + 1,
                            into: &out)
                    }
                }
                if let c = r.peek(), c == ASCII.leftBrace || c == ASCII.leftBracket {
                    return r.flatten(key, depth: depth + 1, into: &fields)
                }
                guard let (v, text) = r.scalar() else { return false }
                switch key {
                case "type": isSubsegmentDocument = text == "subsegment"
                case "id": id = text
                case "name": name = text
                case "trace_id": trace = text
                case "start_time": start = micros(r.scanner.raw(v))
                case "end_time": end = micros(r.scanner.raw(v))
                case "parent_id": parentId = text
                case "origin": origin = text
                case "namespace": namespace = text
                case "fault": fault = text == "true"
                case "error": error = text == "true"
                case "throttle": throttle = text == "true"
                default: if v.kind != .null { fields.append((key, text)) }
                }
                return true
            }
            guard ok, let id, let name, let trace = trace ?? traceId, let start else { return false }
            var e = TraceEntity(
                id: id, traceId: trace, name: name, start: start, end: end ?? start,
                isSegment: isDocument && !isSubsegmentDocument)
            e.parentId = parentId ?? parent
            e.origin = origin
            e.namespace = namespace
            e.fault = fault
            e.error = error
            e.throttle = throttle
            e.fields = fields
            e.classify()
            out[me] = e
            for c in children where out[c].parentId == "" { out[c].parentId = id }
            return true
        }

        /// Subsegments listed before their document's trace id got none:
        /// each takes its parent's (parents come before their children).
        static func fillTraceIds(_ out: inout [TraceEntity]) {
            var trace: [String: String] = [:]
            for i in out.indices {
                if out[i].traceId.isEmpty, let p = out[i].parentId, let t = trace[p] { out[i].traceId = t }
                trace[out[i].id] = out[i].traceId
            }
        }

        /// Leaves by dotted path; array elements by index.
        mutating func flatten(_ path: String, depth: Int, into fields: inout [(key: String, value: String)]) -> Bool {
            guard depth < Self.maxDepth, let c = peek() else { return false }
            if c == ASCII.leftBrace {
                return object { r, k in r.flatten(path + "." + r.scanner.string(k), depth: depth + 1, into: &fields) }
            }
            if c == ASCII.leftBracket {
                var i = 0
                return array { r in
                    defer { i += 1 }
                    return r.flatten(path + "." + String(i), depth: depth + 1, into: &fields)
                }
            }
            guard let (v, text) = scalar() else { return false }
            if v.kind != .null { fields.append((path, text)) }
            return true
        }
    }

    /// Epoch seconds with up to six decimals, as the writer writes them, to
    /// whole microseconds without a trip through floating point.
    static func micros(_ text: String) -> EpochMicros? {
        var t = text
        return t.withUTF8 { micros(ByteView($0)) }
    }

    static func micros(_ text: ByteView) -> EpochMicros? {
        var whole: Int64 = 0, frac: Int64 = 0, fracDigits = 0, digits = 0
        var negative = false, inFraction = false
        for i in 0..<text.count {
            let b = text[i]
            switch b {
            case ASCII.minus where i == 0: negative = true
            case ASCII.dot where !inFraction: inFraction = true
            case ASCII.zero...ASCII.nine:
                let d = Int64(b - ASCII.zero)
                if inFraction {
                    if fracDigits < 6 {
                        frac = frac * 10 + d
                        fracDigits += 1
                    }
                } else {
                    guard digits < 12 else { return nil }
                    whole = whole * 10 + d
                    digits += 1
                }
            default:
                // An exponent or anything else: as a Double.
                let d = Double(String(decoding: text, as: UTF8.self))
                return d.flatMap { $0.isFinite && abs($0) < 1e12 ? EpochMicros(($0 * 1e6).rounded()) : nil }
            }
        }
        guard digits > 0 else { return nil }
        for _ in fracDigits..<6 { frac *= 10 }
        let us = whole * 1_000_000 + frac
        return negative ? -us : us
    }
}
