import CLinux
import Foundation

/// Finds a trace in a `convert` output directory by any id a user has at
/// hand: an X-Ray trace id, its OTLP form (32 hex digits), an API Gateway
/// request id or a Lambda request id. segments.ndjson (or .gz) is scanned
/// once per id, memmem over each line, and only lines holding the id are
/// parsed: the scan runs at the speed the file is read.
public enum TraceFinder {
    public enum Query: Equatable, Sendable {
        case traceId(String)
        case requestId(String)
    }

    public struct NotFound: Error, CustomStringConvertible {
        public var description: String
    }

    /// What the user typed, as a trace id when it is one (either form),
    /// else as a request id.
    public static func query(_ id: String) -> Query? {
        let trimmed = id.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty, trimmed.utf8.count <= 256, !trimmed.utf8.contains(ASCII.quote),
            !trimmed.utf8.contains(ASCII.backslash)
        else { return nil }
        if let t = TraceEntity.otlpTraceId(trimmed) { return .traceId(TraceEntity.xrayTraceId(t)!) }
        if let x = TraceEntity.xrayTraceId(trimmed) { return .traceId(x) }
        return .requestId(trimmed)
    }

    /// The segments file of an output directory.
    public static func segmentsFile(in dir: String) -> String? {
        for name in ["segments.ndjson", "segments.ndjson.gz"] {
            let path = dir + "/" + name
            if FileManager.default.isReadableFile(atPath: path) { return path }
        }
        return nil
    }

    /// The trace's documents, in file order. Throws `NotFound` when the
    /// directory has no segments file or the id is in none of its documents.
    public static func find(_ id: String, in dir: String) throws -> [[TraceEntity]] {
        guard let query = query(id) else { throw NotFound(description: "'\(id)' is not an id") }
        guard let path = segmentsFile(in: dir) else {
            throw NotFound(description: "\(dir) holds no segments.ndjson (or .gz): is it a `logstitch convert` output?")
        }
        var documents = 0
        let trace: String
        switch query {
        case .traceId(let t): trace = t
        case .requestId(let r):
            // Which trace holds a document naming the request.
            var found: String?
            try scan(path, needle: "\"" + r + "\"") { line in
                guard let doc = XRayDocumentReader.entities(line) else { return true }
                let named = doc.contains { e in
                    e.fields.contains { $0.key.hasSuffix("request_id") && $0.value == r }
                }
                if named { found = doc.first?.traceId }
                return found == nil
            } counted: {
                documents = $0
            }
            guard let t = found else {
                throw NotFound(description: "no trace in \(path) names request id '\(r)' (\(documents) lines searched)")
            }
            trace = t
        }
        var out: [[TraceEntity]] = []
        try scan(path, needle: "\"trace_id\":\"" + trace + "\"") { line in
            if let doc = XRayDocumentReader.entities(line), doc.first?.traceId == trace { out.append(doc) }
            return true
        } counted: {
            documents = $0
        }
        guard !out.isEmpty else {
            throw NotFound(
                description: "no document in \(path) belongs to trace \(trace) (\(documents) lines searched)")
        }
        return out
    }

    /// Calls `hit` with each line holding `needle` (until it returns false);
    /// `counted` gets how many lines were read.
    static func scan(
        _ path: String, needle: String, _ hit: (ByteView) -> Bool, counted: (Int) -> Void
    ) throws {
        let n = Array(needle.utf8)
        var lines = 0
        try n.withUnsafeBytes { nb in
            try LineFile.forEachLine(path: path) { line, number in
                lines = number
                guard let base = line.baseAddress,
                    logstitch_memmem(base, line.count, nb.baseAddress!, nb.count) != nil
                else { return true }
                return hit(line)
            }
        }
        counted(lines)
    }
}
