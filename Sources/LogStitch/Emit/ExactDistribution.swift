/// All values of a measure, kept as value → count, so nearest-rank
/// percentiles are exact while memory follows the number of distinct values
/// (API latencies are whole milliseconds; durations have 10 µs steps).
public struct ExactDistribution: Sendable {
    /// Distinct values and how often each came, in order of first arrival;
    /// `slot` finds a value's place (a cheap hash: two million adds a day).
    private var values: [Int64] = []
    private var tallies: [Int] = []
    private var slot = KeyIndex<Int64>()
    public private(set) var total = 0

    public init() {}

    /// value → count.
    public var counts: [Int64: Int] { Dictionary(uniqueKeysWithValues: zip(values, tallies)) }

    public mutating func add(_ v: Int64) { add(v, times: 1) }

    mutating func add(_ v: Int64, times n: Int) {
        if let i = slot[v] { tallies[i] += n } else { slot[v] = values.count; values.append(v); tallies.append(n) }
        total += n
    }

    /// Adds every value of another distribution.
    public mutating func merge(_ other: ExactDistribution) {
        for i in other.values.indices { add(other.values[i], times: other.tallies[i]) }
    }

    /// Nearest rank: the smallest value with at least p% of the values at or below it.
    public func percentiles(_ ps: [Int]) -> [Int64?] {
        guard total > 0 else { return ps.map { _ in nil } }
        let order = values.indices.sorted { values[$0] < values[$1] }
        var out: [Int64?] = []
        for p in ps {
            let rank = Swift.max(1, (p * total + 99) / 100)
            var seen = 0
            var value = values[order.last!]
            for i in order {
                seen += tallies[i]
                if seen >= rank { value = values[i]; break }
            }
            out.append(value)
        }
        return out
    }

    public var max: Int64? { values.max() }
}
