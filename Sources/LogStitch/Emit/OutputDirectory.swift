import CLinux
import Foundation

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
            guard isDir.boolValue else {
                throw Failure(description: "output path '\(path)' exists and is not a directory")
            }
        } else {
            do { try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) } catch {
                throw Failure(description: "cannot create output directory '\(path)': \(error.localizedDescription)")
            }
        }
        guard access(path, W_OK) == 0 else { throw Failure(description: "output directory '\(path)' is not writable") }
        // One run at a time writes into a directory: two would mix their files.
        lockFd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard lockFd >= 0 else {
            throw Failure(description: "cannot open output directory '\(path)': \(String(cString: strerror(errno)))")
        }
        guard flock(lockFd, LOCK_EX | LOCK_NB) == 0 else {
            close(lockFd)
            throw Failure(
                description:
                    "another logstitch run is writing into '\(path)'; nothing was written (run again when it has finished)"
            )
        }
        sweepLeftovers()
    }

    /// The directory's lock (`flock` on the directory itself, no extra
    /// file), held until the outputs are committed or discarded.
    let lockFd: Int32

    /// What dead runs left (SIGKILL, a crash): staged files, removed, and
    /// backups of a commit cut short, put back over their file (a backup
    /// outlives its commit only if the commit was cut short, and then the
    /// files renamed before the cut are the new run's: putting the backups
    /// back returns the directory to the set before it). Only ever run
    /// holding the lock, so no live run's files are touched.
    func sweepLeftovers() {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: path) else { return }
        for name in names where name.hasPrefix(".") {
            guard
                let dash = name.range(of: ".tmp-", options: .backwards) ?? name.range(of: ".old-", options: .backwards),
                name[dash.upperBound...].allSatisfy(\.isNumber), !name[dash.upperBound...].isEmpty
            else { continue }
            let full = path + "/" + name
            if name[dash].hasPrefix(".old") {
                let final = path + "/" + String(name[name.index(after: name.startIndex)..<dash.lowerBound])
                if rename(full, final) == 0 { continue }
            }
            unlink(full)
        }
    }

    /// Every staged temporary file of the process, for the signal handler.
    nonisolated(unsafe) static var allStaged: Set<String> = []
    static let stagedLock = NSLock()

    /// Removes every staged temporary file (on SIGINT/SIGTERM/SIGHUP, from
    /// the signal watcher thread; files staged after it are removed as made).
    public static func discardAllStaged() {
        stagedLock.lock()
        defer { stagedLock.unlock() }
        discarding = true
        for p in allStaged { unlink(p) }
    }
    nonisolated(unsafe) static var discarding = false

    /// Opens an output to be written piece by piece (gzip-compressed when
    /// `compress`, adding `.gz` to the name); it is renamed into place by `commit`.
    /// With `partsFromWriters`, the writers compress their own stretches of
    /// text (on every core) and hand over `DeflatedPart`s, which the file
    /// joins into its one gzip member.
    public func openStream(_ name: String, compress: Bool, partsFromWriters: Bool = false) throws -> StagedFile {
        let finalName = compress ? name + ".gz" : name
        let temp = "\(path)/.\(finalName).tmp-\(token)"
        // Made and registered under the lock the signal watcher takes to
        // remove every staged file: a signal between the two would leave
        // a file nobody removes. Once it has come, nothing new is made.
        Self.stagedLock.lock()
        guard !Self.discarding else {
            Self.stagedLock.unlock()
            throw Failure(description: "interrupted")
        }
        let fd = open(temp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        if fd >= 0 { Self.allStaged.insert(temp) }
        Self.stagedLock.unlock()
        guard fd >= 0 else { throw Failure(description: "cannot write \(temp): \(String(cString: strerror(errno)))") }
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

    /// Renames every staged file into place: all of them, or none. Each
    /// previous output is first hard-linked to a hidden backup (it stays in
    /// place until its rename replaces it); if any rename fails, the files
    /// already renamed are put back from their backups (or removed, where
    /// there was none), so the directory holds the previous run's set.
    public func commit() throws {
        var done: [(final: String, backup: String?)] = []
        // A previous run's outputs that this run does not write (its
        // traces.otlp.jsonl after a run without --otlp, its .gz files after
        // one without --compress) go with the same all-or-none: moved to a
        // backup first, put back if any rename fails, removed at the end.
        // Left in place, the directory would mix two runs.
        let writing = Set(staged.map { ($0.final as NSString).lastPathComponent })
        for name in Self.outputNames where !writing.contains(name) {
            let final = path + "/" + name
            var st = stat()
            guard lstat(final, &st) == 0 else { continue }
            let b = "\(path)/.\(name).old-\(token)"
            unlink(b)
            guard rename(final, b) == 0 else {
                let why = String(cString: strerror(errno))
                rollBack()
                throw Failure(
                    description:
                        "cannot remove the previous \(final) (\(why)); the previous outputs are left as they were")
            }
            done.append((final, b))
        }
        func rollBack() {
            for d in done.reversed() {
                if let b = d.backup { rename(b, d.final) } else { unlink(d.final) }
            }
            discard()
        }
        for (temp, final) in staged {
            var backup: String?
            var st = stat()
            if lstat(final, &st) == 0 {
                let b = "\(path)/.\((final as NSString).lastPathComponent).old-\(token)"
                unlink(b)
                guard link(final, b) == 0 else {
                    let why = String(cString: strerror(errno))
                    rollBack()
                    throw Failure(
                        description: "cannot replace \(final) (\(why)); the previous outputs are left as they were")
                }
                backup = b
            }
            guard rename(temp, final) == 0 else {
                let why = String(cString: strerror(errno))
                if let backup { unlink(backup) }
                rollBack()
                throw Failure(
                    description:
                        "cannot rename \(temp) to \(final) (\(why)); the previous outputs are left as they were")
            }
            Self.stagedLock.lock()
            Self.allStaged.remove(temp)
            Self.stagedLock.unlock()
            done.append((final, backup))
        }
        for d in done { if let b = d.backup { unlink(b) } }
        staged.removeAll()
    }

    /// Every name a run may write: a run removes those of them it does not write.
    public static let outputNames: [String] = {
        let either = [
            "segments.ndjson", "requests.csv", "routes.csv", "functions.csv", "queries.csv", "traces.otlp.jsonl",
        ]
        return either + either.map { $0 + ".gz" } + ["summary.json", "rejects.csv", "report.html"]
    }()

    /// Removes staged files (after a failure).
    public func discard() {
        for (temp, _) in staged { unlink(temp) }
        staged.removeAll()
    }

    deinit {
        discard()
        close(lockFd)
    }
}

/// An output being written in pieces, optionally gzip-compressed through
/// zlib as it goes, past the page cache where the file system allows it
/// (see `DirectFileWriter`).
public final class StagedFile: @unchecked Sendable {  // written under one lock at a time
    let fd: Int32
    let path: String
    var gzip: GzipStream?
    /// Joins compressed parts when the writers compress (see `openStream`).
    var joiner: GzipJoiner?
    let writer: DirectFileWriter
    /// Bytes written (after compression).
    var written: Int64 { writer.appended }

    init(fd: Int32, path: String, compress: Bool, direct: Bool = true, bufferBytes: Int = 4 << 20) {
        self.fd = fd
        self.path = path
        writer = DirectFileWriter(fd: fd, direct: direct, bufferBytes: bufferBytes)
        gzip = compress ? GzipStream() : nil
    }

    /// A file dropped unfinished (a failed run) stops its writer thread.
    deinit { writer.stop() }

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
        if joiner != nil {
            write(GzipWriter.deflatedPart([bytes]))
        } else if let g = gzip {
            g.compress(bytes, finish: false) { self.raw($0) }
        } else {
            raw(bytes)
        }
    }

    func raw(_ bytes: [UInt8]) { writer.append(bytes) }

    /// Plain pieces (a file that is neither compressed nor joined), taken
    /// for the writer thread and given back to `pool` once written.
    func write(pieces: inout [ByteSink], returningTo pool: BufferPool) {
        guard joiner == nil && gzip == nil else {
            for p in pieces { write(Array(p.bytes)) }
            pool.give(&pieces)
            return
        }
        writer.append(pieces: &pieces, returningTo: pool)
    }

    /// Finishes the file; throws if any write failed (a full disk, say).
    public func close() throws {
        if let g = gzip { g.compress([], finish: true) { self.raw($0) } }
        if let j = joiner { raw(j.trailer) }
        let failure = writer.finish()
        // (EINVAL: a file that cannot be synced, such as a pipe.)
        let synced = fsync(fd) == 0 || errno == EINVAL ? nil : String(cString: strerror(errno))
        Glibc.close(fd)
        if let f = failure ?? synced { throw OutputDirectory.Failure(description: "cannot write \(path): \(f)") }
    }
}
