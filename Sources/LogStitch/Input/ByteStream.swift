#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A source of bytes read in chunks into caller-owned memory: a file, standard
/// input, or a decompressor stacked on another stream.
public protocol ByteStream: AnyObject {
    /// Fills up to `buffer.count` bytes; 0 means end of stream.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws(InputError) -> Int
}

/// Reads a file descriptor with `read(2)`; counts the bytes that came off disk.
public final class FileDescriptorStream: ByteStream {
    let fd: Int32
    let ownsDescriptor: Bool
    public private(set) var bytesRead: Int64 = 0

    public init(fd: Int32, ownsDescriptor: Bool) {
        self.fd = fd
        self.ownsDescriptor = ownsDescriptor
    }

    public static func open(path: String) throws(InputError) -> FileDescriptorStream {
        let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 { throw InputError.unreadable(String(cString: strerror(errno))) }
        return FileDescriptorStream(fd: fd, ownsDescriptor: true)
    }

    deinit { if ownsDescriptor { close(fd) } }

    /// The file again from its first byte, read as the first pass read it
    /// (two bytes sniffed for the gzip magic, then chunks) and counted from
    /// zero: what a decompressor's replay needs (see `GzipInflater`).
    public func reopenedFromStart() throws(InputError) -> ByteStream {
        if lseek(fd, 0, SEEK_SET) < 0 {
            throw InputError.unreadable("cannot read the file again: \(String(cString: strerror(errno)))")
        }
        bytesRead = 0
        return PrefixedStream(prefix: try PrefixedStream.sniff(self, count: 2), upstream: self)
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(InputError) -> Int {
        while true {
            let n = Glibc.read(fd, buffer.baseAddress, buffer.count)
            if n >= 0 {
                bytesRead += Int64(n)
                return n
            }
            if errno == EINTR { continue }
            throw InputError.unreadable("read failed at byte \(bytesRead): \(String(cString: strerror(errno)))")
        }
    }
}

/// Replays bytes already taken from a stream (to sniff its format) before
/// continuing with the stream itself.
public final class PrefixedStream: ByteStream {
    var prefix: [UInt8]
    var prefixOffset = 0
    let upstream: ByteStream

    public init(prefix: [UInt8], upstream: ByteStream) {
        self.prefix = prefix
        self.upstream = upstream
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(InputError) -> Int {
        if prefixOffset < prefix.count {
            let n = min(buffer.count, prefix.count - prefixOffset)
            prefix.withUnsafeBytes { src in
                buffer.baseAddress!.copyMemory(from: src.baseAddress! + prefixOffset, byteCount: n)
            }
            prefixOffset += n
            return n
        }
        return try upstream.read(into: buffer)
    }

    /// Reads up to `count` bytes from the start of `stream` (fewer only at end of stream).
    static func sniff(_ stream: ByteStream, count: Int) throws(InputError) -> [UInt8] {
        let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: count, alignment: 8)
        defer { scratch.deallocate() }
        var filled = 0
        while filled < count {
            let n = try stream.read(into: UnsafeMutableRawBufferPointer(rebasing: scratch[filled...]))
            if n == 0 { break }
            filled += n
        }
        return [UInt8](scratch[0..<filled])
    }
}

/// Why a file (or the rest of it) could not be read. Each case carries enough
/// to tell the user where the damage is.
public enum InputError: Error, Equatable, Sendable {
    case unreadable(String)
    case notGzip(offset: Int64, detail: String)
    case truncatedGzip(layer: Int, offset: Int64)
    case corruptGzip(layer: Int, offset: Int64, detail: String)
    case trailingGarbage(layer: Int, offset: Int64)
    /// Compressed with something other than gzip (named by its magic bytes).
    case unsupportedCompression(name: String, tool: String)
    /// A log format logstitch recognises but does not read (see `ForeignFormat`).
    case foreignFormat(String)

    /// A read of the file that failed (not damage in what it holds).
    var isUnreadable: Bool {
        if case .unreadable = self { return true }
        return false
    }

    public var reason: String {
        switch self {
        case .unsupportedCompression(let name, let tool):
            return "\(name)-compressed file: logstitch reads gzip and plain text only; decompress it first (\(tool))"
        case .foreignFormat(let what): return what
        case .unreadable(let why): return "unreadable file: \(why)"
        case .notGzip(let offset, let detail): return "named .gz but not gzip data at byte \(offset): \(detail)"
        case .truncatedGzip(let layer, let offset):
            return "truncated gzip member\(Self.layerText(layer)): input ends at compressed byte \(offset)"
        case .corruptGzip(let layer, let offset, let detail):
            return "corrupt gzip\(Self.layerText(layer)) at compressed byte \(offset): \(detail)"
        case .trailingGarbage(let layer, let offset):
            return "data after the last gzip member\(Self.layerText(layer)) at compressed byte \(offset) is not gzip"
        }
    }

    static func layerText(_ layer: Int) -> String { layer > 1 ? " (inner gzip layer \(layer))" : "" }

    /// Found from the file's first bytes, before any record: the file as a whole (line 0).
    var isAboutTheWholeFile: Bool {
        switch self {
        case .foreignFormat, .unsupportedCompression: return true
        default: return false
        }
    }
}

/// Exposes the reader's gzip sniffing to benchmarks (which time inflate alone).
public enum PrefixedStreamAccess {
    public static func sniff(_ stream: ByteStream) throws(InputError) -> (stream: ByteStream, isGzip: Bool) {
        let head = try PrefixedStream.sniff(stream, count: 2)
        return (PrefixedStream(prefix: head, upstream: stream), head == [0x1F, 0x8B])
    }
}
