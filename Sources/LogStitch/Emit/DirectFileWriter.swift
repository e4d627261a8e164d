import CLinux
import Foundation

/// Writes a large output file past the page cache (`O_DIRECT`), from a
/// thread of its own: the workers hand over their pieces of text and go on
/// correlating while this thread copies them into an aligned buffer and
/// waits for the disk.
///
/// Why: a day of logs writes about 2 GB of segments and rows. Through the
/// page cache, every 4 KiB page costs ext4 a block reservation, buffer heads
/// and, later, writeback and eviction, and on virtual machines the fresh
/// pages the cache asks for are slow to get. Direct writes of whole aligned
/// buffers skip all of it. A worker that waited for the disk itself would
/// sit idle, so it hands the pieces over instead (PERFORMANCE.md, "direct
/// writes").
///
/// Direct I/O wants the buffer address, the file offset and the length
/// aligned to the device's block size; every write here is a whole number
/// of `alignment` bytes from an aligned buffer, except the last, which is
/// written through the page cache once the direct writes are done. Where
/// the file system refuses direct I/O (tmpfs, some network file systems),
/// the file is written through the page cache throughout, with the same
/// bytes.
final class DirectFileWriter: @unchecked Sendable {  // `lock` guards the queue; the rest belongs to whoever writes
    static let alignment = 4096
    let fd: Int32
    /// Bytes per write (a multiple of `alignment`).
    let bufferBytes: Int
    /// How much handed-over text may wait for the disk before `append`
    /// waits too (memory stays bounded when the disk is slow): when a
    /// disk stalls, the queue fills to this (PERFORMANCE.md, "write queue").
    let maxQueuedBytes: Int

    private let lock = NSCondition()
    /// Text handed over and not yet copied: arrays, or buffers with the
    /// pool they go back to.
    private enum Handed {
        case array([UInt8])
        case buffers([ByteSink], BufferPool?)

        var count: Int {
            switch self {
            case .array(let a): return a.count
            case .buffers(let b, _): return b.reduce(0) { $0 + $1.count }
            }
        }
    }
    private var queue: [Handed] = []
    private var queuedBytes = 0
    private var writerStarted = false
    private var closing = false
    private var writerDone = false
    /// Bytes handed to `append` so far.
    private(set) var appended: Int64 = 0

    // Touched only by the one thread writing at a time (the writer thread,
    // or `finish` once it has stopped).
    private let buffer: UnsafeMutableRawPointer
    private var filled = 0
    /// Where the next full buffer goes in the file.
    private var offset: Int64 = 0
    /// Whether writes still go past the page cache.
    private(set) var direct: Bool
    private var failure: String?

    /// `fd` must be open for writing at offset 0; it is switched to direct
    /// I/O here when `direct` is asked for and the file system allows it.
    init(fd: Int32, direct: Bool = true, bufferBytes: Int = 4 << 20, maxQueuedBytes: Int = 64 << 20) {
        precondition(bufferBytes > 0 && bufferBytes % Self.alignment == 0)
        self.fd = fd
        self.bufferBytes = bufferBytes
        self.maxQueuedBytes = maxQueuedBytes
        buffer = UnsafeMutableRawPointer.allocate(byteCount: bufferBytes, alignment: Self.alignment)
        self.direct = direct && Self.setDirect(fd, true)
    }

    deinit { buffer.deallocate() }

    @discardableResult
    static func setDirect(_ fd: Int32, _ on: Bool) -> Bool {
        let flags = fcntl(fd, F_GETFL)
        guard flags >= 0 else { return false }
        let wanted = on ? flags | logstitch_o_direct() : flags & ~logstitch_o_direct()
        return wanted == flags || fcntl(fd, F_SETFL, wanted) == 0
    }

    /// Hands `bytes` over to be written (an array is shared, not copied).
    func append(_ bytes: [UInt8]) { hand(.array(bytes)) }

    /// Takes the buffers (leaving `pieces` empty) to be written in order;
    /// once copied they are given back to `pool` for reuse.
    func append(pieces: inout [ByteSink], returningTo pool: BufferPool?) {
        var taken: [ByteSink] = []
        swap(&taken, &pieces)
        hand(.buffers(taken, pool))
    }

    private func hand(_ handed: Handed) {
        let count = handed.count
        guard count > 0 else {
            if case .buffers(var b, let pool) = handed { pool?.give(&b) }
            return
        }
        lock.lock()
        appended += Int64(count)
        while queuedBytes > 0 && queuedBytes + count > maxQueuedBytes { lock.wait() }
        queue.append(handed)
        queuedBytes += count
        let start = !writerStarted
        writerStarted = true
        lock.broadcast()
        lock.unlock()
        if start {
            let t = Thread { [self] in drainQueue() }
            t.name = "logstitch-writer"
            t.start()
        }
    }

    /// Writes what is left, stops the writer thread, and returns why
    /// writing failed, if it did (a full disk, say). The file is not synced
    /// or closed here.
    func finish() -> String? {
        lock.lock()
        closing = true
        lock.broadcast()
        while writerStarted && !writerDone { lock.wait() }
        lock.unlock()
        if filled > 0 && failure == nil { failure = write(buffer, filled) }
        filled = 0
        return failure
    }

    /// Lets the writer thread end once the queue is written, without
    /// writing the rest (a run that failed and never finishes the file).
    func stop() {
        lock.lock()
        closing = true
        lock.broadcast()
        lock.unlock()
    }

    /// The writer thread: copies queued pieces into the buffer, writing it
    /// each time it fills, until the file is finished.
    private func drainQueue() {
        lock.lock()
        while true {
            while queue.isEmpty && !closing { lock.wait() }
            guard !queue.isEmpty else { break }
            let entry = queue.removeFirst()
            lock.unlock()
            let count = entry.count
            switch entry {
            case .array(let a): a.withUnsafeBytes { copy($0) }
            case .buffers(var buffers, let pool):
                for b in buffers { copy(b.bytes) }
                pool?.give(&buffers)
            }
            lock.lock()
            queuedBytes -= count
            lock.broadcast()
        }
        writerDone = true
        lock.broadcast()
        lock.unlock()
    }

    private func copy(_ bytes: UnsafeRawBufferPointer) {
        guard var src = bytes.baseAddress else { return }
        var left = bytes.count
        while left > 0 {
            let n = min(left, bufferBytes - filled)
            logstitch_copy_for_disk(buffer + filled, src, n)
            filled += n
            src += n
            left -= n
            if filled == bufferBytes {
                if failure == nil { failure = write(buffer, filled) }
                filled = 0
            }
        }
    }

    /// Writes the buffer's first `count` bytes at `offset`: the aligned part
    /// directly, the rest (only ever the file's end) through the page cache.
    private func write(_ b: UnsafeMutableRawPointer, _ count: Int) -> String? {
        defer { offset += Int64(count) }
        var done = 0
        if direct {
            let aligned = count - count % Self.alignment
            if aligned > 0 {
                if let why = pwriteAll(b, aligned, at: offset) {
                    // Some file systems take O_DIRECT at open and refuse it
                    // here: the same bytes go through the page cache instead.
                    guard why.code == EINVAL else { return why.text }
                    direct = false
                    Self.setDirect(fd, false)
                } else {
                    done = aligned
                }
            }
            if direct && done < count {
                direct = false
                Self.setDirect(fd, false)
            }
        }
        return pwriteAll(b + done, count - done, at: offset + Int64(done))?.text
    }

    private func pwriteAll(_ b: UnsafeMutableRawPointer, _ count: Int, at offset: Int64) -> (code: Int32, text: String)?
    {
        var done = 0
        while done < count {
            let n = pwrite(fd, b + done, count - done, off_t(offset + Int64(done)))
            if n < 0 {
                if errno == EINTR { continue }
                return (errno, String(cString: strerror(errno)))
            }
            if n == 0 { return (EIO, "write made no progress") }
            done += n
        }
        return nil
    }
}
