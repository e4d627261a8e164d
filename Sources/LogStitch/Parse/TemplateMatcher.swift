/// Matches a line against a text template of literals and variables, such as
/// an API Gateway access-log format (`$context.identity.sourceIp - - [$context.requestTime] "…"`)
/// or a PostgreSQL `log_line_prefix` (`%t:%r:%u@%d:[%p]:`).
///
/// Values are unquoted and may contain the template's own separators (a
/// route key has a space, an IPv6 host has colons, a user agent has commas),
/// so matching backtracks over each possible end of a variable and checks it
/// against what that variable can hold.
public struct TemplateMatcher: Sendable {
    public enum ValueClass: Sendable {
        case any  // anything but a newline, possibly empty
        case token  // no spaces
        case integer  // digits, or "-" when absent
        case decimal  // digits with an optional fraction, or "-"
        case clfTime  // 01/Jan/2024:00:00:00 +0000
        case pgTimestamp  // 2024-01-01 00:00:00 UTC (optionally .mmm)
        case hostPort  // host(port), or empty for background processes
    }

    public enum Segment: Sendable {
        case literal([UInt8])
        case value(slot: Int, ValueClass)
    }

    public let segments: [Segment]
    public let slotCount: Int
    /// Whether the match must consume the whole line (a prefix matcher does not).
    public let anchoredAtEnd: Bool

    public init(segments: [Segment], slotCount: Int, anchoredAtEnd: Bool) {
        self.segments = segments
        self.slotCount = slotCount
        self.anchoredAtEnd = anchoredAtEnd
    }

    /// A copy whose arrays are its own. Each worker's parser takes one:
    /// matching retains the segments for every line, and two cores retaining
    /// one shared array fight over the cache line that holds its count
    /// (PERFORMANCE.md, "shared arrays").
    public func ownCopy() -> TemplateMatcher {
        let own = segments.map { s -> Segment in
            if case .literal(let bytes) = s { return .literal(bytes.map { $0 }) }
            return s
        }
        return TemplateMatcher(segments: own, slotCount: slotCount, anchoredAtEnd: anchoredAtEnd)
    }

    /// Ranges of each slot in `line`, or nil; with `anchoredAtEnd` false the
    /// end of the match is in `end`.
    public func match(_ line: ByteView, slots: inout [Range<Int>?], end: inout Int) -> Bool {
        if slots.count != slotCount { slots = Array(repeating: nil, count: slotCount) }
        for i in 0..<slotCount { slots[i] = nil }
        var budget = 20_000
        return step(0, 0, line, &slots, &end, &budget)
    }

    func step(
        _ seg: Int, _ pos: Int, _ line: ByteView, _ slots: inout [Range<Int>?], _ end: inout Int, _ budget: inout Int
    ) -> Bool {
        budget -= 1
        if budget < 0 { return false }
        if seg == segments.count {
            if anchoredAtEnd && pos != line.count { return false }
            end = pos
            return true
        }
        switch segments[seg] {
        case .literal(let lit):
            guard pos + lit.count <= line.count else { return false }
            for k in 0..<lit.count where line[pos + k] != lit[k] { return false }
            return step(seg + 1, pos + lit.count, line, &slots, &end, &budget)
        case .value(let slot, let cls):
            if seg + 1 == segments.count {
                // Last: takes the rest (or, unanchored, as much as fits).
                var e = line.count
                if !anchoredAtEnd { while e > pos && !Self.valid(line.slice(pos, e), cls) { e -= 1 } }
                guard Self.valid(line.slice(pos, e), cls) else { return false }
                slots[slot] = pos..<e
                return step(seg + 1, e, line, &slots, &end, &budget)
            }
            if case .literal(let next) = segments[seg + 1], let first = next.first {
                var from = pos
                while let hit = line.index(of: first, from: from) {
                    if Self.valid(line.slice(pos, hit), cls) {
                        slots[slot] = pos..<hit
                        if step(seg + 1, hit, line, &slots, &end, &budget) { return true }
                    } else if Self.hopeless(line.slice(pos, hit), cls) {
                        return false
                    }
                    from = hit + 1
                    if budget < 0 { return false }
                }
                return false
            }
            // Two values side by side: try every split.
            var e = pos
            while e <= line.count {
                if Self.valid(line.slice(pos, e), cls) {
                    slots[slot] = pos..<e
                    if step(seg + 1, e, line, &slots, &end, &budget) { return true }
                }
                e += 1
                if budget < 0 { return false }
            }
            return false
        }
    }

    /// Whether a line beginning with `{` (a JSON line) can match: only if
    /// the template begins with a literal `{` or with a value that may be
    /// anything. Ids, addresses, methods, names, numbers and times never
    /// begin with a brace, so a template that begins with one of them (as
    /// CLF and CSV formats do) is not tried on JSON lines at all.
    public var mayMatchBraceLine: Bool {
        switch segments.first {
        case .literal(let lit): return lit.first == ASCII.leftBrace
        case .value(_, let cls): return cls == .any
        case nil: return true
        }
    }

    /// Whether no longer candidate can be valid either, so the search for
    /// the value's end can stop. Classes without spaces stop at the first
    /// space; times stop once their fixed-width start is wrong (a JSON line
    /// tried against a PostgreSQL prefix would otherwise try every colon).
    static func hopeless(_ v: ByteView, _ cls: ValueClass) -> Bool {
        switch cls {
        case .token, .integer, .decimal:
            return v.index(of: ASCII.space) != nil || v.index(of: ASCII.lf) != nil
        case .clfTime:
            // "-", or dd/MMM/yyyy:HH:mm:ss (checked on its first 20 bytes).
            guard v.count > 0 else { return false }
            if !ASCII.isDigit(v[0]) { return v.count > 1 || v[0] != ASCII.minus }
            return v.count >= 20 && Timestamp.parseCLF(v.prefix(20)) == nil
        case .pgTimestamp:
            guard v.count > 0 else { return false }
            if !ASCII.isDigit(v[0]) { return true }
            return v.count >= 19 && !PostgresTimestamp.mayBeginTime(v)
        case .any, .hostPort:
            return false
        }
    }

    static func valid(_ v: ByteView, _ cls: ValueClass) -> Bool {
        switch cls {
        case .any:
            return v.index(of: ASCII.lf) == nil
        case .token:
            return v.index(of: ASCII.space) == nil && v.index(of: ASCII.lf) == nil
        case .integer:
            if v.equals("-") || v.count == 0 { return true }
            return v.parseInt() != nil
        case .decimal:
            if v.equals("-") || v.count == 0 { return true }
            return v.parseFixed(scale: 3) != nil
        case .clfTime:
            return v.equals("-") || Timestamp.parseCLF(v) != nil
        case .pgTimestamp:
            // The shape only: what the zone means is the parser's to say
            // (a line whose zone cannot be read is rejected for that reason).
            return PostgresTimestamp.hasShape(v)
        case .hostPort:
            if v.count == 0 { return true }
            guard v[v.count - 1] == 0x29, let open = (0..<v.count).last(where: { v[$0] == 0x28 }) else {
                // %r without a port (local socket: "[local]").
                return v.equals("[local]")
            }
            return v.slice(open + 1, v.count - 1).parseInt() != nil
        }
    }
}
