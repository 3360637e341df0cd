import Foundation
import GRDB

/// One checkpoint's changes, inside its SQLite transaction: reads see the checkpoint's own writes.
/// Use ``state(forKey:)`` to reach the state of one message key, as Quix scopes state by the
/// Kafka message key.
public final class StateTransaction {
    private(set) var bytesWritten: Int64 = 0
    let encoder = JSONEncoder()
    let decoder = JSONDecoder()
    /// The three statements every update uses, prepared once per transaction (GRDB's statement
    /// cache would look each up by its SQL text, on every call).
    private let select: Statement
    private let upsert: Statement
    private let delete: Statement

    init(_ db: Database) throws {
        select = try db.cachedStatement(sql: "SELECT value FROM state WHERE prefix = ? AND key = ?")
        upsert = try db.cachedStatement(
            sql: "INSERT INTO state (prefix, key, value) VALUES (?, ?, ?) ON CONFLICT(prefix, key) DO UPDATE SET value = excluded.value")
        delete = try db.cachedStatement(sql: "DELETE FROM state WHERE prefix = ? AND key = ?")
    }

    /// The state of `messageKey` (Quix's `State` in a callback).
    public func state(forKey messageKey: String) -> State { State(transaction: self, prefix: messageKey) }

    func fetch(_ prefix: String, _ key: String) throws -> Data? {
        try Data.fetchOne(select, arguments: [prefix, key])
    }

    func store(_ prefix: String, _ key: String, _ value: Data) throws {
        try upsert.execute(arguments: [prefix, key, value])
        bytesWritten += Int64(prefix.utf8.count + key.utf8.count + value.count)
    }

    func remove(_ prefix: String, _ key: String) throws {
        try delete.execute(arguments: [prefix, key])
    }
}

/// The state of one message key: Quix Streams' `State` (`get`, `set`, `delete`, `exists`).
/// Values are stored as JSON; a value that cannot be encoded or decoded throws, which fails the
/// whole checkpoint (nothing of it is committed).
public struct State {
    let transaction: StateTransaction
    /// The message key every state key is prefixed with.
    public let prefix: String

    /// The value of `key`, or `defaultValue` when it is absent or was deleted in this checkpoint.
    public func get<Value: Decodable>(_ key: String, default defaultValue: Value) throws -> Value {
        guard let data = try transaction.fetch(prefix, key) else { return defaultValue }
        if Value.self == Int.self, let number = Int(String(decoding: data, as: UTF8.self)) {
            return number as! Value  // a JSON integer is its decimal digits: read without a decoder
        }
        return try transaction.decoder.decode(Value.self, from: data)
    }

    /// Stages `value` for `key` (JSON); it is committed with the checkpoint.
    public func set<Value: Encodable>(_ key: String, _ value: Value) throws {
        if let number = value as? Int {
            try transaction.store(prefix, key, Data(String(number).utf8))  // a JSON integer is its decimal digits
        } else {
            try transaction.store(prefix, key, transaction.encoder.encode(value))
        }
    }

    /// Deletes `key`; deleting a missing key does nothing.
    public func delete(_ key: String) throws { try transaction.remove(prefix, key) }

    /// Whether `key` has a value (a stored JSON `null` counts as one).
    public func exists(_ key: String) throws -> Bool { try transaction.fetch(prefix, key) != nil }
}
