/// All values of a measure, kept as value → count, so nearest-rank
/// percentiles are exact while memory follows the number of distinct values
/// (API latencies are whole milliseconds; durations have 10 µs steps).
public struct ExactDistribution: Sendable {
    public private(set) var counts: [Int64: Int] = [:]
    public private(set) var total = 0

    public init() {}

    public mutating func add(_ v: Int64) { counts[v, default: 0] += 1; total += 1 }

    /// Adds every value of another distribution.
    public mutating func merge(_ other: ExactDistribution) {
        for (v, n) in other.counts { counts[v, default: 0] += n }
        total += other.total
    }

    /// Nearest rank: the smallest value with at least p% of the values at or below it.
    public func percentiles(_ ps: [Int]) -> [Int64?] {
        guard total > 0 else { return ps.map { _ in nil } }
        let keys = counts.keys.sorted()
        var out: [Int64?] = []
        for p in ps {
            let rank = Swift.max(1, (p * total + 99) / 100)
            var seen = 0
            var value = keys.last!
            for k in keys {
                seen += counts[k]!
                if seen >= rank { value = k; break }
            }
            out.append(value)
        }
        return out
    }

    public var max: Int64? { counts.keys.max() }
}
