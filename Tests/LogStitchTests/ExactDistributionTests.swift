import Testing

@testable import LogStitch

/// Nearest-rank percentiles from the value → count table must equal those of
/// the sorted list of every value, however values repeat, grow the table, or
/// arrive through merges.
@Suite struct ExactDistributionTests {
    func nearestRank(_ all: [Int64], _ p: Int) -> Int64 {
        let sorted = all.sorted()
        return sorted[max(1, (p * sorted.count + 99) / 100) - 1]
    }

    @Test func percentilesMatchTheSortedValues() {
        var g: UInt64 = 42
        func next() -> UInt64 {
            g = g &* 6364136223846793005 &+ 1442695040888963407
            return g >> 33
        }
        for size in [1, 2, 7, 100, 5_000] {
            var whole = ExactDistribution(), left = ExactDistribution(), right = ExactDistribution()
            var all: [Int64] = []
            for i in 0..<size {
                // Few distinct values, many, zero, negatives and the extremes.
                let v: Int64 = i % 97 == 3 ? .min : i % 89 == 5 ? .max : Int64(next() % UInt64(size / 3 + 1)) - 7
                all.append(v)
                whole.add(v)
                if i % 2 == 0 { left.add(v) } else { right.add(v) }
            }
            left.merge(right)
            let ps = [1, 50, 90, 95, 99, 100]
            let expected = ps.map { Optional(nearestRank(all, $0)) }
            #expect(whole.percentiles(ps) == expected, "size \(size)")
            #expect(left.percentiles(ps) == expected, "merged, size \(size)")
            #expect(whole.total == size && left.total == size)
            #expect(whole.max == all.max())
            #expect(whole.counts.values.reduce(0, +) == size)
            #expect(whole.counts.count == Set(all).count)
        }
        #expect(ExactDistribution().percentiles([50]) == [nil])
        #expect(ExactDistribution().max == nil)
    }
}
