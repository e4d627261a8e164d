import Foundation
import Testing

@testable import LogStitch

/// Slow logs downloaded from RDS keep RDS's file names in folders of the
/// user's choosing: the instance comes from where the path shows it.
struct DBInstanceTests {
    @Test func instanceFromTheFolderOrTheFileName() {
        #expect(DBInstanceFromPath.infer("incident/orders-db/mysql-slowquery.log.2026-11-24.03") == "orders-db")
        #expect(DBInstanceFromPath.infer("/data/orders-db/slowquery/mysql-slowquery.log.2026-11-24.03") == "orders-db")
        #expect(DBInstanceFromPath.infer("logs/billing-pg/error/postgresql.log.2026-11-24-03") == "billing-pg")
        #expect(DBInstanceFromPath.infer("logs/billing-pg/2026-11-24/postgresql.log.2026-11-24-03.gz") == "billing-pg")
        #expect(DBInstanceFromPath.infer("Downloads/orders-db-mysql-slowquery.log.2026-11-24.03") == "orders-db")
        #expect(DBInstanceFromPath.infer("x/billing_postgresql.log.2026-11-24-03") == "billing")
        // Generic folders and non-identifiers name no instance; other files are not RDS logs.
        #expect(DBInstanceFromPath.infer("Downloads/mysql-slowquery.log") == nil)
        #expect(DBInstanceFromPath.infer("mysql-slowquery.log.3") == nil)
        #expect(DBInstanceFromPath.infer("my logs/postgresql.log") == nil)
        #expect(DBInstanceFromPath.infer("orders-db/slow.log") == nil)
    }

    @Test func declaredPrefixesWinLongestFirst() throws {
        let map = try DBInstanceMap(["/srv/logs=fleet", "/srv/logs/eu=orders-eu", "rel/dir=rel-db"])
        #expect(map.instance(for: "/srv/logs/eu/mysql-slowquery.log") == "orders-eu")
        #expect(map.instance(for: "/srv/logs/us/mysql-slowquery.log") == "fleet")
        #expect(map.instance(for: "/srv/logs-old/mysql-slowquery.log") == nil)  // a path component, not a string prefix
        #expect(map.instance(for: FileManager.default.currentDirectoryPath + "/rel/dir/a.log") == "rel-db")
        #expect(map.instance(for: "./rel/dir/a.log") == "rel-db")
        #expect(throws: DBInstanceMap.BadEntry.self) { try DBInstanceMap(["/srv/logs"]) }
        #expect(throws: DBInstanceMap.BadEntry.self) { try DBInstanceMap(["=x"]) }
        #expect(throws: DBInstanceMap.BadEntry.self) { try DBInstanceMap(["/srv="]) }
    }

    /// End to end: the statements' instance and sql.url.
    @Test func downloadedSlowLogsGetTheirInstance() throws {
        let dir = makeTempDir()
        let entry = """
            # Time: 2026-11-24T03:00:01.000000Z
            # User@Host: app[app] @  [10.0.1.5]  Id: 42
            # Query_time: 0.500000  Lock_time: 0.000010 Rows_sent: 1  Rows_examined: 10
            use shop;
            SET timestamp=1795921201;
            SELECT * FROM orders WHERE id = 1;

            """
        write(dir + "/in/orders-db/slowquery/mysql-slowquery.log.2026-11-24.03", Array(entry.utf8))
        write(dir + "/in/other/mysql-slowquery.log.2026-11-24.03", Array(entry.utf8))
        let pg =
            "2026-11-24 03:00:01 UTC:10.0.0.1(5432):app@orders:[1003]:LOG:  duration: 1.53 ms  statement: SELECT 7 FROM t WHERE id = 7;\n"
        write(dir + "/in/Downloads/postgresql.log.2026-11-24-03", Array(pg.utf8))
        let r = CLI.run([
            "convert", "--output", dir + "/out", "--db-instance", dir + "/in/Downloads=billing-pg",
            "--db-instance", dir + "/in/other=orders-replica", dir + "/in",
        ])
        #expect(r.status == 0, "\(r.stderr)")
        let rows = try String(contentsOfFile: dir + "/out/queries.csv", encoding: .utf8).split(separator: "\n")
            .dropFirst()
        let instances = Set(rows.map { $0.split(separator: ",", omittingEmptySubsequences: false)[2] })
        #expect(instances == ["orders-db", "orders-replica", "billing-pg"])
        let bad = CLI.run(["convert", "--output", dir + "/out2", "--db-instance", "nope", dir + "/in"])
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("--db-instance 'nope' is not PATH_PREFIX=INSTANCE"))
        let badName = CLI.run(["convert", "--output", dir + "/out2", "--api-name", "abc", dir + "/in"])
        #expect(badName.status == 2)
        #expect(badName.stderr.contains("--api-name 'abc' is not ID=NAME"))
    }
}
