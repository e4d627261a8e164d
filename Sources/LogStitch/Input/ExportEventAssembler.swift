/// Reassembles events of a CloudWatch Logs export to S3, where each event is
/// `2026-11-24T03:00:00.123Z <message>` and any line without that prefix
/// continues the previous event (Lambda REPORT's `XRAY TraceId` part,
/// PostgreSQL's tab-indented statement lines).
///
/// With `enabled` false it passes raw lines through one record each.
struct ExportEventAssembler {
    let enabled: Bool
    let maxBytes: Int
    var message: [UInt8] = []
    var line = 0
    var time: EpochMicros = 0
    var pending = false
    var overlong = false

    init(enabled: Bool, maxBytes: Int) {
        self.enabled = enabled
        self.maxBytes = maxBytes
        message.reserveCapacity(64 * 1024)
    }

    /// The event time if `line` starts with the export prefix (24 bytes + space).
    static func eventPrefix(_ line: ByteView) -> EpochMicros? {
        guard line.count >= 25, line[23] == 0x5A, line[24] == ASCII.space, line[19] == ASCII.dot,
            let (t, n) = Timestamp.parseISO8601Prefix(line.prefix(24)), n == 24
        else { return nil }
        return t
    }

    /// The minute (`YYYY-MM-DDTHH:MM`, as two words) of the last prefix
    /// read, and its time: consecutive events mostly share it, and then
    /// only the seconds and milliseconds are left to read.
    var minuteText: (UInt64, UInt64) = (0, 0)
    var minuteStart: EpochMicros?

    /// `eventPrefix`, remembering the minute.
    mutating func eventTime(_ line: ByteView) -> EpochMicros? {
        guard line.count >= 25, let p = line.baseAddress else { return nil }
        let key = (p.loadUnaligned(as: UInt64.self), p.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
        if let base = minuteStart, key == minuteText, line[16] == ASCII.colon, line[19] == ASCII.dot,
            line[23] == 0x5A, line[24] == ASCII.space,
            let s = Timestamp.digits(line, 17, 2), s < 60, let ms = Timestamp.digits(line, 20, 3)
        {
            return base + Int64(s) * 1_000_000 + Int64(ms) * 1000
        }
        // A leap second (read as :59) is left to the full parse.
        guard let t = Self.eventPrefix(line) else { return nil }
        // The seconds and milliseconds are two and three digits here.
        let s = Timestamp.digits(line, 17, 2)!, ms = Timestamp.digits(line, 20, 3)!
        if s < 60 {
            minuteText = key
            minuteStart = t - Int64(s) * 1_000_000 - Int64(ms) * 1000
        }
        return t
    }

    mutating func take<C: RecordConsumer>(
        line raw: ByteView, lineNo: Int, _ ctx: inout LogFileReader.Context, _ consumer: inout C
    ) {
        guard enabled else {
            if raw.trimmed().count == 0 {
                ctx.report.recordsSeen += 1
                ctx.report.ignored += 1
                return
            }
            ctx.count(
                LogRecord(file: ctx.file.index, line: lineNo, timestamp: nil, source: ctx.pathSource, message: raw),
                &consumer)
            return
        }
        if let t = eventTime(raw) {
            flush(&ctx, &consumer)
            pending = true
            overlong = false
            line = lineNo
            time = t
            message.removeAll(keepingCapacity: true)
            message.append(contentsOf: raw.dropFirst(25))
            return
        }
        if !pending {
            if raw.trimmed().count == 0 {
                ctx.report.recordsSeen += 1
                ctx.report.ignored += 1
                return
            }
            ctx.rejectRecord(
                line: lineNo,
                reason:
                    "continuation line with no CloudWatch export event before it (expected a 'YYYY-MM-DDTHH:MM:SS.mmmZ ' prefix)",
                excerpt: raw)
            return
        }
        if overlong { return }
        if message.count + 1 + raw.count > maxBytes {
            overlong = true
            return
        }
        message.append(ASCII.lf)
        message.append(contentsOf: raw)
    }

    mutating func flush<C: RecordConsumer>(_ ctx: inout LogFileReader.Context, _ consumer: inout C) {
        guard pending else { return }
        pending = false
        if overlong {
            message.withUnsafeBytes { ctx.rejectOverlong($0, line: line, limit: maxBytes) }
            return
        }
        // Continuation lines may end in blank lines (older timeout events end "\n\n").
        while let last = message.last, last == ASCII.lf || last == ASCII.cr { message.removeLast() }
        let (l, t) = (line, time)
        message.withUnsafeBytes { bytes in
            ctx.count(
                LogRecord(file: ctx.file.index, line: l, timestamp: t, source: ctx.pathSource, message: bytes),
                &consumer)
        }
    }
}
