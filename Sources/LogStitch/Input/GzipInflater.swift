/// Streams the decompressed bytes of a gzip stream with any number of
/// members back to back (as Firehose writes them).
///
/// Damage is reported with the compressed byte offset where it was found;
/// everything inflated before that point has already been handed out, so the
/// records before the damage survive.
///
/// Inflating runs on ISA-L when it is installed and the stream can be read
/// again from its start (`replay`), else on zlib. The two disagree on where
/// exactly they notice damage and what they call it, and output must not
/// depend on which library a machine has: on any damage, ISA-L's work is set
/// aside, the stream is replayed through zlib, the bytes already handed out
/// are skipped, and zlib finds and names the damage.
public final class GzipInflater: ByteStream {
    enum State { case inMember, betweenMembers, finished }

    var upstream: ByteStream
    let layer: Int
    var engine: InflateEngine
    /// Opens the compressed stream again from its first byte, for the zlib replay.
    var replay: (() throws(InputError) -> ByteStream)?
    let input: UnsafeMutableRawBufferPointer
    var state: State = .inMember
    var fedBytes: Int64 = 0  // bytes taken from upstream so far
    var upstreamEnded = false
    /// Bytes handed out so far (what a replay skips).
    var delivered: Int64 = 0

    /// Compressed bytes read at a time: small enough that the buffer the
    /// kernel copies them into stays in the core's cache (PERFORMANCE.md,
    /// "input chunk").
    public static let inputChunk = 64 * 1024

    /// Which library inflates when ISA-L may be used.
    public static var fastEngineName: String { IsalEngine.available ? "ISA-L" : "zlib" }

    public init(upstream: ByteStream, layer: Int, replay: (() throws(InputError) -> ByteStream)? = nil)
        throws(InputError)
    {
        self.upstream = upstream
        self.layer = layer
        if replay != nil, let fast = IsalEngine() {
            engine = fast
            self.replay = replay
        } else {
            guard let zlib = ZlibEngine() else {
                throw InputError.corruptGzip(layer: layer, offset: 0, detail: "inflateInit2 failed")
            }
            engine = zlib
        }
        input = .allocate(byteCount: Self.inputChunk, alignment: 16)
    }

    deinit { input.deallocate() }

    /// Offset of the next unconsumed compressed byte.
    var consumedOffset: Int64 { fedBytes - Int64(engine.unconsumedInput) }

    func refill() throws(InputError) {
        let n = try upstream.read(into: input)
        if n == 0 {
            upstreamEnded = true
            return
        }
        engine.setInput(input.baseAddress!, count: n)
        fedBytes += Int64(n)
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(InputError) -> Int {
        let n: Int
        do {
            n = try inflate(into: buffer)
        } catch {
            // A read that failed (EIO) is the file's, not the inflater's: it is
            // reported as zlib alone would report it, never retried, so the
            // outputs do not depend on which library a machine has.
            guard replay != nil, !error.isUnreadable else { throw error }
            // ISA-L met damage (or what looked like it): zlib decides.
            try switchToZlib()
            n = try inflate(into: buffer)
        }
        delivered += Int64(n)
        return n
    }

    func inflate(into buffer: UnsafeMutableRawBufferPointer) throws(InputError) -> Int {
        if let error = pendingError {
            pendingError = nil
            throw error
        }
        var produced = 0
        while produced < buffer.count {
            if state == .finished { return produced }
            if engine.pendingInput == 0 && !upstreamEnded { try refill() }
            if state == .betweenMembers {
                if engine.pendingInput == 0 {
                    if upstreamEnded {
                        state = .finished
                        return produced
                    }
                    continue
                }
                // What this call inflated of the member before is handed
                // out before any damage after it is reported.
                do { try startNextMember() } catch { return try handOut(produced, then: error) }
                if state == .finished { return produced }
            }
            let before = engine.pendingInput
            let (n, step) = engine.inflate(into: buffer.baseAddress! + produced, capacity: buffer.count - produced)
            produced += n
            switch step {
            case .memberEnd:
                state = .betweenMembers
            case .progress:
                guard n == 0 && engine.pendingInput == before else { continue }
                // Stuck: more input is fetched at the top of the loop; at the
                // end of the input the member is cut short; with input left,
                // it is damage.
                if before == 0 && !upstreamEnded { continue }
                let error =
                    before == 0
                    ? InputError.truncatedGzip(layer: layer, offset: consumedOffset)
                    : InputError.corruptGzip(layer: layer, offset: consumedOffset, detail: "no progress")
                return try handOut(produced, then: error)
            case .corrupt(let detail):
                return try handOut(produced, then: .corruptGzip(layer: layer, offset: consumedOffset, detail: detail))
            }
        }
        return produced
    }

    /// Damage found after some bytes were already inflated in the same call:
    /// those bytes are returned first, the error on the next call.
    var pendingError: InputError?

    func handOut(_ produced: Int, then error: InputError) throws(InputError) -> Int {
        state = .finished
        if produced > 0 && replay == nil {
            pendingError = error
            return produced
        }
        throw error
    }

    /// At a member boundary: another member must start with the gzip magic.
    func startNextMember() throws(InputError) {
        let next = engine.nextInput
        if next[0] != 0x1F {
            // Trailing zero padding (seen from some tape/tar tools) is harmless.
            var allZero = true
            for i in 0..<engine.pendingInput where next[i] != 0 {
                allZero = false
                break
            }
            if allZero {
                engine.discardInput()
                return
            }
            throw InputError.trailingGarbage(layer: layer, offset: consumedOffset)
        }
        engine.nextMember()
        state = .inMember
    }

    /// Restarts on zlib from the first compressed byte and skips what was
    /// already handed out. Damage before that point (which ISA-L did not
    /// see) is reported as zlib finds it.
    func switchToZlib() throws(InputError) {
        guard let replay else { return }
        self.replay = nil
        guard let zlib = ZlibEngine() else {
            throw InputError.corruptGzip(layer: layer, offset: 0, detail: "inflateInit2 failed")
        }
        engine = zlib
        upstream = try replay()
        state = .inMember
        fedBytes = 0
        upstreamEnded = false
        pendingError = nil
        var skip = delivered
        let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 16)
        defer { scratch.deallocate() }
        while skip > 0 {
            let n = try inflate(
                into: UnsafeMutableRawBufferPointer(rebasing: scratch[0..<Int(min(Int64(scratch.count), skip))]))
            if n == 0 { break }
            skip -= Int64(n)
        }
    }
}
