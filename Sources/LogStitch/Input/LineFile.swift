/// A file read a line at a time, gzip-compressed or not, without holding it
/// whole: `validate` and `show` read outputs of any size this way.
public enum LineFile {
    /// Calls `body` with each line (without its newline; valid only during
    /// the call) and its 1-based number. `body` returns false to stop.
    public static func forEachLine(path: String, _ body: (ByteView, Int) throws -> Bool) throws {
        let raw = try FileDescriptorStream.open(path: path)
        let (head, isGzip) = try PrefixedStreamAccess.sniff(raw)
        let stream: ByteStream = isGzip ? try GzipInflater(upstream: head, layer: 1) : head
        var carry: [UInt8] = []
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { chunk.deallocate() }
        var line = 0
        while true {
            let n = try stream.read(into: chunk)
            if n == 0 { break }
            let got = UnsafeRawBufferPointer(rebasing: chunk[0..<n])
            var from = 0
            while let nl = got.index(of: ASCII.lf, from: from) {
                line += 1
                var go = true
                if carry.isEmpty {
                    go = try body(got.slice(from, nl), line)
                } else {
                    carry.append(contentsOf: got.slice(from, nl))
                    go = try carry.withUnsafeBytes { try body(ByteView($0), line) }
                    carry.removeAll(keepingCapacity: true)
                }
                if !go { return }
                from = nl + 1
            }
            carry.append(contentsOf: got.dropFirst(from))
        }
        if !carry.isEmpty { _ = try carry.withUnsafeBytes { try body(ByteView($0), line + 1) } }
    }
}
