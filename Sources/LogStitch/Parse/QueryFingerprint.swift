import CLinux
import Foundation

/// Query classes as pt-query-digest draws them (percona-toolkit's
/// `QueryRewriter::fingerprint`, followed step by step so users recognise
/// the classes), plus the `sanitized_query` X-Ray shows.
///
/// Each step reads the text the step before wrote and writes its own; the
/// two buffers they take turns in are allocated once per statement (on the
/// stack for short ones). Steps that built a new array each cost a
/// statement ~15 allocations (PERFORMANCE.md, "fingerprint buffers").
/// A statement class's names: pt-query-digest's fingerprint and id, and
/// ours, which never depend on comments (see `QueryFingerprint.queryClass`).
struct QueryClassName: Sendable {
    let ptFingerprint: String
    let ptId: String
    let fingerprint: String
    let id: String
    /// `ptId` where it differs from `id`.
    var ptChecksum: String? { ptId == id ? nil : ptId }

    init(ptFingerprint pt: String, ptId: String) {
        ptFingerprint = pt
        self.ptId = ptId
        guard pt.utf8.last == ASCII.space else {
            fingerprint = pt
            id = ptId
            return
        }
        var trimmed = Substring(pt)
        while trimmed.utf8.last == ASCII.space { trimmed = trimmed.dropLast() }
        fingerprint = String(trimmed)
        id = QueryFingerprint.fingerprintId(fingerprint)
    }
}

public enum QueryFingerprint {
    /// The pt-query-digest fingerprint of a statement.
    public static func fingerprint(_ text: String) -> String {
        text.withUTF8Bytes { fingerprint(bytes: $0) } ?? text
    }

    /// A statement's fingerprint and its id, through the shape cache.
    public static func fingerprintAndId(_ text: String) -> (fingerprint: String, id: String) {
        let c = className(text)
        return (c.ptFingerprint, c.ptId)
    }

    /// A statement's class names, through the shape cache (made once per
    /// shape: a busy log's statements fall into a few hundred).
    static func className(_ text: String) -> QueryClassName {
        if let hit = text.withUTF8Bytes({ fingerprint(bytes: $0, useShapes: true) }) ?? nil, let name = hit.name {
            return name
        }
        let f = fingerprint(text)
        return QueryClassName(ptFingerprint: f, ptId: fingerprintId(f))
    }

    /// A statement's class: pt-query-digest's fingerprint, but never
    /// depending on comments. pt-query-digest removes a trailing comment
    /// (sqlcommenter's) and keeps the space before it, so one statement
    /// with and without one falls into two of its classes; here the space
    /// goes too. `ptChecksum`: pt-query-digest's own class id where it
    /// differs from `id`, so users can still find its class.
    public static func queryClass(_ text: String) -> (fingerprint: String, id: String, ptChecksum: String?) {
        let c = className(text)
        return (c.fingerprint, c.id, c.ptChecksum)
    }

    /// nil: the statement is its own fingerprint (an administrator command).
    static func fingerprint(bytes q: Bytes) -> String? {
        fingerprint(bytes: q, useShapes: false)?.fingerprint
    }

    /// `useShapes`: look the statement's shape up in `shapes` (and its
    /// class names with it), remembering what it was not found under.

    /// `useShapes`: look the statement's shape up in `shapes` (and the id
    /// with it), remembering what it was not found under.
    static func fingerprint(bytes q: Bytes, useShapes: Bool) -> (fingerprint: String, name: QueryClassName?)? {
        if startsWith(q, "SELECT /*!40001 SQL_NO_CACHE */ * FROM `", caseInsensitive: false) {
            return ("mysqldump", nil)
        }
        if containsPerconaToolkitMarker(q) { return ("percona-toolkit", nil) }
        if startsWith(q, "administrator command: ", caseInsensitive: false) { return nil }
        if let call = storedProcedureCall(q) { return (call, nil) }
        var shape: StatementShape?
        var found: QueryClassName?
        let made = Steps.run(q) { s in
            s.text.count = multiValueInsertLength(s.bytes)
            s.step(removeMultiLineComments)
            s.step(removeOneLineComments)
            if isUseStatement(s.bytes) { return false }
            if useShapes {
                // What the steps below make of a statement depends only on
                // its shape: a statement seen in that shape needs none of
                // them. Only a shape not seen yet is copied, to remember it
                // (PERFORMANCE.md, "statement scratch").
                let hit = StatementShape.withShape(of: s.bytes) { sh, hash -> QueryClassName? in
                    if let hit = shapes.lookup(sh, hash: hash) { return hit }
                    shape = StatementShape(bytes: Array(sh), hash: hash)
                    return nil
                }
                if let hit = hit ?? nil {
                    found = hit
                    return false
                }
            }
            s.step(removingEscapedQuotes)
            s.step { replacingQuoted($0, quote: ASCII.quote, into: &$1) }
            s.step { replacingQuoted($0, quote: ASCII.apostrophe, into: &$1) }
            s.step { replacingWords($0, "false", "true", caseInsensitive: true, into: &$1) }
            s.step(replacingNumbers)
            s.step(cleaningLeftovers)
            s.step(trimmingLeadingSpaceAndFinalNewline)
            s.step(collapsingWhitespace)
            s.text.lowercase()
            s.step { replacingWords($0, "null", nil, caseInsensitive: false, into: &$1) }
            s.step(collapsingLists)
            s.step(collapsingUnions)
            s.step(collapsingLimit)
            s.step(removingOrderByAsc)
            return true
        }
        if let found { return (found.ptFingerprint, found) }
        guard let f = made else { return ("use ?", nil) }
        if let shape {
            let name = QueryClassName(ptFingerprint: f, ptId: fingerprintId(f))
            shapes.remember(shape, name)
            return (f, name)
        }
        return (f, nil)
    }

    /// The last 16 hex digits of the MD5 of the fingerprint: uppercased, the
    /// tail of pt-query-digest's class checksum.
    public static func fingerprintId(_ fingerprint: String) -> String {
        if let known = classIds.id(of: fingerprint) { return known }
        let id = String(MD5.hex(fingerprint).suffix(16))
        classIds.remember(fingerprint, id)
        return id
    }

    /// Ids of the query classes seen so far: a day's statements fall into
    /// a few hundred classes, and a lookup costs a twentieth of the MD5.
    /// Shared by the parsing workers (a lock per statement); emptied when
    /// full, so its size stays bounded whatever the input.
    final class ClassIds: @unchecked Sendable {
        let lock = NSLock()
        var ids: [String: String] = [:]
        static let limit = 4096

        func id(of fingerprint: String) -> String? {
            lock.lock()
            defer { lock.unlock() }
            return ids[fingerprint]
        }

        func remember(_ fingerprint: String, _ id: String) {
            lock.lock()
            defer { lock.unlock() }
            if ids.count >= Self.limit { ids.removeAll(keepingCapacity: true) }
            ids[fingerprint] = id
        }
    }
    static let classIds = ClassIds()

    // MARK: - the buffers the steps take turns in

    typealias Bytes = UnsafeBufferPointer<UInt8>

    /// Text being written: a fixed buffer with room for what any step makes
    /// of the statement (see `Steps.capacity`; writing past it stops the
    /// run rather than overwrite memory).
    struct Text {
        let base: UnsafeMutablePointer<UInt8>
        let capacity: Int
        var count = 0

        var bytes: Bytes { Bytes(start: base, count: count) }
        var last: UInt8? { count > 0 ? base[count - 1] : nil }

        @inline(__always) mutating func put(_ b: UInt8) {
            precondition(count < capacity)
            base[count] = b
            count += 1
        }
        mutating func put(_ q: Bytes, _ range: Range<Int>) {
            guard !range.isEmpty else { return }
            precondition(count + range.count <= capacity)
            (base + count).update(from: q.baseAddress! + range.lowerBound, count: range.count)
            count += range.count
        }
        mutating func put(_ s: StaticString) {
            s.withUTF8Buffer { put($0, 0..<$0.count) }
        }
        mutating func lowercase() { for i in 0..<count { base[i] = ASCII.lower(base[i]) } }
    }

    /// Two buffers: each step reads the text in one and writes the other.
    struct Steps {
        var text: Text
        var spare: Text
        var bytes: Bytes { text.bytes }

        /// Steps only shorten the text but for two: list collapsing adds at
        /// most half again (`in()`, 4 bytes, becomes `in(?+)`, 6) and UNION
        /// collapsing at most a seventh (a repeat of 21 bytes or more,
        /// `select ? union select ?`, becomes the first SELECT and a
        /// 16-byte comment), so 1.72 times the statement at most.
        /// Short statements' two buffers then fit the stack.
        static func capacity(_ n: Int) -> Int { 2 * n + 64 }

        mutating func step(_ body: (Bytes, inout Text) -> Void) {
            spare.count = 0
            body(text.bytes, &spare)
            swap(&text, &spare)
        }

        /// Runs `body` on a copy of `q`; nil when `body` returns false.
        static func run(_ q: Bytes, _ body: (inout Steps) -> Bool) -> String? {
            let cap = capacity(q.count)
            return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 2 * cap) { mem in
                let base = mem.baseAddress!
                var steps = Steps(text: Text(base: base, capacity: cap), spare: Text(base: base + cap, capacity: cap))
                steps.text.put(q, 0..<q.count)
                guard body(&steps) else { return nil }
                return String(decoding: steps.bytes, as: UTF8.self)
            }
        }
    }

    /// Steps return early when the bytes they rewrite do not occur at all.
    @inline(__always) static func contains(_ q: Bytes, _ b: UInt8) -> Bool {
        UnsafeRawBufferPointer(q).index(of: b) != nil
    }

    // MARK: - steps of pt-query-digest's fingerprint

    /// Patterns are literals, read in place: this runs at every word of
    /// every statement, so it must not allocate or walk a String.
    static func startsWith(_ q: Bytes, _ p: StaticString, caseInsensitive: Bool, at: Int = 0) -> Bool {
        let n = p.utf8CodeUnitCount
        guard at >= 0, at + n <= q.count else { return false }
        let pattern = p.utf8Start
        for i in 0..<n {
            let a = q[at + i], b = pattern[i]
            if caseInsensitive ? ASCII.lower(a) != ASCII.lower(b) : a != b { return false }
        }
        return true
    }

    @inline(__always) static func isWord(_ b: UInt8) -> Bool { ASCII.isHexOrWord(b) || b >= 0x80 }
    @inline(__always) static func isWS(_ b: UInt8) -> Bool { ASCII.isSpace(b) || b == 0x0C || b == 0x0B }

    /// `/*\w+\.\w+:[0-9]/[0-9]*/`, the marker pt-table-checksum puts in its queries.
    static func containsPerconaToolkitMarker(_ q: Bytes) -> Bool {
        var i = 0
        while let s = find(q, "/*", from: i) {
            var j = s + 2, n = 0
            while j < q.count, ASCII.isHexOrWord(q[j]) {
                j += 1
                n += 1
            }
            if n > 0, j < q.count, q[j] == ASCII.dot {
                j += 1
                n = 0
                while j < q.count, ASCII.isHexOrWord(q[j]) {
                    j += 1
                    n += 1
                }
                if n > 0, j + 5 <= q.count, q[j] == ASCII.colon, ASCII.isDigit(q[j + 1]), q[j + 2] == ASCII.slash,
                    ASCII.isDigit(q[j + 3]), q[j + 4] == 0x2A, j + 5 < q.count, q[j + 5] == ASCII.slash
                {
                    return true
                }
            }
            i = s + 1
        }
        return false
    }

    /// `\A\s*(call\s+\S+)\(` → lower-cased `call name`.
    static func storedProcedureCall(_ q: Bytes) -> String? {
        var i = 0
        while i < q.count, isWS(q[i]) { i += 1 }
        guard startsWith(q, "call", caseInsensitive: true, at: i) else { return nil }
        let begin = i
        i += 4
        let ws = i
        while i < q.count, isWS(q[i]) { i += 1 }
        guard i > ws else { return nil }
        var j = i
        var lastParen: Int?
        while j < q.count, !isWS(q[j]) {
            if q[j] == 0x28 { lastParen = j }
            j += 1
        }
        guard let p = lastParen, p > i else { return nil }
        return String(decoding: q[begin..<p].map(ASCII.lower), as: UTF8.self)
    }

    /// Multi-row INSERT/REPLACE keeps only its first VALUES tuple: the
    /// length of what is kept.
    static func multiValueInsertLength(_ q: Bytes) -> Int {
        var i = 0
        if startsWith(q, "INSERT", caseInsensitive: true) {
            i = 6
        } else if startsWith(q, "REPLACE", caseInsensitive: true) {
            i = 7
        } else {
            return q.count
        }
        if startsWith(q, " IGNORE", caseInsensitive: true, at: i) {
            let save = i
            i += 7
            if !(i < q.count && isWS(q[i])) { i = save }
        }
        let ws = i
        while i < q.count, isWS(q[i]) { i += 1 }
        guard i > ws, startsWith(q, "INTO", caseInsensitive: true, at: i) else { return q.count }
        var v = i + 5
        let raw = UnsafeRawBufferPointer(q)
        // The next V or v (most of the text has neither).
        var vees = NextOfTwoBytes(raw, 0x56, 0x76)
        while v + 6 <= q.count {
            guard let at = vees.next(from: v) else { break }
            v = at
            if v + 6 <= q.count, startsWith(q, "VALUES", caseInsensitive: true, at: v) {
                var j = v + 6
                while j < q.count, isWS(q[j]) { j += 1 }
                if j < q.count, q[j] == 0x28 {
                    // Each `)` after it (memchr): the first followed by `, (` ends the kept tuple.
                    var from = j + 1
                    while let close = raw.index(of: 0x29, from: from) {
                        var k = close + 1
                        while k < q.count, isWS(q[k]) { k += 1 }
                        if k < q.count, q[k] == ASCII.comma {
                            k += 1
                            while k < q.count, isWS(q[k]) { k += 1 }
                            if k < q.count, q[k] == 0x28 { return close + 1 }
                        }
                        from = close + 1
                    }
                }
            }
            v += 1
        }
        return q.count
    }

    /// `/\*[^!].*?\*/`: block comments, but not MySQL's `/*!version */` hints.
    static func removeMultiLineComments(_ q: Bytes, into out: inout Text) {
        var i = 0
        while let s = find(q, "/*", from: i) {
            guard s + 2 < q.count, q[s + 2] != 0x21, let end = find(q, "*/", from: s + 3) else {
                out.put(q, i..<(s + 1))
                i = s + 1
                continue
            }
            out.put(q, i..<s)
            i = end + 2
        }
        out.put(q, i..<q.count)
    }

    /// `(?:--|#)[^'"\r\n]*(?=[\r\n]|\Z)`: comments to end of line (not if a quote follows on the line).
    static func removeOneLineComments(_ q: Bytes, into out: inout Text) {
        guard contains(q, ASCII.hash) || contains(q, ASCII.minus) else {
            out.put(q, 0..<q.count)
            return
        }
        // Runs without `#` or `-` are copied whole.
        var marks = NextOfTwoBytes(UnsafeRawBufferPointer(q), ASCII.hash, ASCII.minus)
        var i = 0
        while i < q.count {
            guard let next = marks.next(from: i) else {
                out.put(q, i..<q.count)
                return
            }
            out.put(q, i..<next)
            i = next
            let isStart = q[i] == ASCII.hash || (q[i] == ASCII.minus && i + 1 < q.count && q[i + 1] == ASCII.minus)
            if isStart {
                var j = i + (q[i] == ASCII.hash ? 1 : 2)
                while j < q.count, q[j] != ASCII.apostrophe, q[j] != ASCII.quote, q[j] != ASCII.cr, q[j] != ASCII.lf {
                    j += 1
                }
                if j == q.count || q[j] == ASCII.cr || q[j] == ASCII.lf {
                    i = j
                    continue
                }
            }
            out.put(q[i])
            i += 1
        }
    }

    static func isUseStatement(_ q: Bytes) -> Bool {
        guard startsWith(q, "use ", caseInsensitive: true) else { return false }
        var end = q.count
        if end > 0 && q[end - 1] == ASCII.lf { end -= 1 }
        guard end > 4 else { return false }
        for i in 4..<end where isWS(q[i]) { return false }
        return true
    }

    /// Where `needle` next occurs at or after `from`: memchr for its first
    /// byte, then the rest compared (glibc's memmem took 720 instructions
    /// a call on a statement's worth of text; PERFORMANCE.md, "statement scratch").
    static func find(_ q: Bytes, _ needle: StaticString, from: Int) -> Int? {
        guard from >= 0, from <= q.count else { return nil }
        return UnsafeRawBufferPointer(q).index(
            ofBytes: UnsafeRawBufferPointer(start: needle.utf8Start, count: needle.utf8CodeUnitCount), from: from)
    }

    static func removingEscapedQuotes(_ q: Bytes, into out: inout Text) {
        guard contains(q, ASCII.backslash) else {
            out.put(q, 0..<q.count)
            return
        }
        var i = 0
        while i < q.count {
            if q[i] == ASCII.backslash, i + 1 < q.count, q[i + 1] == ASCII.quote || q[i + 1] == ASCII.apostrophe {
                i += 2
                continue
            }
            out.put(q[i])
            i += 1
        }
    }

    /// `s/".*?"/?/sg` (or with single quotes): an unmatched quote is left alone.
    static func replacingQuoted(_ q: Bytes, quote: UInt8, into out: inout Text) {
        let raw = UnsafeRawBufferPointer(q)
        var i = 0
        while let open = raw[i...].firstIndex(of: quote) {
            guard let close = raw[(open + 1)...].firstIndex(of: quote) else { break }
            out.put(q, i..<open)
            out.put(0x3F)
            i = close + 1
        }
        out.put(q, i..<q.count)
    }

    /// Replaces whole words (`\bword\b`), `a` or `b`, with `?`.
    static func replacingWords(
        _ q: Bytes, _ a: StaticString, _ b: StaticString?, caseInsensitive: Bool, into out: inout Text
    ) {
        func isWord(_ w: StaticString, at i: Int) -> Bool {
            let n = w.utf8CodeUnitCount
            return startsWith(q, w, caseInsensitive: caseInsensitive, at: i)
                && (i + n == q.count || !Self.isWord(q[i + n]))
        }
        var i = 0
        while i < q.count {
            if !Self.isWord(q[i]) || (i > 0 && Self.isWord(q[i - 1])) {
                out.put(q[i])
                i += 1
                continue
            }
            if isWord(a, at: i) {
                out.put(0x3F)
                i += a.utf8CodeUnitCount
                continue
            }
            if let b, isWord(b, at: i) {
                out.put(0x3F)
                i += b.utf8CodeUnitCount
                continue
            }
            out.put(q[i])
            i += 1
        }
    }

    /// `s/[0-9+-][0-9a-f.xb+-]*/?/g`: anything vaguely like a number, even inside names.
    static func replacingNumbers(_ q: Bytes, into out: inout Text) {
        var i = 0
        while i < q.count {
            let c = q[i]
            if ASCII.isDigit(c) || c == 0x2B || c == ASCII.minus {
                i += 1
                while i < q.count {
                    let d = q[i]
                    if ASCII.isDigit(d) || (d >= 0x61 && d <= 0x66) || d == ASCII.dot || d == 0x78 || d == 0x62
                        || d == 0x2B || d == ASCII.minus
                    {
                        i += 1
                    } else {
                        break
                    }
                }
                out.put(0x3F)
                continue
            }
            out.put(c)
            i += 1
        }
    }

    /// `s/[xb.+-]\?/?/g`
    static func cleaningLeftovers(_ q: Bytes, into out: inout Text) {
        var i = 0
        while i < q.count {
            let c = q[i]
            if (c == 0x78 || c == 0x62 || c == ASCII.dot || c == 0x2B || c == ASCII.minus), i + 1 < q.count,
                q[i + 1] == 0x3F
            {
                out.put(0x3F)
                i += 2
                continue
            }
            out.put(c)
            i += 1
        }
    }

    /// `s/\A\s+//` and `chomp`.
    static func trimmingLeadingSpaceAndFinalNewline(_ q: Bytes, into out: inout Text) {
        var start = 0
        while start < q.count, ASCII.isSpace(q[start]) || q[start] == 0x0C { start += 1 }
        var end = q.count
        if end > start, q[end - 1] == ASCII.lf { end -= 1 }
        out.put(q, start..<end)
    }

    /// `tr[ \n\t\r\f][ ]s`
    static func collapsingWhitespace(_ q: Bytes, into out: inout Text) {
        var lastSpace = false
        for c in q {
            if c == ASCII.space || c == ASCII.lf || c == ASCII.tab || c == ASCII.cr || c == 0x0C {
                if !lastSpace { out.put(ASCII.space) }
                lastSpace = true
            } else {
                out.put(c)
                lastSpace = false
            }
        }
    }

    /// `\b(in|values?)(?:[\s,]*\([\s?,]*\))+` → `$1(?+)`
    static func collapsingLists(_ q: Bytes, into out: inout Text) {
        guard contains(q, 0x28) else {
            out.put(q, 0..<q.count)
            return
        }
        var i = 0
        while i < q.count {
            if isWord(q[i]) && (i == 0 || !isWord(q[i - 1])) {
                var kw = 0
                if startsWith(q, "values", caseInsensitive: false, at: i) {
                    kw = 6
                } else if startsWith(q, "value", caseInsensitive: false, at: i) {
                    kw = 5
                } else if startsWith(q, "in", caseInsensitive: false, at: i) {
                    kw = 2
                }
                if kw > 0 {
                    var j = i + kw
                    var matched = false
                    while true {
                        var k = j
                        while k < q.count, isWS(q[k]) || q[k] == ASCII.comma { k += 1 }
                        guard k < q.count, q[k] == 0x28 else { break }
                        k += 1
                        while k < q.count, isWS(q[k]) || q[k] == 0x3F || q[k] == ASCII.comma { k += 1 }
                        guard k < q.count, q[k] == 0x29 else { break }
                        j = k + 1
                        matched = true
                    }
                    if matched {
                        out.put(q, i..<(i + kw))
                        out.put("(?+)")
                        i = j
                        continue
                    }
                }
            }
            out.put(q[i])
            i += 1
        }
    }

    /// Whether the `n` bytes at `a` and at `b` are the same.
    static func same(_ q: Bytes, _ a: Int, _ b: Int, count n: Int) -> Bool {
        b + n <= q.count && memcmp(q.baseAddress! + a, q.baseAddress! + b, n) == 0
    }

    /// `\b(select\s.*?)(?:(\sunion(?:\sall)?)\s\1)+` → `$1 /*repeat$2*/`
    static func collapsingUnions(_ q: Bytes, into out: inout Text) {
        guard find(q, "union", from: 0) != nil else {
            out.put(q, 0..<q.count)
            return
        }
        var i = 0
        outer: while i < q.count {
            if startsWith(q, "select", caseInsensitive: false, at: i), (i == 0 || !isWord(q[i - 1])),
                i + 6 < q.count, isWS(q[i + 6])
            {
                // Try each possible end of the shortest repeated SELECT.
                var e = i + 7
                while e <= q.count {
                    if e < q.count, isWS(q[e]), startsWith(q, "union", caseInsensitive: false, at: e + 1) {
                        let first = e - i
                        var sepEnd = e + 6
                        if sepEnd < q.count, isWS(q[sepEnd]),
                            startsWith(q, "all", caseInsensitive: false, at: sepEnd + 1)
                        {
                            sepEnd += 4
                        }
                        var k = sepEnd
                        var repeats = 0
                        var lastSep = e..<sepEnd
                        while k < q.count, isWS(q[k]), same(q, i, k + 1, count: first) {
                            repeats += 1
                            k = k + 1 + first
                            // Another " union[ all]" may follow.
                            guard k < q.count, isWS(q[k]), startsWith(q, "union", caseInsensitive: false, at: k + 1)
                            else { break }
                            var s2 = k + 6
                            if s2 < q.count, isWS(q[s2]), startsWith(q, "all", caseInsensitive: false, at: s2 + 1) {
                                s2 += 4
                            }
                            if s2 < q.count, isWS(q[s2]), same(q, i, s2 + 1, count: first) {
                                lastSep = k..<s2
                                k = s2
                            } else {
                                break
                            }
                        }
                        if repeats > 0 {
                            out.put(q, i..<e)
                            out.put(" /*repeat")
                            out.put(q, lastSep)
                            out.put("*/")
                            i = k
                            continue outer
                        }
                    }
                    e += 1
                }
            }
            out.put(q[i])
            i += 1
        }
    }

    /// `s/\blimit \?(?:, ?\?| offset \?)?/limit ?/` (first occurrence only).
    static func collapsingLimit(_ q: Bytes, into out: inout Text) {
        var from = 0
        while let i = find(q, "limit ?", from: from) {
            if i == 0 || !isWord(q[i - 1]) {
                var end = i + 7
                if startsWith(q, ", ?", caseInsensitive: false, at: end) {
                    end += 3
                } else if startsWith(q, ",?", caseInsensitive: false, at: end) {
                    end += 2
                } else if startsWith(q, " offset ?", caseInsensitive: false, at: end) {
                    end += 9
                }
                out.put(q, 0..<i)
                out.put("limit ?")
                out.put(q, end..<q.count)
                return
            }
            from = i + 1
        }
        out.put(q, 0..<q.count)
    }

    /// After the first `order by ` (at a word boundary), drops each `\s+asc`.
    static func removingOrderByAsc(_ q: Bytes, into out: inout Text) {
        var from = 0
        var found: Int?
        while let f = find(q, "order by ", from: from) {
            if f == 0 || !isWord(q[f - 1]) {
                found = f + 9
                break
            }
            from = f + 1
        }
        guard let i = found else {
            out.put(q, 0..<q.count)
            return
        }
        out.put(q, 0..<i)
        var j = i
        var sinceLast = 0
        while j < q.count {
            if isWS(q[j]), sinceLast > 0 {
                var k = j
                while k < q.count, isWS(q[k]) { k += 1 }
                if startsWith(q, "asc", caseInsensitive: true, at: k) {
                    j = k + 3
                    sinceLast = 0
                    continue
                }
            }
            out.put(q[j])
            j += 1
            sinceLast += 1
        }
    }

    // MARK: - sanitized query

    /// The statement as X-Ray's `sql.sanitized_query` wants it: comments
    /// removed, string/number/hex literals replaced by `?`, whitespace
    /// collapsed; identifiers, keywords, case and `$1` placeholders kept.
    public static func sanitize(_ text: String, engine: DatabaseEngine) -> String {
        // MySQL also quotes strings with "; PostgreSQL uses " for identifiers.
        let doubleQuotedStrings = engine == .mysql
        return text.withUTF8Bytes { q in
            Steps.run(q) { s in
                s.step(removeMultiLineComments)
                s.step(removeOneLineComments)
                s.step { replacingLiterals($0, doubleQuotedStrings: doubleQuotedStrings, into: &$1) }
                s.step(collapsingWhitespace)
                s.step(trimmingSpaceAndSemicolons)
                return true
            }
        } ?? ""
    }

    static func replacingLiterals(_ q: Bytes, doubleQuotedStrings: Bool, into out: inout Text) {
        var i = 0
        while i < q.count {
            let c = q[i]
            if c == ASCII.apostrophe || (c == ASCII.quote && doubleQuotedStrings) {
                // A string literal; '' and \' escape a quote inside it.
                var j = i + 1
                while j < q.count {
                    if q[j] == ASCII.backslash {
                        j += 2
                        continue
                    }
                    if q[j] == c {
                        if j + 1 < q.count && q[j + 1] == c {
                            j += 2
                            continue
                        }
                        break
                    }
                    j += 1
                }
                // E'..', N'..', X'..' prefixes are part of the literal.
                if let p = out.last,
                    (p == 0x45 || p == 0x65 || p == 0x4E || p == 0x6E || p == 0x58 || p == 0x78 || p == 0x42
                        || p == 0x62),
                    out.count < 2 || !isWord(out.base[out.count - 2])
                {
                    out.count -= 1
                }
                out.put(0x3F)
                i = min(j + 1, q.count)
                continue
            }
            if c == 0x24, i + 1 < q.count, ASCII.isDigit(q[i + 1]) {
                // PostgreSQL placeholder $n: keep.
                out.put(c)
                i += 1
                while i < q.count, ASCII.isDigit(q[i]) {
                    out.put(q[i])
                    i += 1
                }
                continue
            }
            if ASCII.isDigit(c) && (i == 0 || !isWord(q[i - 1])) {
                var j = i
                while j < q.count, isWord(q[j]) || q[j] == ASCII.dot { j += 1 }
                out.put(0x3F)
                i = j
                continue
            }
            if isWord(c) {
                // Keep identifiers whole, so t1 stays t1; NULL/TRUE/FALSE become ?.
                var j = i
                while j < q.count, isWord(q[j]) { j += 1 }
                let n = j - i
                let literal =
                    (n == 4
                        && (startsWith(q, "null", caseInsensitive: true, at: i)
                            || startsWith(q, "true", caseInsensitive: true, at: i)))
                    || (n == 5 && startsWith(q, "false", caseInsensitive: true, at: i))
                if literal { out.put(0x3F) } else { out.put(q, i..<j) }
                i = j
                continue
            }
            out.put(c)
            i += 1
        }
    }

    /// Leading spaces, and trailing spaces and semicolons, go.
    static func trimmingSpaceAndSemicolons(_ q: Bytes, into out: inout Text) {
        var start = 0, end = q.count
        while start < end, q[start] == ASCII.space { start += 1 }
        while end > start, q[end - 1] == ASCII.space || q[end - 1] == ASCII.semicolon { end -= 1 }
        out.put(q, start..<end)
    }
}
