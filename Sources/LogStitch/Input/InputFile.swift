import Foundation

/// One input as the run sees it: a file on disk or standard input, plus what
/// its path says about the log group and stream (CloudWatch exports name
/// neither inside the files).
public struct InputFile: Sendable, Hashable {
    public var index: Int
    public var path: String
    public var isStandardInput: Bool
    public var pathLogGroup: String?
    public var pathLogStream: String?

    public init(index: Int, path: String, isStandardInput: Bool = false) {
        self.index = index
        self.path = path
        self.isStandardInput = isStandardInput
        let hint = LogGroupFromPath.infer(path)
        pathLogGroup = hint.group
        pathLogStream = hint.stream
    }

    /// The group and stream the path names, as the records' source.
    var pathSource: LogSource { LogSource(logGroup: pathLogGroup, logStream: pathLogStream) }

    var looksGzipNamed: Bool { path.hasSuffix(".gz") || path.hasSuffix(".gzip") }
}

/// Turns the command line's INPUT arguments into the run's file list.
public enum InputDiscovery {
    public struct MissingInput: Error, CustomStringConvertible {
        public var path: String
        public var description: String { "input '\(path)' does not exist" }
    }

    /// Files named directly, and regular files found under directories
    /// (recursively, hidden files and folders skipped). The list is sorted by
    /// path so outputs do not depend on the order inputs were named in.
    public static func expand(_ inputs: [String]) throws -> [InputFile] {
        var paths = Set<String>()
        var stdin = false
        let fm = FileManager.default
        for input in inputs {
            if input == "-" {
                stdin = true
                continue
            }
            var isDir: ObjCBool = false
            guard fm.fileExists(atPath: input, isDirectory: &isDir) else { throw MissingInput(path: input) }
            if !isDir.boolValue {
                paths.insert(normalize(input))
                continue
            }
            for file in walk(directory: input) { paths.insert(file) }
        }
        var files = paths.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }.enumerated().map {
            InputFile(index: $0.offset, path: $0.element)
        }
        if stdin { files.insert(InputFile(index: 0, path: "-", isStandardInput: true), at: 0) }
        for i in files.indices { files[i].index = i }
        return files
    }

    static func normalize(_ path: String) -> String {
        var p = path
        while p.hasPrefix("./") && p.count > 2 { p.removeFirst(2) }
        return p
    }

    static func walk(directory: String) -> [String] {
        var out: [String] = []
        let fm = FileManager.default
        let base = directory.hasSuffix("/") ? String(directory.dropLast()) : directory
        guard let names = try? fm.contentsOfDirectory(atPath: base) else { return [base] }
        for name in names.sorted() where !name.hasPrefix(".") {
            let full = normalize(base + "/" + name)
            var isDir: ObjCBool = false
            guard fm.fileExists(atPath: full, isDirectory: &isDir) else { continue }
            if isDir.boolValue {
                // Do not follow directory links: they can loop.
                if (try? fm.destinationOfSymbolicLink(atPath: full)) != nil { continue }
                out.append(contentsOf: walk(directory: full))
            } else {
                out.append(full)
            }
        }
        return out
    }
}

/// Recovers the log group and stream from paths such as
/// `exportedlogs/aws/lambda/orders/<task>/2024/01/01/[$LATEST]abc…/000000.gz`.
public enum LogGroupFromPath {
    public static func infer(_ path: String) -> (group: String?, stream: String?) {
        let parts = path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        var group: String?
        var stream: String?
        var i = 0
        while i < parts.count {
            if parts[i] == "aws" && i + 2 < parts.count {
                switch parts[i + 1] {
                case "lambda":
                    group = "/aws/lambda/" + parts[i + 2]
                case "rds" where i + 4 < parts.count && (parts[i + 2] == "instance" || parts[i + 2] == "cluster"):
                    group = "/aws/rds/\(parts[i + 2])/\(parts[i + 3])/\(parts[i + 4])"
                case "apigateway":
                    group = "/aws/apigateway/" + parts[i + 2]
                default: break
                }
                if group != nil { break }
            }
            if parts[i].hasPrefix("API-Gateway-Execution-Logs_") {
                group = parts[i] + (i + 1 < parts.count ? "/" + parts[i + 1] : "")
                break
            }
            i += 1
        }
        // Lambda streams look like YYYY/MM/DD/[version]<32 hex>, possibly with the function name before '['.
        for j in 0..<parts.count where j >= 3 {
            let p = parts[j]
            if let open = p.firstIndex(of: "["), let close = p.firstIndex(of: "]"), open < close,
                p[p.index(after: close)...].count >= 32,
                parts[j - 3].count == 4, parts[j - 3].allSatisfy(\.isNumber),
                parts[j - 2].count == 2, parts[j - 1].count == 2
            {
                stream = parts[(j - 3)...j].joined(separator: "/")
            }
        }
        return (group, stream)
    }
}
