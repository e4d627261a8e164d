import Foundation

/// Megabyte output buffers handed from the workers that fill them to the
/// writer threads that empty them, and back. Without it every piece of
/// output would be written into fresh memory that the kernel first has to
/// fault in and zero (1.8 GB of pages for a day of logs); with it, the same
/// few hundred buffers go round. A writer fills a buffer and hands it on
/// whole, taking an empty one in its place: the text is never copied from
/// one buffer into another.
final class BufferPool: @unchecked Sendable {
    static let pieceBytes = 1 << 20
    /// Room for one piece plus the document that crosses its end.
    static let capacity = pieceBytes + 128 << 10
    let lock = NSLock()
    var free: [ByteSink] = []

    /// An empty buffer with room for a piece.
    func take() -> ByteSink {
        lock.lock()
        let b = free.popLast()
        lock.unlock()
        return b ?? ByteSink(capacity: Self.capacity)
    }

    /// Takes the buffers back, emptied; leaves `buffers` empty.
    func give(_ buffers: inout [ByteSink]) {
        for b in buffers { b.removeLast(b.count) }
        lock.lock()
        free.append(contentsOf: buffers)
        lock.unlock()
        buffers = []
    }
}
