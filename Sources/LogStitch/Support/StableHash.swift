/// A fast 64-bit hash (FNV-1a, then SplitMix64's finalizer to spread the
/// bits) that is the same on every machine and run, unlike `Hasher`.
/// Segment ids are built from it.
public enum StableHash {
    static let fnvOffset: UInt64 = 0xcbf29ce484222325

    /// FNV-1a over `bytes`, continuing from `seed` (ASCII-lowercased first
    /// when `lowercase`, for ids that arrive in either case).
    @inline(__always)
    static func fnv<C: Sequence>(_ bytes: C, seed: UInt64 = fnvOffset, lowercase: Bool = false) -> UInt64
    where C.Element == UInt8 {
        var h = seed
        for b in bytes { h = (h ^ UInt64(lowercase ? ASCII.lower(b) : b)) &* 0x100000001b3 }
        return h
    }

    @inline(__always)
    public static func fnv(_ s: String) -> UInt64 {
        return s.withUTF8Bytes { fnv($0) }
    }

    @inline(__always)
    public static func mix(_ x0: UInt64) -> UInt64 {
        var z = x0
        z = (z ^ (z >> 30)) &* 0xbf58476d1ce4e5b9
        z = (z ^ (z >> 27)) &* 0x94d049bb133111eb
        return z ^ (z >> 31)
    }
}

/// The segment ids of one entity: the key (a request id) is hashed once and
/// each role (`"apigateway"`, `"lambda-service"`, …) continues from there.
/// Ids stay numbers until they are written, so no String is made for them.
struct SegmentIds {
    let keyHash: UInt64

    init(_ key: String) { keyHash = StableHash.fnv(key) }
    /// Hashes the id's text, as it is written, and when it started: one
    /// request id can name two requests (Lambda keeps it for the retries of
    /// an asynchronous event, and a client can send one trace header twice),
    /// and their documents must not share ids in a trace they share.
    init(_ key: RequestId, start: EpochMicros?) {
        let h = key.withText { StableHash.fnv($0) }
        keyHash = start.map { withUnsafeBytes(of: $0.littleEndian) { StableHash.fnv($0, seed: h) } } ?? h
    }

    /// A statement's ids: its key (see `SegmentDocumentWriter.queryKey`)
    /// hashed as it is spelled, without making the String.
    init(statement q: SlowQuery) {
        var h = StableHash.fnv("query".utf8)
        // Each part after a colon, as the key spells it.
        func part(_ bytes: UnsafeRawBufferPointer) {
            h = StableHash.fnv(bytes, seed: StableHash.fnv(CollectionOfOne(UInt8(ascii: ":")), seed: h))
        }
        func text(_ s: String) { s.withUTF8Bytes { part(UnsafeRawBufferPointer($0)) } }
        func number(_ v: Int64) {
            var d = ByteScratch()
            d.putInteger(v)
            d.withBytes(part)
        }
        text(q.instance)
        number(q.end)
        number(q.durationUs)
        number(q.connectionId ?? 0)
        text(q.fingerprintId)
        number(Int64(q.textByteCount))
        keyHash = h
    }

    /// The id for `role`; never zero.
    func callAsFunction(_ role: StaticString) -> UInt64 {
        var h = role.withUTF8Buffer { StableHash.fnv($0, seed: keyHash) }
        h = StableHash.mix(h)
        return h == 0 ? 1 : h
    }
}
