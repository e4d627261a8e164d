/// Parses MySQL 5.6/5.7/8.0, Aurora MySQL and MariaDB slow-log entries:
///
///     # Time: 2024-01-01T00:00:01.532412Z          (or `240101  0:00:01`, MariaDB/5.6)
///     # User@Host: app[app] @  [10.0.12.34]  Id:    42
///     # Thread_id: 42  Schema: orders  QC_hit: No  (MariaDB)
///     # Query_time: 1.532412  Lock_time: 0.000120 Rows_sent: 1  Rows_examined: 120000 …
///     use orders;
///     SET timestamp=1704067200;
///     SELECT …;
///
/// Lines are fed one at a time: a CloudWatch event holds one whole entry, a
/// raw slow-log file one line per record. `# Time` is when the statement
/// ended; MariaDB prints it only when the second changes, so later entries
/// inherit it. Server header lines are noise wherever they appear.
public struct MySQLSlowLogParser {
    struct Entry {
        var query: SlowQuery
        var hasQueryTime = false
        var hasTimeLine = false
        var startSeconds: Int64?
        var firstLine: Int
        var explicitDatabase = false
        var isAdminCommand = false
        /// The last `# ` line ended in `Schema: <name>`: a name with a
        /// newline in it goes on at the start of the next line.
        var schemaMayContinue = false
    }

    public enum LineKind { case noise, entry, unexpected }

    /// pt-query-digest's statement for an entry that has none.
    public static let noQuery = "/* No query */"

    var entry: Entry?
    /// The open entry's statement: one buffer for every entry, emptied
    /// when an entry begins (a fresh array per entry grew and was freed
    /// once per statement).
    var statement: [UInt8] = []
    var lastTime: EpochMicros?
    var lastTimeResolution: EpochMicros = 1
    var databaseByThread: [Int64: String] = [:]
    var lastDatabase: String?
    /// `use` names repeat entry after entry: shared, not made anew.
    var databaseNames = RecentStrings()
    public var instance: String = "unknown"

    public init() {}

    /// Drops what later entries would inherit (time, database per thread):
    /// for CloudWatch events, whose order means nothing.
    public mutating func forgetPreviousEntries() {
        lastTime = nil
        lastTimeResolution = 1
        databaseByThread.removeAll(keepingCapacity: true)
        lastDatabase = nil
    }

    public static func isHeader(_ line: ByteView) -> Bool {
        if line.hasPrefix("Tcp port:") { return true }
        if line.hasPrefix("Time") {
            // `Time                 Id Command    Argument` (spaces or tabs).
            var i = 4
            while i < line.count, ASCII.isSpace(line[i]) { i += 1 }
            if line.dropFirst(i).hasPrefix("Id") { return line.index(of: "Command") != nil }
        }
        // `/rdsdbbin/mysql/bin/mysqld, Version: 8.0.28 (Source distribution). started with:`
        // The server ends the line so: the suffix is asked first, as every
        // statement line starting in upper case comes this way.
        if line.count > 0, line[0] == ASCII.slash || (line[0] >= 0x41 && line[0] <= 0x5A),
            line.trimmed().hasSuffix("started with:"), line.index(of: "mysqld, Version") != nil
        {
            return true
        }
        return false
    }

    /// Whether a line can only come from a slow log (used to recognise files).
    public static func looksLikeEntryStart(_ line: ByteView) -> Bool {
        line.hasPrefix("# Time: ") || line.hasPrefix("# User@Host: ") || line.hasPrefix("# Query_time: ")
            || line.hasPrefix("# administrator command: ") || isHeader(line)
    }

    /// Feeds one line; completed entries (when a new one starts) go to `completed`.
    public mutating func feed(
        _ line: ByteView, recordTime: EpochMicros?, file: Int, lineNo: Int,
        completed: inout [SlowQuery], incomplete: inout [(line: Int, reason: String)]
    ) -> LineKind {
        if Self.isHeader(line) { return .noise }
        if line.hasPrefix("# Time: ") {
            finish(&completed, &incomplete)
            let v = line.dropFirst(8).trimmed()
            if let t = Timestamp.parseISO8601(v) {
                lastTime = t
                lastTimeResolution = 1
            } else if let t = Timestamp.parseMySQLShort(v) {
                lastTime = t
                lastTimeResolution = 1_000_000
            } else {
                return .unexpected
            }
            begin(file: file, line: lineNo, recordTime: recordTime)
            entry?.hasTimeLine = true
            return .entry
        }
        if line.hasPrefix("# User@Host: ") {
            if let e = entry, e.hasQueryTime || !statement.isEmpty || e.query.user != nil {
                finish(&completed, &incomplete)
            }
            if entry == nil { begin(file: file, line: lineNo, recordTime: recordTime) }
            parseUserHost(line.dropFirst(13))
            return .entry
        }
        if line.count > 2, line[0] == ASCII.hash, line[1] == ASCII.space {
            if line.hasPrefix("# administrator command: ") {
                // pt-query-digest counts one even with no header before it
                // (the first line of a file, after a statement).
                if entry != nil, !statement.isEmpty { finish(&completed, &incomplete) }
                if entry == nil { begin(file: file, line: lineNo, recordTime: recordTime) }
                statement.append(contentsOf: line.dropFirst(2))
                entry!.isAdminCommand = true
                return .entry
            }
            if entry == nil {
                // A property line with no entry open: MariaDB entries without # Time or User@Host.
                begin(file: file, line: lineNo, recordTime: recordTime)
            } else if !statement.isEmpty {
                finish(&completed, &incomplete)
                begin(file: file, line: lineNo, recordTime: recordTime)
            }
            entry!.schemaMayContinue = false
            parseProperties(line.dropFirst(2))
            return .entry
        }
        guard entry != nil else { return line.trimmed().count == 0 ? .noise : .unexpected }
        if statement.isEmpty {
            // `#` alone ends MariaDB's `# explain:` block.
            if line.count > 0, line[0] == ASCII.hash, line.trimmed().count == 1 { return .entry }
            if entry!.schemaMayContinue, continueSchema(line) { return .entry }
            // Lower case only, as the server writes it (and pt-query-digest
            // reads it): `USE db;` is a statement the client sent.
            if line.hasPrefix("use ") {
                var db = line.dropFirst(4).trimmed()
                if db.hasSuffix(";") { db = db.prefix(db.count - 1) }
                while db.count > 0, db[0] == 0x60 { db = db.dropFirst(1) }
                while db.count > 0, db[db.count - 1] == 0x60 { db = db.prefix(db.count - 1) }
                let name = databaseNames.string(db)
                entry!.query.database = name
                entry!.explicitDatabase = true
                lastDatabase = name
                if let id = entry!.query.connectionId { databaseByThread[id] = name }
                return .entry
            }
            if line.hasPrefix("SET timestamp=") || line.hasPrefix("SET insert_id=")
                || line.hasPrefix("SET last_insert_id=")
            {
                // The server's session settings for a replayed statement
                // (`SET insert_id=1,timestamp=2;`), not a statement.
                var v = line.dropFirst(4).trimmed()
                if v.hasSuffix(";") { v = v.prefix(v.count - 1) }
                v.forEachField(separatedBy: ASCII.comma) { pair in
                    if pair.hasPrefix("timestamp=") { entry!.startSeconds = pair.dropFirst(10).trimmed().parseInt() }
                }
                return .entry
            }
            if line.trimmed().count == 0 { return .entry }
        } else {
            statement.append(ASCII.lf)
        }
        statement.append(contentsOf: line)
        return .entry
    }

    mutating func begin(file: Int, line: Int, recordTime: EpochMicros?) {
        let q = SlowQuery(engine: .mysql)
        q.instance = instance
        q.file = file
        q.line = line
        if let t = lastTime {
            q.end = t
            q.endResolution = lastTimeResolution
        } else if let t = recordTime {
            q.end = t
            q.endResolution = 1000
        }
        entry = Entry(query: q, firstLine: line)
        statement.removeAll(keepingCapacity: true)
    }

    /// `app[app] @ host [10.0.0.1]  Id:    42`
    mutating func parseUserHost(_ v: ByteView) {
        if let open = v.index(of: ASCII.leftBracket) {
            let user = v.prefix(open).trimmed()
            if let close = v.index(of: ASCII.rightBracket, from: open) {
                let inner = v.slice(open + 1, close)
                let name = inner.count > 0 ? inner : user
                if name.count > 0 { entry!.query.user = name.string }
            }
        }
        if let at = v.index(of: " @ ") {
            let rest = v.dropFirst(at + 3)
            let hostEnd = rest.index(of: ASCII.leftBracket) ?? rest.count
            let host = rest.prefix(hostEnd).trimmed()
            var ip: ByteView?
            if hostEnd < rest.count, let close = rest.index(of: ASCII.rightBracket, from: hostEnd) {
                let inside = rest.slice(hostEnd + 1, close).trimmed()
                if inside.count > 0 { ip = inside }
            }
            if let ip {
                entry!.query.clientHost = ip.string
            } else if host.count > 0 {
                entry!.query.clientHost = host.string
            }
        }
        if let id = v.index(of: "Id:") {
            let n = v.dropFirst(id + 3).trimmed()
            var k = 0
            while k < n.count, ASCII.isDigit(n[k]) { k += 1 }
            if let t = n.prefix(k).parseInt() { setThread(t) }
        }
    }

    mutating func setThread(_ id: Int64) {
        entry!.query.connectionId = id
        if !entry!.explicitDatabase, let db = databaseByThread[id] { entry!.query.database = db }
    }

    /// A database name with a newline in it: the line after `Schema: my`
    /// starts with the rest of the name (`db  QC_hit: No`). True if the
    /// line was that.
    mutating func continueSchema(_ line: ByteView) -> Bool {
        entry!.schemaMayContinue = false
        guard let gap = line.index(of: "  "), gap > 0 else { return false }
        let rest = line.dropFirst(gap).trimmed()
        // What follows must be the property line's next `Key: value`.
        guard let colon = rest.index(of: ASCII.colon), colon > 0, colon + 1 < rest.count,
            rest[colon + 1] == ASCII.space,
            (0..<colon).allSatisfy({ ASCII.isHexOrWord(rest[$0]) }), rest[0] >= 0x41, rest[0] <= 0x5A
        else { return false }
        entry!.query.database = (entry!.query.database ?? "") + "\n" + line.prefix(gap).string
        parseProperties(rest)
        return true
    }

    /// `Key: value  Key2: value2 …` on any `# ` comment line.
    mutating func parseProperties(_ v: ByteView) {
        var i = 0
        while i < v.count {
            while i < v.count, v[i] == ASCII.space { i += 1 }
            let ks = i
            while i < v.count, v[i] != ASCII.colon, v[i] != ASCII.space { i += 1 }
            guard i < v.count, v[i] == ASCII.colon else {
                while i < v.count, v[i] != ASCII.space { i += 1 }
                continue
            }
            let key = v.slice(ks, i)
            i += 1
            while i < v.count, v[i] == ASCII.space { i += 1 }
            let vs = i
            while i < v.count, v[i] != ASCII.space { i += 1 }
            var value = v.slice(vs, i)
            if value.count > 0, value[value.count - 1] == ASCII.colon {
                // `Schema:   QC_hit: No`: an empty value; this is the next key.
                value = v.slice(vs, vs)
                i = vs
            }
            apply(key, value)
            if key.equals("Schema"), i >= v.count, value.count > 0 { entry!.schemaMayContinue = true }
        }
    }

    mutating func apply(_ key: ByteView, _ value: ByteView) {
        if key.equals("Query_time") {
            if let us = value.parseFixed(scale: 6) {
                entry!.query.durationUs = us
                entry!.hasQueryTime = true
            }
        } else if key.equals("Lock_time") {
            entry!.query.lockTimeUs = value.parseFixed(scale: 6)
        } else if key.equals("Rows_sent") {
            entry!.query.rowsSent = value.parseInt()
        } else if key.equals("Rows_examined") {
            entry!.query.rowsExamined = value.parseInt()
        } else if key.equals("Thread_id") || key.equals("Id") {
            if let t = value.parseInt() { setThread(t) }
        } else if key.equals("Schema") {
            if value.count > 0 {
                entry!.query.database = value.string
                entry!.explicitDatabase = true
            }
        } else if key.equals("End") {
            // log_slow_extra's End: is the same instant as # Time, with µs.
            if let t = Timestamp.parseISO8601(value) {
                entry!.query.end = t
                entry!.query.endResolution = 1
            }
        }
    }

    /// Completes the open entry, if any. `last`: no entry follows it (the
    /// end of the file, or a CloudWatch event, which holds one).
    public mutating func finish(
        _ completed: inout [SlowQuery], _ incomplete: inout [(line: Int, reason: String)],
        last: Bool = false
    ) {
        guard let e = entry else { return }
        entry = nil
        defer { statement.removeAll(keepingCapacity: true) }
        guard e.hasQueryTime || e.isAdminCommand else {
            incomplete.append((e.firstLine, "MySQL slow-log entry without a '# Query_time:' line"))
            return
        }
        if statement.isEmpty, !last, e.explicitDatabase || e.startSeconds != nil {
            // Only `use db;` or `SET timestamp`: pt-query-digest counts the
            // entry as "/* No query */" (fingerprint "") when another follows.
            statement.append(contentsOf: Self.noQuery.utf8)
        }
        guard !statement.isEmpty else {
            incomplete.append((e.firstLine, "MySQL slow-log entry without a statement"))
            return
        }
        if e.query.end == 0, let s = e.startSeconds, s >= 0, s < 100_000_000_000 {
            // Only SET timestamp (the start, whole seconds) is known.
            e.query.end = s * 1_000_000 + e.query.durationUs
            e.query.endResolution = 1_000_000
        }
        if e.query.database == nil, let id = e.query.connectionId, let db = databaseByThread[id] {
            e.query.database = db
        }
        if e.query.database == nil, e.query.connectionId == nil { e.query.database = lastDatabase }
        // As pt-query-digest reads it: without the statement's final ';'.
        while let last = statement.last, ASCII.isSpace(last) { statement.removeLast() }
        if statement.last == ASCII.semicolon { statement.removeLast() }
        e.query.text = String(decoding: statement, as: UTF8.self)
        SlowQueryFinisher.finish(e.query)
        completed.append(e.query)
    }
}

/// The steps every statement goes through once its text is complete.
enum SlowQueryFinisher {
    static func finish(_ q: SlowQuery) {
        q.keys = SQLCommentKeys.extract(q.text)
        (q.fingerprint, q.fingerprintId, q.ptChecksum) = QueryFingerprint.queryClass(q.text)
    }
}
