import Testing

@testable import LogStitch

/// The template matcher on its own: literals and values, backtracking over
/// values that hold the template's own separators, what each value class
/// accepts, and the unanchored prefix match PostgreSQL's `log_line_prefix`
/// uses. (The access-log and PostgreSQL parsers build their matchers from
/// these pieces; their tests cover the templates users write.)
@Suite struct TemplateMatcherTests {
    typealias Segment = TemplateMatcher.Segment

    static func lit(_ s: String) -> Segment { .literal(Array(s.utf8)) }

    /// The slot values of `line` under `segments`, or nil when it does not
    /// match; with an unanchored matcher, also where the match ended.
    func match(_ segments: [Segment], _ line: String, slots n: Int, anchored: Bool = true) -> (
        values: [String?], end: Int
    )? {
        let m = TemplateMatcher(segments: segments, slotCount: n, anchoredAtEnd: anchored)
        var slots: [Range<Int>?] = []
        var end = 0
        let bytes = Array(line.utf8)
        let ok = bytes.withUnsafeBytes { m.match($0, slots: &slots, end: &end) }
        guard ok else { return nil }
        let values = slots.map { r in r.map { String(decoding: bytes[$0], as: UTF8.self) } }
        return (values, end)
    }

    @Test func commonLogFormatSplitsEveryField() throws {
        // `$context.identity.sourceIp - - [$context.requestTime] "$context.routeKey" $context.status $context.requestId`
        let t: [Segment] = [
            .value(slot: 0, .token), Self.lit(" - - ["), .value(slot: 1, .clfTime), Self.lit("] \""),
            .value(slot: 2, .any), Self.lit("\" "), .value(slot: 3, .integer), Self.lit(" "), .value(slot: 4, .token),
        ]
        let line = "198.51.100.7 - - [01/Jan/2024:00:00:01 +0000] \"GET /orders/{id}\" 200 a1b2-c3"
        let m = try #require(match(t, line, slots: 5))
        #expect(m.values == ["198.51.100.7", "01/Jan/2024:00:00:01 +0000", "GET /orders/{id}", "200", "a1b2-c3"])
        #expect(m.end == line.utf8.count)
    }

    @Test func valuesHoldingTheSeparatorAreFoundByBacktracking() throws {
        // A route key has a space and a user agent commas: the split that
        // leaves every value valid wins, however many separators come first.
        let t: [Segment] = [
            .value(slot: 0, .any), Self.lit(","), .value(slot: 1, .integer), Self.lit(","), .value(slot: 2, .any),
        ]
        let m = try #require(match(t, "Mozilla/5.0 (X11, Linux), like Gecko,200,POST /a b", slots: 3))
        #expect(m.values == ["Mozilla/5.0 (X11, Linux), like Gecko", "200", "POST /a b"])
        // An IPv6 host has colons; the port after the last one is the integer.
        let host: [Segment] = [.value(slot: 0, .any), Self.lit(":"), .value(slot: 1, .integer)]
        let h = try #require(match(host, "2001:db8::1:5432", slots: 2))
        #expect(h.values == ["2001:db8::1", "5432"])
    }

    @Test func anAnchoredTemplateMustTakeTheWholeLine() {
        let t: [Segment] = [.value(slot: 0, .integer), Self.lit(" "), .value(slot: 1, .token)]
        #expect(match(t, "200 abc", slots: 2)?.values == ["200", "abc"])
        #expect(match(t, "200 abc def", slots: 2) == nil)  // a token has no space
        #expect(match(t, "2x0 abc", slots: 2) == nil)
    }

    @Test func eachValueClassAcceptsWhatItCanHold() {
        func valid(_ v: String, _ cls: TemplateMatcher.ValueClass) -> Bool {
            withBytes(v) { TemplateMatcher.valid($0, cls) }
        }
        // "-" stands for an absent number, as API Gateway prints it.
        #expect(valid("-", .integer) && valid("", .integer) && valid("42", .integer) && !valid("4 2", .integer))
        #expect(valid("912.5", .decimal) && valid("-", .decimal) && !valid("9x", .decimal))
        #expect(valid("a-b_c", .token) && !valid("a b", .token) && !valid("a\nb", .token))
        #expect(valid("any thing, at all", .any) && !valid("two\nlines", .any))
        #expect(valid("01/Jan/2024:00:00:01 +0000", .clfTime) && valid("-", .clfTime) && !valid("2024-01-01", .clfTime))
        #expect(valid("2024-01-01 00:00:01 UTC", .pgTimestamp) && valid("2024-01-01 00:00:01.532 CEST", .pgTimestamp))
        #expect(valid("2024-01-01 00:00:01 +0530", .pgTimestamp) && !valid("2024-01-01 00:00", .pgTimestamp))
        #expect(!valid("2024-01-01 00:00:01 UTC:10", .pgTimestamp))
        // host(port), a local socket, or nothing (background processes).
        #expect(valid("10.0.0.1(5432)", .hostPort) && valid("[local]", .hostPort) && valid("", .hostPort))
        #expect(!valid("10.0.0.1(54x2)", .hostPort) && !valid("10.0.0.1", .hostPort))
    }

    @Test func rdsPrefixMatchesUnanchoredAndSaysWhereItEnded() throws {
        // `%t:%r:%u@%d:[%p]:` as PostgresLogParser builds it.
        let t: [Segment] = [
            .value(slot: 0, .pgTimestamp), Self.lit(":"), .value(slot: 1, .hostPort), Self.lit(":"),
            .value(slot: 2, .token), Self.lit("@"), .value(slot: 3, .token), Self.lit(":["), .value(slot: 4, .integer),
            Self.lit("]:"),
        ]
        let prefix = "2026-11-24 03:00:00 CET:10.0.18.218(42218):app@shop10:[2218]:"
        let line = prefix + "LOG:  duration: 1.5 ms  statement: SELECT 1 /* a:b:c */"
        let m = try #require(match(t, line, slots: 5, anchored: false))
        #expect(m.values == ["2026-11-24 03:00:00 CET", "10.0.18.218(42218)", "app", "shop10", "2218"])
        #expect(m.end == prefix.utf8.count)
        // A csvlog line, a JSON line and a line of another prefix do not match.
        #expect(
            match(t, "2026-11-24 03:00:00.123 UTC,\"app\",\"shop\",2218,\"10.0.0.1:5432\",x", slots: 5, anchored: false)
                == nil)
        #expect(match(t, "{\"timestamp\":\"2026-11-24 03:00:00 UTC\",\"a\":1}", slots: 5, anchored: false) == nil)
        #expect(match(t, "Nov 24 03:00:00 host postgres[2218]: LOG: x", slots: 5, anchored: false) == nil)
    }

    @Test func onlyTemplatesThatCanStartWithABraceTryJSONLines() {
        func matcher(_ s: [Segment]) -> TemplateMatcher {
            TemplateMatcher(segments: s, slotCount: 1, anchoredAtEnd: true)
        }
        #expect(matcher([Self.lit("{\"a\":\""), .value(slot: 0, .token)]).mayMatchBraceLine)
        #expect(matcher([.value(slot: 0, .any)]).mayMatchBraceLine)
        #expect(!matcher([.value(slot: 0, .token), Self.lit(" ")]).mayMatchBraceLine)
        #expect(!matcher([.value(slot: 0, .pgTimestamp)]).mayMatchBraceLine)
    }

    @Test func slotsOfAFailedTryAreNotLeftBehind() throws {
        let t: [Segment] = [.value(slot: 0, .integer), Self.lit(" "), .value(slot: 1, .token)]
        let m = TemplateMatcher(segments: t, slotCount: 2, anchoredAtEnd: true)
        var slots: [Range<Int>?] = []
        var end = 0
        #expect(withBytes("12 ab") { m.match($0, slots: &slots, end: &end) })
        #expect(slots == [0..<2, 3..<5])
        // The next line does not match: what the last one set is cleared first.
        #expect(!withBytes("xx") { m.match($0, slots: &slots, end: &end) })
        #expect(slots == [nil, nil])
    }
}
