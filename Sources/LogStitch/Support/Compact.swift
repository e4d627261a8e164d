/// An optional integer stored in the integer's own width, its least value
/// standing for nil: an `Int64?` takes 16 bytes (the value and a tag byte,
/// padded), this 8. Records are stored compactly because correlation and
/// the writers visit millions of them scattered over memory, and every
/// cache line a record spans is a miss. No log states the least Int64 as a
/// duration, time or size; a garbled record that did would read as absent.
@propertyWrapper
public struct Compact<Value: FixedWidthInteger & Sendable>: Sendable {
    var raw: Value

    public init(wrappedValue: Value?) { raw = wrappedValue ?? .min }

    public var wrappedValue: Value? {
        @inline(__always) get { raw == .min ? nil : raw }
        @inline(__always) set { raw = newValue ?? .min }
    }
}
