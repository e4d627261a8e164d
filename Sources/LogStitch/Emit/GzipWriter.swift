import CZlib

/// Compresses bytes into one gzip member with system zlib, for `--compress`
/// outputs (nightly jobs keep them) and for generating benchmark corpora.
public struct GzipWriter {
    public static func compress(_ input: [UInt8], level: Int32 = 6) -> [UInt8] {
        var out: [UInt8] = []
        GzipStream(level: level).compress(input, finish: true) { out.append(contentsOf: $0) }
        return out
    }
}

/// Streaming gzip compression: one member, fed in pieces.
final class GzipStream {
    let zs: UnsafeMutablePointer<z_stream>
    var out = [UInt8](repeating: 0, count: 1 << 18)

    init(level: Int32 = 6) {
        zs = .allocate(capacity: 1)
        zs.initialize(to: z_stream())
        _ = logstitch_deflateInit2(zs, level, 15 + 16)
    }

    deinit { deflateEnd(zs); zs.deinitialize(count: 1); zs.deallocate() }

    func compress(_ input: [UInt8], finish: Bool, _ sink: ([UInt8]) -> Void) {
        input.withUnsafeBytes { inp in
            zs.pointee.next_in = UnsafeMutablePointer(mutating: inp.baseAddress?.assumingMemoryBound(to: Bytef.self))
            zs.pointee.avail_in = uInt(inp.count)
            repeat {
                let produced: Int = out.withUnsafeMutableBytes { o in
                    zs.pointee.next_out = o.baseAddress!.assumingMemoryBound(to: Bytef.self)
                    zs.pointee.avail_out = uInt(o.count)
                    _ = deflate(zs, finish ? Z_FINISH : Z_NO_FLUSH)
                    return o.count - Int(zs.pointee.avail_out)
                }
                if produced > 0 { sink(Array(out[0..<produced])) }
            } while zs.pointee.avail_out == 0 || (finish && zs.pointee.avail_in > 0)
        }
    }
}
