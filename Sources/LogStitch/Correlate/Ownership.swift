/// Which of a window's records a block writes: requests and lone
/// invocations by start time, statements by end time (see
/// `WindowedCorrelation`). Asked with the times the model keeps beside its
/// links, never with the records themselves: a record passed by value would
/// be retained, and retaining it touches its object (a cache miss per
/// record, in every loop that only asks this).
public struct Ownership: Sendable {
    /// The spill buckets owned; nil owns everything (a single-window run).
    let buckets: ClosedRange<Int64>?

    public static let everything = Ownership(buckets: nil)

    init(buckets: ClosedRange<Int64>?) { self.buckets = buckets }

    /// Records without a time sit in the epoch's bucket, as in the spill.
    @inline(__always) public func owns(_ t: EpochMicros?) -> Bool {
        guard let buckets else { return true }
        return buckets.contains(SpillStore.bucket(t ?? 0))
    }
}
