import Testing

@testable import LogStitch

/// Segment ids are hashes of what identifies the entity, so reruns write the
/// same ids; a statement's is hashed without spelling its key as a String,
/// and must equal the hash of that String.
@Suite struct SegmentIdTests {
    func statement(
        instance: String, end: Int64, duration: Int64, connection: Int64?, fingerprintId: String, text: String
    ) -> SlowQuery {
        let q = SlowQuery(engine: .mysql)
        q.instance = instance
        q.end = end
        q.durationUs = duration
        q.connectionId = connection
        q.fingerprintId = fingerprintId
        q.text = text
        return q
    }

    @Test func statementIdsHashTheirKeyAsSpelled() {
        let writer = SegmentDocumentWriter(model: TraceModel(), options: CorrelationOptions())
        let statements = [
            statement(
                instance: "orders-db", end: 1_704_067_200_123_456, duration: 250_000, connection: 42,
                fingerprintId: "3F2B8C1E5D4A4E6F", text: "SELECT 1"),
            statement(instance: "", end: 0, duration: 0, connection: nil, fingerprintId: "", text: ""),
            statement(
                instance: "bäckerei-db", end: -5, duration: -1, connection: -7, fingerprintId: "ab", text: "SELECT 'é'"),
            statement(
                instance: "i", end: .max, duration: .min, connection: .max, fingerprintId: "x:y",
                text: String(repeating: "x", count: 1000)),
        ]
        for q in statements {
            let byString = SegmentIds(writer.queryKey(q))
            let direct = SegmentIds(statement: q)
            #expect(direct("sql") == byString("sql"))
            #expect(direct.keyHash == byString.keyHash)
        }
        // And they differ between statements.
        #expect(Set(statements.map { SegmentIds(statement: $0)("sql") }).count == statements.count)
    }
}
