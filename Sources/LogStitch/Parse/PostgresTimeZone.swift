#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Turns PostgreSQL's printed times (`%t`, `%m`, `%s`: `2020-03-11 20:40:44
/// CET`, `… .123 +0530`) into UTC, whatever `log_timezone` the server had.
///
/// The zone is read as PostgreSQL prints it: the tz database's abbreviation
/// (see `ZoneAbbreviations`) or a numeric offset (`+03`, `-05`, `+0530`). `--pg-timezone ZONE` names the server's `log_timezone`; its
/// abbreviations are then read as that zone uses them, which settles the
/// ambiguous (IST, CST, PST) and the unknown ones.
public struct PostgresTimeZone: Sendable {
    /// The declared zone's name and, per abbreviation, the offsets it used.
    public let declaredName: String?
    let declared: [String: [ZoneAbbreviations.Row]]

    public struct UnknownZone: Error, CustomStringConvertible {
        public var name: String
        public var description: String {
            "--pg-timezone '\(name)' is not a time zone of the tz database (for example Europe/Berlin, Asia/Kolkata or UTC)"
        }
    }

    /// No declared zone: abbreviations mean what the tz database says.
    public init() {
        declaredName = nil
        declared = [:]
    }

    /// Reads how `zone` used its abbreviations from the system's tz
    /// database (tzdata). Sets `TZ` for a moment: call it before threads start.
    public init(declared zone: String) throws(UnknownZone) {
        guard !zone.isEmpty, !zone.contains(".."), !zone.hasPrefix("/"),
            access("/usr/share/zoneinfo/" + zone, R_OK) == 0 || zone == "UTC"
        else { throw UnknownZone(name: zone) }
        declaredName = zone
        declared = Self.abbreviations(of: zone)
    }

    /// Every abbreviation `zone` printed over 1995–2035, with its offset and
    /// when, sampled every 12 hours as the generated table is.
    static func abbreviations(of zone: String) -> [String: [ZoneAbbreviations.Row]] {
        let saved = getenv("TZ").map { String(cString: $0) }
        setenv("TZ", zone, 1)
        tzset()
        defer {
            if let saved { setenv("TZ", saved, 1) } else { unsetenv("TZ") }
            tzset()
        }
        var rows: [String: [ZoneAbbreviations.Row]] = [:]
        let first: Int64 = 788_918_400, last: Int64 = 2_082_758_400, step: Int64 = 43_200
        var t = first
        while t < last {
            var tm = tm()
            var tt = time_t(t)
            localtime_r(&tt, &tm)
            if let z = tm.tm_zone {
                let name = String(cString: z)
                if let c = name.utf8.first, (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) {
                    let offset = Int32(tm.tm_gmtoff)
                    var list = rows[name, default: []]
                    if let i = list.lastIndex(where: { $0.offset == offset }), t - list[i].until <= 400 * 86_400 {
                        list[i].until = t + step
                    } else {
                        list.append((name, offset, t, t + step, zone))
                    }
                    rows[name] = list
                }
            }
            t += step
        }
        return rows
    }

    /// A line's zone could not be read as a UTC offset; the reason says why.
    public struct Problem: Error, Equatable {
        public var reason: String
    }

    /// The offset (seconds east of UTC) `zone` stands for at `localSeconds`.
    public func offset(of zone: ByteView, localSeconds: Int64) -> Result<Int32, Problem> {
        if let n = Self.numericOffset(zone) { return .success(n) }
        let name = zone.string
        guard Self.isAbbreviation(zone) else {
            return .failure(
                Problem(reason: "PostgreSQL time zone '\(name)' is neither an abbreviation nor a numeric offset"))
        }
        if let rows = declared[name] {
            let near = rows.filter { $0.from - 86_400 <= localSeconds && localSeconds <= $0.until + 86_400 }
            if let row = near.first ?? rows.first { return .success(row.offset) }
        }
        switch ZoneAbbreviations.meaning(of: name, around: localSeconds) {
        case .offset(let o): return .success(o)
        case .ambiguous(let meanings):
            let hint = declaredName.map { " (--pg-timezone \($0) does not use it)" } ?? ""
            return .failure(
                Problem(
                    reason: "PostgreSQL time zone '\(name)' is ambiguous (\(meanings))\(hint): "
                        + "name the server's log_timezone with --pg-timezone"))
        case .unknown:
            let hint = declaredName.map { " nor by --pg-timezone \($0)" } ?? ""
            return .failure(
                Problem(
                    reason: "PostgreSQL time zone '\(name)' is not used by the tz database\(hint): "
                        + "name the server's log_timezone with --pg-timezone"))
        }
    }

    /// `+03`, `-05`, `+0530` (the tz database's numeric abbreviations; it
    /// prints no colon, which would be taken for the prefix's separator).
    static func numericOffset(_ z: ByteView) -> Int32? {
        guard z.count >= 3, z[0] == 0x2B || z[0] == ASCII.minus else { return nil }
        let sign: Int32 = z[0] == 0x2B ? 1 : -1
        func two(_ at: Int) -> Int32? {
            guard at + 2 <= z.count, ASCII.isDigit(z[at]), ASCII.isDigit(z[at + 1]) else { return nil }
            return Int32(z[at] - 0x30) * 10 + Int32(z[at + 1] - 0x30)
        }
        guard let h = two(1), h <= 15 else { return nil }
        switch z.count {
        case 3: return sign * h * 3600
        case 5:
            guard let m = two(3), m < 60 else { return nil }
            return sign * (h * 3600 + m * 60)
        default: return nil
        }
    }

    /// Letters only, as the tz database spells abbreviations (`CET`, `ChST`).
    static func isAbbreviation(_ z: ByteView) -> Bool {
        guard z.count >= 1, z.count <= 6 else { return false }
        for k in 0..<z.count {
            let c = z[k] | 0x20
            if c < 0x61 || c > 0x7A { return false }
        }
        return true
    }
}

/// The shape of PostgreSQL's printed times, and their conversion to UTC.
public enum PostgresTimestamp {
    /// The local date and time (as if it were UTC) and the zone after it;
    /// nil if `v` is not `YYYY-MM-DD HH:MM:SS[.fff][ ZONE]`.
    public static func split(_ v: ByteView) -> (local: EpochMicros, zone: ByteView)? {
        guard v.count >= 19 else { return nil }
        var k = 19
        if k < v.count, v[k] == ASCII.dot {
            k += 1
            while k < v.count, ASCII.isDigit(v[k]) { k += 1 }
        }
        guard let (local, n) = Timestamp.parseISO8601Prefix(v.prefix(k)), n == k else { return nil }
        if k == v.count { return (local, v.slice(k, k)) }
        guard v[k] == ASCII.space, k + 1 < v.count else { return nil }
        let zone = v.dropFirst(k + 1)
        guard PostgresTimeZone.numericOffset(zone) != nil || PostgresTimeZone.isAbbreviation(zone) else { return nil }
        return (local, zone)
    }

    /// Whether some printed time begins with `v` (19 bytes or more): its
    /// date and time read, then at most a fraction, a space and what a zone
    /// can begin with. A prefix matcher stops at the first `v` that cannot
    /// (a csvlog line tried against `%t:` otherwise had its time read
    /// again at every colon of the line).
    static func mayBeginTime(_ v: ByteView) -> Bool {
        guard v.count >= 19, Timestamp.parseISO8601Prefix(v.prefix(19)) != nil else { return false }
        var k = 19
        if k < v.count, v[k] == ASCII.dot {
            k += 1
            while k < v.count, ASCII.isDigit(v[k]) { k += 1 }
        }
        if k == v.count { return true }
        guard v[k] == ASCII.space else { return false }
        let zone = v.dropFirst(k + 1)
        guard zone.count > 0 else { return true }
        if zone[0] == 0x2B || zone[0] == ASCII.minus {
            // A numeric offset: a sign and up to four digits.
            guard zone.count <= 5 else { return false }
            for i in 1..<zone.count where !ASCII.isDigit(zone[i]) { return false }
            return true
        }
        // An abbreviation: letters only, six at most.
        guard zone.count <= 6 else { return false }
        for i in 0..<zone.count where !((zone[i] | 0x20) >= 0x61 && (zone[i] | 0x20) <= 0x7A) { return false }
        return true
    }

    /// Whether `v` has the shape of a printed time (its zone unread).
    public static func hasShape(_ v: ByteView) -> Bool { split(v) != nil }
}
