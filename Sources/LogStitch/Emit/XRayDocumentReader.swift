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
        var fields: [String: String] = [:]
        var children: [JSONScanner.Value] = []
        var isSubsegmentDocument = false
        s.forEachMember(object) { k, v in
            let key = s.string(k)
            switch key {
            case "subsegments": children = elements(v, s)
            case "type": isSubsegmentDocument = s.string(v) == "subsegment"
            default: flatten(key, v, s, into: &fields)
            }
            return true
        }
        guard let id = fields.removeValue(forKey: "id"), let name = fields.removeValue(forKey: "name"),
            let trace = fields.removeValue(forKey: "trace_id") ?? traceId,
            let start = fields.removeValue(forKey: "start_time").flatMap(Self.micros)
        else { return false }
        let end = fields.removeValue(forKey: "end_time").flatMap(Self.micros) ?? start
        var e = TraceEntity(
            id: id, traceId: trace, name: name, start: start, end: end, isSegment: isDocument && !isSubsegmentDocument)
        e.parentId = fields.removeValue(forKey: "parent_id") ?? parent
        e.origin = fields.removeValue(forKey: "origin")
        e.namespace = fields.removeValue(forKey: "namespace")
        e.fault = fields.removeValue(forKey: "fault") == "true"
        e.error = fields.removeValue(forKey: "error") == "true"
        e.throttle = fields.removeValue(forKey: "throttle") == "true"
        e.fields = fields
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
        _ path: String, _ v: JSONScanner.Value, _ s: JSONScanner, into fields: inout [String: String]
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
        default: fields[path] = s.string(v)
        }
    }

    /// Epoch seconds with up to six decimals, as the writer writes them, to
    /// whole microseconds without a trip through floating point.
    static func micros(_ text: String) -> EpochMicros? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count <= 2, let whole = Int64(parts[0]) else {
            return Double(text).map { EpochMicros(($0 * 1_000_000).rounded()) }
        }
        var frac: Int64 = 0
        if parts.count == 2 {
            let digits = parts[1].prefix(6)
            guard digits.allSatisfy(\.isNumber), let f = Int64(digits.isEmpty ? "0" : String(digits)) else {
                return nil
            }
            frac = f
            for _ in digits.count..<6 { frac *= 10 }
        }
        return whole * 1_000_000 + (whole < 0 ? -frac : frac)
    }
}
