/// The last key looked up and what was worked out for it. Names and URLs
/// made from a record's strings come in runs (one function's invocations,
/// one database's statements in a row): comparing the key with the last,
/// usually the same String, costs less than working the value out again.
final class LastLookup<Key: Equatable, Value> {
    private var last: (key: Key, value: Value)?

    func value(_ key: Key, _ make: () -> Value) -> Value {
        if let last, last.key == key { return last.value }
        let value = make()
        last = (key, value)
        return value
    }
}
