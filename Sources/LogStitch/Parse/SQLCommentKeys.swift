/// Reads the request a statement belongs to out of its SQL comments, before
/// anything else touches the text: sqlcommenter `key='url-encoded value'`
/// pairs (usually in a trailing `/*…*/`), Marginalia-style `key:value`,
/// hand-rolled `key=value;` lists, a W3C `traceparent`, an X-Ray
/// `Root=1-…` header or bare trace id, and Lambda request ids.
public enum SQLCommentKeys {
    /// Keys whose value names the Lambda (or API Gateway) request.
    static let requestIdKeys: Set<String> = [
        "request_id", "requestid", "aws_request_id", "awsrequestid", "lambda_request_id",
        "lambdarequestid", "x-amzn-requestid", "x_amzn_requestid", "invocation_id", "reqid",
    ]
    static let traceKeys: Set<String> = ["xray_trace_id", "x-amzn-trace-id", "x_amzn_trace_id", "trace_id", "traceid", "xray", "root", "awstraceheader"]

    public static func extract(_ text: String) -> SQLCorrelationKeys {
        var t = text
        return t.withUTF8 { extract(bytes: $0) }
    }

    static func extract(bytes: UnsafeBufferPointer<UInt8>) -> SQLCorrelationKeys {
        var keys = SQLCorrelationKeys()
        // Most statements have no comment: two searches tell.
        let raw = UnsafeRawBufferPointer(bytes)
        guard raw.index(of: "/*") != nil || raw.index(of: "--") != nil else { return keys }
        var comments: [Range<Int>] = []
        var i = 0
        // Collect comment bodies, skipping over string literals so that a
        // '/*' inside a value is not taken for a comment.
        while i < bytes.count {
            let c = bytes[i]
            if c == ASCII.apostrophe {
                var j = i + 1
                while j < bytes.count {
                    if bytes[j] == ASCII.backslash { j += 2; continue }
                    if bytes[j] == ASCII.apostrophe { if j + 1 < bytes.count && bytes[j + 1] == ASCII.apostrophe { j += 2; continue }; break }
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
        // The last comment wins for tags (sqlcommenter appends at the end).
        for range in comments.reversed() {
            let body = UnsafeBufferPointer(rebasing: bytes[range])
            let pairs = parsePairs(body)
            if keys.tags.isEmpty && !pairs.isEmpty { keys.tags = pairs }
            for (k, v) in pairs {
                let key = k.lowercased()
                if keys.traceId == nil {
                    if key == "traceparent" {
                        var vv = v
                        keys.traceId = vv.withUTF8 { TraceId.fromTraceparent(ByteView($0).trimmed()) }
                    } else if traceKeys.contains(key) || v.hasPrefix("Root=") {
                        var vv = v
                        keys.traceId = vv.withUTF8 { TraceId.parse(ByteView($0)) }
                    }
                }
                if keys.requestId == nil, requestIdKeys.contains(key) {
                    let trimmed = v.trimmingCharacters(in: " \"")
                    if !trimmed.isEmpty { keys.requestId = RequestId(trimmed.lowercased()) }
                }
            }
            // Free text: any X-Ray root id or traceparent in the comment.
            if keys.traceId == nil {
                keys.traceId = { (b: UnsafeRawBufferPointer) -> TraceId? in
                    if let t = TraceId.find(in: b) { return t }
                    var from = 0
                    while let p = b.index(of: "00-", from: from) {
                        if p + 55 <= b.count, p == 0 || !ASCII.isHexOrWord(b[p - 1]), let t = TraceId.fromTraceparent(b.slice(p, p + 55)) { return t }
                        from = p + 1
                    }
                    return nil
                }(UnsafeRawBufferPointer(body))
            }
        }
        return keys
    }

    /// Splits `k='v',k2='v2'` (sqlcommenter), `k:v,k2:v2` (Marginalia) or
    /// `k=v; k2=v2` into URL-decoded pairs.
    static func parsePairs(_ body: UnsafeBufferPointer<UInt8>) -> [(String, String)] {
        var pairs: [(String, String)] = []
        var i = 0
        let n = body.count
        while i < n {
            while i < n, ASCII.isSpace(body[i]) || body[i] == ASCII.comma || body[i] == ASCII.semicolon { i += 1 }
            let keyStart = i
            while i < n, body[i] != ASCII.equals, body[i] != ASCII.colon, body[i] != ASCII.comma, body[i] != ASCII.semicolon, !ASCII.isSpace(body[i]) { i += 1 }
            let key = UnsafeBufferPointer(rebasing: body[keyStart..<i])
            var j = i
            while j < n, body[j] == ASCII.space { j += 1 }
            guard j < n, body[j] == ASCII.equals || body[j] == ASCII.colon, !key.isEmpty else {
                // Not a pair: skip the word.
                i = max(i + 1, j)
                continue
            }
            j += 1
            while j < n, body[j] == ASCII.space { j += 1 }
            var value: [UInt8] = []
            if j < n, body[j] == ASCII.apostrophe || body[j] == ASCII.quote {
                let q = body[j]
                j += 1
                while j < n, body[j] != q {
                    if body[j] == ASCII.backslash, j + 1 < n { value.append(body[j + 1]); j += 2; continue }
                    value.append(body[j]); j += 1
                }
                j += 1
            } else {
                while j < n, body[j] != ASCII.comma, body[j] != ASCII.semicolon, !ASCII.isSpace(body[j]) { value.append(body[j]); j += 1 }
            }
            pairs.append((urlDecode(key), urlDecode(value)))
            i = j
        }
        return pairs
    }

    static func urlDecode<C: RandomAccessCollection>(_ b: C) -> String where C.Element == UInt8, C.Index == Int {
        guard b.contains(0x25) else { return String(decoding: b, as: UTF8.self) }
        var out = [UInt8]()
        out.reserveCapacity(b.count)
        var i = 0
        while i < b.count {
            if b[i] == 0x25, i + 2 < b.count, let h = ASCII.hexValue(b[i + 1]), let l = ASCII.hexValue(b[i + 2]) {
                out.append(h << 4 | l); i += 3
            } else {
                out.append(b[i]); i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
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
