import Foundation
import LogStitch

/// SplitMix64: a small deterministic generator, so a corpus is the same
/// bytes on every machine and every run.
struct SplitMix64 {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E3779B97F4A7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58476D1CE4E5B9
        z = (z ^ (z >> 27)) &* 0x94D049BB133111EB
        return z ^ (z >> 31)
    }
    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
    mutating func chance(_ p: Double) -> Bool { Double(next() % 1_000_000) < p * 1_000_000 }
    mutating func hex(_ digits: Int) -> String {
        var s = ""
        while s.count < digits { s += String(next(), radix: 16).leftPad(16) }
        return String(s.prefix(digits))
    }
    mutating func uuid() -> String {
        let h = hex(32)
        let a = Array(h)
        return String(a[0..<8]) + "-" + String(a[8..<12]) + "-4" + String(a[13..<16]) + "-8" + String(a[17..<20]) + "-"
            + String(a[20..<32])
    }
}

extension String {
    func leftPad(_ n: Int) -> String { count >= n ? self : String(repeating: "0", count: n - count) + self }
}

/// Writes a realistic corpus of all three sources over `hours` simulated
/// hours: API Gateway access logs (JSON on prod, CSV on staging), Lambda logs
/// (text via CloudWatch export, JSON via Firehose envelopes), MySQL and
/// PostgreSQL slow logs, with cold starts, errors, timeouts, throttles, and
/// events out of order within files and arriving late in other files.
struct CorpusGenerator {
    static let stagingFormat =
        "$context.requestId,$context.identity.sourceIp,$context.requestTimeEpoch,$context.httpMethod,$context.resourcePath,$context.status,$context.responseLatency,$context.integrationLatency,$context.integration.requestId,$context.stage,$context.apiId"
    let directory: String
    let hours: Int
    let requestsPerSecond: Double
    /// Simulated seconds per unit of work: an hour, or a minute for dense
    /// shapes (a unit's records are held in memory until written; units
    /// shorter than an hour get files of their own).
    var unitSeconds = 3600
    var unitTag: (Int) -> String { { h in unitSeconds >= 3600 ? "" : "-u\(h)" } }
    let start: Int64 = 1_704_067_200  // 2024-01-01T00:00:00Z

    func run(threads: Int) {
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let next = Counter()
        DispatchQueue.concurrentPerform(iterations: threads) { _ in
            while let h = next.take(below: hours) { generateHour(h) }
        }
    }

    final class Counter: @unchecked Sendable {
        let lock = NSLock()
        var value = 0
        func take(below n: Int) -> Int? {
            lock.lock()
            defer { lock.unlock() }
            guard value < n else { return nil }
            value += 1
            return value - 1
        }
    }

    static func iso(_ us: Int64) -> String { Timestamp.formatISO8601Millis(us) }
    static func clf(_ us: Int64) -> String {
        let iso = Timestamp.formatISO8601Millis(us)  // 2024-01-01T00:00:00.000Z
        let p = Array(iso)
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        let month = months[Int(String(p[5...6]))! - 1]
        return "\(String(p[8...9]))/\(month)/\(String(p[0...3])):\(String(p[11...18])) +0000"
    }
    static func mysqlTime(_ us: Int64) -> String {
        let iso = Timestamp.formatISO8601Millis(us)
        return String(iso.dropLast(5)) + "." + String(us % 1_000_000).leftPad(6) + "Z"
    }
    static func pgTime(_ us: Int64) -> String {
        let iso = Timestamp.formatISO8601Millis(us)
        return String(iso.prefix(10)) + " " + String(iso.dropFirst(11).prefix(8)) + " UTC"
    }

    struct Sink {
        var files: [String: [(time: Int64, text: String)]] = [:]
        mutating func add(_ path: String, _ time: Int64, _ text: String) {
            files[path, default: []].append((time, text))
        }
    }

    func generateHour(_ h: Int) {
        var rng = SplitMix64(state: 0xC0FFEE &+ UInt64(h) &* 0x100000001B3)
        var sink = Sink()
        let hourStart = (start + Int64(h) * Int64(unitSeconds)) * 1_000_000
        let dayPath = Self.iso(hourStart).prefix(13).replacingOccurrences(of: "-", with: "/").replacingOccurrences(
            of: "T", with: "/")
        let count = Int(requestsPerSecond * Double(unitSeconds))
        let functions = ["orders-handler", "inventory-handler"]
        var warm: Set<String> = []
        for i in 0..<count {
            let t = hourStart + Int64(Double(i) / requestsPerSecond * 1_000_000) + Int64(rng.below(50_000))
            let rid = rng.uuid()
            let lambdaId = rng.uuid()
            let trace = "1-" + String(t / 1_000_000, radix: 16).leftPad(8) + "-" + rng.hex(24)
            let staging = rng.chance(0.25)
            let payments = rng.chance(0.15)
            let throttled = rng.chance(0.003)
            let fn = payments ? "payments-handler" : functions[rng.below(2)]
            let streamIndex = rng.below(8)
            let stream = "\(dayPath.prefix(10))/[$LATEST]\(streamIndex)0123456789abcdef0123456789abcde"
            let cold = !warm.contains(fn + stream) || rng.chance(0.01)
            warm.insert(fn + stream)
            let timeout = rng.chance(0.002)
            let error = !timeout && rng.chance(0.01)
            let initUs = cold ? Int64(150_000 + rng.below(400_000)) : 0
            let durationUs =
                timeout ? 6_000_000 : Int64(5_000 + rng.below(300_000)) + (rng.chance(0.02) ? 2_000_000 : 0)
            let invStart = t + 3_000 + initUs
            let invEnd = invStart + durationUs
            let latencyMs = throttled ? 2 : (invEnd - t) / 1000 + 6
            let status = throttled ? 429 : timeout ? 504 : error ? 502 : (rng.chance(0.03) ? 404 : 200)
            let route = payments ? "/payments" : (rng.chance(0.5) ? "/orders/{orderId}" : "/inventory/{sku}")
            let method = payments ? "POST" : "GET"
            // API Gateway
            if staging {
                sink.add(
                    "apigateway/staging/\(dayPath)/access\(unitTag(h)).log.gz", t,
                    "\(rid),203.0.113.\(rng.below(250)),\(t / 1000),\(method),\(route),\(status),\(latencyMs),\(throttled ? "-" : String(durationUs / 1000 + initUs / 1000 + 2)),\(throttled ? "-" : lambdaId),staging,a1b2c3d4e5"
                )
            } else {
                sink.add(
                    "apigateway/prod/\(dayPath)/access\(unitTag(h)).log.gz", t,
                    "{\"requestId\":\"\(rid)\",\"ip\":\"198.51.100.\(rng.below(250))\",\"requestTime\":\"\(Self.clf(t))\",\"requestTimeEpoch\":\"\(t / 1000)\",\"httpMethod\":\"\(method)\",\"resourcePath\":\"\(route)\",\"path\":\"/prod\(route.replacingOccurrences(of: "{orderId}", with: "\(rng.below(9999))").replacingOccurrences(of: "{sku}", with: "SKU-\(rng.below(999))"))\",\"status\":\"\(status)\",\"protocol\":\"HTTP/1.1\",\"responseLength\":\"\(200 + rng.below(2000))\",\"responseLatency\":\"\(latencyMs)\",\"integrationLatency\":\"\(throttled ? "-" : String(durationUs / 1000 + initUs / 1000 + 2))\",\"integrationRequestId\":\"\(throttled ? "-" : lambdaId)\",\"xrayTraceId\":\"\(trace)\",\"stage\":\"prod\",\"apiId\":\"a1b2c3d4e5\",\"userAgent\":\"Mozilla/5.0 (X11; Linux x86_64) bench/\(rng.below(9))\"}"
                )
            }
            if throttled { continue }
            // Lambda
            if fn == "payments-handler" {
                let env = "firehose/\(dayPath)/logs-to-s3-\(streamIndex)\(unitTag(h))"
                var lines: [(Int64, String)] = []
                lines.append(
                    (
                        invStart,
                        "{\"time\":\"\(Self.iso(invStart))\",\"type\":\"platform.start\",\"record\":{\"requestId\":\"\(lambdaId)\",\"version\":\"$LATEST\",\"tracing\":{\"spanId\":\"\(rng.hex(16))\",\"type\":\"X-Amzn-Trace-Id\",\"value\":\"Root=\(trace);Parent=\(rng.hex(16));Sampled=1\"}}}"
                    ))
                lines.append(
                    (
                        invStart + 1_000,
                        "{\"timestamp\":\"\(Self.iso(invStart + 1_000))\",\"level\":\"INFO\",\"requestId\":\"\(lambdaId)\",\"message\":\"charging card\"}"
                    ))
                let st = timeout ? "timeout" : error ? "error" : "success"
                lines.append(
                    (
                        invEnd,
                        "{\"time\":\"\(Self.iso(invEnd))\",\"type\":\"platform.report\",\"record\":{\"requestId\":\"\(lambdaId)\",\"status\":\"\(st)\",\"metrics\":{\"durationMs\":\(Double(durationUs) / 1000),\"billedDurationMs\":\((durationUs + 999) / 1000),\"memorySizeMB\":256,\"maxMemoryUsedMB\":\(60 + rng.below(60))\(cold ? ",\"initDurationMs\":\(Double(initUs) / 1000)" : "")}}}"
                    ))
                for l in lines { sink.add(env + "#" + stream, l.0, l.1) }
            } else {
                let late = rng.chance(0.01) ? "000001" : "000000"
                let file = "exportedlogs/aws/lambda/\(fn)/task-\(h)/\(stream)/\(late).gz"
                if cold {
                    sink.add(
                        file, invStart - initUs - 1_000,
                        "\(Self.iso(invStart - initUs - 1_000)) INIT_START Runtime Version: nodejs:20.v15\tRuntime Version ARN: arn:aws:lambda:us-east-1::runtime:379cd8c4"
                    )
                }
                sink.add(file, invStart, "\(Self.iso(invStart)) START RequestId: \(lambdaId) Version: $LATEST")
                sink.add(
                    file, invStart + 2_000,
                    "\(Self.iso(invStart + 2_000)) \(Self.iso(invStart + 2_000))\t\(lambdaId)\tINFO\thandling \(route) for \(rid)"
                )
                if error {
                    sink.add(
                        file, invEnd - 1_000,
                        "\(Self.iso(invEnd - 1_000)) \(Self.iso(invEnd - 1_000))\t\(lambdaId)\tERROR\tInvoke Error \t{\"errorType\":\"ValidationError\",\"errorMessage\":\"bad input\",\"stack\":[\"ValidationError: bad input\"]}"
                    )
                }
                sink.add(file, invEnd, "\(Self.iso(invEnd)) END RequestId: \(lambdaId)")
                let ms = String(format: "%.2f", Double(durationUs) / 1000)
                var report =
                    "\(Self.iso(invEnd)) REPORT RequestId: \(lambdaId)\tDuration: \(ms) ms\tBilled Duration: \((durationUs + 999) / 1000) ms\tMemory Size: 512 MB\tMax Memory Used: \(80 + rng.below(100)) MB\t"
                if cold { report += "Init Duration: \(String(format: "%.2f", Double(initUs) / 1000)) ms\t" }
                if timeout { report += "Status: timeout\t" }
                if error { report += "Status: error\tError Type: ValidationError\t" }
                report += "\nXRAY TraceId: \(trace)\tSegmentId: \(rng.hex(16))\tSampled: true\t"
                sink.add(file, invEnd, report)
            }
            // Slow queries: some commented, some not.
            if fn == "orders-handler" && rng.chance(0.12) {
                let qEnd = invStart + durationUs / 2
                let qUs = Int64(rng.below(Int(durationUs / 3) + 1))
                let comment =
                    rng.chance(0.6)
                    ? " /*traceparent='00-\(trace.dropFirst(2).replacingOccurrences(of: "-", with: ""))-\(rng.hex(16))-01'*/"
                    : ""
                sink.add(
                    "exportedlogs/aws/rds/instance/orders-mysql/slowquery/task-\(h)/orders-mysql/000000.gz", qEnd,
                    "\(Self.iso(qEnd)) # Time: \(Self.mysqlTime(qEnd))\n# User@Host: app[app] @  [10.0.12.\(rng.below(200))]  Id: \(1000 + rng.below(50))\n# Query_time: \(String(format: "%.6f", Double(qUs) / 1e6))  Lock_time: 0.000100 Rows_sent: \(rng.below(50))  Rows_examined: \(rng.below(200000))\nuse orders;\nSET timestamp=\((qEnd - qUs) / 1_000_000);\nSELECT o.id, o.total, i.sku FROM orders o JOIN order_items i ON i.order_id = o.id WHERE o.customer_id = \(rng.below(100000)) AND o.status IN ('new', 'paid')\(comment);"
                )
            }
            if fn == "inventory-handler" && rng.chance(0.08) {
                let qEnd = invStart + durationUs / 2
                let qUs = Int64(rng.below(Int(durationUs / 3) + 1))
                let qEndSec = qEnd / 1_000_000 * 1_000_000
                sink.add(
                    "exportedlogs/aws/rds/instance/inventory-pg/postgresql/task-\(h)/inventory-pg.0/000000.gz", qEndSec,
                    "\(Self.iso(qEndSec)) \(Self.pgTime(qEnd)):10.0.13.\(rng.below(200))(\(40000 + rng.below(20000))):app@inventory:[\(3000 + rng.below(100))]:LOG:  duration: \(String(format: "%.3f", Double(qUs) / 1000)) ms  execute <unnamed>: SELECT sku, qty\n\tFROM stock WHERE sku = $1 /*request_id='\(lambdaId)'*/"
                )
            }
        }
        // Background queries no request sent.
        for k in 0..<max(1, unitSeconds / 60) {
            let qEnd = hourStart + Int64(k) * 60_000_000 + 30_000_000
            sink.add(
                "exportedlogs/aws/rds/instance/orders-mysql/slowquery/task-\(h)/orders-mysql/000000.gz", qEnd,
                "\(Self.iso(qEnd)) # Time: \(Self.mysqlTime(qEnd))\n# User@Host: report[report] @  [10.0.99.1]  Id: 77\n# Query_time: 2.500000  Lock_time: 0.000000 Rows_sent: 10  Rows_examined: 3145718\nSET timestamp=\(qEnd / 1_000_000 - 3);\nSELECT customer_id, SUM(total) FROM orders GROUP BY customer_id ORDER BY 2 DESC LIMIT 10;"
            )
        }
        write(sink, &rng)
    }

    /// Writes each file: events out of order within the file (export chunks
    /// are not sorted), gzip members of a few hundred events each.
    func write(_ sink: Sink, _ rng: inout SplitMix64) {
        for (key, events0) in sink.files {
            var events = events0
            // Shuffle in windows: CloudWatch sorts neither within nor across files.
            var i = 0
            while i < events.count {
                let end = min(events.count, i + 64)
                for k in stride(from: end - 1, to: i, by: -1) { events.swapAt(k, i + rng.below(k - i + 1)) }
                i = end
            }
            var path = key
            var members: [[UInt8]] = []
            if let hash = key.firstIndex(of: "#") {
                // Firehose: subscription envelopes, back to back, one gzip member each.
                path = String(key[..<hash])
                let stream = String(key[key.index(after: hash)...])
                for chunk in stride(from: 0, to: events.count, by: 50) {
                    let evs = events[chunk..<min(events.count, chunk + 50)].enumerated().map { n, e in
                        "{\"id\":\"\(e.time)\(n)\",\"timestamp\":\(e.time / 1000),\"message\":\(jsonString(e.text))}"
                    }.joined(separator: ",")
                    let env =
                        "{\"messageType\":\"DATA_MESSAGE\",\"owner\":\"123456789012\",\"logGroup\":\"/aws/lambda/payments-handler\",\"logStream\":\"\(stream)\",\"subscriptionFilters\":[\"to-firehose\"],\"logEvents\":[\(evs)]}"
                    members.append(GzipWriter.compress(Array(env.utf8), level: 4))
                }
            } else {
                var text: [UInt8] = []
                text.reserveCapacity(events.count * 200)
                for (n, e) in events.enumerated() {
                    text.append(contentsOf: e.text.utf8)
                    text.append(0x0A)
                    if n % 500 == 499 {
                        members.append(GzipWriter.compress(text, level: 4))
                        text.removeAll(keepingCapacity: true)
                    }
                }
                if !text.isEmpty { members.append(GzipWriter.compress(text, level: 4)) }
            }
            let full = directory + "/" + path
            try? FileManager.default.createDirectory(
                atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            var data = Data()
            for m in members { data.append(contentsOf: m) }
            _ = FileManager.default.createFile(atPath: full, contents: data)
        }
    }

    func jsonString(_ s: String) -> String {
        var out = "\""
        for c in s.unicodeScalars {
            switch c {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            default: out.unicodeScalars.append(c)
            }
        }
        return out + "\""
    }
}
