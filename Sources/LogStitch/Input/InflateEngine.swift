import CIsal
import CZlib

/// What one call into an inflater achieved.
enum InflateStep {
    /// Output was produced or input consumed (or neither, if it needs more input).
    case progress
    /// A gzip member and its trailer are complete; unread input may start another member.
    case memberEnd
    /// The compressed data is damaged.
    case corrupt(String)
}

/// One deflate implementation behind `GzipInflater`, which keeps the member,
/// damage and replay logic in one place for all of them.
protocol InflateEngine: AnyObject {
    func setInput(_ bytes: UnsafeRawPointer, count: Int)
    /// Input bytes handed over but not read yet: decides when to refill.
    var pendingInput: Int { get }
    /// Input not yet decoded, counting bits the engine holds: for offsets.
    var unconsumedInput: Int { get }
    /// The next unread input byte (when `pendingInput > 0`).
    var nextInput: UnsafePointer<UInt8> { get }
    /// Drops the unread input (zero padding after the last member).
    func discardInput()
    func inflate(into out: UnsafeMutableRawPointer, capacity: Int) -> (produced: Int, step: InflateStep)
    /// Starts the next gzip member with the input still unread.
    func nextMember()
}

/// System zlib: always there, and the reference for damaged input.
final class ZlibEngine: InflateEngine {
    // zlib keeps pointers into the z_stream, so it must live at a stable heap address.
    let zs: UnsafeMutablePointer<z_stream>

    init?() {
        zs = .allocate(capacity: 1)
        zs.initialize(to: z_stream())
        // 15 + 16: a gzip wrapper (not zlib, not raw deflate), largest window.
        if logstitch_inflateInit2(zs, 15 + 16) != Z_OK {
            zs.deallocate()
            return nil
        }
    }

    deinit {
        inflateEnd(zs)
        zs.deinitialize(count: 1)
        zs.deallocate()
    }

    func setInput(_ bytes: UnsafeRawPointer, count: Int) {
        zs.pointee.next_in = UnsafeMutablePointer(mutating: bytes.assumingMemoryBound(to: Bytef.self))
        zs.pointee.avail_in = uInt(count)
    }
    var pendingInput: Int { Int(zs.pointee.avail_in) }
    var unconsumedInput: Int { Int(zs.pointee.avail_in) }
    var nextInput: UnsafePointer<UInt8> { UnsafePointer(zs.pointee.next_in!) }
    func discardInput() { zs.pointee.avail_in = 0 }
    func nextMember() { inflateReset(zs) }

    func inflate(into out: UnsafeMutableRawPointer, capacity: Int) -> (produced: Int, step: InflateStep) {
        zs.pointee.next_out = out.assumingMemoryBound(to: Bytef.self)
        zs.pointee.avail_out = uInt(capacity)
        let rc = CZlib.inflate(zs, Z_NO_FLUSH)
        let produced = capacity - Int(zs.pointee.avail_out)
        switch rc {
        case Z_STREAM_END: return (produced, .memberEnd)
        // Z_BUF_ERROR: no progress possible with the input at hand; the
        // caller tells "needs more input" from damage.
        case Z_OK, Z_BUF_ERROR: return (produced, .progress)
        default: return (produced, .corrupt(zs.pointee.msg.map { String(cString: $0) } ?? "zlib error \(rc)"))
        }
    }
}

/// Intel ISA-L (Debian's libisal2), loaded at run time when present: about
/// twice zlib's speed. Its damage reports are not zlib's, so `GzipInflater`
/// replays a damaged file through zlib (see there).
final class IsalEngine: InflateEngine {
    let state: OpaquePointer

    static var available: Bool { logstitch_isal_available() != 0 }

    init?() {
        guard let s = logstitch_isal_new() else { return nil }
        state = s
    }

    deinit { logstitch_isal_free(state) }

    func setInput(_ bytes: UnsafeRawPointer, count: Int) {
        logstitch_isal_set_input(state, bytes.assumingMemoryBound(to: UInt8.self), UInt32(count))
    }
    var pendingInput: Int { Int(logstitch_isal_pending_in(state)) }
    var unconsumedInput: Int { Int(logstitch_isal_unconsumed_in(state)) }
    var nextInput: UnsafePointer<UInt8> { logstitch_isal_next_in(state)! }
    func discardInput() { logstitch_isal_set_input(state, logstitch_isal_next_in(state), 0) }
    func nextMember() { logstitch_isal_next_member(state) }

    func inflate(into out: UnsafeMutableRawPointer, capacity: Int) -> (produced: Int, step: InflateStep) {
        var produced: UInt32 = 0
        let rc = logstitch_isal_inflate(state, out.assumingMemoryBound(to: UInt8.self), UInt32(capacity), &produced)
        switch rc {
        case Int32(LOGSTITCH_ISAL_MEMBER_END): return (Int(produced), .memberEnd)
        case Int32(LOGSTITCH_ISAL_OK): return (Int(produced), .progress)
        default: return (Int(produced), .corrupt("ISA-L error \(logstitch_isal_error(state))"))
        }
    }
}
