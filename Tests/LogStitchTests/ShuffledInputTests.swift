import Foundation
import Testing

@testable import LogStitch

/// CloudWatch sorts nothing and the records of one request arrive in files
/// hours apart: the outputs must not depend on it.
@Suite(.serialized) struct ShuffledInputTests {
    struct Rng {
        var s: UInt64
        mutating func next() -> Int {
            s = s &* 6364136223846793005 &+ 1442695040888963407
            return Int(s >> 33)
        }
    }

    /// Splits a file's content into its events (records), keeping multi-line events whole.
    func events(_ text: String, export: Bool) -> [String] {
        var out: [String] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: true).map(String.init) {
            let startsEvent =
                !export || line.count > 24 && withBytes(line) { ExportEventAssembler.eventPrefix($0) != nil }
            if startsEvent || out.isEmpty { out.append(line) } else { out[out.count - 1] += "\n" + line }
        }
        return out
    }

    func shuffled<T>(_ a: [T], _ rng: inout Rng) -> [T] {
        var a = a
        for i in stride(from: a.count - 1, to: 0, by: -1) { a.swapAt(i, rng.next() % (i + 1)) }
        return a
    }

    /// Writes `items` shuffled into `parts` files in `dir` (named from `stem`), gzipped or not.
    func scatter(_ items: [String], into dir: String, stem: String, parts: Int, gz: Bool, _ rng: inout Rng) {
        let mixed = shuffled(items, &rng)
        for p in 0..<parts {
            let mine = mixed.enumerated().filter { $0.offset % parts == p }.map(\.element)
            guard !mine.isEmpty else { continue }
            let bytes = Array((mine.joined(separator: "\n") + "\n").utf8)
            write("\(dir)/\(stem)-\(p)\(gz ? ".gz" : ".log")", gz ? gzip(bytes) : bytes)
        }
    }

    func makeShuffledCopy(seed: UInt64) throws -> String {
        var rng = Rng(s: seed)
        let root = makeTempDir() + "/sample"
        let sample = ScenarioTests.sample
        for file in try InputDiscovery.expand([sample]) {
            let rel = String(file.path.dropFirst(sample.count))
            let dir = root + (rel as NSString).deletingLastPathComponent
            let text = CLI.shell("zcat -f '\(file.path)'")
            if rel.hasPrefix("/firehose/") {
                // Regroup the subscription events into other envelopes, in another order.
                var evs: [(group: String, stream: String, event: [String: Any])] = []
                for env in text.replacingOccurrences(of: "}{\"messageType\"", with: "}\n{\"messageType\"").split(
                    separator: "\n")
                {
                    let o = try JSONSerialization.jsonObject(with: Data(env.utf8)) as! [String: Any]
                    guard o["messageType"] as? String == "DATA_MESSAGE" else { continue }
                    for e in o["logEvents"] as! [[String: Any]] {
                        evs.append((o["logGroup"] as! String, o["logStream"] as! String, e))
                    }
                }
                let mixed = shuffled(evs.indices.map { $0 }, &rng)
                for (n, i) in mixed.enumerated() {
                    let env: [String: Any] = [
                        "messageType": "DATA_MESSAGE", "owner": "123456789012", "logGroup": evs[i].group,
                        "logStream": evs[i].stream, "subscriptionFilters": ["f"], "logEvents": [evs[i].event],
                    ]
                    write("\(dir)/object-\(n)", gzip(Array(try JSONSerialization.data(withJSONObject: env))))
                }
                continue
            }
            let export = rel.hasPrefix("/exportedlogs/")
            scatter(events(text, export: export), into: dir, stem: export ? "00000" : "part", parts: 3, gz: true, &rng)
        }
        return root
    }

    @Test(arguments: [UInt64(1), 2, 3])
    func outputsIdenticalWhenEventsAreShuffledAcrossFiles(seed: UInt64) throws {
        let shuffledRoot = try makeShuffledCopy(seed: seed)
        let a = makeTempDir(), b = makeTempDir()
        let first = try ConvertJob.run(ScenarioTests.options([ScenarioTests.sample], out: a))
        let second = try ConvertJob.run(ScenarioTests.options([shuffledRoot], out: b))
        #expect(first.summary.totalParsed == second.summary.totalParsed)
        #expect(second.summary.totalRejected == 0)
        for name in ["segments.ndjson", "requests.csv", "routes.csv", "functions.csv", "queries.csv"] {
            let x = FileManager.default.contents(atPath: a + "/" + name)
            let y = FileManager.default.contents(atPath: b + "/" + name)
            #expect(x != nil && x == y, "\(name) differs for seed \(seed)")
        }
    }
}
