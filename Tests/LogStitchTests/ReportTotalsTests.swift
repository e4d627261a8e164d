import Testing

@testable import LogStitch

/// Routes and functions are found by the bits of their strings while a
/// model is added: more keys than that cache holds, interleaved, equal
/// strings that are other objects, and absent values must all count as a
/// lookup by value would.
@Suite struct RecentKeysTests {
    @Test func routeTotalsCountEveryRequestOnce() {
        var model = TraceModel()
        var expected: [String: Int] = [:]
        for n in 0..<300 {
            let k = n % 13
            // Every third request makes its strings anew (equal, other objects).
            let route: String? =
                k == 12
                ? nil
                : (n % 3 == 0
                    ? String("/route/long/enough/to/be/on/the/heap/\(k)".utf8)
                    : "/route/long/enough/to/be/on/the/heap/\(k)")
            let q = ApiGatewayRequest(
                requestId: RequestId("r\(n)"), stage: k % 2 == 0 ? "prod" : "staging", method: "GET", route: route)
            q.start = 1_704_067_200_000_000 + Int64(n)
            model.requests.append(RequestRecord(request: q, traceId: TraceId(epoch: 1, high: 0, low: UInt64(n))))
            expected["\(k % 2 == 0 ? "prod" : "staging")|\(route ?? "")", default: 0] += 1
        }
        var totals = ReportAccumulator()
        totals.add(model, .everything)
        var counted: [String: Int] = [:]
        for (key, route) in zip(totals.routes.keys, totals.routes.values) {
            counted["\(key.stage)|\(key.route)"] = route.requests
        }
        #expect(counted == expected)
        #expect(counted.count == 13)
    }
}
