/// Requests and invocations minute by minute (by start time), for
/// report.html's charts: rates, exact latency percentiles and cold starts
/// over time. A minute's distributions hold one slot per distinct value, so
/// a day is 1,440 small tables whatever the traffic.
struct Timeline: Sendable {
    struct Minute: Sendable {
        var requests = 0, errors = 0, throttles = 0
        var latency = ExactDistribution()
        var invocations = 0, coldStarts = 0
        var initDuration = ExactDistribution()

        mutating func add(_ x: Minute) {
            requests += x.requests
            errors += x.errors
            throttles += x.throttles
            latency.merge(x.latency)
            invocations += x.invocations
            coldStarts += x.coldStarts
            initDuration.merge(x.initDuration)
        }
    }
    static let minuteMicros: Int64 = 60_000_000
    private(set) var minutes: [Int64: Minute] = [:]
    /// The first and last start time seen.
    private(set) var range: (first: EpochMicros, last: EpochMicros)?

    static func minute(_ t: EpochMicros) -> Int64 { t >= 0 ? t / minuteMicros : (t + 1) / minuteMicros - 1 }

    mutating func add(request q: borrowing ApiGatewayRequest) {
        guard let t = q.start else { return }
        saw(t)
        let status = q.status
        let latency = q.responseLatencyMs
        update(Self.minute(t)) { m in
            m.requests += 1
            if let s = status, s >= 400 { m.errors += 1 }
            if status == 429 { m.throttles += 1 }
            if let l = latency { m.latency.add(l * 1000) }
        }
    }

    mutating func add(invocation inv: borrowing LambdaInvocation) {
        guard let t = inv.start else { return }
        saw(t)
        let cold = inv.coldStart
        let initUs = inv.restoreDurationUs ?? inv.initDurationUs
        update(Self.minute(t)) { m in
            m.invocations += 1
            if cold { m.coldStarts += 1 }
            if let i = initUs { m.initDuration.add(i) }
        }
    }

    private mutating func saw(_ t: EpochMicros) {
        range = range.map { (min($0.first, t), max($0.last, t)) } ?? (t, t)
    }

    private mutating func update(_ minute: Int64, _ change: (inout Minute) -> Void) {
        change(&minutes[minute, default: Minute()])
    }

    mutating func merge(_ o: Timeline) {
        if let r = o.range {
            saw(r.first)
            saw(r.last)
        }
        for (k, m) in o.minutes {
            update(k) { $0.add(m) }
        }
    }

    /// The minutes gathered into at most `points` equal steps of whole
    /// minutes, first to last: (step start, its totals).
    func steps(points: Int) -> (stepMinutes: Int64, [(start: EpochMicros, Minute)]) {
        guard let first = minutes.keys.min(), let last = minutes.keys.max() else { return (1, []) }
        let span = last - first + 1
        let candidates: [Int64] = [1, 2, 5, 10, 15, 30, 60, 120, 180, 360, 720, 1440, 2880, 10080]
        let step =
            candidates.first { (span + $0 - 1) / $0 <= Int64(points) } ?? (span + Int64(points) - 1) / Int64(points)
        let base = first - ((first % step) + step) % step
        let count = Int((last - base) / step) + 1
        var out = (0..<count).map { (start: (base + Int64($0) * step) * Self.minuteMicros, Minute()) }
        for (k, x) in minutes {
            out[Int((k - base) / step)].1.add(x)
        }
        return (step, out)
    }
}
