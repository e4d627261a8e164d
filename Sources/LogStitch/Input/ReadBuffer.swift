/// A large reusable window over a decompressed stream. Framings scan bytes
/// in place between `start` and `end` and hand out views into it, so no line
/// is ever copied or turned into a `String` just to be split.
public final class ReadBuffer {
    public private(set) var capacity: Int
    let maxCapacity: Int
    var storage: UnsafeMutableRawBufferPointer
    var start = 0
    var end = 0
    /// Decompressed bytes that have left the window (offset of `start` in the stream).
    var consumedBefore: Int64 = 0
    var stream: ByteStream?
    public private(set) var atEOF = false
    /// Why the stream ended early, if it did.
    public private(set) var damage: InputError?
    public private(set) var totalRead: Int64 = 0

    public static let readChunk = 256 * 1024

    /// Starts with room for a `initialRecord`-byte line and grows, only when a
    /// framing needs it, to hold a `maxRecord`-byte record whole.
    public init(initialRecord: Int, maxRecord: Int) {
        capacity = initialRecord + Self.readChunk + 1
        maxCapacity = max(capacity, maxRecord + Self.readChunk + 1)
        storage = .allocate(byteCount: capacity, alignment: 64)
    }

    deinit { storage.deallocate() }

    func reset(stream: ByteStream) {
        self.stream = stream
        start = 0
        end = 0
        consumedBefore = 0
        atEOF = false
        totalRead = 0
        damage = nil
    }

    func release() { stream = nil }

    var window: ByteView { ByteView(storage).slice(start, end) }
    var available: Int { end - start }

    @inline(__always) func view(_ from: Int, _ to: Int) -> ByteView { ByteView(storage).slice(from, to) }

    /// Marks bytes up to absolute index `to` as consumed.
    @inline(__always) func consume(upTo to: Int) {
        consumedBefore += Int64(to - start)
        start = to
    }

    /// Reads more bytes, moving the unconsumed tail to the front when the
    /// free space runs low. Returns how far existing indices moved left
    /// (callers holding an index subtract it) or nil at end of stream.
    func fill() throws(InputError) -> Int? {
        if atEOF { return nil }
        var shift = 0
        if capacity - end < Self.readChunk {
            shift = start
            if start > 0 {
                if end > start {
                    storage.baseAddress!.copyMemory(from: storage.baseAddress! + start, byteCount: end - start)
                }
                end -= start
                start = 0
            }
            if capacity - end < Self.readChunk && capacity < maxCapacity {
                let bigger = UnsafeMutableRawBufferPointer.allocate(
                    byteCount: min(maxCapacity, capacity * 2), alignment: 64)
                bigger.baseAddress!.copyMemory(from: storage.baseAddress!, byteCount: end)
                storage.deallocate()
                storage = bigger
                capacity = bigger.count
            }
        }
        let room = UnsafeMutableRawBufferPointer(rebasing: storage[end..<capacity])
        let n: Int
        do {
            n = try stream!.read(into: room)
        } catch {
            // Damage ends the stream here; what was read before it is still
            // framed, and the reader reports the damage afterwards.
            damage = error
            atEOF = true
            return nil
        }
        if n == 0 {
            atEOF = true
            return nil
        }
        end += n
        totalRead += Int64(n)
        return shift
    }
}
