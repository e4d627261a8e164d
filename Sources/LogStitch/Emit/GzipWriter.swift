import CZlib

/// Compresses bytes into one gzip member with system zlib, for `--compress`
/// outputs (nightly jobs keep them) and for generating benchmark corpora.
public struct GzipWriter {
    public static func compress(_ input: [UInt8], level: Int32 = 6) -> [UInt8] {
        var out: [UInt8] = []
        GzipStream(level: level).compress(input, finish: true) { out.append(contentsOf: $0) }
        return out
    }

    /// `pieces` as one part of a gzip member compressed apart from the
    /// others, so that every core can compress its own block of output.
    static func deflatedPart(_ pieces: [[UInt8]], level: Int32 = 6) -> DeflatedPart {
        deflatedPart(level: level) { add in for piece in pieces { piece.withUnsafeBytes(add) } }
    }

    /// The same, from the buffers the writers filled.
    static func deflatedPart(_ pieces: [ByteSink], level: Int32 = 6) -> DeflatedPart {
        deflatedPart(level: level) { add in for piece in pieces { add(piece.bytes) } }
    }

    /// The part made of the pieces `forEachPiece` hands to its argument, in order.
    private static func deflatedPart(level: Int32, _ forEachPiece: ((UnsafeRawBufferPointer) -> Void) -> Void)
        -> DeflatedPart
    {
        var part = DeflatedPart()
        let stream = GzipStream(level: level, raw: true)
        forEachPiece { part.add($0, through: stream) }
        // Ends on a byte boundary with no final block: parts can follow.
        stream.compress([], flush: Z_SYNC_FLUSH) { part.bytes.append($0) }
        return part
    }
}

/// Raw deflate data for some stretch of a file's text, ending on a byte
/// boundary, with the CRC-32 and length of that text. Parts laid end to end
/// after one gzip header, closed by an empty final block and the combined
/// CRC and length, make one ordinary gzip member (as pigz builds them):
/// every reader, old or new, reads it as a single stream.
struct DeflatedPart {
    var bytes: [[UInt8]] = []
    var crc: UInt32 = 0
    var length: Int64 = 0

    mutating func add(_ text: UnsafeRawBufferPointer, through stream: GzipStream) {
        stream.compress(text, flush: Z_NO_FLUSH) { bytes.append($0) }
        crc = UInt32(crc32(uLong(crc), text.baseAddress?.assumingMemoryBound(to: Bytef.self), uInt(text.count)))
        length += Int64(text.count)
    }
}

/// Lays `DeflatedPart`s end to end into one gzip member.
struct GzipJoiner {
    /// Magic, deflate, no flags, no time (the same input gives the same
    /// bytes), no extra flags, Unix.
    static let header: [UInt8] = [0x1F, 0x8B, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03]
    /// An empty final block with fixed codes: BFINAL 1, BTYPE 01, end of block.
    static let finalBlock: [UInt8] = [0x03, 0x00]
    var crc: UInt32 = 0
    var length: Int64 = 0

    mutating func add(_ part: DeflatedPart) {
        crc = UInt32(crc32_combine(uLong(crc), uLong(part.crc), .init(part.length)))
        length += part.length
    }

    /// The final block, the CRC-32 and the length (mod 2^32), little-endian.
    var trailer: [UInt8] {
        var t = Self.finalBlock
        let size = UInt32(truncatingIfNeeded: length)
        for v in [crc, size] { for k in 0..<4 { t.append(UInt8(truncatingIfNeeded: v >> (8 * UInt32(k)))) } }
        return t
    }
}

/// Streaming compression with zlib: one gzip member fed in pieces, or
/// (`raw`) bare deflate data for a `DeflatedPart`.
final class GzipStream {
    let zs: UnsafeMutablePointer<z_stream>
    var out = [UInt8](repeating: 0, count: 1 << 18)

    init(level: Int32 = 6, raw: Bool = false) {
        zs = .allocate(capacity: 1)
        zs.initialize(to: z_stream())
        _ = logstitch_deflateInit2(zs, level, raw ? -15 : 15 + 16)
    }

    deinit {
        deflateEnd(zs)
        zs.deinitialize(count: 1)
        zs.deallocate()
    }

    func compress(_ input: [UInt8], finish: Bool, _ sink: ([UInt8]) -> Void) {
        compress(input, flush: finish ? Z_FINISH : Z_NO_FLUSH, sink)
    }

    func compress(_ input: [UInt8], flush: Int32, _ sink: ([UInt8]) -> Void) {
        input.withUnsafeBytes { compress($0, flush: flush, sink) }
    }

    func compress(_ inp: UnsafeRawBufferPointer, flush: Int32, _ sink: ([UInt8]) -> Void) {
        zs.pointee.next_in = UnsafeMutablePointer(mutating: inp.baseAddress?.assumingMemoryBound(to: Bytef.self))
        zs.pointee.avail_in = uInt(inp.count)
        repeat {
            let produced: Int = out.withUnsafeMutableBytes { o in
                zs.pointee.next_out = o.baseAddress!.assumingMemoryBound(to: Bytef.self)
                zs.pointee.avail_out = uInt(o.count)
                _ = deflate(zs, flush)
                return o.count - Int(zs.pointee.avail_out)
            }
            if produced > 0 { sink(Array(out[0..<produced])) }
        } while zs.pointee.avail_out == 0 || (flush == Z_FINISH && zs.pointee.avail_in > 0)
    }
}
