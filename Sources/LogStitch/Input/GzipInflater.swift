import CZlib

/// Streams the decompressed bytes of a gzip stream with any number of
/// members back to back (as Firehose writes them), through system zlib.
///
/// Damage is reported with the compressed byte offset where it was found;
/// everything inflated before that point has already been handed out, so the
/// records before the damage survive.
public final class GzipInflater: ByteStream {
    enum State { case inMember, betweenMembers, finished }

    let upstream: ByteStream
    let layer: Int
    // zlib keeps pointers into the z_stream, so it must live at a stable heap address.
    let zs: UnsafeMutablePointer<z_stream>
    let input: UnsafeMutableRawBufferPointer
    var state: State = .inMember
    var fedBytes: Int64 = 0          // bytes taken from upstream so far
    var upstreamEnded = false

    public static let inputChunk = 256 * 1024

    public init(upstream: ByteStream, layer: Int) throws(InputError) {
        self.upstream = upstream
        self.layer = layer
        zs = .allocate(capacity: 1)
        zs.initialize(to: z_stream())
        input = .allocate(byteCount: Self.inputChunk, alignment: 16)
        // 15 + 16: a gzip wrapper (not zlib, not raw deflate), largest window.
        let rc = logstitch_inflateInit2(zs, 15 + 16)
        if rc != Z_OK { throw InputError.corruptGzip(layer: layer, offset: 0, detail: "inflateInit2 failed (\(rc))") }
    }

    deinit {
        inflateEnd(zs)
        zs.deinitialize(count: 1)
        zs.deallocate()
        input.deallocate()
    }

    /// Offset of the next unconsumed compressed byte.
    var consumedOffset: Int64 { fedBytes - Int64(zs.pointee.avail_in) }

    func refill() throws(InputError) {
        let n = try upstream.read(into: input)
        if n == 0 { upstreamEnded = true; return }
        zs.pointee.next_in = input.baseAddress!.assumingMemoryBound(to: Bytef.self)
        zs.pointee.avail_in = uInt(n)
        fedBytes += Int64(n)
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(InputError) -> Int {
        if let error = pendingError { pendingError = nil; throw error }
        var produced = 0
        while produced < buffer.count {
            if state == .finished { return produced }
            if zs.pointee.avail_in == 0 && !upstreamEnded { try refill() }
            if state == .betweenMembers {
                if zs.pointee.avail_in == 0 {
                    if upstreamEnded { state = .finished; return produced }
                    continue
                }
                try startNextMember()
                if state == .finished { return produced }
            }
            if zs.pointee.avail_in == 0 && upstreamEnded {
                if produced > 0 { return produced }
                throw InputError.truncatedGzip(layer: layer, offset: consumedOffset)
            }
            let out = buffer.baseAddress! + produced
            zs.pointee.next_out = out.assumingMemoryBound(to: Bytef.self)
            zs.pointee.avail_out = uInt(buffer.count - produced)
            let rc = inflate(zs, Z_NO_FLUSH)
            produced = buffer.count - Int(zs.pointee.avail_out)
            switch rc {
            case Z_STREAM_END:
                state = .betweenMembers
            case Z_OK:
                break
            case Z_BUF_ERROR:
                // No progress possible with the input at hand: more input is
                // fetched at the top of the loop; with input left, it is damage.
                if zs.pointee.avail_in != 0 && produced < buffer.count {
                    if produced > 0 { pendingError = corruptError(rc); state = .finished; return produced }
                    throw corruptError(rc)
                }
            default:
                if produced > 0 {
                    // Hand out what was inflated before the damage; the next call reports it.
                    pendingError = corruptError(rc)
                    state = .finished
                    return produced
                }
                throw corruptError(rc)
            }
        }
        return produced
    }

    /// Damage found after some bytes were already inflated in the same call:
    /// those bytes are returned first, the error on the next call.
    var pendingError: InputError?

    func corruptError(_ rc: Int32) -> InputError {
        let msg = zs.pointee.msg.map { String(cString: $0) } ?? "zlib error \(rc)"
        return .corruptGzip(layer: layer, offset: consumedOffset, detail: msg)
    }

    /// At a member boundary: another member must start with the gzip magic.
    func startNextMember() throws(InputError) {
        let next = zs.pointee.next_in!
        if next[0] != 0x1F {
            // Trailing zero padding (seen from some tape/tar tools) is harmless.
            var allZero = true
            for i in 0..<Int(zs.pointee.avail_in) where next[i] != 0 { allZero = false; break }
            if allZero {
                zs.pointee.avail_in = 0
                return
            }
            throw InputError.trailingGarbage(layer: layer, offset: consumedOffset)
        }
        inflateReset(zs)
        state = .inMember
    }
}
