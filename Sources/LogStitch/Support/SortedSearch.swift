extension Array where Element == Int64 {
    /// The first index whose value `isAfter` accepts, in values that
    /// `isAfter` accepts from some point on (ascending values, say, and
    /// `{ $0 >= t }`): a binary search. Nil if no value is accepted. (Not
    /// an overload of `firstIndex(where:)`: a call with a trailing closure
    /// would pick this one, more specific, even for unsorted values.)
    func firstSortedIndex(where isAfter: (Int64) -> Bool) -> Int? {
        var lo = 0, hi = count
        while lo < hi {
            let mid = (lo + hi) / 2
            if isAfter(self[mid]) { hi = mid } else { lo = mid + 1 }
        }
        return lo < count ? lo : nil
    }
}
