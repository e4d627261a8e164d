#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Limits that keep one bad line from taking the run's memory.
public struct ReaderLimits: Sendable {
    /// Longest line (or CloudWatch export event) accepted; longer ones are rejected, not truncated.
    public var maxLineBytes = 2 * 1024 * 1024
    /// Longest subscription envelope accepted (a Firehose record inflates to several MB at most).
    public var maxEnvelopeBytes = 64 * 1024 * 1024
    /// Rows written to rejects.csv per file; summary.json counts the rest.
    public var rejectRowsPerFile = 1000
    /// gzip layers unwrapped before the content is treated as data.
    public var maxGzipLayers = 4

    public init() {}
}

/// Reads one input file from start to end and feeds its records to a
/// consumer: detects compression by magic bytes, detects the framing, splits
/// records in place, and accounts for every record and every damaged byte.
public struct LogFileReader {
    public let limits: ReaderLimits
    let buffer: ReadBuffer

    public init(limits: ReaderLimits = ReaderLimits()) {
        self.limits = limits
        buffer = ReadBuffer(
            initialRecord: limits.maxLineBytes, maxRecord: max(limits.maxLineBytes, limits.maxEnvelopeBytes))
    }

    public func read<C: RecordConsumer>(_ file: InputFile, into consumer: inout C) -> FileReport {
        var report = FileReport(path: file.path)
        consumer.beginFile(file)
        let raw: FileDescriptorStream
        do {
            raw =
                file.isStandardInput
                ? FileDescriptorStream(fd: 0, ownsDescriptor: false)
                : try FileDescriptorStream.open(path: file.path)
        } catch {
            consumer.endFile()
            fail(&report, file, error, line: 0)
            return report
        }
        var context = Context(file: file, report: report, limits: limits, pathSource: file.pathSource)
        var framingStarted = false
        do {
            let stream = try unwrapCompression(raw, file, &context.report)
            framingStarted = true
            buffer.reset(stream: stream)
            defer { buffer.release() }
            try readFraming(&context, &consumer)
        } catch {
            if error.isAboutTheWholeFile {
                // Recognised from its first line, before any record was read: the file as a whole.
                buffer.consume(upTo: buffer.end)
                fail(&context.report, file, error, line: 0)
            } else {
                context.flushDamagedTail(buffer, &consumer)
                // Damage found while detecting the format concerns the file as a whole (line 0).
                fail(&context.report, file, error, line: framingStarted ? context.line + 1 : 0)
            }
        }
        consumer.endFile()
        context.applyLateRejects(&consumer)
        if framingStarted {
            context.report.compressedBytes = raw.bytesRead
            context.report.uncompressedBytes = buffer.totalRead
        } else {
            // Rejected from its first bytes (not gzip, another compression):
            // its size, not what the sniff read, and nothing inflated (the
            // buffer still holds the figures of the file before).
            context.report.compressedBytes =
                file.isStandardInput ? raw.bytesRead : Self.size(of: file.path) ?? raw.bytesRead
            context.report.uncompressedBytes = 0
        }
        return context.report
    }

    static func size(of path: String) -> Int64? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        return Int64(st.st_size)
    }

    func fail(_ report: inout FileReport, _ file: InputFile, _ error: InputError, line: Int) {
        report.fileError = error.reason
        report.rejects.append(Reject(file: file.path, line: line, reason: error.reason, excerpt: ""))
    }

    /// Peels gzip layers off by magic bytes (never by file name): a Firehose
    /// object with GZIP compression on is gzip inside gzip.
    func unwrapCompression(_ raw: FileDescriptorStream, _ file: InputFile, _ report: inout FileReport)
        throws(InputError) -> ByteStream
    {
        var stream: ByteStream = raw
        var layers = 0
        while true {
            let head = try PrefixedStream.sniff(stream, count: 2)
            stream = PrefixedStream(prefix: head, upstream: stream)
            guard head.count == 2, head[0] == 0x1F, head[1] == 0x8B, layers < limits.maxGzipLayers else { break }
            layers += 1
            // The outer layer of a file can be read again from its start,
            // which lets the faster inflater hand damage over to zlib.
            let replay: (() throws(InputError) -> ByteStream)? =
                layers == 1 && !file.isStandardInput ? raw.reopenedFromStart : nil
            stream = try GzipInflater(upstream: stream, layer: layers, replay: replay)
        }
        if layers == 0 && file.looksGzipNamed {
            let head = try PrefixedStream.sniff(stream, count: 8)
            if !head.isEmpty {
                throw InputError.notGzip(
                    offset: 0,
                    detail: "starts with " + head.map { String($0, radix: 16).leftPadded(2) }.joined(separator: " "))
            }
        }
        report.compression = layers == 0 ? "plain" : Array(repeating: "gzip", count: layers).joined(separator: "+")
        return stream
    }

    enum Framing: String { case lines, export = "cloudwatch-export", envelopes = "cloudwatch-subscription" }

    func readFraming<C: RecordConsumer>(_ ctx: inout Context, _ consumer: inout C) throws(InputError) {
        // Look at enough of the start to tell the framings apart.
        while buffer.available < 4096, try buffer.fill() != nil {}
        if buffer.available == 0 {
            ctx.report.framing = "empty"
            if let damage = buffer.damage { throw damage }
            return
        }
        // Other compressions by their magic bytes (looked at in the read
        // buffer: a small read of its own made ISA-L hand the file to zlib):
        // read as text they would be rejected line by line.
        if let other = OtherCompression(magic: Array(buffer.window.prefix(10))) {
            throw InputError.unsupportedCompression(name: other.name, tool: other.tool)
        }
        let framing = detectFraming(buffer.window)
        ctx.report.framing = framing.rawValue
        if framing == .lines, let foreign = ForeignFormat.detect(buffer.window) {
            throw InputError.foreignFormat(foreign.reason)
        }
        switch framing {
        case .lines, .export:
            var export = ExportEventAssembler(enabled: framing == .export, maxBytes: limits.maxLineBytes)
            try splitLines(&ctx) { line, lineNo, ctx in
                export.take(line: line, lineNo: lineNo, &ctx, &consumer)
            }
            // The event being assembled was decoded before any damage: keep it.
            export.flush(&ctx, &consumer)
        case .envelopes:
            var splitter = EnvelopeSplitter()
            try splitter.run(buffer, &ctx, &consumer)
        }
        if let damage = buffer.damage { throw damage }
    }

    func detectFraming(_ head: ByteView) -> Framing {
        var i = 0
        while i < head.count, ASCII.isSpace(head[i]) { i += 1 }
        if i < head.count && head[i] == ASCII.leftBrace {
            let probe = head.slice(i, min(head.count, i + 4096))
            if probe.index(of: "\"messageType\"") != nil && probe.index(of: "\"log") != nil { return .envelopes }
        }
        if ExportEventAssembler.eventPrefix(head) != nil { return .export }
        return .lines
    }

    /// Calls `body` for every physical line (LF or CRLF ended; the last may
    /// lack its newline). Over-long lines are rejected and skipped.
    func splitLines(_ ctx: inout Context, _ body: (ByteView, Int, inout Context) -> Void) throws(InputError) {
        var scan = buffer.start
        var skipping = false
        while true {
            let w = buffer.view(0, buffer.end)
            if let nl = w.index(of: ASCII.lf, from: scan) {
                ctx.line += 1
                if skipping {
                    skipping = false
                } else if nl - buffer.start > limits.maxLineBytes {
                    ctx.rejectOverlong(w.slice(buffer.start, nl), line: ctx.line, limit: limits.maxLineBytes)
                } else {
                    var e = nl
                    if e > buffer.start && w[e - 1] == ASCII.cr { e -= 1 }
                    body(w.slice(buffer.start, e), ctx.line, &ctx)
                }
                buffer.consume(upTo: nl + 1)
                scan = buffer.start
                continue
            }
            if !skipping && buffer.available > limits.maxLineBytes {
                ctx.rejectOverlong(w.slice(buffer.start, buffer.end), line: ctx.line + 1, limit: limits.maxLineBytes)
                skipping = true
            }
            if skipping { buffer.consume(upTo: buffer.end) }
            scan = buffer.end
            guard let shift = try buffer.fill() else {
                if buffer.available > 0 && !skipping && buffer.damage == nil {
                    ctx.line += 1
                    var tail = buffer.window
                    if tail[tail.count - 1] == ASCII.cr { tail = tail.prefix(tail.count - 1) }
                    body(tail, ctx.line, &ctx)
                    buffer.consume(upTo: buffer.end)
                }
                return
            }
            scan -= shift
        }
    }

    /// Per-file state shared by the framings.
    struct Context {
        let file: InputFile
        var report: FileReport
        let limits: ReaderLimits
        var line = 0
        /// The source of records that name none themselves (made once per file).
        let pathSource: LogSource
        /// The last envelope's source, for the next envelope that names the same.
        var envelopeSource: LogSource?

        mutating func count<C: RecordConsumer>(_ record: LogRecord, _ consumer: inout C) {
            report.recordsSeen += 1
            switch consumer.consume(record) {
            case .parsed(let kind): report.parsed[kind.rawValue] += 1
            case .ignored: report.ignored += 1
            case .rejected(let reason): reject(line: record.line, reason: reason, excerpt: record.message)
            }
            applyLateRejects(&consumer)
        }

        mutating func applyLateRejects<C: RecordConsumer>(_ consumer: inout C) {
            for late in consumer.takeLateRejects() {
                if let kind = late.kind { report.parsed[kind.rawValue] -= 1 } else { report.ignored -= 1 }
                reject(line: late.line, reason: late.reason, excerpt: ByteView(start: nil, count: 0))
            }
        }

        /// A record the framing itself could not make sense of.
        mutating func rejectRecord(line: Int, reason: String, excerpt: ByteView) {
            report.recordsSeen += 1
            reject(line: line, reason: reason, excerpt: excerpt)
        }

        mutating func rejectOverlong(_ head: ByteView, line: Int, limit: Int) {
            rejectRecord(
                line: line, reason: "line longer than the \(limit)-byte limit (--max-line-bytes); skipped",
                excerpt: head)
        }

        mutating func reject(line: Int, reason: String, excerpt: ByteView) {
            report.rejected += 1
            if report.rejects.count < limits.rejectRowsPerFile {
                report.rejects.append(
                    Reject(file: file.path, line: line, reason: reason, excerpt: Reject.excerpt(excerpt)))
            } else {
                report.rejectRowsOmitted += 1
            }
        }

        /// After damage: a partial line left in the buffer was cut off, so it is rejected, not guessed at.
        mutating func flushDamagedTail<C: RecordConsumer>(_ buffer: ReadBuffer, _ consumer: inout C) {
            guard buffer.available > 0 else { return }
            rejectRecord(
                line: line + 1, reason: "incomplete record cut off by damage to the file", excerpt: buffer.window)
            buffer.consume(upTo: buffer.end)
        }
    }
}
