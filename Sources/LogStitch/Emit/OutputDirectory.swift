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
            guard isDir.boolValue else { throw Failure(description: "output path '\(path)' exists and is not a directory") }
        } else {
            do { try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) }
            catch { throw Failure(description: "cannot create output directory '\(path)': \(error.localizedDescription)") }
        }
        guard access(path, W_OK) == 0 else { throw Failure(description: "output directory '\(path)' is not writable") }
    }

    /// Stages one output file's full contents.
    public func stage(_ name: String, _ bytes: [UInt8]) throws {
        let temp = "\(path)/.\(name).tmp-\(token)"
        let fd = open(temp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw Failure(description: "cannot write \(temp): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var offset = 0
        try bytes.withUnsafeBytes { b in
            while offset < b.count {
                let n = write(fd, b.baseAddress! + offset, b.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    let why = String(cString: strerror(errno))
                    unlink(temp)
                    throw Failure(description: "cannot write \(temp): \(why)")
                }
                offset += n
            }
        }
        fsync(fd)
        staged.append((temp, "\(path)/\(name)"))
    }

    /// Renames every staged file into place.
    public func commit() throws {
        for (temp, final) in staged {
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
