import Foundation
import CLinux

/// Query classes as pt-query-digest draws them (percona-toolkit's
/// `QueryRewriter::fingerprint`, followed step by step so users recognise
/// the classes), plus the `sanitized_query` X-Ray shows.
public enum QueryFingerprint {
    /// The pt-query-digest fingerprint of a statement.
    public static func fingerprint(_ text: String) -> String {
        var q = Array(text.utf8)
        if startsWith(q, "SELECT /*!40001 SQL_NO_CACHE */ * FROM `", caseInsensitive: false) { return "mysqldump" }
        if containsPerconaToolkitMarker(q) { return "percona-toolkit" }
        if startsWith(q, "administrator command: ", caseInsensitive: false) { return text }
        if let call = storedProcedureCall(q) { return call }
        shortenMultiValueInsert(&q)
        removeMultiLineComments(&q)
        removeOneLineComments(&q)
        if isUseStatement(q) { return "use ?" }
        q = removingEscapedQuotes(q)
        q = replacingQuoted(q, quote: ASCII.quote)
        q = replacingQuoted(q, quote: ASCII.apostrophe)
        q = replacingWords(q, Self.booleans, caseInsensitive: true)
        q = replacingNumbers(q)
        q = cleaningLeftovers(q)
        let leading = q.prefix { ASCII.isSpace($0) || $0 == 0x0C }.count
        if leading > 0 { q.removeFirst(leading) }
        if q.last == ASCII.lf { q.removeLast() }
        q = collapsingWhitespace(q)
        q = q.map(ASCII.lower)
        q = replacingWords(q, Self.null, caseInsensitive: false)
        q = collapsingLists(q)
        q = collapsingUnions(q)
        q = collapsingLimit(q)
        q = removingOrderByAsc(q)
        return String(decoding: q, as: UTF8.self)
    }

    static let booleans: [StaticString] = ["false", "true"]
    static let null: [StaticString] = ["null"]

    /// Steps return early when the bytes they rewrite do not occur at all:
    /// a step that cannot change anything would still copy the statement.
    @inline(__always) static func contains(_ q: [UInt8], _ b: UInt8) -> Bool {
        q.withUnsafeBytes { $0.index(of: b) != nil }
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
            lock.lock(); defer { lock.unlock() }
            return ids[fingerprint]
        }

        func remember(_ fingerprint: String, _ id: String) {
            lock.lock(); defer { lock.unlock() }
            if ids.count >= Self.limit { ids.removeAll(keepingCapacity: true) }
            ids[fingerprint] = id
        }
    }
    static let classIds = ClassIds()

    // MARK: - steps of pt-query-digest's fingerprint

    /// Patterns are literals, read in place: this runs at every word of
    /// every statement, so it must not allocate or walk a String.
    static func startsWith(_ q: [UInt8], _ p: StaticString, caseInsensitive: Bool, at: Int = 0) -> Bool {
        let n = p.utf8CodeUnitCount
        guard at + n <= q.count else { return false }
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
    static func containsPerconaToolkitMarker(_ q: [UInt8]) -> Bool {
        var i = 0
        while i + 1 < q.count {
            if q[i] == ASCII.slash && q[i + 1] == 0x2A {
                var j = i + 2, n = 0
                while j < q.count, ASCII.isHexOrWord(q[j]) { j += 1; n += 1 }
                if n > 0, j < q.count, q[j] == ASCII.dot {
                    j += 1; n = 0
                    while j < q.count, ASCII.isHexOrWord(q[j]) { j += 1; n += 1 }
                    if n > 0, j + 5 <= q.count, q[j] == ASCII.colon, ASCII.isDigit(q[j + 1]), q[j + 2] == ASCII.slash,
                       ASCII.isDigit(q[j + 3]), q[j + 4] == 0x2A, j + 5 < q.count, q[j + 5] == ASCII.slash { return true }
                }
            }
            i += 1
        }
        return false
    }

    /// `\A\s*(call\s+\S+)\(` → lower-cased `call name`.
    static func storedProcedureCall(_ q: [UInt8]) -> String? {
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
        while j < q.count, !isWS(q[j]) { if q[j] == 0x28 { lastParen = j }; j += 1 }
        guard let p = lastParen, p > i else { return nil }
        return String(decoding: q[begin..<p].map(ASCII.lower), as: UTF8.self)
    }

    /// Multi-row INSERT/REPLACE keeps only its first VALUES tuple.
    static func shortenMultiValueInsert(_ q: inout [UInt8]) {
        var i = 0
        if startsWith(q, "INSERT", caseInsensitive: true) { i = 6 }
        else if startsWith(q, "REPLACE", caseInsensitive: true) { i = 7 }
        else { return }
        if startsWith(q, " IGNORE", caseInsensitive: true, at: i) {
            let save = i
            i += 7
            if !(i < q.count && isWS(q[i])) { i = save }
        }
        let ws = i
        while i < q.count, isWS(q[i]) { i += 1 }
        guard i > ws, startsWith(q, "INTO", caseInsensitive: true, at: i) else { return }
        var v = i + 5
        while v + 6 <= q.count {
            if startsWith(q, "VALUES", caseInsensitive: true, at: v) {
                var j = v + 6
                while j < q.count, isWS(q[j]) { j += 1 }
                if j < q.count, q[j] == 0x28 {
                    var close = j + 1
                    while close < q.count {
                        if q[close] == 0x29 {
                            var k = close + 1
                            while k < q.count, isWS(q[k]) { k += 1 }
                            if k < q.count, q[k] == ASCII.comma {
                                k += 1
                                while k < q.count, isWS(q[k]) { k += 1 }
                                if k < q.count, q[k] == 0x28 { q.removeSubrange((close + 1)...); return }
                            }
                        }
                        close += 1
                    }
                }
            }
            v += 1
        }
    }

    /// `/\*[^!].*?\*/`: block comments, but not MySQL's `/*!version */` hints.
    static func removeMultiLineComments(_ q: inout [UInt8]) {
        guard contains(q, ASCII.slash) else { return }
        var out = [UInt8]()
        out.reserveCapacity(q.count)
        var i = 0
        while i < q.count {
            if i + 2 < q.count, q[i] == ASCII.slash, q[i + 1] == 0x2A, q[i + 2] != 0x21,
               let end = find(q, [0x2A, ASCII.slash], from: i + 3) {
                i = end + 2
                continue
            }
            out.append(q[i]); i += 1
        }
        q = out
    }

    /// `(?:--|#)[^'"\r\n]*(?=[\r\n]|\Z)`: comments to end of line (not if a quote follows on the line).
    static func removeOneLineComments(_ q: inout [UInt8]) {
        guard contains(q, ASCII.hash) || contains(q, ASCII.minus) else { return }
        var out = [UInt8]()
        out.reserveCapacity(q.count)
        var i = 0
        while i < q.count {
            let isStart = q[i] == ASCII.hash || (q[i] == ASCII.minus && i + 1 < q.count && q[i + 1] == ASCII.minus)
            if isStart {
                var j = i + (q[i] == ASCII.hash ? 1 : 2)
                while j < q.count, q[j] != ASCII.apostrophe, q[j] != ASCII.quote, q[j] != ASCII.cr, q[j] != ASCII.lf { j += 1 }
                if j == q.count || q[j] == ASCII.cr || q[j] == ASCII.lf {
                    i = j
                    continue
                }
            }
            out.append(q[i]); i += 1
        }
        q = out
    }

    static func isUseStatement(_ q: [UInt8]) -> Bool {
        guard startsWith(q, "use ", caseInsensitive: true) else { return false }
        var end = q.count
        if end > 0 && q[end - 1] == ASCII.lf { end -= 1 }
        guard end > 4 else { return false }
        for i in 4..<end where isWS(q[i]) { return false }
        return true
    }

    static func find(_ q: [UInt8], _ needle: [UInt8], from: Int) -> Int? {
        guard needle.count > 0, from >= 0, q.count - from >= needle.count else { return nil }
        // libc's memmem: several steps call this on every statement.
        return q.withUnsafeBytes { hay in
            needle.withUnsafeBytes { n in
                guard let hit = logstitch_memmem(hay.baseAddress! + from, hay.count - from, n.baseAddress!, n.count) else { return nil }
                return hay.baseAddress!.distance(to: UnsafeRawPointer(hit))
            }
        }
    }

    static func removingEscapedQuotes(_ q: [UInt8]) -> [UInt8] {
        guard contains(q, ASCII.backslash) else { return q }
        var out = [UInt8]()
        out.reserveCapacity(q.count)
        var i = 0
        while i < q.count {
            if q[i] == ASCII.backslash, i + 1 < q.count, q[i + 1] == ASCII.quote || q[i + 1] == ASCII.apostrophe { i += 2; continue }
            out.append(q[i]); i += 1
        }
        return out
    }

    /// `s/".*?"/?/sg` (or with single quotes): an unmatched quote is left alone.
    static func replacingQuoted(_ q: [UInt8], quote: UInt8) -> [UInt8] {
        guard contains(q, quote) else { return q }
        var out = [UInt8]()
        out.reserveCapacity(q.count)
        var i = 0
        while i < q.count {
            if q[i] == quote, let close = q[(i + 1)...].firstIndex(of: quote) {
                out.append(0x3F)
                i = close + 1
                continue
            }
            out.append(q[i]); i += 1
        }
        return out
    }

    /// Replaces whole words (`\bword\b`) with `?`.
    static func replacingWords(_ q: [UInt8], _ words: [StaticString], caseInsensitive: Bool) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(q.count)
        var i = 0
        outer: while i < q.count {
            if !isWord(q[i]) || (i > 0 && isWord(q[i - 1])) { out.append(q[i]); i += 1; continue }
            for w in words {
                let n = w.utf8CodeUnitCount
                if startsWith(q, w, caseInsensitive: caseInsensitive, at: i), i + n == q.count || !isWord(q[i + n]) {
                    out.append(0x3F); i += n
                    continue outer
                }
            }
            out.append(q[i]); i += 1
        }
        return out
    }

    /// `s/[0-9+-][0-9a-f.xb+-]*/?/g`: anything vaguely like a number, even inside names.
    static func replacingNumbers(_ q: [UInt8]) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(q.count)
        var i = 0
        while i < q.count {
            let c = q[i]
            if ASCII.isDigit(c) || c == 0x2B || c == ASCII.minus {
                i += 1
                while i < q.count {
                    let d = q[i]
                    if ASCII.isDigit(d) || (d >= 0x61 && d <= 0x66) || d == ASCII.dot || d == 0x78 || d == 0x62 || d == 0x2B || d == ASCII.minus {
                        i += 1
                    } else { break }
                }
                out.append(0x3F)
                continue
            }
            out.append(c); i += 1
        }
        return out
    }

    /// `s/[xb.+-]\?/?/g`
    static func cleaningLeftovers(_ q: [UInt8]) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(q.count)
        var i = 0
        while i < q.count {
            let c = q[i]
            if (c == 0x78 || c == 0x62 || c == ASCII.dot || c == 0x2B || c == ASCII.minus), i + 1 < q.count, q[i + 1] == 0x3F {
                out.append(0x3F); i += 2; continue
            }
            out.append(c); i += 1
        }
        return out
    }

    /// `tr[ \n\t\r\f][ ]s`
    static func collapsingWhitespace(_ q: [UInt8]) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(q.count)
        var lastSpace = false
        for c in q {
            if c == ASCII.space || c == ASCII.lf || c == ASCII.tab || c == ASCII.cr || c == 0x0C {
                if !lastSpace { out.append(ASCII.space) }
                lastSpace = true
            } else {
                out.append(c); lastSpace = false
            }
        }
        return out
    }

    /// `\b(in|values?)(?:[\s,]*\([\s?,]*\))+` → `$1(?+)`
    static func collapsingLists(_ q: [UInt8]) -> [UInt8] {
        guard contains(q, 0x28) else { return q }
        var out = [UInt8]()
        out.reserveCapacity(q.count)
        var i = 0
        while i < q.count {
            if isWord(q[i]) && (i == 0 || !isWord(q[i - 1])) {
                var kw = 0
                if startsWith(q, "values", caseInsensitive: false, at: i) { kw = 6 }
                else if startsWith(q, "value", caseInsensitive: false, at: i) { kw = 5 }
                else if startsWith(q, "in", caseInsensitive: false, at: i) { kw = 2 }
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
                        out.append(contentsOf: q[i..<(i + kw)])
                        out.append(contentsOf: Array("(?+)".utf8))
                        i = j
                        continue
                    }
                }
            }
            out.append(q[i]); i += 1
        }
        return out
    }

    /// `\b(select\s.*?)(?:(\sunion(?:\sall)?)\s\1)+` → `$1 /*repeat$2*/`
    static func collapsingUnions(_ q: [UInt8]) -> [UInt8] {
        guard find(q, Array(" union".utf8), from: 0) != nil || find(q, Array("union".utf8), from: 0) != nil else { return q }
        var out = [UInt8]()
        var i = 0
        outer: while i < q.count {
            if startsWith(q, "select", caseInsensitive: false, at: i), (i == 0 || !isWord(q[i - 1])),
               i + 6 < q.count, isWS(q[i + 6]) {
                // Try each possible end of the shortest repeated SELECT.
                var e = i + 7
                while e <= q.count {
                    if e < q.count, isWS(q[e]), startsWith(q, "union", caseInsensitive: false, at: e + 1) {
                        let first = Array(q[i..<e])
                        var sepEnd = e + 6
                        var sep = Array(q[e..<sepEnd])
                        if sepEnd < q.count, isWS(q[sepEnd]), startsWith(q, "all", caseInsensitive: false, at: sepEnd + 1) {
                            sepEnd += 4
                            sep = Array(q[e..<sepEnd])
                        }
                        var k = sepEnd
                        var repeats = 0
                        var lastSep = sep
                        while k < q.count, isWS(q[k]), k + 1 + first.count <= q.count, Array(q[(k + 1)..<(k + 1 + first.count)]) == first {
                            repeats += 1
                            k = k + 1 + first.count
                            // Another " union[ all]" may follow.
                            guard k < q.count, isWS(q[k]), startsWith(q, "union", caseInsensitive: false, at: k + 1) else { break }
                            var s2 = k + 6
                            if s2 < q.count, isWS(q[s2]), startsWith(q, "all", caseInsensitive: false, at: s2 + 1) { s2 += 4 }
                            let probe = s2
                            if probe < q.count, isWS(q[probe]), probe + 1 + first.count <= q.count,
                               Array(q[(probe + 1)..<(probe + 1 + first.count)]) == first {
                                lastSep = Array(q[k..<s2]); k = s2
                            } else { break }
                        }
                        if repeats > 0 {
                            out.append(contentsOf: first)
                            out.append(contentsOf: Array(" /*repeat".utf8))
                            out.append(contentsOf: lastSep)
                            out.append(contentsOf: Array("*/".utf8))
                            i = k
                            continue outer
                        }
                    }
                    e += 1
                }
            }
            out.append(q[i]); i += 1
        }
        return out
    }

    /// `s/\blimit \?(?:, ?\?| offset \?)?/limit ?/` (first occurrence only).
    static func collapsingLimit(_ q: [UInt8]) -> [UInt8] {
        var i = 0
        while i < q.count {
            if startsWith(q, "limit ?", caseInsensitive: false, at: i), i == 0 || !isWord(q[i - 1]) {
                var end = i + 7
                if startsWith(q, ", ?", caseInsensitive: false, at: end) { end += 3 }
                else if startsWith(q, ",?", caseInsensitive: false, at: end) { end += 2 }
                else if startsWith(q, " offset ?", caseInsensitive: false, at: end) { end += 9 }
                var out = Array(q[..<i])
                out.append(contentsOf: Array("limit ?".utf8))
                out.append(contentsOf: q[end...])
                return out
            }
            i += 1
        }
        return q
    }

    /// After the first `order by `, drops each `\s+asc`.
    static func removingOrderByAsc(_ q: [UInt8]) -> [UInt8] {
        guard var i = find(q, Array("order by ".utf8), from: 0).map({ $0 + 9 }) else { return q }
        if i > 9, isWord(q[i - 10]) {
            // `\bORDER BY`: needs a word boundary before it.
            var from = i - 8
            var found: Int?
            while let f = find(q, Array("order by ".utf8), from: from) {
                if f == 0 || !isWord(q[f - 1]) { found = f + 9; break }
                from = f + 1
            }
            guard let f = found else { return q }
            i = f
        }
        var out = Array(q[..<i])
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
            out.append(q[j]); j += 1; sinceLast += 1
        }
        return out
    }

    // MARK: - sanitized query

    /// The statement as X-Ray's `sql.sanitized_query` wants it: comments
    /// removed, string/number/hex literals replaced by `?`, whitespace
    /// collapsed; identifiers, keywords, case and `$1` placeholders kept.
    public static func sanitize(_ text: String, engine: DatabaseEngine) -> String {
        // MySQL also quotes strings with "; PostgreSQL uses " for identifiers.
        let doubleQuotedStrings = engine == .mysql
        var q = Array(text.utf8)
        removeMultiLineComments(&q)
        removeOneLineComments(&q)
        var out = [UInt8]()
        out.reserveCapacity(q.count)
        var i = 0
        while i < q.count {
            let c = q[i]
            if c == ASCII.apostrophe || (c == ASCII.quote && doubleQuotedStrings) {
                // A string literal; '' and \' escape a quote inside it.
                var j = i + 1
                while j < q.count {
                    if q[j] == ASCII.backslash { j += 2; continue }
                    if q[j] == c {
                        if j + 1 < q.count && q[j + 1] == c { j += 2; continue }
                        break
                    }
                    j += 1
                }
                // E'..', N'..', X'..' prefixes are part of the literal.
                if let p = out.last, (p == 0x45 || p == 0x65 || p == 0x4E || p == 0x6E || p == 0x58 || p == 0x78 || p == 0x42 || p == 0x62),
                   out.count < 2 || !isWord(out[out.count - 2]) { out.removeLast() }
                out.append(0x3F)
                i = min(j + 1, q.count)
                continue
            }
            if c == 0x24, i + 1 < q.count, ASCII.isDigit(q[i + 1]) {
                // PostgreSQL placeholder $n: keep.
                out.append(c); i += 1
                while i < q.count, ASCII.isDigit(q[i]) { out.append(q[i]); i += 1 }
                continue
            }
            if ASCII.isDigit(c) && (i == 0 || !isWord(q[i - 1])) {
                var j = i
                while j < q.count, isWord(q[j]) || q[j] == ASCII.dot { j += 1 }
                out.append(0x3F)
                i = j
                continue
            }
            if isWord(c) {
                // Keep identifiers whole, so t1 stays t1; NULL/TRUE/FALSE become ?.
                var j = i
                while j < q.count, isWord(q[j]) { j += 1 }
                let n = j - i
                let literal = (n == 4 && (startsWith(q, "null", caseInsensitive: true, at: i) || startsWith(q, "true", caseInsensitive: true, at: i)))
                    || (n == 5 && startsWith(q, "false", caseInsensitive: true, at: i))
                if literal { out.append(0x3F) } else { out.append(contentsOf: q[i..<j]) }
                i = j
                continue
            }
            out.append(c); i += 1
        }
        var s = collapsingWhitespace(out)
        while let f = s.first, f == ASCII.space { s.removeFirst() }
        while let l = s.last, l == ASCII.space || l == ASCII.semicolon { s.removeLast() }
        return String(decoding: s, as: UTF8.self)
    }
}
