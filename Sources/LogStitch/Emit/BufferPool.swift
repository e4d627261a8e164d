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
    /// How much text a writer gathers in a buffer of its own before moving
    /// it into a piece (see `move`).
    static let scratchBytes = 32 << 10

    /// Moves a writer's text to the end of `piece`; a piece that then holds
    /// `pieceBytes` goes to `full`, and `piece` goes on in `fresh()`. The
    /// writers write into a small buffer that stays in the core's cache and
    /// move it here as it fills: written straight into the pieces, whose
    /// lines were cold, every atomic retain in the writers waited for those
    /// stores (segments.ndjson took up to a quarter longer in this machine's
    /// slow spells).
    static func move(
        _ text: UnsafeRawBufferPointer, into piece: inout ByteSink, fresh: () -> ByteSink, full: (ByteSink) -> Void
    ) {
        piece.append(text)
        if piece.count >= pieceBytes {
            full(piece)
            piece = fresh()
        }
    }
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
