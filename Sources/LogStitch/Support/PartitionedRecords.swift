#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Fixed-size records kept by partition, in memory up to a budget and in
/// temporary files past it, for checks that need every record of one key
/// together but never all keys at once (`validate`'s trace-level checks:
/// records partitioned by trace). Memory is the budget plus one partition.
///
/// The files are unlinked as soon as they are made, so they vanish with the
/// process however it ends (a signal, SIGKILL), and nothing is left behind.
struct PartitionedRecords<Element: BitwiseCopyable> {
    let partitions: Int
    /// Records held in memory, by partition, until `budget` is reached.
    private var buffers: [[Element]]
    private var buffered = 0
    private let budget: Int
    /// One open, unlinked file per partition once anything was flushed.
    private var files: [Int32]
    private var fileCounts: [Int]
    private let directory: String

    init(partitions: Int, budget: Int = 1 << 20, directory: String? = nil) {
        precondition(partitions > 0 && budget > 0)
        self.partitions = partitions
        self.budget = budget
        buffers = Array(repeating: [], count: partitions)
        files = Array(repeating: -1, count: partitions)
        fileCounts = Array(repeating: 0, count: partitions)
        var tmp = directory ?? getenv("TMPDIR").map { String(cString: $0) } ?? "/tmp"
        if tmp.isEmpty { tmp = "/tmp" }
        self.directory = tmp
    }

    struct Failure: Error, CustomStringConvertible { var description: String }

    mutating func append(_ e: Element, partition: Int) throws {
        precondition(partition >= 0 && partition < partitions, "partition out of range")
        buffers[partition].append(e)
        buffered += 1
        if buffered >= budget { try flush() }
    }

    /// Every record of one partition, in the order appended.
    func records(of partition: Int) throws -> [Element] {
        precondition(partition >= 0 && partition < partitions, "partition out of range")
        let stride = MemoryLayout<Element>.stride
        let onDisk = fileCounts[partition]
        var out = [Element]()
        out.reserveCapacity(onDisk + buffers[partition].count)
        if onDisk > 0 {
            let fd = files[partition]
            let read = try [Element](unsafeUninitializedCapacity: onDisk) { buf, count in
                let raw = UnsafeMutableRawBufferPointer(buf)
                var done = 0
                while done < onDisk * stride {
                    let n = pread(fd, raw.baseAddress! + done, onDisk * stride - done, off_t(done))
                    if n < 0 && errno == EINTR { continue }
                    guard n > 0 else {
                        throw Failure(
                            description: "cannot read a temporary file of \(directory): "
                                + (n < 0 ? String(cString: strerror(errno)) : "shorter than written"))
                    }
                    done += n
                }
                count = onDisk
            }
            out += read
        }
        out += buffers[partition]
        return out
    }

    /// Closes the files (already unlinked: their space goes back now).
    func close() {
        for fd in files where fd >= 0 { _ = Glibc.close(fd) }
    }

    private mutating func flush() throws {
        for p in 0..<partitions where !buffers[p].isEmpty {
            if files[p] < 0 { files[p] = try Self.anonymousFile(in: directory) }
            let why = buffers[p].withUnsafeBytes { writeAll(files[p], $0) }
            if let why { throw Failure(description: "cannot write a temporary file in \(directory) (TMPDIR): \(why)") }
            fileCounts[p] += buffers[p].count
            buffers[p].removeAll(keepingCapacity: false)
        }
        buffered = 0
    }

    /// A new file in `dir`, open for reading and writing, with no name.
    static func anonymousFile(in dir: String) throws -> Int32 {
        var template = Array((dir + "/.logstitch-validate-XXXXXX").utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else {
            throw Failure(
                description: "cannot make a temporary file in \(dir) (TMPDIR): \(String(cString: strerror(errno)))")
        }
        template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
        return fd
    }
}
