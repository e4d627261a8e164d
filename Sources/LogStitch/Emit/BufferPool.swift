import Foundation

/// Megabyte output buffers handed from the workers that fill them to the
/// writer that empties them, and back. Without it every piece of output
/// would be written into fresh memory that the kernel first has to fault
/// in and zero (1.8 GB of pages for a day of logs); with it, the same few
/// hundred buffers go round.
final class BufferPool: @unchecked Sendable {
    static let pieceBytes = 1 << 20
    /// Room for one piece plus the document that crosses its end.
    static let capacity = pieceBytes + 128 << 10
    let lock = NSLock()
    var free: [[UInt8]] = []

    /// An empty buffer with room for a piece.
    func take() -> [UInt8] {
        lock.lock()
        let b = free.popLast()
        lock.unlock()
        if let b { return b }
        var fresh = [UInt8]()
        fresh.reserveCapacity(Self.capacity)
        return fresh
    }

    /// Takes the buffers back (emptied, capacity kept); leaves `buffers` empty.
    func give(_ buffers: inout [[UInt8]]) {
        var emptied: [[UInt8]] = []
        emptied.reserveCapacity(buffers.count)
        for i in buffers.indices {
            var b = [UInt8]()
            swap(&b, &buffers[i])           // now the only reference: emptied in place
            guard b.capacity >= Self.capacity else { continue }
            b.removeAll(keepingCapacity: true)
            emptied.append(b)
        }
        buffers = []
        lock.lock()
        free.append(contentsOf: emptied)
        lock.unlock()
    }
}
