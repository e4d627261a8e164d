import Foundation
import CLinux

/// Writes a run's outputs so that a failed or interrupted run never leaves
/// half-written files and never destroys the previous run's outputs: each
/// file goes to a hidden temporary name in the output directory and is
/// renamed into place only when every output has been written.
public final class OutputDirectory {
    public let path: String
    var staged: [(temp: String, final: String)] = []
    let token: String

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    public init(path: String) throws {
        self.path = path
        token = "\(getpid())"
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDir) {
            guard isDir.boolValue else { throw Failure(description: "output path '\(path)' exists and is not a directory") }
        } else {
            do { try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) }
            catch { throw Failure(description: "cannot create output directory '\(path)': \(error.localizedDescription)") }
        }
        guard access(path, W_OK) == 0 else { throw Failure(description: "output directory '\(path)' is not writable") }
    }

    /// Every staged temporary file of the process, for the signal handler.
    nonisolated(unsafe) static var allStaged: Set<String> = []
    static let stagedLock = NSLock()

    /// Removes every staged temporary file (on SIGINT/SIGTERM).
    public static func discardAllStaged() {
        for p in allStaged { unlink(p) }
    }

    /// Opens an output to be written piece by piece (gzip-compressed when
    /// `compress`, adding `.gz` to the name); it is renamed into place by `commit`.
    /// With `partsFromWriters`, the writers compress their own stretches of
    /// text (on every core) and hand over `DeflatedPart`s, which the file
    /// joins into its one gzip member.
    public func openStream(_ name: String, compress: Bool, partsFromWriters: Bool = false) throws -> StagedFile {
        let finalName = compress ? name + ".gz" : name
        let temp = "\(path)/.\(finalName).tmp-\(token)"
        let fd = open(temp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw Failure(description: "cannot write \(temp): \(String(cString: strerror(errno)))") }
        Self.stagedLock.lock(); Self.allStaged.insert(temp); Self.stagedLock.unlock()
        staged.append((temp, "\(path)/\(finalName)"))
        let file = StagedFile(fd: fd, path: temp, compress: compress && !partsFromWriters)
        if compress && partsFromWriters { file.startJoining() }
        return file
    }

    /// Stages one output file's full contents (gzip-compressed when `compress`).
    public func stage(_ name: String, _ bytes: [UInt8], compress: Bool = false) throws {
        let file = try openStream(name, compress: compress)
        file.write(bytes)
        try file.close()
    }

    /// Renames every staged file into place.
    public func commit() throws {
        for (temp, final) in staged {
            Self.stagedLock.lock(); Self.allStaged.remove(temp); Self.stagedLock.unlock()
            guard rename(temp, final) == 0 else {
                throw Failure(description: "cannot rename \(temp) to \(final): \(String(cString: strerror(errno)))")
            }
        }
        staged.removeAll()
    }

    /// Removes staged files (after a failure).
    public func discard() {
        for (temp, _) in staged { unlink(temp) }
        staged.removeAll()
    }

    deinit { discard() }
}

/// An output being written in pieces: buffered, optionally gzip-compressed
/// through zlib as it goes.
public final class StagedFile: @unchecked Sendable {  // written under one lock at a time
    let fd: Int32
    let path: String
    var gzip: GzipStream?
    /// Joins compressed parts when the writers compress (see `openStream`).
    var joiner: GzipJoiner?
    var buffer: [UInt8] = []
    var failure: String?
    /// Bytes written, and how many of them the disk was already asked to take.
    var written: Int64 = 0
    var handedToDisk: Int64 = 0
    /// How much is handed to the disk at a time, and how far behind that
    /// pages are dropped from the page cache (see `put`).
    let writebackStep: Int64
    var releaseLag: Int64 { 4 * writebackStep }

    init(fd: Int32, path: String, compress: Bool, writebackStep: Int64 = 32 << 20) {
        self.fd = fd
        self.path = path
        self.writebackStep = writebackStep
        gzip = compress ? GzipStream() : nil
        buffer.reserveCapacity(1 << 20)
    }

    /// From here on the file is one gzip member joined from `DeflatedPart`s.
    func startJoining() {
        joiner = GzipJoiner()
        raw(GzipJoiner.header)
    }

    /// A stretch of text compressed by the writer (a file opened with `partsFromWriters`).
    func write(_ part: DeflatedPart) {
        guard joiner != nil else { preconditionFailure("compressed part for a file that does not join them") }
        joiner!.add(part)
        for bytes in part.bytes { raw(bytes) }
    }

    /// Text as it is (compressed here when the file is compressed).
    public func write(_ bytes: [UInt8]) {
        if joiner != nil { write(GzipWriter.deflatedPart([bytes])) }
        else if let g = gzip { g.compress(bytes, finish: false) { self.raw($0) } } else { raw(bytes) }
    }

    func raw(_ bytes: [UInt8]) {
        // Pieces of a megabyte or more go straight to the file: copying them
        // into the buffer first would only double the memory traffic.
        if bytes.count >= 1 << 20 {
            if !buffer.isEmpty { flushBuffer() }
            put(bytes)
            return
        }
        buffer.append(contentsOf: bytes)
        if buffer.count >= 1 << 20 { flushBuffer() }
    }

    func flushBuffer() {
        put(buffer)
        buffer.removeAll(keepingCapacity: true)
    }

    func put(_ bytes: [UInt8]) {
        guard failure == nil else { return }
        if let why = writeAll(fd, bytes) { failure = why; return }
        written += Int64(bytes.count)
        // Start writing back what is written so far (without waiting), so
        // the disk works while correlation goes on and the fsync at the end
        // has little left to do.
        if written - handedToDisk >= writebackStep {
            _ = logstitch_start_writeback(fd, handedToDisk, written - handedToDisk)
            // What was handed over a few pieces ago is on disk by now: its
            // pages leave the page cache, so later pieces reuse them instead
            // of taking fresh memory. On this kind of VM fresh memory is
            // slow to get: runs that had to take 2 GB of it spent 5–6 s of
            // CPU in the kernel instead of about 2.5 (and the outputs of a
            // nightly job are not read back at once anyway).
            let releasable = handedToDisk - releaseLag
            if releasable >= writebackStep {
                _ = logstitch_release_written(fd, releasable - writebackStep, writebackStep)
            }
            handedToDisk = written
        }
    }

    /// Finishes the file; throws if any write failed (a full disk, say).
    public func close() throws {
        if let g = gzip { g.compress([], finish: true) { self.raw($0) } }
        if let j = joiner { raw(j.trailer) }
        flushBuffer()
        fsync(fd)
        Glibc.close(fd)
        if let f = failure { throw OutputDirectory.Failure(description: "cannot write \(path): \(f)") }
    }
}
