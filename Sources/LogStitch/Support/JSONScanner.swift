import CLinux

/// A small, allocation-light JSON reader over a byte view.
///
/// It never builds a tree: `value()` validates and skips one value and hands
/// back where it lies, and callers walk objects with `forEachMember`, decoding
/// only the strings they keep. Foundation's JSON types are many times slower
/// (PERFORMANCE.md, "JSON") and must stay off the per-record path.
///
/// `lenient` accepts what API Gateway really writes from hand-made templates:
/// bare unquoted tokens such as `"responseLatency":-` (invalid JSON that
/// appears when a numeric variable is absent).
public struct JSONScanner {
    public enum Kind: UInt8 { case object, array, string, number, bool, null, bare }

    /// Where a value lies. For strings the range excludes the quotes.
    public struct Value {
        public var kind: Kind
        public var start: Int
        public var end: Int
        public var hasEscapes: Bool
    }

    public let bytes: ByteView
    public var position: Int
    public let lenient: Bool
    static let maxDepth = 128

    public init(_ bytes: ByteView, lenient: Bool = false) {
        self.bytes = bytes
        self.position = 0
        self.lenient = lenient
    }

    @inline(__always)
    public mutating func skipWhitespace() {
        while position < bytes.count, ASCII.isSpace(bytes[position]) { position += 1 }
    }

    public var atEnd: Bool { position >= bytes.count }

    /// Parses one value at `position` and moves past it; nil if malformed.
    public mutating func value() -> Value? { value(depth: 0) }

    mutating func value(depth: Int) -> Value? {
        skipWhitespace()
        guard position < bytes.count, depth < Self.maxDepth else { return nil }
        let start = position
        switch bytes[position] {
        case ASCII.leftBrace:
            return object(depth: depth) { _, _ in }
        case ASCII.leftBracket:
            position += 1
            skipWhitespace()
            if position < bytes.count && bytes[position] == ASCII.rightBracket {
                position += 1
                return Value(kind: .array, start: start, end: position, hasEscapes: false)
            }
            while true {
                guard value(depth: depth + 1) != nil else { return nil }
                skipWhitespace()
                guard position < bytes.count else { return nil }
                if bytes[position] == ASCII.comma {
                    position += 1
                    if lenient && closesAfterTrailingComma(ASCII.rightBracket) { break }
                    continue
                }
                if bytes[position] == ASCII.rightBracket {
                    position += 1
                    break
                }
                return nil
            }
            return Value(kind: .array, start: start, end: position, hasEscapes: false)
        case ASCII.quote:
            return string()
        default:
            if let v = literal() { return v }
            position = start
            return lenient ? bare() : nil
        }
    }

    /// A string at `position` (which holds the opening quote). Most are
    /// short and plain (keys, ids, names): their first 64 bytes are scanned
    /// sixteen at a time for the closing quote (the last few eight at a
    /// time, then one by one). Longer ones and any with a
    /// backslash go to `logstitch_json_string_end`, which finds the end 64
    /// bytes at a time whatever the density of escapes: a log line inside a
    /// CloudWatch envelope has an escaped quote every few bytes, which
    /// stopped the eight-byte scan at each of them (a third of reading
    /// Firehose files). Without SSE2, `scanString` does it all.
    mutating func string() -> Value? {
        position += 1
        let start = position
        guard let base = bytes.baseAddress else { return nil }
        let n = bytes.count
        let limit = min(n, start + 64)
        let stop = logstitch_skip_to_quote_or_backslash(base.assumingMemoryBound(to: UInt8.self), start, limit)
        if stop < limit {
            // A quote there is the first (no backslash before it); neither
            // quote nor backslash means fewer than sixteen bytes were left.
            let c = bytes[stop]
            if c == ASCII.quote {
                position = stop + 1
                return Value(kind: .string, start: start, end: stop, hasEscapes: false)
            }
            if c != ASCII.backslash, let plain = scanString(from: start, resumingAt: stop, end: limit, plainOnly: true)
            {
                return plain
            }
        }
        var escapes: Int32 = 0
        let length = logstitch_json_string_end(base.assumingMemoryBound(to: UInt8.self) + start, n - start, &escapes)
        guard escapes >= 0 else { return scanString(from: start) }
        guard start + length < n else { return nil }
        position = start + length + 1
        return Value(kind: .string, start: start, end: start + length, hasEscapes: escapes != 0)
    }

    /// The same, eight bytes at a time until a quote or backslash shows up,
    /// looking no further than `end` (from `resume`, when the bytes before
    /// it are known to hold neither); `plainOnly` gives up at the first
    /// backslash. Nil when no closing quote was found that way.
    mutating func scanString(from start: Int, resumingAt resume: Int? = nil, end: Int? = nil, plainOnly: Bool = false)
        -> Value?
    {
        var escapes = false
        guard let base = bytes.baseAddress else { return nil }
        let n = end ?? bytes.count
        var i = resume ?? start
        while i < n {
            i = WordScan.skipToEither(ASCII.quote, ASCII.backslash, in: base, from: i, end: n)
            guard i < n else { break }
            let c = bytes[i]
            if c == ASCII.quote {
                position = i + 1
                return Value(kind: .string, start: start, end: i, hasEscapes: escapes)
            }
            if c == ASCII.backslash {
                if plainOnly { return nil }
                escapes = true
                i += 2
            } else {
                i += 1
            }
        }
        return nil
    }

    mutating func literal() -> Value? {
        let start = position
        let c = bytes[position]
        if c == 0x74, bytes.hasPrefix(at: position, "true") {
            position += 4
            return Value(kind: .bool, start: start, end: position, hasEscapes: false)
        }
        if c == 0x66, bytes.hasPrefix(at: position, "false") {
            position += 5
            return Value(kind: .bool, start: start, end: position, hasEscapes: false)
        }
        if c == 0x6E, bytes.hasPrefix(at: position, "null") {
            position += 4
            return Value(kind: .null, start: start, end: position, hasEscapes: false)
        }
        // Number: -?digits(.digits)?([eE][+-]?digits)?
        var i = position
        if i < bytes.count && bytes[i] == ASCII.minus { i += 1 }
        let intStart = i
        while i < bytes.count, ASCII.isDigit(bytes[i]) { i += 1 }
        guard i > intStart else { return nil }
        if i < bytes.count && bytes[i] == ASCII.dot {
            i += 1
            let f = i
            while i < bytes.count, ASCII.isDigit(bytes[i]) { i += 1 }
            guard i > f else { return nil }
        }
        if i < bytes.count && (bytes[i] == 0x65 || bytes[i] == 0x45) {
            i += 1
            if i < bytes.count && (bytes[i] == 0x2B || bytes[i] == ASCII.minus) { i += 1 }
            let e = i
            while i < bytes.count, ASCII.isDigit(bytes[i]) { i += 1 }
            guard i > e else { return nil }
        }
        // A number must end at a delimiter, or `-abc` would half-parse.
        if i < bytes.count {
            let d = bytes[i]
            guard ASCII.isSpace(d) || d == ASCII.comma || d == ASCII.rightBrace || d == ASCII.rightBracket else {
                return nil
            }
        }
        position = i
        return Value(kind: .number, start: start, end: i, hasEscapes: false)
    }

    mutating func bare() -> Value? {
        let start = position
        while position < bytes.count {
            let c = bytes[position]
            if c == ASCII.comma || c == ASCII.rightBrace || c == ASCII.rightBracket || ASCII.isSpace(c) { break }
            if c == ASCII.quote || c == ASCII.leftBrace || c == ASCII.leftBracket { return nil }
            position += 1
        }
        guard position > start else { return nil }
        return Value(kind: .bare, start: start, end: position, hasEscapes: false)
    }

    /// Reads the object at `position` in one pass, calling `body(key, value)`
    /// for each member as soon as its value has been read (and validated).
    /// Returns the object, or nil if there is no object or it is malformed;
    /// `body` may have seen the members before the damage, so callers keep
    /// what it gathered only on success. Reading the object with `value()`
    /// and then walking it with `forEachMember` scans every byte twice.
    /// `body` reads through a copy of the scanner (this one is moving).
    public mutating func members(_ body: (Value, Value) -> Void) -> Value? {
        skipWhitespace()
        guard position < bytes.count, bytes[position] == ASCII.leftBrace else { return nil }
        return object(depth: 0, body)
    }

    /// The object whose `{` is at `position`, each member handed to `body`
    /// as soon as its value is read.
    mutating func object(depth: Int, _ body: (Value, Value) -> Void) -> Value? {
        let start = position
        position += 1
        skipWhitespace()
        if position < bytes.count && bytes[position] == ASCII.rightBrace {
            position += 1
            return Value(kind: .object, start: start, end: position, hasEscapes: false)
        }
        while true {
            skipWhitespace()
            guard position < bytes.count, bytes[position] == ASCII.quote, let key = string() else { return nil }
            skipWhitespace()
            guard position < bytes.count, bytes[position] == ASCII.colon else { return nil }
            position += 1
            guard let v = value(depth: depth + 1) else { return nil }
            body(key, v)
            skipWhitespace()
            guard position < bytes.count else { return nil }
            if bytes[position] == ASCII.comma {
                position += 1
                if lenient && closesAfterTrailingComma(ASCII.rightBrace) { break }
                continue
            }
            if bytes[position] == ASCII.rightBrace {
                position += 1
                break
            }
            return nil
        }
        return Value(kind: .object, start: start, end: position, hasEscapes: false)
    }

    /// Lenient reading takes `[1,]` and `{"a":1,}` (the Lambda telemetry
    /// reference prints its records so): past the closer if one follows.
    mutating func closesAfterTrailingComma(_ closer: UInt8) -> Bool {
        skipWhitespace()
        guard position < bytes.count, bytes[position] == closer else { return false }
        position += 1
        return true
    }

    /// The raw bytes of a value (strings without quotes, still escaped).
    @inline(__always)
    public func raw(_ v: Value) -> ByteView { bytes.slice(v.start, v.end) }

    /// Calls `body(key, value)` for each member of an object value, in order.
    /// `body` returns false to stop early. Returns false if the object is malformed.
    @discardableResult
    public func forEachMember(_ object: Value, _ body: (Value, Value) -> Bool) -> Bool {
        guard object.kind == .object else { return false }
        var s = JSONScanner(bytes.slice(0, object.end), lenient: lenient)
        s.position = object.start + 1
        while true {
            s.skipWhitespace()
            guard s.position < s.bytes.count else { return false }
            if s.bytes[s.position] == ASCII.rightBrace { return true }
            guard s.bytes[s.position] == ASCII.quote, let key = s.string() else { return false }
            s.skipWhitespace()
            guard s.position < s.bytes.count, s.bytes[s.position] == ASCII.colon else { return false }
            s.position += 1
            guard let v = s.value(depth: 1) else { return false }
            if !body(key, v) { return true }
            s.skipWhitespace()
            guard s.position < s.bytes.count else { return false }
            if s.bytes[s.position] == ASCII.comma { s.position += 1 }
        }
    }

    /// Calls `body` for each element of an array value.
    @discardableResult
    public func forEachElement(_ array: Value, _ body: (Value) -> Bool) -> Bool {
        guard array.kind == .array else { return false }
        var s = JSONScanner(bytes.slice(0, array.end), lenient: lenient)
        s.position = array.start + 1
        while true {
            s.skipWhitespace()
            guard s.position < s.bytes.count else { return false }
            if s.bytes[s.position] == ASCII.rightBracket { return true }
            guard let v = s.value(depth: 1) else { return false }
            if !body(v) { return true }
            s.skipWhitespace()
            guard s.position < s.bytes.count else { return false }
            if s.bytes[s.position] == ASCII.comma { s.position += 1 }
        }
    }

    /// Whether a key equals `name` (comparing decoded text when escaped).
    @inline(__always)
    public func key(_ k: Value, is name: StaticString) -> Bool {
        if !k.hasEscapes { return raw(k).equals(name) }
        var tmp = [UInt8]()
        guard JSONScanner.unescape(raw(k), into: &tmp) else { return false }
        return tmp.withUnsafeBytes { $0.equals(name) }
    }

    /// Appends the decoded text of a string value (or the raw text of any
    /// other value) to `out`. Returns false on a malformed escape.
    @discardableResult
    public func decode(_ v: Value, into out: inout [UInt8]) -> Bool {
        if v.kind == .string && v.hasEscapes { return JSONScanner.unescape(raw(v), into: &out) }
        out.append(contentsOf: raw(v))
        return true
    }

    public func string(_ v: Value) -> String {
        if v.kind == .string && v.hasEscapes {
            var tmp = [UInt8]()
            JSONScanner.unescape(raw(v), into: &tmp)
            return String(decoding: tmp, as: UTF8.self)
        }
        return raw(v).string
    }

    /// Decodes JSON string escapes, including `\uXXXX` surrogate pairs; a lone
    /// surrogate becomes U+FFFD rather than invalid UTF-8.
    @discardableResult
    public static func unescape(_ s: ByteView, into out: inout [UInt8]) -> Bool {
        var i = 0
        var ok = true
        while i < s.count {
            guard let bs = s.index(of: ASCII.backslash, from: i) else {
                out.append(contentsOf: s.slice(i, s.count))
                break
            }
            out.append(contentsOf: s.slice(i, bs))
            guard bs + 1 < s.count else {
                ok = false
                break
            }
            let c = s[bs + 1]
            i = bs + 2
            switch c {
            case 0x22: out.append(0x22)
            case 0x5C: out.append(0x5C)
            case 0x2F: out.append(0x2F)
            case 0x62: out.append(0x08)
            case 0x66: out.append(0x0C)
            case 0x6E: out.append(0x0A)
            case 0x72: out.append(0x0D)
            case 0x74: out.append(0x09)
            case 0x75:
                guard let u = hex4(s, i) else {
                    ok = false
                    out.append(contentsOf: [0xEF, 0xBF, 0xBD])
                    continue
                }
                i += 4
                var scalar = UInt32(u)
                if (0xD800..<0xDC00).contains(u) {
                    if i + 6 <= s.count, s[i] == ASCII.backslash, s[i + 1] == 0x75, let lo = hex4(s, i + 2),
                        (0xDC00..<0xE000).contains(lo)
                    {
                        scalar = 0x10000 + ((UInt32(u) - 0xD800) << 10) + (UInt32(lo) - 0xDC00)
                        i += 6
                    } else {
                        scalar = 0xFFFD
                    }
                } else if (0xDC00..<0xE000).contains(u) {
                    scalar = 0xFFFD
                }
                appendUTF8(scalar, to: &out)
            default:
                ok = false
                out.append(c)
            }
        }
        return ok
    }

    static func hex4(_ s: ByteView, _ i: Int) -> UInt16? {
        guard i + 4 <= s.count else { return nil }
        var v: UInt16 = 0
        for k in i..<(i + 4) {
            guard let h = ASCII.hexValue(s[k]) else { return nil }
            v = v << 4 | UInt16(h)
        }
        return v
    }

    public static func appendUTF8(_ scalar: UInt32, to out: inout [UInt8]) {
        switch scalar {
        case 0..<0x80: out.append(UInt8(scalar))
        case 0x80..<0x800:
            out.append(UInt8(0xC0 | (scalar >> 6)))
            out.append(UInt8(0x80 | (scalar & 0x3F)))
        case 0x800..<0x10000:
            out.append(UInt8(0xE0 | (scalar >> 12)))
            out.append(UInt8(0x80 | ((scalar >> 6) & 0x3F)))
            out.append(UInt8(0x80 | (scalar & 0x3F)))
        default:
            out.append(UInt8(0xF0 | (scalar >> 18)))
            out.append(UInt8(0x80 | ((scalar >> 12) & 0x3F)))
            out.append(UInt8(0x80 | ((scalar >> 6) & 0x3F)))
            out.append(UInt8(0x80 | (scalar & 0x3F)))
        }
    }
}
