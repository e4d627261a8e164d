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

    init(bytes: [UInt8], hash: UInt64) {
        self.bytes = bytes
        self.hash = hash
    }

    init?(_ q: UnsafeBufferPointer<UInt8>) {
        guard let made = Self.withShape(of: q, { shape, hash in (Array(shape), hash) }) else { return nil }
        (bytes, hash) = made
    }

    /// Calls `body` with the shape of `q` (in a scratch buffer valid for the
    /// call: no allocation for short statements) and its hash; nil when `q`
    /// has no shape.
    static func withShape<R>(of q: UnsafeBufferPointer<UInt8>, _ body: (UnsafeBufferPointer<UInt8>, UInt64) -> R) -> R?
    {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: max(1, q.count)) { out in
            guard let n = write(q, into: out) else { return nil }
            let shape = UnsafeBufferPointer(rebasing: out[0..<n])
            return body(shape, StringIndex.hash(bytes: shape))
        }
    }

    /// Writes the shape of `q` into `out` (never longer than `q`); returns
    /// its length, or nil when `q` holds a mark byte.
    static func write(_ q: UnsafeBufferPointer<UInt8>, into out: UnsafeMutableBufferPointer<UInt8>) -> Int? {
        var o = 0
        var i = 0
        let n = q.count
        while i < n {
            let c = q[i]
            // Letters and most punctuation: above every byte treated below
            // (the marks, digits and quotes all lie under ':').
            if c > 0x39 {
                out[o] = c
                o += 1
                i += 1
                continue
            }
            if c == Self.digitsMark || c == Self.stringMark { return nil }
            if c >= 0x30 && c <= 0x39 {
                while i < n, q[i] >= 0x30, q[i] <= 0x39 { i += 1 }
                out[o] = Self.digitsMark
                o += 1
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
                    out[o] = Self.stringMark
                    o += 1
                    i = j + 1
                    continue
                }
            }
            out[o] = c
            o += 1
            i += 1
        }
        return o
    }

    func hash(into hasher: inout Hasher) { hasher.combine(hash) }
    static func == (a: Self, b: Self) -> Bool { a.hash == b.hash && a.bytes == b.bytes }
}

/// Shapes seen so far and their fingerprints and ids, shared by the
/// parsing workers; emptied when full, so it stays bounded. Found by the
/// shape's hash and then its bytes, so a statement's shape is looked up
/// from a scratch buffer without being copied into an array first.
final class StatementShapes: @unchecked Sendable {
    let lock = NSLock()
    /// By hash: a second shape with the same 64-bit hash (as good as never)
    /// replaces the first, which is then only made again. Entries are
    /// objects: a tuple of an array and four Strings was copied out of the
    /// dictionary, five retains and releases, on every statement.
    var known: [UInt64: Entry] = [:]
    final class Entry: @unchecked Sendable {
        let shape: [UInt8]
        let name: QueryClassName
        init(_ shape: [UInt8], _ name: QueryClassName) {
            self.shape = shape
            self.name = name
        }
    }
    static let limit = 8192

    func lookup(_ shape: UnsafeBufferPointer<UInt8>, hash: UInt64) -> QueryClassName? {
        lock.lock()
        defer { lock.unlock() }
        guard let hit = known[hash], hit.shape.withUnsafeBytes({ $0.equals(UnsafeRawBufferPointer(shape)) }) else {
            return nil
        }
        return hit.name
    }

    func remember(_ s: StatementShape, _ name: QueryClassName) {
        lock.lock()
        defer { lock.unlock() }
        if known.count >= Self.limit { known.removeAll(keepingCapacity: true) }
        known[s.hash] = Entry(s.bytes, name)
    }
}

extension QueryFingerprint {
    static let shapes = StatementShapes()
}
