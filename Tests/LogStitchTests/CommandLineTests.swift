import Foundation
import Testing

@testable import LogStitch

/// Runs the built `logstitch` binary, as cron would.
struct CLI {
    static let binary: String = {
        for candidate in [".build/debug/logstitch", ".build/release/logstitch"] {
            let p = repoRoot + "/" + candidate
            if FileManager.default.isExecutableFile(atPath: p) { return p }
        }
        return repoRoot + "/.build/debug/logstitch"
    }()

    /// The optimised build (`make test` builds it first), for runs over
    /// millions of records; the debug build where there is none.
    static let fastBinary: String = {
        let p = repoRoot + "/.build/release/logstitch"
        return FileManager.default.isExecutableFile(atPath: p) ? p : binary
    }()

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// `environment`: variables added to this process's own.
    static func run(
        _ args: [String], stdin: [UInt8]? = nil, cwd: String? = nil, binary: String = CLI.binary,
        environment: [String: String] = [:]
    ) -> Result {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: binary)
        p.arguments = args
        if !environment.isEmpty { p.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
        if let cwd { p.currentDirectoryURL = URL(fileURLWithPath: cwd) }
        let out = Pipe(), err = Pipe(), input = Pipe()
        p.standardOutput = out
        p.standardError = err
        p.standardInput = input
        try! p.run()
        if let stdin { input.fileHandleForWriting.write(Data(stdin)) }
        try? input.fileHandleForWriting.close()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return Result(
            status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self),
            stderr: String(decoding: e, as: UTF8.self))
    }

    static func shell(_ command: String) -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = ["-c", command]
        let out = Pipe()
        p.standardOutput = out
        try! p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return String(decoding: o, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

func loadJSON(_ path: String) -> [String: Any] {
    let data = FileManager.default.contents(atPath: path)!
    return try! JSONSerialization.jsonObject(with: data) as! [String: Any]
}

@Suite(.serialized) struct CommandLineTests {
    /// A directory of every kind of file the input layer must handle.
    func makeTree() -> String {
        let dir = makeTempDir() + "/logs"
        let lines = (1...300).map {
            "{\"requestId\":\"r\($0)\",\"httpMethod\":\"GET\",\"status\":\"200\",\"requestTimeEpoch\":\"17040672\($0 % 10)0000\"}"
        }
        write(dir + "/plain.log", Array((lines.prefix(100).joined(separator: "\n") + "\n").utf8))
        write(dir + "/crlf.log", Array((lines.prefix(7).joined(separator: "\r\n") + "\r\n").utf8))
        write(
            dir + "/multi.log.gz",
            gzip(Array((lines[0..<50].joined(separator: "\n") + "\n").utf8))
                + gzip(Array((lines[50..<80].joined(separator: "\n") + "\n").utf8)))
        write(dir + "/nested/double.gz", gzip(gzip(Array((lines.prefix(12).joined(separator: "\n") + "\n").utf8))))
        write(dir + "/nested/.hidden.log", Array("garbage\n".utf8))
        write(dir + "/empty.log", [])
        return dir
    }

    @Test func summaryCountsMatchZcatWcAndExitZero() throws {
        let dir = makeTree()
        let out = dir + "/../out"
        let r = CLI.run(["convert", "--output", out, dir])
        #expect(r.status == 0, "stderr: \(r.stderr)")
        #expect(r.stderr.contains("logstitch: 5 files"))
        let summary = loadJSON(out + "/summary.json")
        let files = summary["files"] as! [[String: Any]]
        #expect(files.count == 5)
        for f in files {
            let path = f["path"] as! String
            let expected = Int(CLI.shell("zcat -f '\(path)' | zcat -f | wc -l"))!
            #expect(f["records_seen"] as! Int == expected, "\(path)")
            let parsed = (f["records_parsed"] as! [String: Int]).values.reduce(0, +)
            #expect(parsed + (f["records_ignored"] as! Int) + (f["records_rejected"] as! Int) == expected)
        }
        let totals = summary["totals"] as! [String: Any]
        #expect(totals["records_seen"] as! Int == 100 + 7 + 80 + 12)
        #expect((totals["records_parsed"] as! [String: Int])["apigateway"] == 199)
        #expect(FileManager.default.fileExists(atPath: out + "/segments.ndjson"))
        // No temporary files left behind.
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: out).filter { $0.hasPrefix(".") }
        #expect(leftovers.isEmpty)
    }

    @Test func damagedFilesExitThreeWithRejects() throws {
        let dir = makeTree()
        var text = ""
        for i in 1...4000 { text += "{\"requestId\":\"t\(i)\",\"httpMethod\":\"GET\",\"status\":\"200\"}\n" }
        let full = gzip(Array(text.utf8))
        write(dir + "/truncated.gz", Array(full.prefix(full.count / 2)))
        write(dir + "/notgzip.gz", Array("hello\n".utf8))
        write(dir + "/bad.log", Array("this is not a log line of any kind\n".utf8))
        let out = dir + "/../out"
        let r = CLI.run(["convert", "--output", out, dir])
        #expect(r.status == 3)
        let rejects = try String(contentsOfFile: out + "/rejects.csv", encoding: .utf8)
        #expect(rejects.hasPrefix("file,line,reason,excerpt\n"))
        #expect(rejects.contains("truncated.gz"))
        #expect(rejects.contains("truncated gzip member: input ends at compressed byte"))
        #expect(rejects.contains("notgzip.gz,,named .gz but not gzip data at byte 0"))
        #expect(rejects.contains("bad.log,1,"))
        let summary = loadJSON(out + "/summary.json")
        let files = summary["files"] as! [[String: Any]]
        let truncated = files.first { ($0["path"] as! String).hasSuffix("truncated.gz") }!
        #expect((truncated["records_parsed"] as! [String: Int])["apigateway"]! > 100)
        #expect((truncated["error"] as? String)?.contains("truncated") == true)
        #expect((summary["totals"] as! [String: Any])["files_with_errors"] as! Int == 2)
    }

    @Test func standardInput() throws {
        let out = makeTempDir() + "/out"
        let r = CLI.run(
            ["convert", "--output", out, "-"],
            stdin: gzip(Array("{\"requestId\":\"s1\",\"httpMethod\":\"GET\",\"status\":\"204\"}\n".utf8)))
        #expect(r.status == 0, "\(r.stderr)")
        let files = loadJSON(out + "/summary.json")["files"] as! [[String: Any]]
        #expect(files.count == 1)
        #expect(files[0]["path"] as! String == "-")
        #expect(files[0]["compression"] as! String == "gzip")
        #expect((files[0]["records_parsed"] as! [String: Int])["apigateway"] == 1)
    }

    @Test func usageErrorsExitTwo() {
        let dir = makeTempDir()
        #expect(CLI.run(["convert", "--output", dir + "/o", dir + "/missing"]).status == 2)
        #expect(CLI.run(["convert", "--no-such-flag", dir]).status == 2)
        #expect(CLI.run(["convert", "--apigw-format", "$context.status only", dir]).status == 2)
        #expect(CLI.run(["convert", "--pg-prefix", "%Z:", dir]).status == 2)
        let help = CLI.run(["--help"])
        #expect(help.status == 0)
        #expect(help.stdout.contains("convert"))
        #expect(CLI.run(["--version"]).stdout.contains(ConvertJob.version))
    }

    @Test func unwritableOutputIsFatalAndKeepsPreviousOutputs() throws {
        let dir = makeTempDir()
        write(dir + "/in.log", Array("{\"requestId\":\"x\",\"httpMethod\":\"GET\",\"status\":\"200\"}\n".utf8))
        write(dir + "/file-not-dir", Array("x".utf8))
        #expect(CLI.run(["convert", "--output", dir + "/file-not-dir", dir + "/in.log"]).status == 1)
        // A second run replaces outputs whole; the first run's files stay until then.
        let out = dir + "/out"
        #expect(CLI.run(["convert", "--output", out, dir + "/in.log"]).status == 0)
        let before = try String(contentsOfFile: out + "/requests.csv", encoding: .utf8)
        #expect(before.contains(",x,"))
    }
}

extension CommandLineTests {
    /// Workers compress their blocks apart and the files join them into one
    /// gzip member: the files must read back as exactly the plain outputs,
    /// and an output with no documents must still be a valid (empty) gzip file.
    @Test func compressedOutputsAreThePlainOnesCompressed() throws {
        let dir = makeTempDir()
        for (name, extra) in [("plain", [String]()), ("gz", ["--compress"])] {
            let r = CLI.run(
                ["convert"] + extra + [
                    "--output", dir + "/" + name, "--apigw-format", "@" + ScenarioTests.stagingFormat,
                    ScenarioTests.sample,
                ])
            #expect(r.status == 0, "\(r.stderr)")
        }
        for name in ["segments.ndjson", "requests.csv", "routes.csv", "functions.csv", "queries.csv"] {
            #expect(
                CLI.shell("zcat '\(dir)/gz/\(name).gz' | cmp -s - '\(dir)/plain/\(name)' && echo same") == "same",
                "\(name)")
        }
        write(dir + "/noise/x.log", Array("not a log line\n".utf8))
        let r = CLI.run(["convert", "--compress", "--output", dir + "/empty", dir + "/noise"])
        #expect(r.status == 3, "\(r.stderr)")
        #expect(CLI.shell("gzip -t '\(dir)/empty/segments.ndjson.gz' && echo valid") == "valid")
        #expect(CLI.shell("zcat '\(dir)/empty/segments.ndjson.gz' | wc -c") == "0")
        #expect(CLI.shell("zcat '\(dir)/empty/requests.csv.gz' | head -c 9") == "trace_id,")
    }

    @Test func compressedOutputsValidate() throws {
        let out = makeTempDir() + "/out"
        let r = CLI.run([
            "convert", "--compress", "--output", out, "--apigw-format", "@" + ScenarioTests.stagingFormat,
            ScenarioTests.sample,
        ])
        #expect(r.status == 0, "\(r.stderr)")
        for name in [
            "segments.ndjson.gz", "requests.csv.gz", "routes.csv.gz", "functions.csv.gz", "queries.csv.gz",
            "summary.json", "rejects.csv",
        ] {
            #expect(FileManager.default.fileExists(atPath: out + "/" + name), "\(name)")
        }
        #expect(
            CLI.shell("zcat '\(out)/routes.csv.gz' | head -1")
                == "stage,method,route,requests,errors_4xx,faults_5xx,throttles,p50_ms,p90_ms,p95_ms,p99_ms,max_ms")
        let v = CLI.run(["validate", out + "/segments.ndjson.gz"])
        #expect(v.status == 0)
        #expect(v.stdout.contains("17 documents, 0 invalid"))
    }
}
