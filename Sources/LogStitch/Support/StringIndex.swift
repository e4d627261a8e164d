/// String → Int for join keys (request ids), by FNV-1a over the UTF-8
/// bytes with open addressing. Swift's `Dictionary` hashes each 36-byte id
/// with SipHash, seeded per process; joining a day of Lambda events looks
/// ids up millions of times, and this costs a fraction of that. Same
/// semantics as `[String: Int]` for what the correlator does: get and set.
struct StringIndex {
    private var keys: [String] = []
    private var hashes: [UInt64] = []
    private var values: [Int] = []
    /// Slot → entry + 1 (0 = empty).
    private var slots: [Int32] = []
    private var mask = 0

    init(capacity: Int = 16) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        slots = [Int32](repeating: 0, count: size)
        mask = size - 1
        keys.reserveCapacity(capacity); hashes.reserveCapacity(capacity); values.reserveCapacity(capacity)
    }

    var count: Int { keys.count }

    @inline(__always) static func hash(_ s: String) -> UInt64 {
        var h: UInt64 = 0xcbf29ce484222325
        var s = s
        s.withUTF8 { for b in $0 { h = (h ^ UInt64(b)) &* 0x100000001b3 } }
        return h ^ (h >> 29)
    }

    /// The slot holding `key`, or the empty slot where it would go.
    @inline(__always) private func find(_ key: String, _ h: UInt64) -> Int {
        var i = Int(truncatingIfNeeded: h) & mask
        while true {
            let e = Int(slots[i])
            if e == 0 { return i }
            if hashes[e - 1] == h && keys[e - 1] == key { return i }
            i = (i + 1) & mask
        }
    }

    subscript(key: String) -> Int? {
        get {
            let e = Int(slots[find(key, Self.hash(key))])
            return e == 0 ? nil : values[e - 1]
        }
        set {
            // Only set with values here (the correlator never removes).
            guard let v = newValue else { return }
            let h = Self.hash(key)
            let i = find(key, h)
            if slots[i] != 0 { values[Int(slots[i]) - 1] = v; return }
            keys.append(key); hashes.append(h); values.append(v)
            slots[i] = Int32(keys.count)
            if keys.count * 2 > slots.count { grow() }
        }
    }

    private mutating func grow() {
        slots = [Int32](repeating: 0, count: slots.count * 2)
        mask = slots.count - 1
        for e in keys.indices {
            var i = Int(truncatingIfNeeded: hashes[e]) & mask
            while slots[i] != 0 { i = (i + 1) & mask }
            slots[i] = Int32(e + 1)
        }
    }
}
