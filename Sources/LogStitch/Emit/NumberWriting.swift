/// Where numbers are spelled: a `ByteScratch` on the stack, or straight into
/// an output buffer through a `ByteSink.Cursor`. The formats are written once,
/// here, for both.
protocol NumberWriting {
    mutating func put(_ b: UInt8)
    /// `v` in exactly `width` digits, zero padded (`v` must fit).
    mutating func put(_ v: UInt64, width: Int)
}

extension NumberWriting {
    /// `v` in as many digits as it takes.
    @inline(__always) mutating func putNumber(_ v: UInt64) { put(v, width: ASCII.digitCount(v)) }

    @inline(__always) mutating func putInteger(_ v: Int64) {
        if v < 0 { put(ASCII.minus) }
        putNumber(v.magnitude)
    }

    /// Epoch seconds with exactly six decimals, from integer microseconds.
    @inline(__always) mutating func putSeconds(_ t: EpochMicros) {
        if t < 0 { put(ASCII.minus) }
        let a = t.magnitude
        putNumber(a / 1_000_000)
        put(ASCII.dot)
        put(a % 1_000_000, width: 6)
    }

    /// Milliseconds with up to three decimals (trailing zeros dropped), from microseconds.
    @inline(__always) mutating func putMillis(_ us: Int64) {
        if us < 0 { put(ASCII.minus) }
        let a = us.magnitude
        putNumber(a / 1000)
        var frac = a % 1000
        if frac != 0 {
            var width = 3
            while frac % 10 == 0 {
                frac /= 10
                width -= 1
            }
            put(ASCII.dot)
            put(frac, width: width)
        }
    }
}

extension ByteSink.Cursor: NumberWriting {
    @inline(__always) mutating func put(_ b: UInt8) { byte(b) }
    @inline(__always) mutating func put(_ v: UInt64, width: Int) {
        ASCII.writeDigits(v, width: width, to: UnsafeMutableRawPointer(p))
        p += width
    }
}
