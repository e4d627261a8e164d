/// Timestamps are integer microseconds since the Unix epoch throughout the
/// pipeline: exact, cheap to compare, and free of floating-point drift, so the
/// same input always prints the same digits.
public typealias EpochMicros = Int64

public enum Timestamp {
    /// Days since 1970-01-01 for a proleptic Gregorian date (H. Hinnant's algorithm).
    @inline(__always)
    public static func daysFromCivil(_ y0: Int, _ m: Int, _ d: Int) -> Int {
        let y = m <= 2 ? y0 - 1 : y0
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (m + 9) % 12
        let doy = (153 * mp + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }

    public static func civilFromDays(_ z0: Int) -> (year: Int, month: Int, day: Int) {
        let z = z0 + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let y = yoe + era * 400
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (m <= 2 ? y + 1 : y, m, d)
    }

    public static func micros(year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int, micro: Int = 0)
        -> EpochMicros
    {
        let days = daysFromCivil(year, month, day)
        return (Int64(days) * 86400 + Int64(hour * 3600 + minute * 60 + second)) * 1_000_000 + Int64(micro)
    }

    @inline(__always)
    static func digits(_ b: ByteView, _ at: Int, _ n: Int) -> Int? {
        guard at + n <= b.count else { return nil }
        var v = 0
        for i in at..<(at + n) {
            let d = b[i] &- 0x30
            if d > 9 { return nil }
            v = v * 10 + Int(d)
        }
        return v
    }

    /// Parses `YYYY-MM-DDTHH:MM:SS[.f…][Z|±HH:MM|±HHMM| UTC]` (the date/time
    /// separator may also be a space). Returns the instant and how many bytes
    /// were consumed, or nil if the bytes do not start with such a timestamp.
    public static func parseISO8601Prefix(_ b: ByteView) -> (EpochMicros, Int)? {
        guard b.count >= 19,
            let y = digits(b, 0, 4), b[4] == ASCII.minus,
            let mo = digits(b, 5, 2), b[7] == ASCII.minus,
            let d = digits(b, 8, 2), (b[10] == 0x54 || b[10] == ASCII.space || b[10] == 0x74),
            let h = digits(b, 11, 2), b[13] == ASCII.colon,
            let mi = digits(b, 14, 2), b[16] == ASCII.colon,
            let s = digits(b, 17, 2),
            (1...12).contains(mo), (1...31).contains(d), h < 24, mi < 60, s < 61
        else { return nil }
        var i = 19
        var micro = 0
        if i < b.count && (b[i] == ASCII.dot || b[i] == ASCII.comma) {
            i += 1
            var n = 0
            while i < b.count, ASCII.isDigit(b[i]) {
                if n < 6 { micro = micro * 10 + Int(b[i] - 0x30) }
                n += 1
                i += 1
            }
            if n == 0 { return nil }
            var k = min(n, 6)
            while k < 6 {
                micro *= 10
                k += 1
            }
        }
        var offsetSeconds = 0
        if i < b.count {
            let c = b[i]
            if c == 0x5A || c == 0x7A {
                i += 1
            } else if c == 0x2B || c == ASCII.minus {
                let sign = c == 0x2B ? 1 : -1
                if let oh = digits(b, i + 1, 2) {
                    if i + 3 < b.count && b[i + 3] == ASCII.colon, let om = digits(b, i + 4, 2) {
                        offsetSeconds = sign * (oh * 3600 + om * 60)
                        i += 6
                    } else if let om = digits(b, i + 3, 2) {
                        offsetSeconds = sign * (oh * 3600 + om * 60)
                        i += 5
                    } else {
                        offsetSeconds = sign * oh * 3600
                        i += 3
                    }
                }
            } else if c == ASCII.space && b.hasPrefix(at: i, " UTC") {
                i += 4
            }
        }
        let t = micros(year: y, month: mo, day: d, hour: h, minute: mi, second: min(s, 59), micro: micro)
        return (t - Int64(offsetSeconds) * 1_000_000, i)
    }

    public static func parseISO8601(_ b: ByteView) -> EpochMicros? {
        guard let (t, n) = parseISO8601Prefix(b), n == b.count else { return nil }
        return t
    }

    static let monthNames: [UInt32] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ].map {
        let u = Array($0.utf8)
        return UInt32(u[0]) << 16 | UInt32(u[1]) << 8 | UInt32(u[2])
    }

    /// Parses API Gateway's CLF time `dd/MMM/yyyy:HH:mm:ss +hhmm`.
    public static func parseCLF(_ b: ByteView) -> EpochMicros? {
        guard b.count >= 20,
            let d = digits(b, 0, 2), b[2] == ASCII.slash,
            b[6] == ASCII.slash, let y = digits(b, 7, 4), b[11] == ASCII.colon,
            let h = digits(b, 12, 2), b[14] == ASCII.colon,
            let mi = digits(b, 15, 2), b[17] == ASCII.colon,
            let s = digits(b, 18, 2)
        else { return nil }
        let key = UInt32(b[3]) << 16 | UInt32(b[4]) << 8 | UInt32(b[5])
        guard let mIndex = monthNames.firstIndex(of: key) else { return nil }
        var offset = 0
        if b.count >= 26, b[20] == ASCII.space, (b[21] == 0x2B || b[21] == ASCII.minus),
            let oh = digits(b, 22, 2), let om = digits(b, 24, 2)
        {
            offset = (b[21] == 0x2B ? 1 : -1) * (oh * 3600 + om * 60)
        }
        return micros(year: y, month: mIndex + 1, day: d, hour: h, minute: mi, second: s) - Int64(offset) * 1_000_000
    }

    /// MySQL 5.6 / MariaDB `YYMMDD H:MM:SS` (hour may be unpadded, separated by one or two spaces).
    public static func parseMySQLShort(_ b: ByteView) -> EpochMicros? {
        guard b.count >= 13, let yy = digits(b, 0, 2), let mo = digits(b, 2, 2), let d = digits(b, 4, 2) else {
            return nil
        }
        var i = 6
        while i < b.count && b[i] == ASCII.space { i += 1 }
        var h = 0, n = 0
        while i < b.count, ASCII.isDigit(b[i]), n < 2 {
            h = h * 10 + Int(b[i] - 0x30)
            i += 1
            n += 1
        }
        guard n > 0, i + 6 <= b.count, b[i] == ASCII.colon, let mi = digits(b, i + 1, 2), b[i + 3] == ASCII.colon,
            let s = digits(b, i + 4, 2)
        else { return nil }
        return micros(year: 2000 + yy, month: mo, day: d, hour: h, minute: mi, second: s)
    }

    /// `2024-01-01T00:00:00.123Z`: ISO-8601 UTC with milliseconds, as every report prints times.
    public static func formatISO8601Millis(_ t: EpochMicros) -> String {
        var out = [UInt8]()
        out.reserveCapacity(24)
        appendISO8601Millis(t, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    public static func appendISO8601Millis(_ t: EpochMicros, to out: inout [UInt8]) {
        iso8601MillisText(t).append(to: &out)
    }

    static func iso8601MillisText(_ t: EpochMicros) -> ByteScratch {
        let ms = t >= 0 ? t / 1000 : (t - 999) / 1000
        let secs = ms >= 0 ? ms / 1000 : (ms - 999) / 1000
        let millis = Int(ms - secs * 1000)
        let days = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400
        let sod = Int(secs - days * 86400)
        let (y, m, d) = civilFromDays(Int(days))
        var s = ByteScratch()
        s.put(UInt64(clamping: y), width: 4)
        s.put(ASCII.minus)
        s.put(UInt64(m), width: 2)
        s.put(ASCII.minus)
        s.put(UInt64(d), width: 2)
        s.put(0x54)
        s.put(UInt64(sod / 3600), width: 2)
        s.put(ASCII.colon)
        s.put(UInt64(sod / 60 % 60), width: 2)
        s.put(ASCII.colon)
        s.put(UInt64(sod % 60), width: 2)
        s.put(ASCII.dot)
        s.put(UInt64(millis), width: 3)
        s.put(0x5A)
        return s
    }
}
