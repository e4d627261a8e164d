import ArgumentParser
import CLinux
import Foundation
import LogStitch

struct Logstitch: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "logstitch",
        abstract:
            "Turn gzipped AWS logs (API Gateway, Lambda, RDS slow queries) into X-Ray traces and latency reports.",
        version: ConvertJob.version,
        subcommands: [Convert.self, Validate.self, Show.self],
        defaultSubcommand: Convert.self
    )
}

struct Convert: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract:
            "Read log files and write segments.ndjson, the CSV reports, report.html, summary.json and rejects.csv.",
        discussion: """
            Exit status: 0 every input was read and parsed; 3 outputs written but some input was rejected \
            (see rejects.csv); 2 usage error; 1 fatal error (nothing new written).
            """
    )

    @Option(name: [.short, .long], help: "Output directory; outputs are replaced atomically at the end of the run.")
    var output: String = "./logstitch-out"

    @Option(
        name: .customLong("apigw-format"),
        help: ArgumentHelp(
            "An API Gateway access log format exactly as configured on the stage ($context variables; JSON, CLF, CSV, XML or any text). Repeatable; @FILE reads it from a file.",
            valueName: "TEMPLATE"))
    var apigwFormat: [String] = []

    @Option(name: .customLong("pg-prefix"), help: "PostgreSQL log_line_prefix, if not RDS's '%t:%r:%u@%d:[%p]:'.")
    var pgPrefix: String = PostgresLogParser.rdsPrefix

    @Option(
        name: .customLong("pg-timezone"),
        help: ArgumentHelp(
            "The PostgreSQL servers' log_timezone (a tz database name such as Europe/Berlin or Asia/Kolkata): reads zone abbreviations that are ambiguous (IST, CST, PST) or unknown as that zone uses them.",
            valueName: "ZONE"))
    var pgTimezone: String?

    @Option(
        name: .customLong("db-instance"),
        help: ArgumentHelp(
            "The DB instance of the slow logs under a path: PATH_PREFIX=INSTANCE (the longest prefix wins; over what the log group or file name says). Repeatable.",
            valueName: "PATH_PREFIX=INSTANCE"))
    var dbInstance: [String] = []

    @Option(
        name: .customLong("api-name"),
        help: ArgumentHelp("Name an API for segment names: ID=NAME. Repeatable.", valueName: "ID=NAME"))
    var apiName: [String] = []

    @Option(
        name: .customLong("db-function"),
        help: ArgumentHelp(
            "A function that queries a DB instance, for time-based attribution of uncommented statements: INSTANCE=FUNCTION. Repeatable.",
            valueName: "INSTANCE=FUNCTION"))
    var dbFunction: [String] = []

    @Option(
        name: .customLong("max-line-bytes"),
        help: "Longest line or CloudWatch event accepted; longer ones are rejected.")
    var maxLineBytes: Int = 2 * 1024 * 1024

    @Option(
        name: .customLong("tmp-dir"),
        help:
            "Where to park parsed records by time while correlating (default: the system temporary directory); removed at exit."
    )
    var tmpDir: String?

    @Flag(name: .long, help: "Write segments.ndjson.gz and the reports as .csv.gz (gzip via zlib).")
    var compress = false

    @Flag(
        name: .long,
        help:
            "Also write traces.otlp.jsonl: the traces as OTLP/JSON, one TracesData per line, for Jaeger, Tempo and the OpenTelemetry Collector."
    )
    var otlp = false

    @Option(
        name: .customLong("region"),
        help: ArgumentHelp(
            "The AWS region of the APIs and functions, where the logs do not say (an API's custom domain wins): for ARNs and execute-api hosts, which are left out when it is unknown.",
            valueName: "REGION"))
    var region: String?

    @Option(
        name: .customLong("account"),
        help: ArgumentHelp(
            "The AWS account id, where the logs do not say ($context.accountId wins): for account ids and function ARNs, left out when it is unknown.",
            valueName: "ACCOUNT"))
    var account: String?

    @Option(
        name: .customLong("now"),
        help: ArgumentHelp(
            "The moment trace ages are measured from, for summary.json's count of traces X-Ray would refuse as older than 30 days (default: now). Epoch seconds or ISO-8601.",
            valueName: "TIME"))
    var now: String?

    @Option(name: .long, help: "Files read in parallel.")
    var jobs: Int = ProcessInfo.processInfo.activeProcessorCount

    @Argument(
        help: ArgumentHelp(
            "Log files, directories (searched recursively, hidden files skipped) or - for standard input.",
            valueName: "INPUT"))
    var inputs: [String]

    func validate() throws {
        // Checked before anything is made: each worker's read buffer starts at this size.
        guard maxLineBytes >= 1024 * 1024 else {
            throw ValidationError("--max-line-bytes must be at least 1048576 (CloudWatch events go up to 1 MB)")
        }
        guard maxLineBytes <= Self.maxLineBytesLimit else {
            throw ValidationError(
                "--max-line-bytes must be at most \(Self.maxLineBytesLimit) (1 GiB); a longer line is rejected, not read"
            )
        }
        guard jobs >= 1 else { throw ValidationError("--jobs must be at least 1") }
        guard jobs <= 1024 else { throw ValidationError("--jobs must be at most 1024") }
        for p in apiName { _ = try Self.pair(p, flag: "--api-name", shape: "ID=NAME") }
        for p in dbFunction { _ = try Self.pair(p, flag: "--db-function", shape: "INSTANCE=FUNCTION") }
        do { _ = try DBInstanceMap(dbInstance) } catch { throw ValidationError("\(error)") }
        _ = try ageLimit(now)
        if let region, region.range(of: "^[a-z]{2}(-[a-z]+)+-[0-9]+$", options: .regularExpression) == nil {
            throw ValidationError("--region '\(region)' is not a region name such as us-east-1")
        }
        if let account, account.range(of: "^[0-9]{12}$", options: .regularExpression) == nil {
            throw ValidationError("--account '\(account)' is not a 12-digit account id")
        }
    }

    func run() throws {
        // Signals clean up (async-signal-safely) from the start, before any worker thread exists.
        TemporaryFiles.installHandlers()
        var options = ConvertOptions()
        options.inputs = inputs
        options.outputDirectory = output
        options.jobs = jobs
        options.compress = compress
        options.otlp = otlp
        options.temporaryDirectory = tmpDir
        options.limits.maxLineBytes = maxLineBytes
        options.progress = isatty(2) != 0
        options.parse.postgresPrefix = pgPrefix
        options.correlate.ageLimit = try ageLimit(now)
        options.correlate.region = region
        options.correlate.account = account
        do {
            if let pgTimezone { options.parse.postgresTimeZone = try PostgresTimeZone(declared: pgTimezone) }
            options.parse.dbInstances = try DBInstanceMap(dbInstance)
            _ = try PostgresLogParser(prefix: pgPrefix)
            options.parse.apiGatewayTemplates = try apigwFormat.map { arg in
                if arg.hasPrefix("@") {
                    let path = String(arg.dropFirst())
                    guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                        throw ValidationError("cannot read template file '\(path)'")
                    }
                    return try ApiGatewayTemplate(text)
                }
                return try ApiGatewayTemplate(arg)
            }
        } catch let e as ValidationError { throw e } catch { throw ValidationError("\(error)") }
        for p in apiName {
            let (id, name) = try Self.pair(p, flag: "--api-name", shape: "ID=NAME")
            options.correlate.apiNames[id] = name
        }
        for p in dbFunction {
            let (instance, function) = try Self.pair(p, flag: "--db-function", shape: "INSTANCE=FUNCTION")
            options.correlate.dbFunctions[instance, default: []].insert(function)
        }
        let result: ConvertJob.Result
        do {
            result = try ConvertJob.run(options)
        } catch let missing as InputDiscovery.MissingInput {
            throw ValidationError(missing.description)
        } catch {
            FileHandle.standardError.write("logstitch: error: \(error)\n".data(using: .utf8)!)
            throw ExitCode(ExitStatus.fatal.rawValue)
        }
        FileHandle.standardError.write((result.summaryLine + "\n").data(using: .utf8)!)
        if result.status != .success { throw ExitCode(result.status.rawValue) }
    }
}

/// `--now` as both commands take it: epoch seconds or ISO-8601; absent, now.
func ageLimit(_ now: String?) throws -> XRayAgeLimit {
    guard let now else { return XRayAgeLimit() }
    guard let t = XRayAgeLimit.parseNow(now) else {
        throw ValidationError("--now '\(now)' is neither epoch seconds nor an ISO-8601 time")
    }
    return XRayAgeLimit(now: t)
}

extension Convert {
    static let maxLineBytesLimit = 1 << 30

    /// `KEY=VALUE`, both sides non-empty; a usage error otherwise.
    static func pair(_ arg: String, flag: String, shape: String) throws -> (String, String) {
        let kv = arg.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
        guard kv.count == 2, !kv[0].isEmpty, !kv[1].isEmpty else {
            throw ValidationError("\(flag) '\(arg)' is not \(shape)")
        }
        return (String(kv[0]), String(kv[1]))
    }
}

struct Validate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check X-Ray segment documents (one JSON object per line) against the schema's and X-Ray's rules.",
        discussion:
            "Exit status: 0 all documents valid; 3 some documents invalid, a trace with more than one root, or a document outside its parent's time; 2 usage error; 1 unreadable file."
    )

    @Argument(help: ArgumentHelp("NDJSON files of segment documents (gzip-compressed or not).", valueName: "FILE"))
    var files: [String]

    @Option(
        name: .customLong("now"),
        help: ArgumentHelp(
            "The moment trace ages are measured from (default: now): documents whose trace id X-Ray would refuse as older than 30 days or more than 5 minutes ahead are counted. Epoch seconds or ISO-8601.",
            valueName: "TIME"))
    var now: String?

    func validate() throws {
        _ = try ageLimit(now)
    }

    func run() throws {
        var invalid = 0, total = 0, badTraces = 0, outside = 0, tooOld = 0, ahead = 0
        let age = try ageLimit(now)
        for path in files {
            let report: SegmentValidator.Report
            do { report = try SegmentValidator.validate(path: path, age: age) } catch {
                FileHandle.standardError.write(
                    "logstitch: error: cannot read \(path): \((error as? InputError)?.reason ?? "\(error)")\n".data(
                        using: .utf8)!)
                throw ExitCode(ExitStatus.fatal.rawValue)
            }
            total += report.documents
            for problem in report.problems {
                print("\(path):\(problem.line): \(problem.message)")
            }
            if report.problemsNotListed > 0 {
                print(
                    "\(path): … and \(report.problemsNotListed) more problems, not listed (the first \(SegmentValidator.problemLimit) by line are)"
                )
            }
            invalid += report.invalidDocuments
            badTraces += report.invalidTraces
            outside += report.outsideParent
            tooOld += report.tooOldForXRay
            ahead += report.aheadOfXRay
        }
        print(
            "\(total) documents, \(invalid) invalid, \(badTraces) traces with more than one root, \(outside) outside their parent's time"
        )
        if tooOld > 0 || ahead > 0 {
            // Valid documents all the same: the exit status does not change.
            print(
                "X-Ray would refuse \(tooOld + ahead) of them by age: \(tooOld) with trace ids older than 30 days, \(ahead) more than 5 minutes ahead, of \(Timestamp.formatISO8601Millis(age.now)) (see README, X-Ray's age limits)"
            )
        }
        if invalid > 0 || badTraces > 0 || outside > 0 { throw ExitCode(ExitStatus.partial.rawValue) }
    }
}

struct Show: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print one trace from a convert output as a waterfall in the terminal.",
        discussion: """
            ID is an X-Ray trace id (1-5f84c7a1-…), the same id in OTLP's 32-hex-digit form, an API Gateway request id \
            or a Lambda request id. The trace is found by scanning DIR's segments.ndjson (or .gz).
            Exit status: 0 the trace was printed; 1 the id is not in DIR (or DIR holds no segments); 2 usage error.
            """
    )

    @Argument(help: ArgumentHelp("Trace id or request id.", valueName: "ID"))
    var id: String

    @Option(
        name: [.short, .long], help: ArgumentHelp("The output directory of `logstitch convert`.", valueName: "DIR"))
    var output: String = "./logstitch-out"

    @Option(name: .long, help: "Columns to draw in (default: the terminal's width, else $COLUMNS, else 120).")
    var width: Int?

    func validate() throws {
        guard TraceFinder.query(id) != nil else { throw ValidationError("'\(id)' is not a trace id or request id") }
        if let width, width < 60 { throw ValidationError("--width must be at least 60") }
    }

    func run() throws {
        let documents: [[TraceEntity]]
        do {
            documents = try TraceFinder.find(id, in: output)
        } catch let missing as TraceFinder.NotFound {
            FileHandle.standardError.write("logstitch: \(missing.description)\n".data(using: .utf8)!)
            throw ExitCode(ExitStatus.fatal.rawValue)
        } catch {
            let reason = (error as? InputError)?.reason ?? "\(error)"
            FileHandle.standardError.write("logstitch: error: cannot read \(output): \(reason)\n".data(using: .utf8)!)
            throw ExitCode(ExitStatus.fatal.rawValue)
        }
        let text = TextWaterfall(TraceWaterfall(documents: documents), width: width ?? Self.terminalWidth()).render()
        print(text, terminator: "")
    }

    static func terminalWidth() -> Int {
        var size = winsize()
        if ioctl(1, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return Int(size.ws_col) }
        if let c = ProcessInfo.processInfo.environment["COLUMNS"].flatMap(Int.init), c > 0 { return c }
        return 120
    }
}

// Memory freed by one block of correlation is reused by the next instead of
// being handed back to the kernel and faulted in again (fresh pages are slow
// to get on virtual machines; PERFORMANCE.md, "freed memory"). Peak memory
// is unchanged: freed memory is only kept, not added.
logstitch_keep_freed_memory()

// Usage errors exit 2 (ArgumentParser's default is 64), which cron wrappers expect.
do {
    var command = try Logstitch.parseAsRoot()
    try command.run()
} catch let code as ExitCode {
    exit(code.rawValue)
} catch {
    let code = Logstitch.exitCode(for: error)
    if code == .success {
        print(Logstitch.fullMessage(for: error))
        exit(0)
    }
    FileHandle.standardError.write((Logstitch.fullMessage(for: error) + "\n").data(using: .utf8)!)
    exit(code == .validationFailure ? ExitStatus.usage.rawValue : code.rawValue)
}
