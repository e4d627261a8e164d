import CZlib

/// Compresses bytes into one gzip member with system zlib, for `--compress`
/// outputs (nightly jobs keep them) and for generating benchmark corpora.
public struct GzipWriter {
    public static func compress(_ input: [UInt8], level: Int32 = 6) -> [UInt8] {
        let zs = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        zs.initialize(to: z_stream())
        defer { deflateEnd(zs); zs.deinitialize(count: 1); zs.deallocate() }
        // 15 + 16: gzip wrapper, largest window.
        guard logstitch_deflateInit2(zs, level, 15 + 16) == Z_OK else { return [] }
        var out = [UInt8](repeating: 0, count: Int(deflateBound(zs, uLong(input.count))) + 64)
        let produced: Int = input.withUnsafeBytes { inp in
            out.withUnsafeMutableBytes { outp in
                zs.pointee.next_in = UnsafeMutablePointer(mutating: inp.baseAddress?.assumingMemoryBound(to: Bytef.self))
                zs.pointee.avail_in = uInt(inp.count)
                zs.pointee.next_out = outp.baseAddress!.assumingMemoryBound(to: Bytef.self)
                zs.pointee.avail_out = uInt(outp.count)
                _ = deflate(zs, Z_FINISH)
                return outp.count - Int(zs.pointee.avail_out)
            }
        }
        out.removeLast(out.count - produced)
        return out
    }
}
