/// Growable output bytes written through a raw pointer. The JSON writer
/// appends a few bytes at a time, tens of millions of times a run, and an
/// `Array` checks uniqueness and capacity on every append; here an append
/// is a capacity check and a store. A class, so a writer's copies share it
/// (writers are passed `inout`, never copied on purpose).
final class ByteSink {
    private(set) var base: UnsafeMutablePointer<UInt8>
    private(set) var count = 0
    private(set) var capacity: Int

    init(capacity: Int = 1 << 16) {
        self.capacity = max(16, capacity)
        base = .allocate(capacity: self.capacity)
    }

    deinit { base.deallocate() }

    @inline(__always) func reserve(_ n: Int) {
        if count &+ n > capacity { grow(count + n) }
    }

    private func grow(_ needed: Int) {
        var c = capacity * 2
        while c < needed { c *= 2 }
        let fresh = UnsafeMutablePointer<UInt8>.allocate(capacity: c)
        fresh.update(from: base, count: count)
        base.deallocate()
        base = fresh
        capacity = c
    }

    @inline(__always) func append(_ b: UInt8) {
        reserve(1)
        base[count] = b
        count &+= 1
    }

    @inline(__always) func append(_ bytes: UnsafeRawBufferPointer) {
        guard let src = bytes.baseAddress else { return }
        reserve(bytes.count)
        UnsafeMutableRawPointer(base + count).copyMemory(from: src, byteCount: bytes.count)
        count &+= bytes.count
    }

    @inline(__always) func append(_ bytes: UnsafeBufferPointer<UInt8>) { append(UnsafeRawBufferPointer(bytes)) }

    func removeLast(_ n: Int) { count -= min(n, count) }

    /// The bytes so far, copied.
    var array: [UInt8] { Array(UnsafeBufferPointer(start: base, count: count)) }

    /// Appends the bytes to `out` and empties the sink.
    func drain(into out: inout [UInt8]) {
        out.append(contentsOf: UnsafeBufferPointer(start: base, count: count))
        count = 0
    }
}
