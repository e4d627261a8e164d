/// A fast 64-bit hash (FNV-1a, then SplitMix64's finalizer to spread the
/// bits) that is the same on every machine and run, unlike `Hasher`.
/// Segment ids are built from it.
public enum StableHash {
    @inline(__always)
    public static func fnv(_ s: String, seed: UInt64 = 0xcbf29ce484222325) -> UInt64 {
        var h = seed
        var s = s
        s.withUTF8 { for b in $0 { h = (h ^ UInt64(b)) &* 0x100000001b3 } }
        return h
    }

    @inline(__always)
    public static func mix(_ x0: UInt64) -> UInt64 {
        var z = x0
        z = (z ^ (z >> 30)) &* 0xbf58476d1ce4e5b9
        z = (z ^ (z >> 27)) &* 0x94d049bb133111eb
        return z ^ (z >> 31)
    }

    /// 16 lowercase hex digits for (key, role); never all zeros.
    public static func segmentId(_ key: String, _ role: StaticString) -> String {
        hex16(SegmentIds(key)(role))
    }

    public static func hex16(_ v: UInt64) -> String {
        let digits: StaticString = "0123456789abcdef"
        return String(unsafeUninitializedCapacity: 16) { buf in
            digits.withUTF8Buffer { d in
                for i in 0..<16 { buf[i] = d[Int((v >> UInt64(60 - i * 4)) & 15)] }
            }
            return 16
        }
    }
}

/// The segment ids of one entity: the key (a request id) is hashed once and
/// each role (`"apigateway"`, `"lambda-service"`, …) continues from there.
/// Ids stay numbers until they are written, so no String is made for them.
struct SegmentIds {
    let keyHash: UInt64

    init(_ key: String) { keyHash = StableHash.fnv(key) }

    /// The id for `role`; never zero.
    func callAsFunction(_ role: StaticString) -> UInt64 {
        var h = keyHash
        role.withUTF8Buffer { for b in $0 { h = (h ^ UInt64(b)) &* 0x100000001b3 } }
        h = StableHash.mix(h)
        return h == 0 ? 1 : h
    }
}
