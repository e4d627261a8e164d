/// summary.json: per input file and in total, what was read and what became
/// of every record (parsed per source + ignored + rejected = seen).
public struct RunSummary {
    public var files: [FileReport]
    public var wallTimeMicros: Int64
    public var invocations = 0
    public var unknownFunctionInvocations = 0
    public var extra: [(String, Int)] = []

    public init(files: [FileReport], wallTimeMicros: Int64) {
        self.files = files
        self.wallTimeMicros = wallTimeMicros
    }

    public var totalSeen: Int { files.reduce(0) { $0 + $1.recordsSeen } }
    public var totalRejected: Int { files.reduce(0) { $0 + $1.rejected } }
    public var totalIgnored: Int { files.reduce(0) { $0 + $1.ignored } }
    public var totalParsed: Int { files.reduce(0) { $0 + $1.parsedTotal } }
    public var filesWithErrors: Int { files.filter { $0.fileError != nil }.count }
    public var hasProblems: Bool { files.contains { $0.hasProblems } }

    public func json(version: String) -> [UInt8] {
        var w = JSONWriter()
        w.beginObject()
        w.field("logstitch_version", version)
        w.objectStart("totals")
        w.field("files", files.count)
        w.field("files_with_errors", filesWithErrors)
        w.field("compressed_bytes", files.reduce(Int64(0)) { $0 + $1.compressedBytes })
        w.field("uncompressed_bytes", files.reduce(Int64(0)) { $0 + $1.uncompressedBytes })
        w.field("records_seen", totalSeen)
        w.objectStart("records_parsed")
        for kind in SourceKind.allCases {
            w.field(dynamic: kind.name, files.reduce(0) { $0 + $1.parsed[kind.rawValue] })
        }
        w.endObject()
        w.field("records_parsed_total", totalParsed)
        w.field("records_ignored", totalIgnored)
        w.field("records_rejected", totalRejected)
        w.field("reject_rows_omitted", files.reduce(0) { $0 + $1.rejectRowsOmitted })
        w.endObject()
        w.objectStart("lambda")
        w.field("invocations", invocations)
        w.field("unknown_function_invocations", unknownFunctionInvocations)
        w.endObject()
        if !extra.isEmpty {
            w.objectStart("correlation")
            for (k, v) in extra { w.field(dynamic: k, v) }
            w.endObject()
        }
        w.arrayStart("files")
        for f in files {
            w.element()
            w.beginObject()
            w.field("path", f.path)
            w.field("compression", f.compression)
            w.field("framing", f.framing)
            w.field("compressed_bytes", f.compressedBytes)
            w.field("uncompressed_bytes", f.uncompressedBytes)
            w.field("records_seen", f.recordsSeen)
            w.objectStart("records_parsed")
            for kind in SourceKind.allCases { w.field(dynamic: kind.name, f.parsed[kind.rawValue]) }
            w.endObject()
            w.field("records_ignored", f.ignored)
            w.field("records_rejected", f.rejected)
            w.field("reject_rows_omitted", f.rejectRowsOmitted)
            if let e = f.fileError { w.field("error", e) } else { w.fieldNull("error") }
            w.endObject()
        }
        w.endArray()
        w.key("wall_time_seconds")
        w.element()
        w.raw(format3(wallTimeMicros))
        w.endObject()
        w.newline()
        return w.bytes
    }

    func format3(_ us: Int64) -> String {
        String(us / 1_000_000) + "." + String(us / 1000 % 1000).leftPadded(3)
    }

    public func rejectsCSV() -> [UInt8] {
        var csv = CSVWriter(header: ["file", "line", "reason", "excerpt"])
        for f in files {
            for r in f.rejects { csv.row([r.file, r.line == 0 ? "" : String(r.line), r.reason, r.excerpt]) }
        }
        return csv.bytes
    }
}
