/// Reads the request a statement belongs to out of its SQL comments, before
/// anything else touches the text: sqlcommenter `key='url-encoded value'`
/// pairs (usually in a trailing `/*…*/`), Marginalia-style `key:value`,
/// hand-rolled `key=value;` lists, a W3C `traceparent`, an X-Ray
/// `Root=1-…` header or bare trace id, and Lambda request ids.
public enum SQLCommentKeys {
    /// Keys whose value names the Lambda (or API Gateway) request, lower case.
    static let requestIdKeys: [[UInt8]] = [
        "request_id", "requestid", "aws_request_id", "awsrequestid", "lambda_request_id",
        "lambdarequestid", "x-amzn-requestid", "x_amzn_requestid", "invocation_id", "reqid",
    ].map { Array($0.utf8) }
    static let traceKeys: [[UInt8]] = [
        "xray_trace_id", "x-amzn-trace-id", "x_amzn_trace_id", "trace_id", "traceid", "xray", "root", "awstraceheader",
    ]
    .map { Array($0.utf8) }
    static let traceparentKey = Array("traceparent".utf8)

    public static func extract(_ text: String) -> SQLCorrelationKeys {
        var t = text
        return t.withUTF8 { extract(bytes: $0) }
    }

    static func extract(bytes: UnsafeBufferPointer<UInt8>) -> SQLCorrelationKeys {
        var keys = SQLCorrelationKeys()
        // Most statements have no comment: two searches tell.
        let raw = UnsafeRawBufferPointer(bytes)
        guard raw.index(of: "/*") != nil || raw.index(of: "--") != nil else { return keys }
        // The last comment wins (sqlcommenter appends at the end). The
        // last few comments' bounds are kept on the stack, and a pair's key
        // and value are decoded into two scratch buffers: a statement's
        // comments cost no allocation (PERFORMANCE.md, "statement scratch").
        withUnsafeTemporaryAllocation(of: Range<Int>.self, capacity: recentComments) { recent in
            let seen = commentBodies(bytes, keepingLast: recent)
            guard seen <= recentComments else {
                // More comments than the stack keeps: all of them, in an array.
                for range in commentBodies(bytes).reversed()
                where take(comment: UnsafeBufferPointer(rebasing: bytes[range]), &keys) {
                    break
                }
                return
            }
            var k = seen
            while k > 0 {
                k -= 1
                let range = recent[k % recentComments]
                if take(comment: UnsafeBufferPointer(rebasing: bytes[range]), &keys) { break }
            }
        }
        return keys
    }

    /// The bytes `forEachComment` stops at: `'` (0x27), `-` (0x2D) and `/`
    /// (0x2F), told by one subtraction and a bit of 0x141.
    @inline(__always) static func opensStringOrComment(_ c: UInt8) -> Bool {
        let d = c &- 0x27
        return d <= 8 && (0x141 >> d) & 1 != 0
    }

    /// How many of a statement's last comments are kept on the stack.
    static let recentComments = 8

    /// Reads one comment's keys into `keys`; true when both are known.
    static func take(comment body: UnsafeBufferPointer<UInt8>, _ keys: inout SQLCorrelationKeys) -> Bool {
        forEachPair(body) { key, value in take(key: key, value: value, into: &keys) }
        if keys.traceId == nil { keys.traceId = freeTextTrace(UnsafeRawBufferPointer(body)) }
        return keys.traceId != nil && keys.requestId != nil
    }

    /// The bodies of the statement's comments, the last `recent.count` of
    /// them in `recent` as a ring (comment `i` at `i % recent.count`);
    /// returns how many there are.
    static func commentBodies(
        _ bytes: UnsafeBufferPointer<UInt8>, keepingLast recent: UnsafeMutableBufferPointer<Range<Int>>
    )
        -> Int
    {
        var n = 0
        forEachComment(bytes) { range in
            recent[n % recent.count] = range
            n += 1
        }
        return n
    }

    /// The bodies of a statement's `/*…*/` and `-- …` comments, in order.
    static func commentBodies(_ bytes: UnsafeBufferPointer<UInt8>) -> [Range<Int>] {
        var comments: [Range<Int>] = []
        forEachComment(bytes) { comments.append($0) }
        return comments
    }

    /// Calls `body` with the bounds of each `/*…*/` and `-- …` comment's
    /// body, skipping over string literals so that a '/*' inside a value is
    /// not taken for a comment.
    static func forEachComment(_ bytes: UnsafeBufferPointer<UInt8>, _ body: (Range<Int>) -> Void) {
        var i = 0
        while i < bytes.count {
            // Straight to the next byte that can open a string or a comment.
            while i < bytes.count, !opensStringOrComment(bytes[i]) { i += 1 }
            guard i < bytes.count else { return }
            let c = bytes[i]
            if c == ASCII.apostrophe {
                var j = i + 1
                while j < bytes.count {
                    if bytes[j] == ASCII.backslash {
                        j += 2
                        continue
                    }
                    if bytes[j] == ASCII.apostrophe {
                        if j + 1 < bytes.count && bytes[j + 1] == ASCII.apostrophe {
                            j += 2
                            continue
                        }
                        break
                    }
                    j += 1
                }
                i = j + 1
                continue
            }
            if c == ASCII.slash, i + 1 < bytes.count, bytes[i + 1] == 0x2A {
                let bodyStart = i + 2
                // The body ends at the next `*/` (memchr for each `*`).
                let raw = UnsafeRawBufferPointer(bytes)
                var j = bytes.count
                var from = bodyStart
                while let star = raw.index(of: 0x2A, from: from) {
                    if star + 1 < bytes.count, bytes[star + 1] == ASCII.slash {
                        j = star
                        break
                    }
                    from = star + 1
                }
                if j == bytes.count { j = max(bodyStart, bytes.count - 1) }
                let bodyEnd = min(j, bytes.count)
                body(bodyStart..<max(bodyStart, bodyEnd))
                i = bodyEnd + 2
                continue
            }
            if c == ASCII.minus, i + 1 < bytes.count, bytes[i + 1] == ASCII.minus {
                var j = i + 2
                while j < bytes.count, bytes[j] != ASCII.lf { j += 1 }
                body((i + 2)..<j)
                i = j
                continue
            }
            i += 1
        }
    }

    /// One pair's key (URL-decoded, ASCII lower case) and value (URL-decoded).
    static func take(
        key: UnsafeBufferPointer<UInt8>, value: UnsafeBufferPointer<UInt8>, into keys: inout SQLCorrelationKeys
    ) {
        let v = UnsafeRawBufferPointer(value)
        // Lengths first, then bytes (most keys differ in length at once).
        func isKey(_ k: [UInt8]) -> Bool { k.withUnsafeBytes { $0.equals(UnsafeRawBufferPointer(key)) } }
        if keys.traceId == nil {
            if isKey(traceparentKey) {
                keys.traceId = TraceId.fromTraceparent(v.trimmed())
            } else if traceKeys.contains(where: isKey) || v.hasPrefix("Root=") {
                keys.traceId = TraceId.parse(v)
            }
        }
        if keys.requestId == nil, requestIdKeys.contains(where: isKey) {
            let id = v.trimming(ASCII.space, ASCII.quote)
            if !id.isEmpty { keys.requestId = RequestId.lowercased(id) }
        }
    }

    /// Free text: any X-Ray root id or traceparent in a comment.
    static func freeTextTrace(_ b: UnsafeRawBufferPointer) -> TraceId? {
        if let t = TraceId.find(in: b) { return t }
        var from = 0
        while let p = b.index(of: "00-", from: from) {
            if p + 55 <= b.count, p == 0 || !ASCII.isHexOrWord(b[p - 1]),
                let t = TraceId.fromTraceparent(b.slice(p, p + 55))
            {
                return t
            }
            from = p + 1
        }
        return nil
    }

    /// Calls `body` with each pair of `k='v',k2='v2'` (sqlcommenter),
    /// `k:v,k2:v2` (Marginalia) or `k=v; k2=v2`, URL-decoded, the key in
    /// ASCII lower case (keys are compared without case). Key and value are
    /// decoded into two scratch buffers the size of the comment (neither
    /// can be longer), valid for the call only.
    static func forEachPair(
        _ body: UnsafeBufferPointer<UInt8>, _ pair: (UnsafeBufferPointer<UInt8>, UnsafeBufferPointer<UInt8>) -> Void
    ) {
        let n = body.count
        guard n > 0 else { return }
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 2 * n) { scratch in
            let keyBuffer = UnsafeMutableBufferPointer(rebasing: scratch[0..<n])
            let valueBuffer = UnsafeMutableBufferPointer(rebasing: scratch[n..<(2 * n)])
            var i = 0
            while i < n {
                while i < n, ASCII.isSpace(body[i]) || body[i] == ASCII.comma || body[i] == ASCII.semicolon { i += 1 }
                let keyStart = i
                while i < n, body[i] != ASCII.equals, body[i] != ASCII.colon, body[i] != ASCII.comma,
                    body[i] != ASCII.semicolon, !ASCII.isSpace(body[i])
                { i += 1 }
                let keyBytes = UnsafeBufferPointer(rebasing: body[keyStart..<i])
                var j = i
                while j < n, body[j] == ASCII.space { j += 1 }
                guard j < n, body[j] == ASCII.equals || body[j] == ASCII.colon, !keyBytes.isEmpty else {
                    // Not a pair: skip the word.
                    i = max(i + 1, j)
                    continue
                }
                j += 1
                while j < n, body[j] == ASCII.space { j += 1 }
                var valueCount = 0
                if j < n, body[j] == ASCII.apostrophe || body[j] == ASCII.quote {
                    let q = body[j]
                    j += 1
                    while j < n, body[j] != q {
                        if body[j] == ASCII.backslash, j + 1 < n {
                            valueBuffer[valueCount] = body[j + 1]
                            valueCount += 1
                            j += 2
                            continue
                        }
                        valueBuffer[valueCount] = body[j]
                        valueCount += 1
                        j += 1
                    }
                    j += 1
                } else {
                    while j < n, body[j] != ASCII.comma, body[j] != ASCII.semicolon, !ASCII.isSpace(body[j]) {
                        valueBuffer[valueCount] = body[j]
                        valueCount += 1
                        j += 1
                    }
                }
                _ = keyBuffer.update(fromContentsOf: keyBytes)
                let keyCount = urlDecodeInPlace(keyBuffer, count: keyBytes.count)
                for k in 0..<keyCount where keyBuffer[k] >= 0x41 && keyBuffer[k] <= 0x5A { keyBuffer[k] |= 0x20 }
                let decodedValue = urlDecodeInPlace(valueBuffer, count: valueCount)
                pair(
                    UnsafeBufferPointer(rebasing: keyBuffer[0..<keyCount]),
                    UnsafeBufferPointer(rebasing: valueBuffer[0..<decodedValue]))
                i = j
            }
        }
    }

    /// `%XX` escapes in the first `count` bytes made bytes, in place (the
    /// result is never longer); returns the new count.
    static func urlDecodeInPlace(_ b: UnsafeMutableBufferPointer<UInt8>, count: Int) -> Int {
        guard UnsafeRawBufferPointer(UnsafeMutableBufferPointer(rebasing: b[0..<count])).index(of: 0x25) != nil else {
            return count
        }
        var o = 0, i = 0
        while i < count {
            if b[i] == 0x25, i + 2 < count, let h = ASCII.hexValue(b[i + 1]), let l = ASCII.hexValue(b[i + 2]) {
                b[o] = h << 4 | l
                i += 3
            } else {
                b[o] = b[i]
                i += 1
            }
            o += 1
        }
        return o
    }
}

extension String {
    /// Trims any of the given scalars (by scalar, so "\r\n" is two of them).
    func trimmingCharacters(in set: String) -> String {
        let chars = Set(set.unicodeScalars)
        var s = Substring(self).unicodeScalars
        while let f = s.first, chars.contains(f) { s.removeFirst() }
        while let l = s.last, chars.contains(l) { s.removeLast() }
        return String(s)
    }
}
