import Foundation

/// A compact binary encoding for parsed records, so a run can park them in
/// temporary files by time and read back one window at a time: memory then
/// follows the busiest window, not the size of the input.
public struct SpillWriter {
    /// The encoded records (see `ByteSink` for why not an array).
    let out = ByteSink()
    /// The encoded records, copied.
    public var bytes: [UInt8] { out.array }
    var count: Int { out.count }
    /// The last value written in each slot (see `repeated`).
    var previous = [String?](repeating: nil, count: SpillSlot.allCases.count)

    @inline(__always) mutating func int(_ v: Int64) {
        out.write(reserving: 10) { c in Self.varint(&c, v) }
    }

    /// Zig-zag varint: small magnitudes take one or two bytes (at most ten).
    @inline(__always) static func varint(_ c: inout ByteSink.Cursor, _ v: Int64) {
        var u = UInt64(bitPattern: (v << 1) ^ (v >> 63))
        while u >= 0x80 {
            c.byte(UInt8(truncatingIfNeeded: u) | 0x80)
            u >>= 7
        }
        c.byte(UInt8(truncatingIfNeeded: u))
    }
    @inline(__always) mutating func int(_ v: Int) { int(Int64(v)) }
    @inline(__always) mutating func int(_ v: Int64?) {
        // The presence byte and the value under one capacity check.
        out.write(reserving: 11) { c in
            if let v {
                c.byte(1)
                Self.varint(&c, v)
            } else {
                c.byte(0)
            }
        }
    }
    @inline(__always) mutating func int(_ v: Int?) { int(v.map(Int64.init)) }
    @inline(__always) mutating func bool(_ v: Bool?) { out.append(v == nil ? 0 : (v! ? 2 : 1)) }
    @inline(__always) mutating func tag(_ t: SpillTag) { out.append(t.rawValue) }
    @inline(__always) mutating func string(_ s: String) {
        s.withUTF8Bytes { b in
            int(b.count)
            out.append(b)
        }
    }
    @inline(__always) mutating func string(_ s: String?) {
        if let s {
            out.append(1)
            string(s)
        } else {
            out.append(0)
        }
    }
    /// A value that mostly repeats from one record to the next (a log
    /// group, a stage, a DB instance): 0 nil, 1 "as the last value written
    /// in this slot", or 2 and the string. Lambda events of one stream then
    /// take a byte instead of ~90 for group, stream and function, and the
    /// reader hands out one shared String instead of a copy per record.
    @inline(__always) mutating func repeated(_ s: String?, _ slot: SpillSlot) {
        guard let s else {
            out.append(0)
            return
        }
        if previous[slot.rawValue] == s {
            out.append(1)
            return
        }
        previous[slot.rawValue] = s
        out.append(2)
        string(s)
    }

    /// A string given as bytes, written as `string(_: String?)` writes the
    /// String they make: ASCII as it is, anything else through a String,
    /// so that invalid UTF-8 is repaired the same way.
    @inline(__always) mutating func string(utf8 v: ByteView?) {
        guard let v else {
            out.append(0)
            return
        }
        out.append(1)
        Self.withStringBytes(v) { b in
            int(b.count)
            out.append(UnsafeBufferPointer(start: b.baseAddress?.assumingMemoryBound(to: UInt8.self), count: b.count))
        }
    }

    /// A `repeated` value given as bytes: "as the last" when they are the
    /// last value's bytes or make an equal String (as `repeated` compares).
    @inline(__always) mutating func repeated(utf8 v: ByteView?, _ slot: SpillSlot) {
        guard let v else {
            out.append(0)
            return
        }
        if let last = previous[slot.rawValue], last.utf8.count == v.count,
            last.utf8.withContiguousStorageIfAvailable({
                v.count == 0 || memcmp($0.baseAddress!, v.baseAddress!, v.count) == 0
            }) == true
        {
            out.append(1)
            return
        }
        repeated(String(decoding: v, as: UTF8.self), slot)
    }

    @inline(__always) static func withStringBytes(_ v: ByteView, _ body: (ByteView) -> Void) {
        if !WordScan.containsAny(
            UnsafeBufferPointer(start: v.baseAddress?.assumingMemoryBound(to: UInt8.self), count: v.count),
            word: { $0 & 0x8080_8080_8080_8080 != 0 }, byte: { $0 >= 0x80 })
        {
            body(v)
            return
        }
        var s = String(decoding: v, as: UTF8.self)
        s.withUTF8 { body(UnsafeRawBufferPointer($0)) }
    }

    /// A Lambda event's group and stream, as two `repeated` values. Events
    /// of one source in a row write "as the last" twice without comparing
    /// strings: the same object names the same strings, and the slots hold
    /// them since it was last written (only sources write these slots).
    @inline(__always) mutating func source(_ s: LogSource?) {
        // Told by identity, without binding (and retaining) either object.
        if let id = lastSourceId, s.map(ObjectIdentifier.init) == id {
            let owner: UInt8 = s?.owner == nil ? 0 : 1
            out.write(reserving: 3) { c in
                c.byte(1)
                c.byte(1)
                c.byte(owner)
            }
            return
        }
        repeated(s?.logGroup, .logGroup)
        repeated(s?.logStream, .logStream)
        repeated(s?.owner, .owner)
        // (Its owner, if any, is in its slot too: only sources write it.)
        lastSource = s?.logGroup != nil && s?.logStream != nil ? s : nil
        lastSourceId = lastSource.map(ObjectIdentifier.init)
    }
    /// The source last written whole (both its strings now in the slots),
    /// held so that its identity cannot pass to another object.
    var lastSource: LogSource?
    var lastSourceId: ObjectIdentifier?

    /// A statement's class: 1 and the number of a class written before in
    /// this piece, or 2, a new number, the fingerprint, its id and
    /// pt-query-digest's id where it differs. A busy
    /// slow log's statements fall into a few hundred classes, so each takes
    /// two bytes instead of ~120, and the reader shares one pair of Strings
    /// per class. Numbers are given, not implied, because the reader reads
    /// a worker's pieces as one stream and cannot see where one begins.
    @inline(__always) mutating func queryClass(_ fingerprint: String, _ id: String, _ ptChecksum: String? = nil) {
        // By pt-query-digest's id where it differs (it names the statement's
        // class and its own), else by ours.
        if let n = ptChecksum.map({ classNumbersByPt[$0] }) ?? classNumbers[id], classes[n] == fingerprint {
            out.append(1)
            int(n)
            return
        }
        let n = classes.count
        classes.append(fingerprint)
        if let pt = ptChecksum { classNumbersByPt[pt] = n } else { classNumbers[id] = n }
        out.append(2)
        int(n)
        string(fingerprint)
        string(id)
        string(ptChecksum)
    }
    /// This piece's classes by number, and their numbers by id (and
    /// pt-query-digest's id).
    var classes: [String] = []
    var classNumbers: [String: Int] = [:]
    var classNumbersByPt: [String: Int] = [:]

    /// A request id: 0 none, 1 and its text, or 2 and the 16 bytes of a UUID.
    @inline(__always) mutating func requestId(_ id: RequestId?) {
        guard let id else {
            out.append(0)
            return
        }
        if let text = id.other {
            out.append(1)
            string(text)
            return
        }
        out.append(2)
        withUnsafeBytes(of: id.high.littleEndian) { out.append($0) }
        withUnsafeBytes(of: id.low.littleEndian) { out.append($0) }
    }

    /// A trace id as its 16 bytes of numbers.
    @inline(__always) mutating func trace(_ t: TraceId?) {
        guard let t else {
            out.append(0)
            return
        }
        out.append(1)
        withUnsafeBytes(of: t.epoch.littleEndian) { out.append($0) }
        withUnsafeBytes(of: t.high.littleEndian) { out.append($0) }
        withUnsafeBytes(of: t.low.littleEndian) { out.append($0) }
    }
}

public struct SpillReader {
    let bytes: UnsafeRawBufferPointer
    var position = 0
    /// The last value read in each slot, as a String and where its bytes lie.
    var previous = [String?](repeating: nil, count: SpillSlot.allCases.count)
    var previousRaw = [UnsafeRawBufferPointer?](repeating: nil, count: SpillSlot.allCases.count)

    /// A `SpillWriter.repeated` value.
    @inline(__always) mutating func repeated(_ slot: SpillSlot) -> String? {
        switch byte() {
        case 0: return nil
        case 1: return previous[slot.rawValue]
        default:
            let s = string()
            previous[slot.rawValue] = s
            return s
        }
    }

    /// A `SpillWriter.source` value. Events of one source in a row share
    /// one object, as they did when they were parsed.
    @inline(__always) mutating func source() -> LogSource? {
        if let last = lastSource, at(position) == 1, at(position + 1) == 1,
            at(position + 2) == (last.owner == nil ? 0 : 1)
        {
            position += 3
            return last
        }
        let groupFlag = at(position)
        let group = repeated(.logGroup)
        let streamFlag = at(position)
        let stream = repeated(.logStream)
        let ownerFlag = at(position)
        let owner = repeated(.owner)
        if group == nil && stream == nil && owner == nil { return nil }
        let s = LogSource(logGroup: group, logStream: stream, owner: owner)
        // Shared only while the slots hold exactly its strings.
        lastSource = groupFlag != 0 && streamFlag != 0 && (ownerFlag != 0) == (owner != nil) ? s : nil
        return s
    }
    var lastSource: LogSource?

    /// A `SpillWriter.repeated` value's bytes (for passes that make no Strings).
    @inline(__always) mutating func repeatedRaw(_ slot: SpillSlot) -> UnsafeRawBufferPointer? {
        switch byte() {
        case 0: return nil
        case 1: return previousRaw[slot.rawValue]
        default:
            let raw = rawString()
            previousRaw[slot.rawValue] = raw
            return raw
        }
    }

    /// Skips a repeated value (in a pass that reads no value of its slot).
    @inline(__always) mutating func skipRepeated() { if byte() == 2 { skipString() } }

    public init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }
    /// `data`: what `bytes` are the contents of, for values that keep
    /// their bytes in place (see `statementText`).
    init(_ bytes: UnsafeRawBufferPointer, data: Data?) {
        self.bytes = bytes
        self.data = data
    }
    /// The buffer `bytes` lie in, when the reader was given it.
    var data: Data?
    public var atEnd: Bool { position >= bytes.count }

    /// Calls `body` at each record of `files` (after its tag), in file order;
    /// a file ends early at a byte that is not a tag.
    static func forEachRecord(in files: [Data], _ body: (inout SpillReader, SpillTag) -> Void) {
        for data in files {
            data.withUnsafeBytes { raw in
                var r = SpillReader(raw, data: data)
                while !r.atEnd {
                    guard let tag = SpillTag(rawValue: r.byte()) else { return }
                    body(&r, tag)
                }
            }
        }
    }

    /// Checked in release builds too: a spill file cut short (a full disk
    /// the writer did not see) must stop the run, not read past the mapping.
    @inline(__always) func at(_ i: Int) -> UInt8 {
        precondition(i >= 0 && i < bytes.count, "spill record runs past the end of its file")
        return bytes[i]
    }
    @inline(__always) func need(_ n: Int) {
        precondition(position >= 0 && position + n <= bytes.count, "spill record runs past the end of its file")
    }
    @inline(__always) mutating func byte() -> UInt8 {
        defer { position += 1 }
        return at(position)
    }
    @inline(__always) mutating func int() -> Int64 {
        var u: UInt64 = 0, shift: UInt64 = 0
        while true {
            let b = byte()
            u |= UInt64(b & 0x7F) << shift
            if b < 0x80 { break }
            shift += 7
        }
        return Int64(bitPattern: u >> 1) ^ -Int64(bitPattern: u & 1)
    }
    @inline(__always) mutating func optionalInt() -> Int64? { byte() == 0 ? nil : int() }
    @inline(__always) mutating func bool() -> Bool? {
        let b = byte()
        return b == 0 ? nil : b == 2
    }
    /// A string's bytes where they lie (valid while the spill data is).
    @inline(__always) mutating func rawString() -> UnsafeRawBufferPointer {
        let n = Int(int())
        defer { position += n }
        return bytes.slice(position, position + n)
    }
    @inline(__always) mutating func string() -> String { String(decoding: rawString(), as: UTF8.self) }
    @inline(__always) mutating func optionalString() -> String? { byte() == 0 ? nil : string() }
    /// A statement's text: where it lies in `data` when the reader has it,
    /// else a String (see `SlowQuery.text`).
    mutating func statementText() -> StatementText {
        guard let data else { return .string(string()) }
        let n = Int(int())
        need(n)
        defer { position += n }
        return .spilled(data, position..<(position + n))
    }

    /// Fields with few distinct values (see `RecentStrings`).
    var recent = RecentStrings()
    mutating func commonString() -> String { recent.string(rawString()) }
    @inline(__always) mutating func optionalCommonString() -> String? { byte() == 0 ? nil : commonString() }

    /// A `SpillWriter.queryClass` value: the fingerprint and its id.
    mutating func queryClass() -> (String, String, String?) {
        let defined = byte() == 2
        let n = Int(int())
        if defined {
            let c = (string(), string(), optionalString())
            if n < classes.count {
                classes[n] = c
            } else {
                precondition(n == classes.count, "spill class number out of order")
                classes.append(c)
            }
            return c
        }
        precondition(n >= 0 && n < classes.count, "spill class number never defined")
        return classes[n]
    }
    /// The classes read so far, by number (a later piece redefines them).
    var classes: [(String, String, String?)] = []
    @inline(__always) mutating func skipQueryClass() {
        if byte() == 2 {
            skipInt()
            skipString()
            skipString()
            skipOptionalString()
        } else {
            skipInt()
        }
    }
    @inline(__always) mutating func optionalTrace() -> TraceId? {
        guard byte() != 0 else { return nil }
        need(16)
        defer { position += 16 }
        let e = bytes.loadUnaligned(fromByteOffset: position, as: UInt32.self)
        let h = bytes.loadUnaligned(fromByteOffset: position + 4, as: UInt32.self)
        let l = bytes.loadUnaligned(fromByteOffset: position + 8, as: UInt64.self)
        return TraceId(epoch: UInt32(littleEndian: e), high: UInt32(littleEndian: h), low: UInt64(littleEndian: l))
    }

    @inline(__always) mutating func requestId() -> RequestId? {
        switch byte() {
        case 0: return nil
        case 1: return RequestId(other: string())
        default:
            need(16)
            defer { position += 16 }
            return RequestId(
                high: UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: position, as: UInt64.self)),
                low: UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: position + 8, as: UInt64.self)))
        }
    }

    // Skipping without building values, for passes that need few fields.
    @inline(__always) mutating func skipInt() { while byte() >= 0x80 {} }
    @inline(__always) mutating func skipOptionalInt() { if byte() != 0 { skipInt() } }
    @inline(__always) mutating func skipString() {
        let n = Int(int())
        position += n
    }
    @inline(__always) mutating func skipOptionalString() { if byte() != 0 { skipString() } }
    @inline(__always) mutating func skipOptionalTrace() { if byte() != 0 { position += 16 } }
    @inline(__always) mutating func skipRequestId() {
        switch byte() {
        case 0: return
        case 1: skipString()
        default: position += 16
        }
    }
}

/// The fields encoded with `SpillWriter.repeated`.
enum SpillSlot: Int, CaseIterable {
    case logGroup, logStream, function, version, apiId, stage, domainName, protocolName, accountId
    case instance, database, user, clientHost, owner
}

/// The three kinds of parsed record a spill file holds, tagged.
enum SpillTag: UInt8, CaseIterable { case request = 1, lambdaEvent = 2, query = 3 }

extension ApiGatewayRequest {
    func encode(_ w: inout SpillWriter) {
        w.requestId(requestId)
        w.string(extendedRequestId)
        w.repeated(apiId, .apiId)
        w.repeated(stage, .stage)
        w.string(method)
        w.string(route)
        w.string(path)
        w.repeated(domainName, .domainName)
        w.repeated(protocolName, .protocolName)
        w.int(status)
        w.int(responseLength)
        w.int(start)
        w.int(startResolution)
        w.int(responseLatencyMs)
        w.int(integrationLatencyMs)
        w.requestId(integrationRequestId)
        w.trace(traceId)
        w.string(sourceIp)
        w.string(userAgent)
        w.string(errorMessage)
        w.repeated(accountId, .accountId)
        w.int(file)
        w.int(line)
        w.string(eventType)
        w.string(connectionId)
        w.string(errorResponseType)
    }

    convenience init(_ r: inout SpillReader) {
        // In the order `encode` wrote them; the strings go to `init`.
        let requestId = r.requestId() ?? "", extendedRequestId = r.optionalString()
        let apiId = r.repeated(.apiId), stage = r.repeated(.stage)
        let method = r.optionalString(), route = r.optionalCommonString(), path = r.optionalString()
        let domainName = r.repeated(.domainName), protocolName = r.repeated(.protocolName)
        let status = r.optionalInt().map(Int.init), responseLength = r.optionalInt()
        let start = r.optionalInt(), startResolution = r.int(), responseLatencyMs = r.optionalInt(),
            integrationLatencyMs = r.optionalInt()
        let integrationRequestId = r.requestId(), traceId = r.optionalTrace()
        let sourceIp = r.optionalString(), userAgent = r.optionalCommonString(), errorMessage = r.optionalString()
        let accountId = r.repeated(.accountId)
        let file = Int(r.int()), line = Int(r.int())
        let eventType = r.optionalCommonString(), connectionId = r.optionalString()
        let errorResponseType = r.optionalCommonString()
        self.init(
            requestId: requestId, extendedRequestId: extendedRequestId, apiId: apiId, stage: stage, method: method,
            route: route, path: path, domainName: domainName, protocolName: protocolName, sourceIp: sourceIp,
            userAgent: userAgent, errorMessage: errorMessage, accountId: accountId, eventType: eventType,
            connectionId: connectionId, errorResponseType: errorResponseType)
        self.status = status
        self.responseLength = responseLength
        self.start = start
        self.startResolution = startResolution
        self.responseLatencyMs = responseLatencyMs
        self.integrationLatencyMs = integrationLatencyMs
        self.integrationRequestId = integrationRequestId
        self.traceId = traceId
        self.file = file
        self.line = line
    }
}

extension ApiGatewayLogParser.RequestFields {
    /// The bytes `ApiGatewayRequest.encode` writes for the request these
    /// fields make (`ApiGatewayLogParser.request()`), so both read back the same.
    func encode(_ w: inout SpillWriter, file: Int, line: Int) {
        w.requestId(requestId)
        w.string(utf8: extendedRequestId)
        w.repeated(utf8: apiId, .apiId)
        w.repeated(utf8: stage, .stage)
        w.string(utf8: method)
        w.string(utf8: route)
        w.string(utf8: path)
        w.repeated(utf8: domainName, .domainName)
        w.repeated(utf8: protocolName, .protocolName)
        w.int(status)
        w.int(responseLength)
        w.int(start)
        w.int(startResolution)
        w.int(responseLatencyMs)
        w.int(integrationLatencyMs)
        w.requestId(integrationRequestId)
        w.trace(traceId)
        w.string(utf8: sourceIp)
        w.string(utf8: userAgent)
        w.string(utf8: errorMessage)
        w.repeated(utf8: accountId, .accountId)
        w.int(file)
        w.int(line)
        w.string(utf8: eventType)
        w.string(utf8: connectionId)
        w.string(utf8: errorResponseType)
    }
}

extension LambdaEvent.Kind {
    static let all: [LambdaEvent.Kind] = [
        .start, .end, .report, .runtimeDone, .initStart, .initReport, .restoreStart,
        .restoreReport, .timeout, .error, .context,
    ]
    /// The index in `all` (a switch: searching the array ran per event).
    var code: Int64 {
        switch self {
        case .start: return 0
        case .end: return 1
        case .report: return 2
        case .runtimeDone: return 3
        case .initStart: return 4
        case .initReport: return 5
        case .restoreStart: return 6
        case .restoreReport: return 7
        case .timeout: return 8
        case .error: return 9
        case .context: return 10
        }
    }
}

extension InvocationStatus {
    static let all: [InvocationStatus] = [.success, .error, .timeout]
    /// The index in `all`.
    var code: Int64 {
        switch self {
        case .success: return 0
        case .error: return 1
        case .timeout: return 2
        }
    }
}

extension LambdaEvent {
    func encode(_ w: inout SpillWriter) {
        w.int(kind.code)
        w.requestId(requestId)
        w.int(time)
        w.source(source)
        w.repeated(function, .function)
        w.repeated(version, .version)
        w.int(initDurationUs)
        w.int(restoreDurationUs)
        w.int(billedRestoreDurationUs)
        w.int(durationUs)
        w.int(billedDurationUs)
        w.int(memorySizeMB)
        w.int(maxMemoryUsedMB)
        w.int(status.map(\.code))
        w.string(errorType)
        w.string(errorMessage)
        w.trace(traceId)
        w.int(segmentId.map { Int64(bitPattern: $0) })
        w.bool(sampled)
        w.int(runtimeOverheadUs)
        w.int(file)
        w.int(line)
        w.bool(coldStart)
        w.requestId(correlationId)
        w.string(functionArn)
    }

    convenience init(_ r: inout SpillReader) {
        self.init(kind: LambdaEvent.Kind.all[Int(r.int())])
        requestId = r.requestId()
        time = r.optionalInt()
        source = r.source()
        function = r.repeated(.function)
        version = r.repeated(.version)
        initDurationUs = r.optionalInt()
        restoreDurationUs = r.optionalInt()
        billedRestoreDurationUs = r.optionalInt()
        durationUs = r.optionalInt()
        billedDurationUs = r.optionalInt()
        memorySizeMB = r.optionalInt()
        maxMemoryUsedMB = r.optionalInt()
        status = r.optionalInt().map { InvocationStatus.all[Int($0)] }
        errorType = r.optionalCommonString()
        errorMessage = r.optionalString()
        traceId = r.optionalTrace()
        segmentId = r.optionalInt().map { UInt64(bitPattern: $0) }
        sampled = r.bool()
        runtimeOverheadUs = r.optionalInt()
        file = Int(r.int())
        line = Int(r.int())
        coldStart = r.bool()
        correlationId = r.requestId()
        functionArn = r.optionalString()
    }
}

extension SlowQuery {
    func encode(_ w: inout SpillWriter) {
        w.int(engine == .mysql ? 0 : 1)
        w.repeated(instance, .instance)
        w.repeated(database, .database)
        w.repeated(user, .user)
        w.repeated(clientHost, .clientHost)
        w.int(connectionId)
        w.int(end)
        w.int(endResolution)
        w.int(durationUs)
        w.int(lockTimeUs)
        w.int(rowsSent)
        w.int(rowsExamined)
        w.string(text)
        w.string(parameters)
        w.queryClass(fingerprint, fingerprintId, ptChecksum)
        w.trace(keys.traceId)
        w.requestId(keys.requestId)
        w.int(file)
        w.int(line)
    }

    convenience init(_ r: inout SpillReader) {
        self.init(engine: r.int() == 0 ? .mysql : .postgresql)
        instance = r.repeated(.instance) ?? ""
        database = r.repeated(.database)
        user = r.repeated(.user)
        clientHost = r.repeated(.clientHost)
        connectionId = r.optionalInt()
        end = r.int()
        endResolution = r.int()
        durationUs = r.int()
        lockTimeUs = r.optionalInt()
        rowsSent = r.optionalInt()
        rowsExamined = r.optionalInt()
        storedText = r.statementText()
        parameters = r.optionalString()
        (fingerprint, fingerprintId, ptChecksum) = r.queryClass()
        keys.traceId = r.optionalTrace()
        keys.requestId = r.requestId()
        file = Int(r.int())
        line = Int(r.int())
    }
}
