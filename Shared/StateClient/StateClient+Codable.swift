import Foundation

extension StateClient {
    /// The value at `key` decoded from JSON; `nil` when absent or expired. A stored value that
    /// does not decode as `Value` is ``StateError/Code/storeFailure`` (the data is wrong, not the
    /// caller's request).
    public func get<Value: Decodable & Sendable>(_ key: String, as type: Value.Type, consistency: Consistency = .eventual) async throws -> StateEntry<Value>? {
        guard let raw = try await get(key, consistency: consistency) else { return nil }
        let value: Value
        do {
            value = try Self.decoder.decode(Value.self, from: Data(raw.value))
        } catch {
            throw StateError(.storeFailure, "the value at \(key) is not a \(Value.self): \(error)")
        }
        return StateEntry(key: raw.key, value: value, etag: raw.etag, expiresAt: raw.expiresAt)
    }

    /// Saves `value` as JSON at `key`.
    public func save(_ key: String, _ value: some Encodable, options: SaveOptions = .init()) async throws {
        try await save(key, bytes: Array(try Self.encoder.encode(value)), options: options)
    }

    /// One decoder and one encoder for every call (both are `Sendable` and hold no per-call
    /// state), rather than a new one per value on every read and write.
    static let decoder = JSONDecoder()
    static let encoder = JSONEncoder()
}

extension StateOperation {
    /// An upsert of `value` as JSON.
    public static func upsert(key: String, value: some Encodable, options: SaveOptions = .init()) throws -> StateOperation {
        .upsert(key: key, bytes: Array(try StateClient.encoder.encode(value)), options: options)
    }
}
