#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The last few distinct values of fields that repeat from record to record
/// (routes, user agents, error types, query fingerprints): a value seen again
/// is handed out shared instead of allocated anew, and freed once instead of
/// per record.
struct RecentStrings {
    private var entries: [(bytes: [UInt8], string: String)] = []
    private var next = 0
    static let capacity = 16

    var count: Int { entries.count }

    mutating func string(_ raw: UnsafeRawBufferPointer) -> String {
        for e in entries where e.bytes.count == raw.count {
            let same = e.bytes.withUnsafeBytes {
                raw.count == 0 || memcmp($0.baseAddress!, raw.baseAddress!, raw.count) == 0
            }
            if same { return e.string }
        }
        let s = String(decoding: raw, as: UTF8.self)
        if entries.count < Self.capacity {
            entries.append((Array(raw), s))
        } else {
            entries[next] = (Array(raw), s)
            next = (next + 1) % Self.capacity
        }
        return s
    }
}
