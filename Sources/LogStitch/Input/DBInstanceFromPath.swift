import Foundation

/// The DB instance a downloaded RDS log belongs to, from its path. RDS
/// names the files (`mysql-slowquery.log.2026-11-24.03`,
/// `postgresql.log.2026-11-24-03`) but not the instance; users keep them
/// in a folder named after it (`orders-db/…`, `orders-db/slowquery/…`) or
/// put the instance before the name (`orders-db-mysql-slowquery.log…`).
/// `--db-instance PATH_PREFIX=INSTANCE` says it outright and wins.
public enum DBInstanceFromPath {
    /// RDS's log file names, as `download-db-log-file-portion` lists them.
    static let rdsNames = [
        "mysql-slowquery.log", "mysql-general.log", "mysql-error", "mysql-audit.log",
        "mysql-error-running.log", "audit.log", "postgresql.log", "postgres.log",
    ]
    /// RDS's folders for log types, and names too generic to be an instance.
    static let notInstances: Set<String> = [
        "slowquery", "error", "general", "audit", "log", "logs", "rds", "rdslogs", "rds-logs", "db", "dbs", "mysql",
        "mariadb", "postgres", "postgresql", "aurora", "downloads", "download", "tmp", "temp", "data", "incident",
        "export", "exports", "input", "inputs", "slowlogs", "slow", "home", "root", "users", "var", "srv", "mnt",
    ]

    /// The instance `path` shows, or nil.
    public static func infer(_ path: String) -> String? {
        let parts = path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        guard let name = parts.last else { return nil }
        guard let at = rdsNames.compactMap({ n in name.range(of: n).map { (n, $0) } }).first else { return nil }
        // `orders-db-mysql-slowquery.log.…`, `orders-db_postgresql.log.…`
        let before = name[..<at.1.lowerBound]
        if let sep = before.last, sep == "-" || sep == "_" || sep == ".", isIdentifier(before.dropLast()) {
            return String(before.dropLast())
        }
        guard before.isEmpty else { return nil }
        for folder in parts.dropLast().reversed() {
            let f = folder.lowercased()
            if notInstances.contains(f) || f.allSatisfy({ $0.isNumber || $0 == "-" || $0 == "_" || $0 == "." }) {
                continue
            }
            return isIdentifier(Substring(folder)) ? folder : nil
        }
        return nil
    }

    /// RDS's identifier rule: a letter, then letters, digits and single
    /// hyphens, at most 63, not ending in a hyphen.
    static func isIdentifier(_ s: Substring) -> Bool {
        guard let first = s.first, first.isASCII, first.isLetter, s.count <= 63, s.last != "-", !s.contains("--") else {
            return false
        }
        return s.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
    }
}

/// `--db-instance PATH_PREFIX=INSTANCE`: files under a path prefix belong
/// to an instance (the longest matching prefix wins).
public struct DBInstanceMap: Sendable {
    public private(set) var entries: [(prefix: String, instance: String)] = []

    public struct BadEntry: Error, CustomStringConvertible {
        public var description: String
    }

    public init() {}

    public init(_ arguments: [String]) throws {
        for a in arguments {
            guard let eq = a.lastIndex(of: "="), eq != a.startIndex, a.index(after: eq) != a.endIndex else {
                throw BadEntry(description: "--db-instance '\(a)' is not PATH_PREFIX=INSTANCE")
            }
            entries.append((Self.absolute(String(a[..<eq])), String(a[a.index(after: eq)...])))
        }
        entries.sort { $0.prefix.count > $1.prefix.count }
    }

    /// The instance the map gives `path`, or nil.
    public func instance(for path: String) -> String? {
        guard !entries.isEmpty else { return nil }
        let p = Self.absolute(path)
        for e in entries where p == e.prefix || p.hasPrefix(e.prefix.hasSuffix("/") ? e.prefix : e.prefix + "/") {
            return e.instance
        }
        return nil
    }

    static func absolute(_ path: String) -> String {
        let full = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        return (full as NSString).standardizingPath
    }
}
