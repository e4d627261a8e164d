import Foundation
import LogStitch

/// `logstitch-bench fuzz --inputs N [--converts M] [--seed S]`: a mutation
/// fuzzer over the hand-written fixtures and the sample (testdata/). Each
/// mutant (bytes flipped, inserted, deleted, lines doubled or dropped, a
/// cut, two seeds spliced, tokens the parsers look for dropped in) is read
/// through the reader and the record parser, as convert reads a file, and
/// must account for every record (parsed + ignored + rejected = seen).
/// Every so often a whole convert runs on a few mutants at once and its
/// documents must all be valid and its summary must add up. Crashes show as
/// the process dying; a hang, as the run not ending. Exits 1 on any
/// failure, printing the mutant's seed to replay it.
struct Fuzz {
    let root: String
    let inputs: Int
    let converts: Int
    let seed: UInt64

    struct Seed {
        var path: String
        var bytes: [UInt8]
    }

    static let tokens: [String] = [
        "\n", "\r\n", "\t", "{", "}", "[", "]", "\"", "\\", "'", ",", ":", "#", "# Time: ", "# User@Host: ",
        "# Query_time: 1 ",
        "use db;\n", "SET timestamp=1;\n", "START RequestId: ", "END RequestId: ", "REPORT RequestId: ",
        "XRAY TraceId: ",
        "Duration: ", " ms", "\"requestId\":", "\"messageType\":\"DATA_MESSAGE\"", "\"logEvents\":[", "duration: ",
        "statement: ", "LOG:  ", "DETAIL:  parameters: ", "2026-11-24 03:00:00 CET", "2026-11-24T03:00:00.000Z ",
        "/*", "*/", "--", "traceparent='00-", "\u{0}", "\u{1F}\u{8B}", "9999999999999999999999", "-1", "1e400", "NaN",
        String(repeating: "x", count: 70_000), "\u{FEFF}", "é", "\u{7F}",
    ]

    func loadSeeds() -> [Seed] {
        var seeds: [Seed] = []
        let fm = FileManager.default
        guard let e = fm.enumerator(atPath: root) else { return [] }
        while let rel = e.nextObject() as? String {
            let p = root + "/" + rel
            var isDir: ObjCBool = false
            guard fm.fileExists(atPath: p, isDirectory: &isDir), !isDir.boolValue,
                !rel.hasSuffix(".json") || rel.contains("jsonlog"),
                let d = fm.contents(atPath: p), d.count < 4 << 20
            else { continue }
            seeds.append(Seed(path: rel, bytes: [UInt8](d)))
        }
        return seeds.sorted { $0.path < $1.path }
    }

    func mutate(_ s: [UInt8], _ other: [UInt8], _ rng: inout SplitMix64) -> [UInt8] {
        var b = s
        for _ in 0..<(1 + rng.below(4)) {
            let at = b.isEmpty ? 0 : rng.below(b.count + 1)
            switch rng.below(9) {
            case 0: if !b.isEmpty { b[min(at, b.count - 1)] ^= UInt8(1 << rng.below(8)) }
            case 1: b.insert(contentsOf: (0..<(1 + rng.below(8))).map { _ in UInt8(rng.below(256)) }, at: at)
            case 2: if at < b.count { b.removeSubrange(at..<min(b.count, at + 1 + rng.below(64))) }
            case 3: b.insert(contentsOf: Array(Self.tokens[rng.below(Self.tokens.count)].utf8), at: at)
            case 4: b = Array(b.prefix(at))
            case 5: b = Array(b.prefix(at)) + Array(other.dropFirst(rng.below(other.count + 1)))
            case 6:
                // A line doubled.
                let lines = b.split(separator: 0x0A, omittingEmptySubsequences: false)
                if !lines.isEmpty {
                    let k = rng.below(lines.count)
                    var l = lines.map(Array.init)
                    l.insert(l[k], at: k)
                    b = Array(l.joined(separator: [0x0A]))
                }
            case 7:
                let lines = b.split(separator: 0x0A, omittingEmptySubsequences: false)
                if lines.count > 1 {
                    var l = lines.map(Array.init)
                    l.remove(at: rng.below(l.count))
                    b = Array(l.joined(separator: [0x0A]))
                }
            default: if !b.isEmpty { b[min(at, b.count - 1)] = UInt8(rng.below(256)) }
            }
        }
        return b
    }

    func run() -> Int32 {
        let seeds = loadSeeds()
        guard !seeds.isEmpty else {
            print("no seeds under \(root)")
            return 1
        }
        let base =
            (FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory())
            + "/logstitch-fuzz-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: base) }
        var rng = SplitMix64(state: seed)
        var failures = 0, records = 0, convertsRun = 0, documents = 0, traceFindings = 0
        let started = Date()
        let convertEvery = max(1, inputs / max(1, converts))
        var batch: [(String, [UInt8])] = []
        for n in 0..<inputs {
            let s = seeds[rng.below(seeds.count)], other = seeds[rng.below(seeds.count)]
            let mutant = mutate(s.bytes, other.bytes, &rng)
            let path = base + "/m/" + s.path
            try? FileManager.default.createDirectory(
                atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            FileManager.default.createFile(atPath: path, contents: Data(mutant))
            var parser = try! LogRecordParser(options: ParseOptions())
            let report = LogFileReader().read(InputFile(index: 0, path: path), into: &parser)
            records += report.recordsSeen
            if report.recordsSeen != report.parsedTotal + report.ignored + report.rejected {
                failures += 1
                print(
                    "accounting: mutant \(n) of \(s.path) (seed \(seed)): seen \(report.recordsSeen), parsed \(report.parsedTotal), ignored \(report.ignored), rejected \(report.rejected)"
                )
            }
            batch.append((s.path, mutant))
            if batch.count > 8 { batch.removeFirst() }
            if n % convertEvery == convertEvery - 1 {
                failures += convert(batch, n, base)
                convertsRun += 1
            }
        }
        func convert(_ batch: [(String, [UInt8])], _ n: Int, _ base: String) -> Int {
            let dir = base + "/c\(n)"
            defer { try? FileManager.default.removeItem(atPath: dir) }
            for (k, (rel, bytes)) in batch.enumerated() {
                let p = dir + "/in/\(k)/" + rel
                try? FileManager.default.createDirectory(
                    atPath: (p as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                FileManager.default.createFile(atPath: p, contents: Data(bytes))
            }
            var o = ConvertOptions()
            o.inputs = [dir + "/in"]
            o.outputDirectory = dir + "/out"
            o.jobs = 2
            o.temporaryDirectory = dir
            guard let result = try? ConvertJob.run(o) else {
                print("convert threw: batch ending at mutant \(n) (seed \(seed))")
                return 1
            }
            let s = result.summary
            var bad = 0
            if s.totalSeen != s.totalParsed + s.totalIgnored + s.totalRejected {
                print("convert accounting: batch ending at mutant \(n) (seed \(seed))")
                bad += 1
            }
            if let data = FileManager.default.contents(atPath: dir + "/out/segments.ndjson") {
                let v = SegmentValidator.validate(ndjson: [UInt8](data))
                documents += v.documents
                // Trace-level findings (a request id met again in another
                // window: its documents repeat ids and roots) are counted
                // apart; every other problem is a failure.
                let traceLevel = v.problems.filter {
                    $0.message.contains("is not unique in trace") || $0.message.contains("root segments")
                }
                traceFindings += traceLevel.isEmpty ? 0 : 1
                if !traceLevel.isEmpty, ProcessInfo.processInfo.environment["LOGSTITCH_FUZZ_VERBOSE"] != nil {
                    print("trace-level: batch ending at mutant \(n): \(traceLevel.prefix(2).map(\.message))")
                    if let keep = ProcessInfo.processInfo.environment["LOGSTITCH_FUZZ_KEEP"] {
                        try? FileManager.default.copyItem(atPath: dir + "/in", toPath: keep + "/trace-\(n)")
                    }
                }
                if v.problems.count > traceLevel.count {
                    print(
                        "invalid documents: batch ending at mutant \(n) (seed \(seed)): \(v.problems.prefix(3).map(\.message))"
                    )
                    bad += 1
                    if let keep = ProcessInfo.processInfo.environment["LOGSTITCH_FUZZ_KEEP"] {
                        try? FileManager.default.copyItem(atPath: dir + "/in", toPath: keep + "/failed-\(n)")
                    }
                }

            }
            return bad
        }
        let seconds = Date().timeIntervalSince(started)
        print(
            "fuzz: \(inputs) mutants of \(seeds.count) seeds (\(records) records), \(convertsRun) whole converts (\(documents) documents; \(traceFindings) with trace-level findings), \(failures) failures, \(String(format: "%.0f", seconds)) s"
        )
        return failures == 0 ? 0 : 1
    }
}
