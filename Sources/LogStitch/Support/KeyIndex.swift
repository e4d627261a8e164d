/// Join key → Int (request ids, streams), by a cheap hash with open
/// addressing. Swift's `Dictionary` hashes each key with SipHash, seeded per
/// process; joining a day of Lambda events looks ids up millions of times,
/// and this costs a fraction of that. Same semantics as `[Key: Int]` for
/// what the correlator does: get and set.
protocol FastHashable: Equatable {
    /// Any good mix will do: never persisted or iterated.
    var fastHash: UInt64 { get }
}

typealias StringIndex = KeyIndex<String>
typealias RequestIdIndex = KeyIndex<RequestId>

extension String: FastHashable {
    var fastHash: UInt64 { KeyIndex<String>.hash(self) }
}

/// Running totals by key, changed in place (a totals value holds whole
/// distributions: no copies), keys hashed cheaply.
struct KeyedTotals<Key: FastHashable & Sendable, Value> {
    private var index = KeyIndex<Key>()
    private(set) var keys: [Key] = []
    private(set) var values: [Value] = []

    mutating func update(_ key: Key, _ fresh: @autoclosure () -> Value, _ body: (inout Value) -> Void) {
        if let i = index[key] {
            body(&values[i])
            return
        }
        index[key] = keys.count
        keys.append(key)
        values.append(fresh())
        body(&values[values.count - 1])
    }

    subscript(key: Key) -> Value? { index[key].map { values[$0] } }

    /// Where `key`'s totals are, made with `fresh` when the key is new.
    mutating func slot(_ key: Key, _ fresh: @autoclosure () -> Value) -> Int {
        if let i = index[key] { return i }
        index[key] = keys.count
        keys.append(key)
        values.append(fresh())
        return values.count - 1
    }

    /// Changes the totals at `slot` in place.
    mutating func update(at slot: Int, _ body: (inout Value) -> Void) { body(&values[slot]) }
}

/// The last few keys looked up, by the bits of their strings, and where
/// their totals are. Only while the strings are held (equal bits are then
/// the same strings, or the same short ones held inline; equal strings with
/// other bits just miss): a report adds a window's records, whose keys
/// repeat from a handful of routes and functions, and hashing their
/// strings each time cost more than the totals.
struct RecentKeys<Bits: Equatable> {
    private var bits: [Bits] = []
    private var slots: [Int] = []
    private var next = 0
    static var capacity: Int { 8 }

    func slot(_ b: Bits) -> Int? {
        for k in bits.indices where bits[k] == b { return slots[k] }
        return nil
    }

    mutating func remember(_ b: Bits, _ slot: Int) {
        if bits.count < Self.capacity {
            bits.append(b)
            slots.append(slot)
            return
        }
        bits[next] = b
        slots[next] = slot
        next = (next + 1) % Self.capacity
    }
}

/// The bits of an optional String (see `RecentKeys`).
struct StringBits: Equatable, Sendable {
    let a: UInt64, b: UInt64
    init(_ s: String?) { (a, b) = unsafeBitCast(s, to: (UInt64, UInt64).self) }
}

extension Int64: FastHashable {
    var fastHash: UInt64 { KeyIndex<String>.mix(UInt64(bitPattern: self)) }
}

extension TraceId: FastHashable {
    var fastHash: UInt64 { KeyIndex<String>.mix(UInt64(epoch) << 32 ^ UInt64(high) ^ low &* 0x9E37_79B9_7F4A_7C15) }
}

struct KeyIndex<Key: FastHashable & Sendable>: Sendable {
    /// A slot holds the key's hash and where its entry is, so a probe
    /// touches one cache line until the hashes agree.
    private struct Slot {
        var hash: UInt64 = 0
        var entry: Int32 = -1
    }
    private var keys: [Key] = []
    private var values: [Int] = []
    private var slots: [Slot] = []
    private var mask = 0

    init(capacity: Int = 16) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        slots = [Slot](repeating: Slot(), count: size)
        mask = size - 1
        keys.reserveCapacity(capacity)
        values.reserveCapacity(capacity)
    }

    var count: Int { keys.count }

    /// Whether `key` has a value (as a set: `index[key] = 0` inserts).
    func contains(_ key: Key) -> Bool { slots[find(key, key.fastHash)].entry >= 0 }

    /// splitmix64 (StableHash's finalizer after its step): fixed-width keys spread over the table.
    @inline(__always) static func mix(_ x: UInt64) -> UInt64 { StableHash.mix(x &+ 0x9E37_79B9_7F4A_7C15) }

    /// Eight bytes per multiply.
    @inline(__always) static func hash(_ s: String) -> UInt64 {
        return s.withUTF8Bytes { hash(bytes: $0) }
    }

    /// Eight bytes per multiply (in-memory only: never persisted).
    @inline(__always) static func hash(bytes b: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var h: UInt64 = 0x243F_6A88_85A3_08D3 ^ UInt64(b.count)
        var i = 0
        if let base = b.baseAddress {
            let raw = UnsafeRawPointer(base)
            while i + 8 <= b.count {
                h = (h ^ raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)) &* 0x9E37_79B9_7F4A_7C15
                h ^= h >> 29
                i += 8
            }
        }
        var tail: UInt64 = 0
        while i < b.count {
            tail = tail << 8 | UInt64(b[i])
            i += 1
        }
        h = (h ^ tail) &* 0x9E37_79B9_7F4A_7C15
        return h ^ (h >> 32)
    }

    /// The slot holding `key`, or the empty slot where it would go.
    @inline(__always) private func find(_ key: Key, _ h: UInt64) -> Int {
        var i = Int(truncatingIfNeeded: h) & mask
        while true {
            let s = slots[i]
            if s.entry < 0 { return i }
            if s.hash == h && keys[Int(s.entry)] == key { return i }
            i = (i + 1) & mask
        }
    }

    subscript(key: Key) -> Int? {
        get {
            let e = slots[find(key, key.fastHash)].entry
            return e < 0 ? nil : values[Int(e)]
        }
        set {
            // Only set with values here (the correlator never removes).
            guard let v = newValue else { return }
            let h = key.fastHash
            let i = find(key, h)
            let e = slots[i].entry
            if e >= 0 {
                values[Int(e)] = v
                return
            }
            slots[i] = Slot(hash: h, entry: Int32(keys.count))
            keys.append(key)
            values.append(v)
            if keys.count * 2 > slots.count { grow() }
        }
    }

    private mutating func grow() {
        let old = slots
        slots = [Slot](repeating: Slot(), count: old.count * 2)
        mask = slots.count - 1
        for s in old where s.entry >= 0 {
            var i = Int(truncatingIfNeeded: s.hash) & mask
            while slots[i].entry >= 0 { i = (i + 1) & mask }
            slots[i] = s
        }
    }
}
