import Foundation

/// A statement with its comments removed, every run of digits made one
/// mark and every plain quoted string (no quote, backslash or newline of
/// either kind inside) another. pt-query-digest's fingerprint after its
/// comment step treats all digits alike whatever their count (its number
/// pattern takes digits anywhere, `t1` included) and replaces a plain
/// string whatever it holds, so two statements of one shape have one
/// fingerprint: a busy slow log's statements fall into a few hundred
/// shapes, and the fingerprint's dozen passes are made once per shape.
/// (Finer than the fingerprint: `IN (1,2)` and `IN (1,2,3)` are two shapes
/// of one class. A statement holding the mark bytes themselves has none.)
struct StatementShape: Hashable {
    let bytes: [UInt8]
    let hash: UInt64

    static let digitsMark: UInt8 = 0x01
    static let stringMark: UInt8 = 0x02

    init?(_ q: UnsafeBufferPointer<UInt8>) {
        var out: [UInt8] = []
        out.reserveCapacity(q.count)
        var i = 0
        let n = q.count
        while i < n {
            let c = q[i]
            if c == Self.digitsMark || c == Self.stringMark { return nil }
            if c >= 0x30 && c <= 0x39 {
                while i < n, q[i] >= 0x30, q[i] <= 0x39 { i += 1 }
                out.append(Self.digitsMark)
                continue
            }
            if c == ASCII.apostrophe || c == ASCII.quote {
                var j = i + 1
                var plain = true
                while j < n, q[j] != c {
                    let d = q[j]
                    if d == ASCII.apostrophe || d == ASCII.quote || d == ASCII.backslash || d == ASCII.lf
                        || d == ASCII.cr
                        || d == Self.digitsMark || d == Self.stringMark
                    {
                        plain = false
                        break
                    }
                    j += 1
                }
                if plain, j < n {
                    out.append(Self.stringMark)
                    i = j + 1
                    continue
                }
            }
            out.append(c)
            i += 1
        }
        bytes = out
        hash = StableHash.fnv(out)
    }

    func hash(into hasher: inout Hasher) { hasher.combine(hash) }
    static func == (a: Self, b: Self) -> Bool { a.hash == b.hash && a.bytes == b.bytes }
}

/// Shapes seen so far and their fingerprints and ids, shared by the
/// parsing workers; emptied when full, so it stays bounded.
final class StatementShapes: @unchecked Sendable {
    let lock = NSLock()
    var known: [StatementShape: QueryClassName] = [:]
    static let limit = 8192

    func lookup(_ s: StatementShape) -> QueryClassName? {
        lock.lock()
        defer { lock.unlock() }
        return known[s]
    }

    func remember(_ s: StatementShape, _ name: QueryClassName) {
        lock.lock()
        defer { lock.unlock() }
        if known.count >= Self.limit { known.removeAll(keepingCapacity: true) }
        known[s] = name
    }
}

extension QueryFingerprint {
    static let shapes = StatementShapes()
}
