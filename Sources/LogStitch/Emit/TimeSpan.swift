/// A stretch of event time, in epoch microseconds, for placing documents so
/// that every subsegment lies inside its parent and every segment inside
/// the subsegment it names as parent (X-Ray draws a child outside its
/// parent as a gap or an overhang, and its consumers nest by time).
struct TimeSpan: Equatable {
    var start: EpochMicros
    var end: EpochMicros

    init(_ start: EpochMicros, _ end: EpochMicros) {
        self.start = start
        self.end = max(start, end)
    }

    /// The smallest span holding both.
    func covering(_ other: TimeSpan) -> TimeSpan { TimeSpan(min(start, other.start), max(end, other.end)) }

    /// This span moved inside `parent`: the part of it inside, or, when none
    /// is, the instant of `parent` nearest to it. Logs of two services
    /// disagree by a millisecond or so (each truncates its own clock); the
    /// child yields, never the parent.
    func clamped(into parent: TimeSpan) -> TimeSpan {
        let s = min(max(start, parent.start), parent.end)
        let e = max(min(end, parent.end), s)
        return TimeSpan(s, e)
    }

    func contains(_ other: TimeSpan) -> Bool { other.start >= start && other.end <= end }
}

/// Where a statement's subsegment goes inside the `Invocation` that sent
/// it, and how it got there (its metadata says which).
struct StatementPlacement {
    var span: TimeSpan
    var how: How

    enum How: String {
        /// Its logged end and duration fit inside the invocation.
        case asLogged = "as_logged"
        /// Its end is known only to the second (PostgreSQL `%t`) or so:
        /// placed at the earliest end within that resolution that puts its
        /// whole run inside the invocation.
        case withinEndResolution = "within_end_resolution"
        /// No possible end fits (clocks that disagree, or a statement the
        /// logs make longer than its invocation): cut to the invocation.
        case clampedToInvocation = "clamped_to_invocation"
    }

    /// `end`: the logged end, true to within `resolution` later (the true
    /// end lies in [end, end + resolution)); `duration`: the logged run.
    init(end: EpochMicros, resolution: EpochMicros, duration: EpochMicros, within parent: TimeSpan) {
        let d = max(0, duration)
        if end - d >= parent.start && end <= parent.end {
            span = TimeSpan(end - d, end)
            how = .asLogged
            return
        }
        let latest = end + max(0, resolution - 1)
        let earliestFit = max(end, parent.start + d)
        if earliestFit <= min(latest, parent.end) {
            span = TimeSpan(earliestFit - d, earliestFit)
            how = .withinEndResolution
            return
        }
        span = TimeSpan(end - d, end).clamped(into: parent)
        how = .clampedToInvocation
    }
}
