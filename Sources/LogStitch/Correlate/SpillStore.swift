import Foundation

/// Parks parsed records in temporary files, so that correlation can read
/// back one window of time at a time, and the sender pass can read the
/// statements alone. Each worker appends to one file of its own; an index of
/// extents says where the pieces of each (time bucket, kind of record) lie.
/// (A file per bucket and kind meant thousands of files a day, and creating
/// them cost more than writing them: directory locks and inode searches.) Records
/// of one request arrive in separate files hours apart and CloudWatch sorts
/// nothing; bucketing by the records' own times makes lateness irrelevant.
///
/// Buckets are 2 minutes of event time; correlation reads them back in
/// blocks (see `WindowedCorrelation`).
public final class SpillStore: @unchecked Sendable {
    public static let bucketMicros: Int64 = 2 * 60 * 1_000_000
    public let directory: String
    let lock = NSLock()
    var bucketSet: Set<Int64> = []
    /// Records parked per bucket (whatever the workers: the same input
    /// gives the same counts), for cutting dense stretches into smaller blocks.
    var recordCounts: [Int64: Int] = [:]
    var workers = 0
    /// Each worker's spill file, open for appending, and how long it is.
    var files: [(fd: Int32, length: Int64)] = []
    struct ExtentKey: Hashable {
        var bucket: Int64
        var kind: SpillTag
        var worker: Int
    }
    /// Where the pieces of each (bucket, kind, worker) lie in that worker's file, in order.
    var extents: [ExtentKey: [(offset: Int64, count: Int)]] = [:]
    /// Set if reading the spill back failed (the disk under --tmp-dir): the
    /// run then fails rather than lose records quietly.
    public private(set) var readFailure: Failure?
    public private(set) var bytesWritten: Int64 = 0
    /// The longest span any record declares (request latency, invocation
    /// duration with its init, statement duration), capped at `maxSpanMicros`:
    /// how far apart partners can be, which sets correlation's margins.
    public private(set) var longestSpanMicros: Int64 = 0
    /// Lambda's 15-minute limit plus init and slack: no record's partners
    /// are further apart than this, whatever a garbled record claims.
    public static let maxSpanMicros: Int64 = 20 * 60 * 1_000_000

    public struct Failure: Error, CustomStringConvertible { public var description: String }

    /// Creates a private directory under `parent` (the system temp dir by default).
    public init(parent: String?) throws {
        let base = parent ?? NSTemporaryDirectory()
        let dir =
            (base.hasSuffix("/") ? base : base + "/") + "logstitch-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try TemporaryFiles.creating(dir) {
            do { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) } catch {
                throw Failure(
                    description:
                        "cannot create temporary directory under '\(base)' (--tmp-dir): \(error.localizedDescription)")
            }
        }
        directory = dir
        // Held while the run lives (the kernel drops it when the process
        // dies, SIGKILL included): a later run tells a live run's spill
        // from a dead one's by it.
        lockFd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if lockFd >= 0 { _ = flock(lockFd, LOCK_EX | LOCK_NB) }
        Self.sweep(base, except: dir)
    }

    let lockFd: Int32

    /// Removes the spill directories dead runs left under `base` (killed
    /// with SIGKILL, or by a crash): those whose lock nobody holds.
    static func sweep(_ base: String, except mine: String) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: base) else { return }
        for name in names where name.hasPrefix("logstitch-") {
            let path = (base.hasSuffix("/") ? base : base + "/") + name
            guard path != mine else { continue }
            let parts = name.split(separator: "-")
            guard parts.count == 3, parts[1].allSatisfy(\.isNumber), parts[2].allSatisfy(\.isNumber) else { continue }
            let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
            guard fd >= 0 else { continue }
            defer { close(fd) }
            guard flock(fd, LOCK_EX | LOCK_NB) == 0 else { continue }  // a live run's
            try? FileManager.default.removeItem(atPath: path)
        }
    }

    /// Removes the spill files.
    public func remove() {
        lock.lock()
        for f in files where f.fd >= 0 { close(f.fd) }
        files.removeAll()
        lock.unlock()
        try? FileManager.default.removeItem(atPath: directory)
        TemporaryFiles.unregister(directory)
        if lockFd >= 0 { close(lockFd) }
    }

    public static func bucket(_ t: EpochMicros) -> Int64 {
        t >= 0 ? t / bucketMicros : (t - bucketMicros + 1) / bucketMicros
    }

    public var buckets: [Int64] {
        lock.lock()
        defer { lock.unlock() }
        return bucketSet.sorted()
    }
    /// Records parked in each bucket.
    public var records: [Int64: Int] {
        lock.lock()
        defer { lock.unlock() }
        return recordCounts
    }

    func path(worker: Int) -> String { "\(directory)/w\(worker).spill" }

    func newWorker() -> Int {
        lock.lock()
        defer { lock.unlock() }
        workers += 1
        files.append((-1, 0))
        return workers - 1
    }

    func noteSpan(_ us: Int64) {
        lock.lock()
        longestSpanMicros = max(longestSpanMicros, min(us, Self.maxSpanMicros))
        lock.unlock()
    }

    /// Appends one piece to the worker's file (only that worker writes it).
    func append(bucket: Int64, worker: Int, kind: SpillTag, records: Int = 0, _ bytes: ByteSink) throws {
        lock.lock()
        var file = files[worker]
        lock.unlock()
        if file.fd < 0 {
            let p = path(worker: worker)
            file.fd = open(p, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
            guard file.fd >= 0 else {
                throw Failure(description: "cannot write spill file \(p): \(String(cString: strerror(errno)))")
            }
        }
        if let why = writeAll(file.fd, UnsafeRawBufferPointer(start: bytes.base, count: bytes.count)) {
            throw Failure(description: "cannot write spill file \(path(worker: worker)) (--tmp-dir): \(why)")
        }
        let offset = file.length
        file.length += Int64(bytes.count)
        lock.lock()
        files[worker] = file
        extents[ExtentKey(bucket: bucket, kind: kind, worker: worker), default: []].append((offset, bytes.count))
        bucketSet.insert(bucket)
        bytesWritten += Int64(bytes.count)
        recordCounts[bucket, default: 0] += records
        lock.unlock()
    }

    /// Everything parked in one bucket, from every worker. A request met
    /// again (same start and request id: the same access log given twice,
    /// or a line repeated a million times) keeps one copy, the earliest by
    /// (file, line) as the correlator's order would: copies never pile up
    /// in memory, however dense the bucket.
    public func read(bucket: Int64) -> ParsedFile {
        var out = ParsedFile()
        var firstRequest: [RequestKey: Int] = [:]
        SpillReader.forEachRecord(in: spilled(bucket: bucket)) { r, tag in
            switch tag {
            case .request:
                let req = ApiGatewayRequest(&r)
                let key = RequestKey(start: req.start ?? 0, id: req.requestId)
                if let i = firstRequest[key] {
                    if (req.file, req.line) < (out.requests[i].file, out.requests[i].line) { out.requests[i] = req }
                } else {
                    firstRequest[key] = out.requests.count
                    out.requests.append(req)
                }
            case .lambdaEvent: out.lambdaEvents.append(LambdaEvent(&r))
            case .query: out.queries.append(SlowQuery(&r))
            }
        }
        return out
    }

    struct RequestKey: Hashable {
        var start: EpochMicros
        var id: RequestId
    }

    /// The spilled bytes of one bucket: per kind, each worker's pieces joined
    /// in the order they were written (a reader takes them as one stream).
    func spilled(bucket: Int64, kinds: [SpillTag] = SpillTag.allCases) -> [Data] {
        lock.lock()
        let fds = files.map(\.fd)
        let wanted = kinds.flatMap { kind in (0..<workers).map { ExtentKey(bucket: bucket, kind: kind, worker: $0) } }
        let pieces = wanted.compactMap { key in extents[key].map { (key.worker, $0) } }
        lock.unlock()
        return pieces.map { worker, list in
            var data = Data(count: list.reduce(0) { $0 + $1.count })
            data.withUnsafeMutableBytes { buf in
                var at = 0
                for e in list {
                    // pread: workers read the same file at once, each at its own offsets.
                    var done = 0
                    while done < e.count {
                        let n = pread(
                            fds[worker], buf.baseAddress! + at + done, e.count - done, off_t(e.offset) + off_t(done))
                        if n < 0 && errno == EINTR { continue }
                        if n <= 0 {
                            let why = n < 0 ? String(cString: strerror(errno)) : "file shorter than written"
                            lock.lock()
                            readFailure =
                                readFailure
                                ?? Failure(
                                    description: "cannot read spill file \(path(worker: worker)) (--tmp-dir): \(why)")
                            lock.unlock()
                            break
                        }
                        done += n
                    }
                    at += e.count
                }
            }
            return data
        }
    }

    /// One worker's buffers, appended to its spill file as they fill.
    public struct Writer {
        let store: SpillStore
        let worker: Int
        /// Few buckets are open at once (a file covers a stretch of time), so a
        /// short list beats a dictionary, and appends happen in place.
        var buffers: [(bucket: Int64, kind: SpillTag, writer: SpillWriter, records: Int)] = []
        var buffered = 0
        static let flushAt = 4 << 20

        init(store: SpillStore) {
            self.store = store
            worker = store.newWorker()
        }

        var longestSpan: Int64 = 0

        mutating func add(_ output: ParsedFile) throws {
            // The records are read through unretained references: `output`
            // holds them for the call, and retaining and releasing each one
            // (as `for r in` does) is two atomic writes to it per record.
            for i in output.requests.indices {
                unowned(unsafe) let r = output.requests[i]
                put(Self.time(r.start), .request) { r.encode(&$0) }
                Self.span(&longestSpan, max(r.responseLatencyMs ?? 0, r.integrationLatencyMs ?? 0), scale: 1000)
            }
            for i in output.lambdaEvents.indices {
                unowned(unsafe) let e = output.lambdaEvents[i]
                put(e)
            }
            for i in output.queries.indices {
                unowned(unsafe) let q = output.queries[i]
                put(q.end, .query) { q.encode(&$0) }
                Self.span(&longestSpan, q.durationUs)
            }
            if buffered > Self.flushAt { try flush() }
        }

        /// One API Gateway request, as the parser reads it (see
        /// `ApiGatewayLogParser.RequestFields`).
        mutating func add(_ r: borrowing ApiGatewayLogParser.RequestFields, file: Int, line: Int) throws {
            put(Self.time(r.start), .request) { r.encode(&$0, file: file, line: line) }
            Self.span(&longestSpan, max(r.responseLatencyMs ?? 0, r.integrationLatencyMs ?? 0), scale: 1000)
            if buffered > Self.flushAt { try flush() }
        }

        /// One Lambda event, as the parser finishes it.
        mutating func add(_ e: LambdaEvent) throws {
            put(e)
            if buffered > Self.flushAt { try flush() }
        }

        @inline(__always) mutating func put(_ e: LambdaEvent) {
            put(Self.time(e.time), .lambdaEvent) { e.encode(&$0) }
            Self.span(&longestSpan, e.durationUs ?? 0, plus: e.restoreDurationUs ?? e.initDurationUs ?? 0)
        }

        /// Keeps the longest span, saturating (log values can be absurd).
        @inline(__always) static func span(_ longest: inout Int64, _ v: Int64, scale: Int64 = 1, plus: Int64 = 0) {
            let (scaled, o1) = v.multipliedReportingOverflow(by: scale)
            let (total, o2) = scaled.addingReportingOverflow(plus)
            longest = max(longest, o1 || o2 ? .max : total)
        }

        /// Records without a time all go to the epoch's bucket, together.
        static func time(_ t: EpochMicros?) -> EpochMicros { t ?? 0 }

        /// The buffer each kind of record went to last, by tag: a file's
        /// records mostly come in time order, so the next one usually goes
        /// there too.
        var lastBuffer = [Int](repeating: -1, count: Int(SpillTag.allCases.map(\.rawValue).max()!) + 1)

        mutating func put(_ t: EpochMicros, _ tag: SpillTag, _ body: (inout SpillWriter) -> Void) {
            let b = SpillStore.bucket(t)
            let last = lastBuffer[Int(tag.rawValue)]
            var i =
                last >= 0 && buffers[last].bucket == b
                ? last : (buffers.firstIndex { $0.bucket == b && $0.kind == tag } ?? -1)
            if i < 0 {
                buffers.append((b, tag, SpillWriter(), 0))
                i = buffers.count - 1
            }
            buffers[i].records += 1
            lastBuffer[Int(tag.rawValue)] = i
            let before = buffers[i].writer.count
            buffers[i].writer.tag(tag)
            body(&buffers[i].writer)
            buffered += buffers[i].writer.count - before
        }

        public mutating func flush() throws {
            for (b, kind, w, n) in buffers where w.count > 0 {
                try store.append(bucket: b, worker: worker, kind: kind, records: n, w.out)
            }
            buffers.removeAll(keepingCapacity: true)
            for k in lastBuffer.indices { lastBuffer[k] = -1 }
            buffered = 0
            store.noteSpan(longestSpan)
        }
    }
}

/// Temporary directories to remove if the run is interrupted.
///
/// SIGINT, SIGTERM and SIGHUP are handled in two halves. The handler, which
/// may interrupt any thread anywhere (inside malloc, holding a lock), does
/// only what is async-signal-safe: it writes the signal's number to a pipe.
/// A thread of its own waits on that pipe and does the cleaning with
/// ordinary code (the interrupted thread goes on and releases what it
/// holds), then dies of the signal. The handler that cleaned up itself
/// hung 3 runs in 25 when it called malloc under an interrupted malloc.
public enum TemporaryFiles {
    nonisolated(unsafe) static var paths: Set<String> = []
    static let lock = NSLock()
    /// Set once a signal came: later temporary files are removed at once.
    nonisolated(unsafe) static var interrupted = false

    /// Makes a temporary file or directory with `make` and registers it,
    /// under the lock the watcher takes to remove them all: a signal between
    /// the two would leave one nobody removes. After a signal nothing new
    /// is made.
    static func creating(_ p: String, _ make: () throws -> Void) throws {
        installHandlers()
        lock.lock()
        defer { lock.unlock() }
        guard !interrupted else { throw SpillStore.Failure(description: "interrupted") }
        try make()
        paths.insert(p)
    }
    static func unregister(_ p: String) {
        lock.lock()
        paths.remove(p)
        lock.unlock()
    }

    nonisolated(unsafe) static var installed = false
    /// The pipe's write end, for the handler (read once it is set).
    nonisolated(unsafe) static var signalPipe: Int32 = -1

    /// Called first thing by the command line (on the main thread, before
    /// any worker exists), and by every spill: a parent may have started
    /// us with these signals blocked (Foundation's Process does), and the
    /// threads made after this inherit the unblocked mask.
    public static func installHandlers() {
        lock.lock()
        defer { lock.unlock() }
        guard !installed else { return }
        installed = true
        var set = sigset_t()
        sigemptyset(&set)
        for sig in [SIGINT, SIGTERM, SIGHUP] { sigaddset(&set, sig) }
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { return }
        for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        signalPipe = fds[1]
        let readEnd = fds[0]
        let watcher = Thread { waitForSignal(readEnd) }
        watcher.name = "logstitch-signals"
        watcher.start()
        for sig in [SIGINT, SIGTERM, SIGHUP] {
            signal(sig) { s in
                var b = UInt8(truncatingIfNeeded: s)
                _ = write(TemporaryFiles.signalPipe, &b, 1)
            }
        }
    }

    /// The watcher: cleans up after the first signal, then dies of it.
    static func waitForSignal(_ fd: Int32) {
        var b: UInt8 = 0
        while read(fd, &b, 1) != 1 { if errno != EINTR { return } }
        let s = Int32(b)
        // Under the lock, so that nothing is being made while they go.
        lock.lock()
        interrupted = true
        OutputDirectory.discardAllStaged()
        for p in paths { try? FileManager.default.removeItem(atPath: p) }
        lock.unlock()
        signal(s, SIG_DFL)
        kill(getpid(), s)
    }
}
