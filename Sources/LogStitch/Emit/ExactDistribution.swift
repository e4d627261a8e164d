/// All values of a measure, kept as value → count, so nearest-rank
/// percentiles are exact while memory follows the number of distinct values
/// (API latencies are whole milliseconds; durations have 10 µs steps).
public struct ExactDistribution: Sendable {
    /// value → count by open addressing (a slot with count 0 is free), at
    /// most three quarters full: as small as a Dictionary, and a cheap hash
    /// instead of SipHash for the two million values a day adds. This is the
    /// one state that grows with the input (one slot per distinct value).
    private struct Slot: Sendable {
        var value: Int64 = 0
        var count = 0
    }
    private var slots: [Slot] = []
    private var distinct = 0
    public private(set) var total = 0
    /// The used slots by value, sorted once when first asked for: every
    /// report (the CSV and report.html) reads the same percentiles, and a
    /// class's sort was 1.7% of a slow-log run each time. A distribution
    /// that changes, or whose copy would share the box, gets a fresh one.
    private final class SortedSlots: @unchecked Sendable {  // filled by one thread, at report time
        var slots: [Slot]?
    }
    private var sortedCache = SortedSlots()

    public init() {}

    /// value → count.
    public var counts: [Int64: Int] {
        Dictionary(uniqueKeysWithValues: slots.lazy.filter { $0.count > 0 }.map { ($0.value, $0.count) })
    }

    public mutating func add(_ v: Int64) { add(v, times: 1) }

    mutating func add(_ v: Int64, times n: Int) {
        if sortedCache.slots != nil || !isKnownUniquelyReferenced(&sortedCache) { sortedCache = SortedSlots() }
        if (distinct + 1) * 4 > slots.count * 3 { grow() }
        let mask = slots.count - 1
        var i = Int(truncatingIfNeeded: v.fastHash) & mask
        while slots[i].count != 0 && slots[i].value != v { i = (i + 1) & mask }
        if slots[i].count == 0 {
            slots[i].value = v
            distinct += 1
        }
        slots[i].count += n
        total += n
    }

    private mutating func grow() {
        let old = slots
        slots = [Slot](repeating: Slot(), count: Swift.max(16, old.count * 2))
        let mask = slots.count - 1
        for s in old where s.count > 0 {
            var i = Int(truncatingIfNeeded: s.value.fastHash) & mask
            while slots[i].count != 0 { i = (i + 1) & mask }
            slots[i] = s
        }
    }

    /// Adds every value of another distribution.
    public mutating func merge(_ other: ExactDistribution) {
        for s in other.slots where s.count > 0 { add(s.value, times: s.count) }
    }

    /// Nearest rank: the smallest value with at least p% of the values at or below it.
    public func percentiles(_ ps: [Int]) -> [Int64?] {
        guard total > 0 else { return ps.map { _ in nil } }
        let sorted = sortedSlots
        var out: [Int64?] = []
        for p in ps {
            let rank = Swift.max(1, (p * total + 99) / 100)
            var seen = 0
            var value = sorted.last!.value
            for s in sorted {
                seen += s.count
                if seen >= rank {
                    value = s.value
                    break
                }
            }
            out.append(value)
        }
        return out
    }

    public var max: Int64? { total > 0 ? sortedSlots.last?.value : nil }

    private var sortedSlots: [Slot] {
        if let s = sortedCache.slots { return s }
        let s = slots.filter { $0.count > 0 }.sorted { $0.value < $1.value }
        sortedCache.slots = s
        return s
    }
}
