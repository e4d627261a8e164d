import Foundation
import LogStitch

/// `logstitch-bench slowlogs DIR --hours N`: slow logs as RDS lets you
/// download them (raw files, not CloudWatch events), at real
/// cardinalities: 30 MB an hour, 5,000 connections (Lambda opens one per
/// execution environment), a `use` and a `SET timestamp` in every MySQL
/// entry. One folder per shape, each named after its instance.
struct SlowLogShapes {
    let directory: String
    let hours: Int
    static let bytesPerHour = 30_000_000
    static let connections = 5_000
    /// 2026-11-24 03:00:00 UTC.
    static let start: Int64 = 1_795_489_200

    enum Shape: String, CaseIterable {
        case mysqlRaw = "mysql-raw", mariadbRaw = "mariadb-raw", postgresRaw = "postgres-raw", postgresCSV =
            "postgres-csvlog"

        var file: String {
            switch self {
            case .mysqlRaw: return "orders-mysql/mysql-slowquery.log.2026-11-24.03"
            case .mariadbRaw: return "orders-maria/mysql-slowquery.log.2026-11-24.03"
            case .postgresRaw: return "orders-pg/postgresql.log.2026-11-24-03"
            case .postgresCSV: return "orders-pgcsv/postgresql.log.2026-11-24-03.csv"
            }
        }
    }

    func run() {
        for shape in Shape.allCases {
            let path = directory + "/" + shape.rawValue + "/" + shape.file
            try? FileManager.default.createDirectory(
                atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            FileManager.default.createFile(atPath: path, contents: nil)
            let out = FileHandle(forWritingAtPath: path)!
            var rng = SplitMix64(state: 0x5EED &+ UInt64(shape.rawValue.utf8.count))
            var buffer = ""
            buffer.reserveCapacity(1 << 22)
            var written = 0, entry = 0
            let target = Self.bytesPerHour * hours
            while written < target {
                let before = buffer.utf8.count
                append(shape, entry, &rng, to: &buffer)
                written += buffer.utf8.count - before
                entry += 1
                if buffer.utf8.count > 4 << 20 {
                    out.write(Data(buffer.utf8))
                    buffer.removeAll(keepingCapacity: true)
                }
            }
            out.write(Data(buffer.utf8))
            try? out.close()
            print("\(shape.rawValue): \(entry) statements, \(written / 1_000_000) MB")
        }
    }

    /// The statement's second: entries spread evenly over the hours.
    func second(_ entry: Int, _ shape: Shape) -> Int64 {
        let perSecond = max(1, Self.bytesPerHour / 3600 / (shape == .postgresCSV ? 330 : 260))
        return Self.start + Int64(entry / perSecond)
    }

    func append(_ shape: Shape, _ i: Int, _ rng: inout SplitMix64, to s: inout String) {
        let t = second(i, shape)
        let conn = 1000 + rng.below(Self.connections)
        let host = "10.0.\(conn % 200).\(conn % 250)"
        let micros = String(format: "%06d", rng.below(1_000_000))
        let queryUs = 1000 + rng.below(2_000_000)
        let id = rng.below(1_000_000)
        let db = "shop\(conn % 12)"
        let trace = String(format: "%08x%016llx%08x", rng.below(1 << 30), UInt64(i) &* 0x9E37_79B9, rng.below(1 << 30))
        let comment =
            rng.below(3) == 0 ? "" : " /* traceparent='00-\(trace)-\(String(format: "%016llx", UInt64(conn)))-01' */"
        let statement: String
        switch rng.below(4) {
        case 0:
            statement =
                "SELECT o.id, o.total, i.sku FROM orders o JOIN order_items i ON i.order_id = o.id WHERE o.customer_id = \(id) AND o.status IN ('new', 'paid')"
        case 1: statement = "UPDATE inventory SET reserved = reserved + \(rng.below(5) + 1) WHERE sku = 'SKU-\(id)'"
        case 2: statement = "INSERT INTO audit_log (actor, action, at) VALUES ('user-\(id)', 'checkout', NOW())"
        default: statement = "SELECT * FROM customers WHERE email = 'c\(id)@example.com' LIMIT 1"
        }
        let seconds = String(format: "%d.%06d", queryUs / 1_000_000, queryUs % 1_000_000)
        switch shape {
        case .mysqlRaw:
            s += "# Time: \(iso(t)).\(micros)Z\n# User@Host: app[app] @  [\(host)]  Id: \(conn)\n"
            s +=
                "# Query_time: \(seconds)  Lock_time: 0.000\(100 + rng.below(900)) Rows_sent: \(rng.below(50))  Rows_examined: \(rng.below(200_000))\n"
            s += "use \(db);\nSET timestamp=\(t);\n\(statement)\(comment);\n"
        case .mariadbRaw:
            if i % 7 == 0 { s += "# Time: \(mariaTime(t))\n" }
            s += "# User@Host: app[app] @  [\(host)]\n# Thread_id: \(conn)  Schema: \(db)  QC_hit: No\n"
            s +=
                "# Query_time: \(seconds)  Lock_time: 0.000\(100 + rng.below(900))  Rows_sent: \(rng.below(50))  Rows_examined: \(rng.below(200_000))\n"
            s +=
                "# Rows_affected: \(rng.below(3))  Bytes_sent: \(rng.below(9000))\nuse \(db);\nSET timestamp=\(t);\n\(statement)\(comment);\n"
        case .postgresRaw:
            let ms = String(format: "%d.%03d", queryUs / 1000, queryUs % 1000)
            s +=
                "\(pgTime(t)) UTC:\(host)(\(40000 + conn)):app@\(db):[\(conn)]:LOG:  duration: \(ms) ms  statement: \(statement)\(comment)\n"
            if i % 5 == 0 { s += "\t  AND 1 = 1\n" }
        case .postgresCSV:
            let ms = String(format: "%d.%03d", queryUs / 1000, queryUs % 1000)
            let message = "duration: \(ms) ms  statement: \(statement)\(comment)".replacingOccurrences(
                of: "\"", with: "\"\"")
            s +=
                "\(pgTime(t)).\(micros.prefix(3)) UTC,\"app\",\"\(db)\",\(conn),\"\(host):\(40000 + conn)\",6742e1a0.\(String(conn, radix: 16)),\(i % 1000),\"SELECT\",2026-11-24 03:00:00 UTC,4/\(i % 100),0,LOG,00000,\"\(message)\",,,,,,,,,\"node-postgres\",\"client backend\",,0\n"
        }
    }

    func civil(_ t: Int64) -> (Int, Int, Int, Int, Int, Int) {
        let days = t / 86400, sod = Int(t % 86400)
        // 2026-11-24 is day 20781; these files cover hours, not months.
        let day = 24 + Int(days - 20781)
        return (2026, 11, day, sod / 3600, sod / 60 % 60, sod % 60)
    }
    func iso(_ t: Int64) -> String {
        let c = civil(t)
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02d", c.0, c.1, c.2, c.3, c.4, c.5)
    }
    func pgTime(_ t: Int64) -> String {
        let c = civil(t)
        return String(format: "%04d-%02d-%02d %02d:%02d:%02d", c.0, c.1, c.2, c.3, c.4, c.5)
    }
    func mariaTime(_ t: Int64) -> String {
        let c = civil(t)
        return String(format: "%02d%02d%02d %2d:%02d:%02d", c.0 % 100, c.1, c.2, c.3, c.4, c.5)
    }
}
