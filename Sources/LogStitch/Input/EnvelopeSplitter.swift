import CLinux

/// Splits CloudWatch Logs subscription envelopes as Firehose delivers them:
/// JSON objects back to back (`}{`) or one per line, each carrying a log
/// group, a stream and a batch of events. Each event becomes one record.
struct EnvelopeSplitter {
    var message: [UInt8] = []

    /// Tracks a JSON object's extent across buffer refills without parsing it.
    struct Boundary {
        var depth = 0
        var inString = false
        var escaped = false

        /// Index just past the object that starts at `from`, or nil if it continues past `to`.
        mutating func scan(_ w: ByteView, from: Int, to: Int) -> Int? {
            guard let base = w.baseAddress else { return nil }
            var i = from
            while i < to {
                if inString && !escaped {
                    // Messages are most of an envelope, and escaped JSON:
                    // their end is found 64 bytes at a time (see
                    // `JSONScanner.string`).
                    var backslash: Int32 = 0
                    let k = logstitch_json_string_end(base.assumingMemoryBound(to: UInt8.self) + i, to - i, &backslash)
                    if backslash >= 0, i + k < to {
                        inString = false
                        i += k + 1
                        continue
                    }
                    // A string that goes on past `to` (or no SSE2): eight bytes at
                    // a time to the next quote or backslash, keeping the escape state.
                    i = WordScan.skipToEither(ASCII.quote, ASCII.backslash, in: base, from: i, end: to)
                    if i >= to { break }
                }
                let c = w[i]
                if inString {
                    if escaped {
                        escaped = false
                    } else if c == ASCII.backslash {
                        escaped = true
                    } else if c == ASCII.quote {
                        inString = false
                    }
                } else if c == ASCII.quote {
                    inString = true
                } else if c == ASCII.leftBrace {
                    depth += 1
                } else if c == ASCII.rightBrace {
                    depth -= 1
                    if depth == 0 { return i + 1 }
                }
                i += 1
            }
            return nil
        }
    }

    mutating func run<C: RecordConsumer>(_ buffer: ReadBuffer, _ ctx: inout LogFileReader.Context, _ consumer: inout C)
        throws(InputError)
    {
        while true {
            // Skip whitespace between envelopes, counting lines.
            while true {
                var w = buffer.view(0, buffer.end)
                var i = buffer.start
                while i < buffer.end, ASCII.isSpace(w[i]) {
                    if w[i] == ASCII.lf { ctx.line += 1 }
                    i += 1
                }
                buffer.consume(upTo: i)
                if buffer.available > 0 { break }
                if try buffer.fill() == nil { return }
                w = buffer.view(0, buffer.end)
            }
            let startLine = ctx.line + 1
            if buffer.view(0, buffer.end)[buffer.start] != ASCII.leftBrace {
                try skipGarbage(buffer, &ctx, line: startLine)
                continue
            }
            var boundary = Boundary()
            var scan = buffer.start
            var end: Int?
            // Where the next envelope starts, looked for apart from the
            // brace count: `{"messageType"` cannot occur inside one (its
            // messages' quotes are escaped), so finding it before this one
            // closes means this one is damaged, and reading goes on there.
            var searched = buffer.start + 1
            var resync: Int?
            while true {
                end = boundary.scan(buffer.view(0, buffer.end), from: scan, to: buffer.end)
                if let n = Self.nextEnvelopeStart(buffer.view(0, buffer.end), from: searched),
                    end.map({ n < $0 }) ?? true
                {
                    resync = n
                    break
                }
                searched = max(buffer.start + 1, buffer.end - 15)
                if end != nil { break }
                if buffer.available > ctx.limits.maxEnvelopeBytes {
                    ctx.rejectRecord(
                        line: startLine,
                        reason: "subscription envelope longer than \(ctx.limits.maxEnvelopeBytes) bytes; skipped",
                        excerpt: buffer.window)
                    buffer.consume(upTo: buffer.start + 1)
                    try skipGarbage(buffer, &ctx, line: startLine, silently: true)
                    break
                }
                scan = buffer.end
                guard let shift = try buffer.fill() else {
                    if buffer.damage != nil { return }  // rejected with the damage
                    ctx.rejectRecord(
                        line: startLine, reason: "subscription envelope is cut off at the end of the file",
                        excerpt: buffer.window)
                    buffer.consume(upTo: buffer.end)
                    return
                }
                scan -= shift
                searched -= shift
            }
            if let next = resync {
                let damaged = buffer.view(buffer.start, next)
                ctx.rejectRecord(
                    line: startLine,
                    reason: "malformed subscription envelope (it does not close before the next envelope starts)",
                    excerpt: damaged)
                var k = 0
                while let nl = damaged.index(of: ASCII.lf, from: k) {
                    ctx.line += 1
                    k = nl + 1
                }
                buffer.consume(upTo: next)
                continue
            }
            guard let objectEnd = end else { continue }
            let envelope = buffer.view(buffer.start, objectEnd)
            process(envelope, line: startLine, &ctx, &consumer)
            // Line numbers continue after any newlines inside the envelope.
            var k = 0
            while let nl = envelope.index(of: ASCII.lf, from: k) {
                ctx.line += 1
                k = nl + 1
            }
            buffer.consume(upTo: objectEnd)
        }
    }

    static func nextEnvelopeStart(_ w: ByteView, from: Int) -> Int? {
        guard from < w.count else { return nil }
        return w.index(of: "{\"messageType\"", from: from)
    }

    /// Skips to the next envelope start after bytes that are not one; they
    /// are rejected as one record (unless already reported).
    func skipGarbage(_ buffer: ReadBuffer, _ ctx: inout LogFileReader.Context, line: Int, silently: Bool = false)
        throws(InputError)
    {
        var reported = silently
        while true {
            let w = buffer.window
            let next = w.index(of: "{\"messageType\"", from: 0) ?? w.index(of: "{\"owner\"", from: 0)
            if !reported {
                ctx.rejectRecord(
                    line: line, reason: "expected a CloudWatch Logs subscription envelope ('{\"messageType\":…}')",
                    excerpt: w.prefix(next ?? w.count))
                reported = true
            }
            let skipTo = next ?? max(0, w.count - 16)
            let skipped = w.prefix(skipTo)
            var k = 0
            while let nl = skipped.index(of: ASCII.lf, from: k) {
                ctx.line += 1
                k = nl + 1
            }
            buffer.consume(upTo: buffer.start + skipTo)
            if next != nil { return }
            if try buffer.fill() == nil {
                buffer.consume(upTo: buffer.end)
                return
            }
        }
    }

    mutating func process<C: RecordConsumer>(
        _ envelope: ByteView, line: Int, _ ctx: inout LogFileReader.Context, _ consumer: inout C
    ) {
        var messageType: JSONScanner.Value?
        var group: JSONScanner.Value?
        var stream: JSONScanner.Value?
        var owner: JSONScanner.Value?
        var events: JSONScanner.Value?
        func read(lenient: Bool) -> JSONScanner? {
            var reading = JSONScanner(envelope, lenient: lenient)
            let scanner = reading
            messageType = nil
            group = nil
            stream = nil
            owner = nil
            events = nil
            let root = reading.members { k, v in
                if scanner.key(k, is: "messageType") {
                    messageType = v
                } else if scanner.key(k, is: "logGroup") {
                    group = v
                } else if scanner.key(k, is: "logStream") {
                    stream = v
                } else if scanner.key(k, is: "logEvents") {
                    events = v
                } else if scanner.key(k, is: "owner") {
                    owner = v
                }
            }
            return root == nil ? nil : scanner
        }
        // An envelope whose braces and quotes pair up but with a bad value
        // (`"timestamp":12a`) is read leniently: the bad value rejects its
        // event, not the envelope's others.
        guard let scanner = read(lenient: false) ?? read(lenient: true) else {
            ctx.rejectRecord(line: line, reason: "malformed subscription envelope JSON", excerpt: envelope)
            return
        }
        if let t = messageType, scanner.raw(t).equals("CONTROL_MESSAGE") {
            ctx.report.recordsSeen += 1
            ctx.report.ignored += 1
            return
        }
        guard let t = messageType, scanner.raw(t).equals("DATA_MESSAGE"), let evs = events, evs.kind == .array else {
            ctx.rejectRecord(
                line: line, reason: "subscription envelope without messageType DATA_MESSAGE and a logEvents array",
                excerpt: envelope)
            return
        }
        let groupName = group.map { scanner.string($0) }.flatMap { $0.isEmpty ? nil : $0 } ?? ctx.file.pathLogGroup
        let streamName = stream.map { scanner.string($0) }.flatMap { $0.isEmpty ? nil : $0 } ?? ctx.file.pathLogStream
        // Envelopes in a row mostly come from one stream: they share a source.
        let source: LogSource
        // The owner is the account only when it is one (12 digits).
        let ownerId = owner.map { scanner.string($0) }.flatMap { o in
            o.utf8.count == 12 && o.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 } ? o : nil
        }
        if let last = ctx.envelopeSource, last.names(groupName, streamName, ownerId) {
            source = last
        } else {
            source = LogSource(logGroup: groupName, logStream: streamName, owner: ownerId)
            ctx.envelopeSource = source
        }
        scanner.forEachElement(evs) { ev in
            var timestamp: EpochMicros?
            var badTimestamp = false
            var msg: JSONScanner.Value?
            if ev.kind == .object {
                scanner.forEachMember(ev) { k, v in
                    if scanner.key(k, is: "timestamp") {
                        if v.kind == .number || v.kind == .string, let ms = scanner.raw(v).parseInt() {
                            timestamp = ms * 1000
                        } else if v.kind != .null {
                            badTimestamp = true
                        }
                    } else if scanner.key(k, is: "message"), v.kind == .string {
                        msg = v
                    }
                    return true
                }
            }
            if badTimestamp {
                ctx.rejectRecord(
                    line: line, reason: "log event whose timestamp is not a number of milliseconds",
                    excerpt: scanner.raw(ev))
                return true
            }
            guard let m = msg else {
                ctx.rejectRecord(line: line, reason: "log event without a message string", excerpt: scanner.raw(ev))
                return true
            }
            message.removeAll(keepingCapacity: true)
            scanner.decode(m, into: &message)
            // Lambda platform lines end in "\n"; the newline is not part of the message.
            while let last = message.last, last == ASCII.lf || last == ASCII.cr { message.removeLast() }
            message.withUnsafeBytes { bytes in
                if bytes.trimmed().count == 0 {
                    ctx.report.recordsSeen += 1
                    ctx.report.ignored += 1
                } else {
                    ctx.count(
                        LogRecord(
                            file: ctx.file.index, line: line, timestamp: timestamp, source: source, message: bytes),
                        &consumer)
                }
            }
            return true
        }
    }
}
