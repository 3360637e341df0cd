import Synchronization

/// For each of at most `capacity` keys (buyers), the last input seen and the result computed
/// from it: asked again with an equal input, it answers that result without computing. A basket
/// is read far more often than it changes, so the service keeps the decoding of each buyer's
/// stored bytes and the JSON of each buyer's answer here — the two largest costs of a read.
/// The caller always brings the current input (every read still asks the store and Catalog),
/// so a result is never staler than its input. When full, it starts over.
final class LastResultCache<Input: Equatable & Sendable, Result: Sendable>: Sendable {
    private struct Entry {
        var input: Input
        var result: Result
    }

    let capacity: Int
    private let entries = Mutex<[String: Entry]>([:])

    init(capacity: Int = 10_000) {
        self.capacity = capacity
    }

    /// How many keys hold a result.
    var count: Int { entries.withLock { $0.count } }

    /// `compute(input)`, or the result kept for `key` when it was computed from an equal input.
    func result(for key: String, input: Input, compute: (Input) throws -> Result) rethrows -> Result {
        if let entry = entries.withLock({ $0[key] }), entry.input == input { return entry.result }
        let result = try compute(input)
        entries.withLock { entries in
            if entries.count >= capacity, entries[key] == nil { entries.removeAll(keepingCapacity: true) }
            entries[key] = Entry(input: input, result: result)
        }
        return result
    }
}
