/// What a time zone abbreviation in a log line means, as a UTC offset.
///
/// PostgreSQL prints `%t`, `%m` and `%n` with the abbreviation the tz
/// database gives `log_timezone` at that instant: `CET`, `CEST`, `IST`, or
/// a number (`+03`, `-05`, `+0530`) where the database has no letters.
/// Numbers are exact. Letters are looked up in `table` (generated from the
/// tz database by scripts/make-zone-table.py): an abbreviation that stood
/// for one offset around the line's time converts exactly; one that stood
/// for several (IST is India's +05:30, Israel's +02 and Ireland's summer
/// +01) is ambiguous and needs `--pg-timezone`. Abbreviations the tz
/// database no longer prints but older servers did (`BRT`, `VET`, `MSD`…)
/// take the meaning in PostgreSQL's own `Default` abbreviation set.
public enum ZoneAbbreviations {
    /// The offset, in seconds east of UTC, or why there is none.
    public enum Meaning: Equatable, Sendable {
        case offset(Int32)
        case ambiguous(String)
        case unknown
    }

    /// The meaning of `abbreviation` around `instant` (unix seconds, taken
    /// as UTC: a day either side covers any offset).
    public static func meaning(of abbreviation: String, around instant: Int64) -> Meaning {
        if let fixed = universal[abbreviation.uppercased()] { return .offset(fixed) }
        let rows = byAbbreviation[abbreviation] ?? byAbbreviation[abbreviation.uppercased()] ?? []
        let near = rows.filter { $0.from - 86400 <= instant && instant <= $0.until + 86400 }
        var offsets: [Int32] = []
        for row in near where !offsets.contains(row.offset) { offsets.append(row.offset) }
        if offsets.count == 1 { return .offset(offsets[0]) }
        if offsets.count > 1 {
            let meanings = near.reduce(into: [(Int32, String)]()) { list, row in
                if !list.contains(where: { $0.0 == row.offset }) { list.append((row.offset, row.zone)) }
            }
            return .ambiguous(meanings.map { "\($0.1) \(formatOffset($0.0))" }.joined(separator: ", "))
        }
        if !rows.isEmpty {
            // Seen, but never this close to the line's time: the nearest use.
            let nearest = rows.min { distance($0, instant) < distance($1, instant) }!
            return .offset(nearest.offset)
        }
        if let legacy = postgresDefault[abbreviation.uppercased()] { return .offset(legacy) }
        return .unknown
    }

    /// `+05:30`, `-03:00`.
    public static func formatOffset(_ seconds: Int32) -> String {
        let a = abs(Int(seconds))
        let hh = a / 3600, mm = (a % 3600) / 60
        return (seconds < 0 ? "-" : "+") + (hh < 10 ? "0" : "") + "\(hh):" + (mm < 10 ? "0" : "") + "\(mm)"
    }

    static func distance(_ row: Row, _ t: Int64) -> Int64 {
        t < row.from ? row.from - t : (t > row.until ? t - row.until : 0)
    }

    typealias Row = (abbreviation: String, offset: Int32, from: Int64, until: Int64, zone: String)
    static let byAbbreviation: [String: [Row]] = Dictionary(grouping: table, by: \.abbreviation)

    /// Names of UTC itself, as PostgreSQL's `Default` set has them.
    static let universal: [String: Int32] = ["UTC": 0, "UCT": 0, "UT": 0, "GMT": 0, "Z": 0, "ZULU": 0]

    /// PostgreSQL's `Default` set (src/timezone/tznames/Default), for the
    /// abbreviations the tz database does not print any more, so that logs
    /// of servers built with an older tz database still convert.
    static let postgresDefault: [String: Int32] = [
        "ACT": -18000, "AFT": 16200, "ALMT": 21600, "ALMST": 25200, "AMST": 18000, "AMT": 14400, "ANAST": 46800,
        "ANAT": 43200, "ART": -10800, "ARST": -7200, "AZOST": 0, "AZOT": -3600, "AZST": 18000, "AZT": 14400,
        "BDST": 7200, "BDT": 21600, "BNT": 28800, "BORT": 28800, "BOT": -14400, "BRA": -10800, "BRST": -7200,
        "BRT": -10800, "BTT": 21600, "CADT": 37800, "CAST": 34200, "CCT": 28800, "CETDST": 7200, "CHADT": 49500,
        "CHAST": 45900, "CHUT": 36000, "CKT": 43200, "CLST": -10800, "CLT": -14400, "COT": -18000, "CXT": 25200,
        "DAVT": 25200, "DDUT": 36000, "EASST": -18000, "EAST": -21600, "EETDST": 10800, "EGST": 0, "EGT": -3600,
        "FET": 10800, "FJST": -46800, "FJT": -43200, "FKST": -10800, "FKT": -14400, "FNST": -3600, "FNT": -7200,
        "GALT": -21600, "GAMT": -32400, "GEST": 14400, "GET": 14400, "GFT": -10800, "GILT": 43200, "GYT": -14400,
        "ICT": 25200, "IOT": 21600, "IRKST": 32400, "IRKT": 32400, "IRT": 12600, "JAYT": 32400, "KDT": 36000,
        "KGST": 21600, "KGT": 21600, "KOST": 39600, "KRAST": 28800, "KRAT": 28800, "LHDT": 39600, "LHST": 37800,
        "LIGT": 36000, "LINT": 50400, "LKT": 21600, "MAGST": 43200, "MAGT": 43200, "MART": -34200, "MAWT": 18000,
        "MEST": 7200, "MET": 3600, "METDST": 7200, "MEZ": 3600, "MHT": 43200, "MMT": 23400, "MPT": 36000,
        "MUST": 18000, "MUT": 14400, "MVT": 18000, "MYT": 28800, "NFT": -12600, "NOVST": 25200, "NOVT": 25200,
        "NPT": 20700, "NUT": -39600, "NZT": 43200, "OMSST": 25200, "OMST": 25200, "PETST": 46800, "PETT": 43200,
        "PET": -18000, "PGT": 36000, "PHOT": 46800, "PHT": 28800, "PMDT": -7200, "PMST": -10800, "PONT": 39600,
        "PWT": 32400, "PYST": -10800, "PYT": -14400, "RET": 14400, "SADT": 37800, "SCT": 14400, "SGT": 28800,
        "TAHT": -36000, "TFT": 18000, "TJT": 18000, "TKT": 46800, "TMT": 18000, "TOT": 46800, "TRUT": 36000,
        "TVT": 43200, "ULAST": 32400, "ULAT": 28800, "UYST": -7200, "UYT": -10800, "UZST": 21600, "UZT": 18000,
        "VET": -16200, "VLAST": 39600, "VLAT": 39600, "VOLT": 14400, "VUT": 39600, "WADT": 28800, "WAKT": 43200,
        "WAST": 25200, "WDT": 32400, "WETDST": 3600, "WFT": 43200, "WGST": -7200, "WGT": -10800, "YAKST": 36000,
        "YAKT": 36000, "YAPT": 36000, "YEKST": 21600, "YEKT": 21600, "AESST": 39600, "ACSST": 37800, "AWSST": 32400,
    ]
}
