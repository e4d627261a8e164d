import Foundation
import Testing

@testable import LogStitch

/// Documents nest in time as X-Ray nests them: every subsegment inside its
/// parent, every segment inside the subsegment it names as parent; a
/// statement whose end is known only to the second goes where it can have
/// run inside its invocation (issue: trace fidelity, items 1 and 2).
@Suite struct TraceFidelityTests {
    let second: Int64 = 1_000_000
    let t0: Int64 = 1_704_067_200_000_000

    @Test func aStatementIsPlacedWhereItCanHaveRun() {
        let invocation = TimeSpan(t0 + 3_505_000, t0 + 3_624_000)
        // Logged end and run inside: as logged.
        let a = StatementPlacement(end: t0 + 3_600_000, resolution: 1, duration: 50_000, within: invocation)
        #expect(a.how == .asLogged && a.span == TimeSpan(t0 + 3_550_000, t0 + 3_600_000))
        // `%t`: ended in [3 s, 4 s); the earliest end that fits is 3.565.
        let b = StatementPlacement(end: t0 + 3 * second, resolution: second, duration: 60_100, within: invocation)
        #expect(b.how == .withinEndResolution && b.span == TimeSpan(t0 + 3_504_900 + 100, t0 + 3_565_100))
        // Longer than the invocation: cut to it.
        let c = StatementPlacement(end: t0 + 3 * second, resolution: second, duration: 900_000, within: invocation)
        #expect(c.how == .clampedToInvocation && invocation.contains(c.span))
        // A microsecond clock that disagrees by a millisecond: cut to it.
        let d = StatementPlacement(end: t0 + 3_625_000, resolution: 1, duration: 10_000, within: invocation)
        #expect(d.how == .clampedToInvocation && d.span == TimeSpan(t0 + 3_615_000, t0 + 3_624_000))
        // Wholly before its invocation: the invocation's first instant.
        let e = StatementPlacement(end: t0 + 1 * second, resolution: 1, duration: 10_000, within: invocation)
        #expect(e.span == TimeSpan(invocation.start, invocation.start))
    }

    @Test func spansClampIntoTheirParent() {
        let parent = TimeSpan(10, 20)
        #expect(TimeSpan(5, 15).clamped(into: parent) == TimeSpan(10, 15))
        #expect(TimeSpan(12, 25).clamped(into: parent) == TimeSpan(12, 20))
        #expect(TimeSpan(0, 5).clamped(into: parent) == TimeSpan(10, 10))
        #expect(TimeSpan(30, 40).clamped(into: parent) == TimeSpan(20, 20))
        #expect(TimeSpan(5, 15).covering(TimeSpan(12, 25)) == TimeSpan(5, 25))
    }

    /// `make run`'s sample: every document nests, and the two PostgreSQL
    /// statements sit inside their invocations at the earliest end their
    /// second allows, with the resolution and the logged end in metadata.
    @Test func theSampleNests() throws {
        let dir = makeTempDir()
        let r = CLI.run([
            "convert", "--output", dir, "--apigw-format", "@" + repoRoot + "/testdata/apigw-staging-format.txt",
            repoRoot + "/testdata/sample",
        ])
        #expect(r.status == 0, "\(r.stderr)")
        let v = CLI.run(["validate", dir + "/segments.ndjson"])
        #expect(v.status == 0, "\(v.stdout)")
        #expect(
            v.stdout.contains("0 invalid, 0 traces with more than one root, 0 outside their parent's time"),
            "\(v.stdout)")
        let docs = try String(contentsOfFile: dir + "/segments.ndjson", encoding: .utf8).split(separator: "\n")
            .map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        var statements: [String: [String: Any]] = [:]
        func walk(_ e: [String: Any]) {
            if (e["namespace"] as? String) == "remote", let sql = e["sql"] as? [String: Any],
                let q = sql["sanitized_query"] as? String
            {
                statements[q] = e
            }
            for s in (e["subsegments"] as? [[String: Any]]) ?? [] { walk(s) }
        }
        docs.forEach(walk)
        func placed(_ prefix: String) throws -> (Double, Double, [String: Any]) {
            let e = try #require(statements.first { $0.key.hasPrefix(prefix) }?.value, "no statement \(prefix)")
            return (
                e["start_time"] as! Double, e["end_time"] as! Double,
                (e["metadata"] as! [String: Any])["rds_slow_query"] as! [String: Any]
            )
        }
        // Sent by 5a11 (02.003–02.0708), logged at 02 s (%t) after 25.412 ms.
        let (s1, e1, m1) = try placed("SELECT * FROM stock")
        #expect(abs(s1 - 1_704_067_202.003) < 1e-6 && abs(e1 - 1_704_067_202.028412) < 1e-6)
        #expect(m1["placement"] as? String == "within_end_resolution" && m1["end_time_resolution_ms"] as? Int == 1000)
        #expect(abs((m1["logged_end_time"] as? Double ?? 0) - 1_704_067_202) < 1e-6)
        // Uncommented, at 03 s after 60.1 ms: only 5a02 (03.505–03.6234) can
        // have sent it, for ends in [03.5651, 03.6234]: attributed by time.
        // A database the log does not name: the node is the instance alone
        // (item 5), one node per instance in the service map.
        let mysql = try #require(statements.first { $0.key.hasPrefix("SELECT id, sku, qty") }?.value)
        #expect(mysql["name"] as? String == "orders-mysql")
        #expect((mysql["sql"] as? [String: Any])?["url"] == nil)
        #expect((mysql["sql"] as? [String: Any])?["database_type"] as? String == "MySQL")
        let (s2, e2, m2) = try placed("UPDATE stock")
        #expect(m2["attribution"] as? String == "time")
        #expect(abs(s2 - 1_704_067_203.505) < 1e-6 && abs(e2 - 1_704_067_203.5651) < 1e-6)
    }

    /// By time, a PostgreSQL statement goes to the one candidate that can
    /// contain it for some end within its second; where two can, to none.
    @Test func postgresByTimeOnlyWhenOneCandidateCan() throws {
        let dir = makeTempDir()
        let stream = dir + "/in/aws/lambda/orders-handler/2024/01/01/[$LATEST]0123456789abcdef0123456789abcdef/000000"
        func invocation(_ id: String, _ start: String, _ end: String, _ ms: String) -> String {
            "2024-01-01T00:00:\(start)Z START RequestId: \(id) Version: $LATEST\n"
                + "2024-01-01T00:00:\(end)Z END RequestId: \(id)\n"
                + "2024-01-01T00:00:\(end)Z REPORT RequestId: \(id)\tDuration: \(ms) ms\tBilled Duration: 100 ms\tMemory Size: 512 MB\tMax Memory Used: 90 MB\t\n"
        }
        let a = "3f2b8c1e-5d4a-4e6f-9a0b-00000000000a", b = "3f2b8c1e-5d4a-4e6f-9a0b-00000000000b",
            c = "3f2b8c1e-5d4a-4e6f-9a0b-00000000000c"
        // a: 10.100–10.600; b: 11.700–12.300; c: 20.200–20.900 and a second
        // stream's d: 20.300–20.950 (two can hold a statement of 20 s).
        write(
            stream,
            Array(
                (invocation(a, "10.100", "10.600", "500.00") + invocation(b, "11.700", "12.300", "600.00")
                    + invocation(c, "20.200", "20.900", "700.00")).utf8))
        let d = "3f2b8c1e-5d4a-4e6f-9a0b-00000000000d"
        write(
            stream.replacingOccurrences(
                of: "0123456789abcdef0123456789abcdef", with: "fedcba9876543210fedcba9876543210"),
            Array(invocation(d, "20.300", "20.950", "650.00").utf8))
        let prefix = "2024-01-01 00:00:%@ UTC:10.0.12.36(51544):app@orders:[4242]:LOG:  duration: %@ ms  statement: "
        func line(_ sec: String, _ ms: String, _ sql: String) -> String {
            String(format: prefix, sec, ms) + sql + "\n"
        }
        write(
            dir + "/in/orders-pg/postgresql.log.2024-01-01-00",
            Array(
                // The first teaches that orders-handler uses orders-pg as app.
                (line("12", "20.000", "SELECT 1 /*request_id='\(b)'*/")
                    + line("10", "300.000", "SELECT 2 FROM t")  // ends in [10, 11): only a can
                    + line("20", "100.000", "SELECT 3 FROM t")  // c and d both can: none
                ).utf8))
        let r = CLI.run(["convert", "--output", dir + "/out", dir + "/in"])
        #expect(r.status == 0, "\(r.stderr)")
        let rows = try String(contentsOfFile: dir + "/out/queries.csv", encoding: .utf8)
        let summary = loadJSON(dir + "/out/summary.json")["correlation"] as! [String: Any]
        #expect(summary["queries_attributed_by_time"] as? Int == 1, "\(summary)\n\(rows)")
        #expect(summary["queries_attributed_by_request_comment"] as? Int == 1)
        #expect(summary["queries_unattributed"] as? Int == 1)
        let docs = try String(contentsOfFile: dir + "/out/segments.ndjson", encoding: .utf8)
        let functionDocs = docs.split(separator: "\n").filter { $0.contains("AWS::Lambda::Function") }
        #expect(functionDocs.first { $0.contains(a) }?.contains("SELECT ? FROM t") == true)
        #expect(!functionDocs.contains { ($0.contains(c) || $0.contains(d)) && $0.contains("sanitized_query") })
        let v = CLI.run(["validate", dir + "/out/segments.ndjson"])
        #expect(v.status == 0, "\(v.stdout)")
    }

    /// One class per statement shape, comments or not; pt-query-digest's own
    /// class id stays in `pt_checksum` where it differs (item 3). The
    /// fixture: one statement three times in a MySQL 8.0 slow log, with
    /// the comment sqlcommenter's specification prints (appended after the
    /// statement, https://google.github.io/sqlcommenter/spec/), a shorter
    /// one, and none.
    @Test func aTrailingCommentMakesNoClassOfItsOwn() throws {
        let dir = makeTempDir()
        let r = CLI.run(["convert", "--output", dir, repoRoot + "/testdata/mysql/sqlcommenter-trailing-comment.log"])
        #expect(r.status == 0, "\(r.stderr)")
        let rows = try String(contentsOfFile: dir + "/queries.csv", encoding: .utf8).split(separator: "\n").map(
            String.init)
        #expect(rows.count == 2, "\(rows)")
        #expect(rows[0].hasSuffix(",example_trace_id,pt_checksum"))
        let fields = rows[1].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        #expect(fields[4] == "select * from foo")
        #expect(fields[5] == "3")
        #expect(fields[0] == QueryFingerprint.fingerprintId("select * from foo"))
        // pt-query-digest's class of the commented ones: its fingerprint keeps the space.
        #expect(QueryFingerprint.fingerprint("SELECT * FROM FOO /*controller='index'*/") == "select * from foo ")
        #expect(fields.last == QueryFingerprint.fingerprintId("select * from foo "))
    }

    /// X-Ray's age limits (item 6): summary.json counts the traces, and
    /// validate the documents, X-Ray would refuse by age, relative to now
    /// or `--now`; the documents stay valid.
    @Test func tracesTooOldForXRayAreCounted() throws {
        let dir = makeTempDir()
        let fmt = "@" + repoRoot + "/testdata/apigw-staging-format.txt", sample = repoRoot + "/testdata/sample"
        // The sample is of 2024-01-01: on 2024-01-20 all are fresh, on 2024-02-15 none.
        let fresh = CLI.run([
            "convert", "--output", dir + "/a", "--now", "2024-01-20T00:00:00Z", "--apigw-format", fmt, sample,
        ])
        #expect(fresh.status == 0, "\(fresh.stderr)")
        let a = loadJSON(dir + "/a/summary.json")["correlation"] as! [String: Any]
        #expect(a["traces_too_old_for_xray"] as? Int == 0 && a["traces_ahead_of_xray"] as? Int == 0)
        let late = CLI.run(["convert", "--output", dir + "/b", "--now", "1708000000", "--apigw-format", fmt, sample])
        #expect(late.status == 0)
        let b = loadJSON(dir + "/b/summary.json")["correlation"] as! [String: Any]
        // Every trace: 7 requests (one has no invocation) and no lone invocations.
        #expect(
            b["traces_too_old_for_xray"] as? Int == (b["requests"] as! Int) + (b["invocations_without_request"] as! Int)
        )
        #expect(b["traces_too_old_for_xray"] as? Int == 7)
        // And their documents, every one of the sample's 17.
        #expect(b["documents_too_old_for_xray"] as? Int == 17 && a["documents_too_old_for_xray"] as? Int == 0)
        let early = CLI.run([
            "convert", "--output", dir + "/c", "--now", "2023-12-31T23:00:00Z", "--apigw-format", fmt, sample,
        ])
        #expect(
            (loadJSON(dir + "/c/summary.json")["correlation"] as! [String: Any])["traces_ahead_of_xray"] as? Int == 7,
            "\(early.stderr)")

        let v1 = CLI.run(["validate", "--now", "2024-01-20T00:00:00Z", dir + "/a/segments.ndjson"])
        #expect(v1.status == 0 && !v1.stdout.contains("refuse"), "\(v1.stdout)")
        let v2 = CLI.run(["validate", "--now", "1708000000", dir + "/a/segments.ndjson"])
        #expect(v2.status == 0, "\(v2.stdout)")
        #expect(
            v2.stdout.contains(
                "X-Ray would refuse 17 of them by age: 17 with trace ids older than 30 days, 0 more than 5 minutes ahead"
            ), "\(v2.stdout)")
        #expect(CLI.run(["validate", "--now", "yesterday", dir + "/a/segments.ndjson"]).status == 2)
    }

    /// The fields X-Ray itself writes (item 4), from the logs or `--region`
    /// / `--account`, and left out, never made up, without them.
    @Test func theFieldsXRayWrites() throws {
        let dir = makeTempDir()
        let fmt = "@" + repoRoot + "/testdata/apigw-staging-format.txt", sample = repoRoot + "/testdata/sample"
        func documents(_ out: String, _ extra: [String]) throws -> [[String: Any]] {
            let r = CLI.run(["convert", "--output", out] + extra + ["--apigw-format", fmt, sample])
            #expect(r.status == 0, "\(r.stderr)")
            return try String(contentsOfFile: out + "/segments.ndjson", encoding: .utf8).split(separator: "\n")
                .map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        }
        let with = try documents(dir + "/a", ["--region", "eu-west-1", "--account", "123456789012"])
        let gateway = with.filter { ($0["origin"] as? String) == "AWS::ApiGateway::Stage" }
        let first = try #require(
            gateway.first {
                (($0["aws"] as? [String: Any])?["api_gateway"] as? [String: Any])?["request_id"] as? String
                    == "a1000000-0000-4000-8000-000000000001"
            })
        #expect(
            ((first["http"] as! [String: Any])["request"] as! [String: Any])["url"] as? String
                == "https://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com/prod/orders/42")
        #expect(first["resource_arn"] as? String == "arn:aws:apigateway:eu-west-1::/restapis/a1b2c3d4e5/stages/prod")
        #expect((first["annotations"] as? [String: Any])?["route"] as? String == "/orders/{orderId}")
        let lambda = try #require((first["subsegments"] as? [[String: Any]])?.first)
        #expect(((lambda["http"] as? [String: Any])?["response"] as? [String: Any])?["status"] as? Int == 200)
        #expect(lambda["fault"] == nil)
        #expect((lambda["aws"] as? [String: Any])?["resource_names"] as? [String] == ["orders-handler"])
        // 502 (the function failed): the integration faulted, Lambda answered 200;
        // 504 (timed out): faulted, no answer.
        func subsegment(status: Int) throws -> [String: Any] {
            let g = try #require(
                gateway.first {
                    (($0["http"] as! [String: Any])["response"] as? [String: Any])?["status"] as? Int == status
                })
            return try #require((g["subsegments"] as? [[String: Any]])?.first)
        }
        #expect(try subsegment(status: 502)["fault"] as? Bool == true)
        #expect(
            ((try subsegment(status: 502)["http"] as? [String: Any])?["response"] as? [String: Any])?["status"] as? Int
                == 200)
        #expect(try subsegment(status: 504)["fault"] as? Bool == true && (try subsegment(status: 504)["http"]) == nil)
        let service = try #require(
            with.first { ($0["origin"] as? String) == "AWS::Lambda" && ($0["name"] as? String) == "orders-handler" })
        #expect(service["resource_arn"] as? String == "arn:aws:lambda:eu-west-1:123456789012:function:orders-handler")
        #expect(((service["http"] as? [String: Any])?["response"] as? [String: Any])?["status"] as? Int == 200)
        let function = try #require(
            with.first {
                ($0["origin"] as? String) == "AWS::Lambda::Function" && ($0["name"] as? String) == "orders-handler"
            })
        let aws = try #require(function["aws"] as? [String: Any])
        #expect(aws["function_arn"] as? String == "arn:aws:lambda:eu-west-1:123456789012:function:orders-handler")
        #expect(
            aws["account_id"] as? String == "123456789012" && aws["resource_names"] as? [String] == ["orders-handler"])
        #expect((function["annotations"] as? [String: Any])?["function"] as? String == "orders-handler")

        // Without them: no ARN, account or execute-api URL is made up.
        let without = try documents(dir + "/b", [])
        for d in without {
            #expect(d["resource_arn"] == nil)
            #expect(((d["aws"] as? [String: Any])?["function_arn"]) == nil)
            #expect(
                (((d["http"] as? [String: Any])?["request"] as? [String: Any])?["url"] as? String)?.contains(
                    "execute-api.amazonaws.com") != true)
        }
        #expect(CLI.run(["validate", dir + "/a/segments.ndjson"]).status == 0)
        #expect(CLI.run(["validate", dir + "/b/segments.ndjson"]).status == 0)
        #expect(CLI.run(["convert", "--output", dir + "/c", "--region", "mars", sample]).status == 2)
        #expect(CLI.run(["convert", "--output", dir + "/c", "--account", "12", sample]).status == 2)
    }

    /// The account a subscription envelope's `owner` names is the
    /// function's (item 4): with `--region` alone, the Firehose-delivered
    /// function gets its ARN; the exported one, whose logs name no account,
    /// gets none.
    @Test func theEnvelopeOwnerIsTheAccount() throws {
        let dir = makeTempDir()
        let r = CLI.run([
            "convert", "--output", dir, "--region", "us-east-1", "--apigw-format",
            "@" + repoRoot + "/testdata/apigw-staging-format.txt",
            repoRoot + "/testdata/sample",
        ])
        #expect(r.status == 0, "\(r.stderr)")
        let docs = try String(contentsOfFile: dir + "/segments.ndjson", encoding: .utf8).split(separator: "\n")
            .map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        func function(_ name: String) -> [String: Any]? {
            docs.first { ($0["origin"] as? String) == "AWS::Lambda::Function" && ($0["name"] as? String) == name }?[
                "aws"] as? [String: Any]
        }
        #expect(function("payments-handler")?["account_id"] as? String == "123456789012")
        #expect(
            function("payments-handler")?["function_arn"] as? String
                == "arn:aws:lambda:us-east-1:123456789012:function:payments-handler")
        #expect(function("orders-handler")?["account_id"] == nil && function("orders-handler")?["function_arn"] == nil)
    }
}
