/// Reads segment documents (one per line, as segments.ndjson holds them)
/// back into `TraceEntity`s: the document's segment, or its independent
/// subsegment, then its subsegments depth first, each linked to its parent.
public enum XRayDocumentReader {
    /// The entities of one document; nil when it is not a segment document
    /// (malformed JSON, or no id, trace id or times).
    public static func entities(_ line: ByteView) -> [TraceEntity]? {
        var scanner = JSONScanner(line)
        guard let root = scanner.value(), root.kind == .object else { return nil }
        var out: [TraceEntity] = []
        guard read(root, scanner, parent: nil, traceId: nil, isDocument: true, into: &out) else { return nil }
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

    private static func read(
        _ object: JSONScanner.Value, _ s: JSONScanner, parent: String?, traceId: String?, isDocument: Bool,
        into out: inout [TraceEntity]
    ) -> Bool {
        var fields: [(key: String, value: String)] = []
        var children: [JSONScanner.Value] = []
        var isSubsegmentDocument = false
        var id: String?, name: String?, trace: String?, start: EpochMicros?, end: EpochMicros?
        var parentId: String?, origin: String?, namespace: String?
        var fault = false, error = false, throttle = false
        s.forEachMember(object) { k, v in
            let key = s.string(k)
            switch key {
            case "subsegments": children = elements(v, s)
            case "type": isSubsegmentDocument = s.string(v) == "subsegment"
            case "id": id = s.string(v)
            case "name": name = s.string(v)
            case "trace_id": trace = s.string(v)
            case "start_time": start = Self.micros(s.raw(v))
            case "end_time": end = Self.micros(s.raw(v))
            case "parent_id": parentId = s.string(v)
            case "origin": origin = s.string(v)
            case "namespace": namespace = s.string(v)
            case "fault": fault = s.raw(v).equals("true")
            case "error": error = s.raw(v).equals("true")
            case "throttle": throttle = s.raw(v).equals("true")
            default: flatten(key, v, s, into: &fields)
            }
            return true
        }
        guard let id, let name, let trace = trace ?? traceId, let start else { return false }
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
        out.append(e)
        for child in children where child.kind == .object {
            guard read(child, s, parent: id, traceId: trace, isDocument: false, into: &out) else { return false }
        }
        return true
    }

    private static func elements(_ v: JSONScanner.Value, _ s: JSONScanner) -> [JSONScanner.Value] {
        var out: [JSONScanner.Value] = []
        s.forEachElement(v) {
            out.append($0)
            return true
        }
        return out
    }

    /// Leaves by dotted path; array elements by index.
    private static func flatten(
        _ path: String, _ v: JSONScanner.Value, _ s: JSONScanner, into fields: inout [(key: String, value: String)]
    ) {
        switch v.kind {
        case .object:
            s.forEachMember(v) { k, m in
                flatten(path + "." + s.string(k), m, s, into: &fields)
                return true
            }
        case .array:
            var i = 0
            s.forEachElement(v) { m in
                flatten(path + "." + String(i), m, s, into: &fields)
                i += 1
                return true
            }
        case .null: break
        default: fields.append((path, s.string(v)))
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
