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
        // The last comment wins (sqlcommenter appends at the end).
        for range in commentBodies(bytes).reversed() {
            let body = UnsafeBufferPointer(rebasing: bytes[range])
            forEachPair(body) { key, value in take(key: key, value: value, into: &keys) }
            if keys.traceId == nil { keys.traceId = freeTextTrace(UnsafeRawBufferPointer(body)) }
            if keys.traceId != nil && keys.requestId != nil { break }
        }
        return keys
    }

    /// The bodies of a statement's `/*…*/` and `-- …` comments, skipping
    /// over string literals so that a '/*' inside a value is not taken for
    /// a comment.
    static func commentBodies(_ bytes: UnsafeBufferPointer<UInt8>) -> [Range<Int>] {
        var comments: [Range<Int>] = []
        var i = 0
        while i < bytes.count {
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
                var j = bodyStart
                while j + 1 < bytes.count, !(bytes[j] == 0x2A && bytes[j + 1] == ASCII.slash) { j += 1 }
                let bodyEnd = min(j, bytes.count)
                comments.append(bodyStart..<bodyEnd)
                i = bodyEnd + 2
                continue
            }
            if c == ASCII.minus, i + 1 < bytes.count, bytes[i + 1] == ASCII.minus {
                var j = i + 2
                while j < bytes.count, bytes[j] != ASCII.lf { j += 1 }
                comments.append((i + 2)..<j)
                i = j
                continue
            }
            i += 1
        }
        return comments
    }

    /// One pair's key (URL-decoded, ASCII lower case) and value (URL-decoded).
    static func take(key: [UInt8], value: [UInt8], into keys: inout SQLCorrelationKeys) {
        value.withUnsafeBytes { v in
            if keys.traceId == nil {
                if key == traceparentKey {
                    keys.traceId = TraceId.fromTraceparent(v.trimmed())
                } else if traceKeys.contains(key) || v.hasPrefix("Root=") {
                    keys.traceId = TraceId.parse(v)
                }
            }
            if keys.requestId == nil, requestIdKeys.contains(key) {
                let id = v.trimming(ASCII.space, ASCII.quote)
                if !id.isEmpty { keys.requestId = RequestId.lowercased(id) }
            }
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
    /// ASCII lower case (keys are compared without case).
    static func forEachPair(_ body: UnsafeBufferPointer<UInt8>, _ pair: ([UInt8], [UInt8]) -> Void) {
        var key: [UInt8] = [], value: [UInt8] = []
        var i = 0
        let n = body.count
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
            value.removeAll(keepingCapacity: true)
            if j < n, body[j] == ASCII.apostrophe || body[j] == ASCII.quote {
                let q = body[j]
                j += 1
                while j < n, body[j] != q {
                    if body[j] == ASCII.backslash, j + 1 < n {
                        value.append(body[j + 1])
                        j += 2
                        continue
                    }
                    value.append(body[j])
                    j += 1
                }
                j += 1
            } else {
                while j < n, body[j] != ASCII.comma, body[j] != ASCII.semicolon, !ASCII.isSpace(body[j]) {
                    value.append(body[j])
                    j += 1
                }
            }
            urlDecode(keyBytes, into: &key)
            for k in key.indices where key[k] >= 0x41 && key[k] <= 0x5A { key[k] |= 0x20 }
            urlDecodeInPlace(&value)
            pair(key, value)
            i = j
        }
    }

    static func urlDecode(_ b: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) {
        out.removeAll(keepingCapacity: true)
        out.append(contentsOf: b)
        urlDecodeInPlace(&out)
    }

    /// `%XX` escapes made bytes (the result is never longer).
    static func urlDecodeInPlace(_ b: inout [UInt8]) {
        guard b.contains(0x25) else { return }
        var o = 0, i = 0
        while i < b.count {
            if b[i] == 0x25, i + 2 < b.count, let h = ASCII.hexValue(b[i + 1]), let l = ASCII.hexValue(b[i + 2]) {
                b[o] = h << 4 | l
                i += 3
            } else {
                b[o] = b[i]
                i += 1
            }
            o += 1
        }
        b.removeLast(b.count - o)
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
