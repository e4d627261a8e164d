import Foundation
import CLinux

/// Writes a large output file past the page cache (`O_DIRECT`), from a
/// thread of its own, so that writing costs the workers one copy into an
/// aligned buffer and nothing else.
///
/// Why: a day of logs writes about 2 GB of segments and rows. Through the
/// page cache, every 4 KiB page costs ext4 a block reservation, buffer heads
/// and, later, writeback and eviction: about 7% of a run's CPU here, and on
/// this kind of VM the fresh pages the cache asks for are slow to get (runs
/// that had to take 2 GB of them spent 5–6 s in the kernel). Direct writes
/// of whole aligned buffers skip all of it (2 GB: 0.15 s of kernel time
/// against 0.5–5 s buffered, measured with dd), and they block only this
/// writer's own thread while the workers go on correlating.
///
/// Direct I/O wants the buffer address, the file offset and the length
/// aligned to the device's block size; every write here is a whole number
/// of `alignment` bytes from an aligned buffer, except the last, which is
/// written through the page cache once the direct writes are done. Where
/// the file system refuses direct I/O (tmpfs, some network file systems),
/// the file is written through the page cache throughout, with the same
/// bytes.
final class DirectFileWriter: @unchecked Sendable {  // appends from one thread at a time; `lock` guards the rest
    static let alignment = 4096
    let fd: Int32
    /// Bytes per buffer (a multiple of `alignment`).
    let bufferBytes: Int
    /// How many buffers may exist at once: one being filled, the rest
    /// queued for or being written by the writer thread.
    let bufferLimit: Int

    /// The buffer being filled, and how much of it is.
    private var current: UnsafeMutableRawPointer?
    private var filled = 0
    /// Bytes handed to `append` so far.
    private(set) var appended: Int64 = 0

    private let lock = NSCondition()
    private var queue: [(buffer: UnsafeMutableRawPointer, count: Int)] = []
    private var free: [UnsafeMutableRawPointer] = []
    private var allocated = 0
    private var writerRunning = false
    private var finishing = false
    /// Where the next queued buffer goes in the file.
    private var offset: Int64 = 0
    /// Whether writes still go past the page cache.
    private(set) var direct: Bool
    private(set) var failure: String?

    /// `fd` must be open for writing at offset 0; it is switched to direct
    /// I/O here when `direct` is asked for and the file system allows it.
    init(fd: Int32, direct: Bool = true, bufferBytes: Int = 4 << 20, bufferLimit: Int = 3) {
        precondition(bufferBytes > 0 && bufferBytes % Self.alignment == 0 && bufferLimit >= 2)
        self.fd = fd
        self.bufferBytes = bufferBytes
        self.bufferLimit = bufferLimit
        self.direct = direct && Self.setDirect(fd, true)
    }

    deinit {
        if let c = current { free.append(c) }
        for b in free { b.deallocate() }
        for q in queue { q.buffer.deallocate() }
    }

    @discardableResult
    static func setDirect(_ fd: Int32, _ on: Bool) -> Bool {
        let flags = fcntl(fd, F_GETFL)
        guard flags >= 0 else { return false }
        let wanted = on ? flags | logstitch_o_direct() : flags & ~logstitch_o_direct()
        return wanted == flags || fcntl(fd, F_SETFL, wanted) == 0
    }

    /// Copies `bytes` into the buffers, handing each full one to the writer thread.
    func append(_ bytes: UnsafeRawBufferPointer) {
        guard var src = bytes.baseAddress else { return }
        var left = bytes.count
        appended += Int64(left)
        while left > 0 {
            if current == nil { current = takeBuffer(); filled = 0 }
            let n = min(left, bufferBytes - filled)
            (current! + filled).copyMemory(from: src, byteCount: n)
            filled += n; src += n; left -= n
            if filled == bufferBytes { handOver() }
        }
    }

    func append(_ bytes: [UInt8]) { bytes.withUnsafeBytes { append($0) } }

    /// Writes what is left, waits for the writer thread, and returns why
    /// writing failed, if it did (a full disk, say). The file is not synced
    /// or closed here.
    func finish() -> String? {
        if current != nil && filled > 0 { handOver() }
        lock.lock()
        finishing = true
        while writerRunning || !queue.isEmpty { lock.wait() }
        let why = failure
        lock.unlock()
        return why
    }

    // MARK: - Buffers

    private func takeBuffer() -> UnsafeMutableRawPointer {
        lock.lock(); defer { lock.unlock() }
        while free.isEmpty && allocated >= bufferLimit { lock.wait() }
        if let b = free.popLast() { return b }
        allocated += 1
        return UnsafeMutableRawPointer.allocate(byteCount: bufferBytes, alignment: Self.alignment)
    }

    private func handOver() {
        guard let b = current else { return }
        let count = filled
        current = nil; filled = 0
        lock.lock()
        queue.append((b, count))
        let start = !writerRunning
        writerRunning = true
        lock.unlock()
        if start {
            let t = Thread { [self] in writeQueued() }
            t.name = "logstitch-writer"
            t.start()
        }
    }

    /// The writer thread: writes queued buffers in order until none is left.
    private func writeQueued() {
        lock.lock()
        while !queue.isEmpty {
            let (b, count) = queue.removeFirst()
            let at = offset, failed = failure != nil
            lock.unlock()
            let why = failed ? nil : write(b, count, at: at)
            lock.lock()
            if let why, failure == nil { failure = why }
            offset += Int64(count)
            free.append(b)
            lock.broadcast()
        }
        writerRunning = false
        lock.broadcast()
        lock.unlock()
    }

    /// Writes one buffer at `offset`: its aligned part directly, the rest
    /// (only ever the file's last buffer) through the page cache.
    private func write(_ b: UnsafeMutableRawPointer, _ count: Int, at offset: Int64) -> String? {
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

    private func pwriteAll(_ b: UnsafeMutableRawPointer, _ count: Int, at offset: Int64) -> (code: Int32, text: String)? {
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
