import Foundation

@testable import LogStitch

/// Runs `body` with a byte view of `text`.
func withBytes<R>(_ text: String, _ body: (ByteView) -> R) -> R {
    let a = Array(text.utf8)
    return a.withUnsafeBytes { body($0) }
}

/// Collects records as the input layer delivers them.
struct CollectingConsumer: RecordConsumer {
    struct Seen: Equatable {
        var line: Int
        var timestamp: EpochMicros?
        var group: String?
        var stream: String?
        var message: String
    }
    var records: [Seen] = []
    mutating func beginFile(_ file: InputFile) {}
    mutating func endFile() {}
    mutating func consume(_ record: LogRecord) -> RecordOutcome {
        records.append(
            Seen(
                line: record.line, timestamp: record.timestamp, group: record.logGroup, stream: record.logStream,
                message: record.message.string))
        return .parsed(.lambda)
    }
}

/// A fresh temporary directory, removed by the caller.
/// A fresh directory for one test, under a parent this test process
/// removes when it exits (tests leave their inputs and outputs there).
func makeTempDir() -> String {
    let dir = TestTempRoot.path + "/" + UUID().uuidString
    try! FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    return dir
}

enum TestTempRoot {
    static let path: String = {
        let p = NSTemporaryDirectory() + "logstitch-test-\(getpid())-" + UUID().uuidString
        try! FileManager.default.createDirectory(atPath: p, withIntermediateDirectories: true)
        atexit { try? FileManager.default.removeItem(atPath: TestTempRoot.path) }
        return p
    }()
}

func write(_ path: String, _ bytes: [UInt8]) {
    try! FileManager.default.createDirectory(
        atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
    _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
}

/// gzip via the system `gzip -n` so fixtures do not depend on our own code.
func gzip(_ bytes: [UInt8]) -> [UInt8] {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/bin/gzip")
    p.arguments = ["-n", "-c"]
    let input = Pipe(), output = Pipe()
    p.standardInput = input
    p.standardOutput = output
    try! p.run()
    let writer = Thread {
        input.fileHandleForWriting.write(Data(bytes))
        try? input.fileHandleForWriting.close()
    }
    writer.start()
    let out = output.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return [UInt8](out)
}

func readFile(_ path: String) -> LogFileReaderResult {
    let reader = LogFileReader()
    var consumer = CollectingConsumer()
    let report = reader.read(InputFile(index: 0, path: path), into: &consumer)
    return LogFileReaderResult(report: report, records: consumer.records)
}

struct LogFileReaderResult {
    var report: FileReport
    var records: [CollectingConsumer.Seen]
}

let repoRoot: String = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { url.deleteLastPathComponent() }
    return url.path
}()
