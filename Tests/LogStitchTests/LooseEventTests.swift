import Testing

@testable import LogStitch

/// Init and restore lines carry no request id: they belong to the next
/// invocation of their log stream. The assembler finds it by binary search
/// over the stream's starts, and by a plain scan where some invocation has
/// no start; both must pick what the rule says.
@Suite struct LooseEventTests {
    static let stream = "2024/01/01/[$LATEST]0123456789abcdef0123456789abcdef"
    static let other = "2024/01/01/[$LATEST]fedcba9876543210fedcba9876543210"

    func event(_ kind: LambdaEvent.Kind, id: String?, at t: Int64, stream: String = stream, line: Int) -> LambdaEvent {
        let e = LambdaEvent(kind: kind)
        e.requestId = id.map { RequestId($0) }
        e.time = t
        e.logGroup = "/aws/lambda/orders"
        e.logStream = stream
        e.line = line
        return e
    }

    /// Invocations every second in two streams, a few of them preceded by
    /// an INIT_REPORT; one invocation (optionally) with no time at all.
    func events(withTimelessInvocation: Bool) -> [LambdaEvent] {
        var out: [LambdaEvent] = []
        var line = 0
        for k in 0..<200 {
            let t = Int64(1_704_067_200_000_000) + Int64(k) * 1_000_000
            let stream = k % 2 == 0 ? Self.stream : Self.other
            let id = "00000000-0000-4000-8000-\(String(k + 100_000_000_000).suffix(12))"
            if k % 50 == 10 {
                line += 1
                let initReport = event(.initReport, id: nil, at: t - 300_000, stream: stream, line: line)
                initReport.initDurationUs = Int64(1000 + k)
                out.append(initReport)
            }
            line += 1
            out.append(event(.start, id: id, at: t, stream: stream, line: line))
            line += 1
            let report = event(.report, id: id, at: t + 200_000, stream: stream, line: line)
            report.durationUs = 200_000
            out.append(report)
        }
        if withTimelessInvocation {
            line += 1
            let e = event(.end, id: "00000000-0000-4000-8000-ffffffffffff", at: 0, stream: Self.stream, line: line)
            e.time = nil
            out.append(e)
        }
        return out
    }

    @Test func initLinesGoToTheNextInvocationOfTheirStream() {
        let invocations = InvocationAssembler.assemble(events(withTimelessInvocation: false))
        #expect(invocations.count == 200)
        let cold = invocations.filter { $0.initDurationUs != nil }
        #expect(cold.map(\.initDurationUs) == [1010, 1060, 1110, 1160])
        // Invocation k (every second from the first) got k's INIT_REPORT.
        for inv in cold {
            let k = ((inv.start ?? 0) - 1_704_067_200_000_000) / 1_000_000
            #expect(inv.initDurationUs == 1000 + k)
            #expect(inv.logStream == (k % 2 == 0 ? Self.stream : Self.other))
        }
    }

    /// An invocation without a start counts as starting at the end of time
    /// (the rule's reading), but sorts first: its stream is searched by a
    /// plain scan, and the rule then gives it that stream's init lines.
    @Test func aTimelessInvocationTakesItsStreamsInitLinesAsTheRuleSays() {
        let invocations = InvocationAssembler.assemble(events(withTimelessInvocation: true))
        #expect(invocations.count == 201)
        let timeless = invocations.first { $0.start == nil }
        #expect(timeless?.initDurationUs == 1010)  // the first of its stream's, as it comes first
        let cold = invocations.filter { $0.initDurationUs != nil && $0.start != nil }
        // Every init line is of its stream, so none is left for the others.
        #expect(cold.isEmpty)
    }

    @Test func binarySearchFindsTheFirstAccepted() {
        let values: [Int64] = [1, 3, 3, 5, 9]
        #expect(values.firstSortedIndex(where: { $0 >= 0 }) == 0)
        #expect(values.firstSortedIndex(where: { $0 >= 3 }) == 1)
        #expect(values.firstSortedIndex(where: { $0 >= 4 }) == 3)
        #expect(values.firstSortedIndex(where: { $0 >= 9 }) == 4)
        #expect(values.firstSortedIndex(where: { $0 >= 10 }) == nil)
        #expect(([] as [Int64]).firstSortedIndex(where: { $0 >= 0 }) == nil)
    }
}
