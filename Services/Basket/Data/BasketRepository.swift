import EventBus
import Foundation
import ServiceDefaults
import StateClient

/// Baskets in the state store (component `statestore`, key `basket-api||<buyerId>`), with a TTL
/// for abandoned baskets, and the checkouts accepted for them (`basket-api||checkout-<id>`).
///
/// Every write goes through ``update(_:_:)``: read, change, write compare-and-set against the
/// store's ETag, and again from the read when another write came first, so no update is lost.
/// Only the repository stamps a basket's ``StoredBasket/version``.
struct BasketRepository: Sendable {
    private let state: StateClient
    private let outbox: StateOutbox
    /// Seconds an untouched basket is kept (`BASKET_TTL_SECONDS`, default 30 days).
    let ttlInSeconds: Int

    /// How often ``update(_:_:)`` reads again when another write to the same basket came first.
    static let maximumAttempts = 10

    init(state: StateClient, outbox: StateOutbox, ttlInSeconds: Int) {
        self.state = state
        self.outbox = outbox
        self.ttlInSeconds = ttlInSeconds
    }

    /// What ``update(_:_:)`` does with the basket it read.
    enum Change: Sendable {
        /// Nothing to write.
        case keep
        /// Store this basket (with a new version).
        case replace(StoredBasket)
        /// Delete the basket.
        case delete
        /// Store this basket, record the checkout (insert-only, so a request id is used once)
        /// and put `event` in the outbox — one state transaction.
        case checkOut(StoredBasket, CheckoutRecord, UserCheckoutAccepted)
    }

    /// The buyer's basket, or an empty one (version ``StoredBasket/absentVersion``) when none is stored.
    func basket(of buyerId: String) async throws -> StoredBasket {
        try await read(buyerId).basket
    }

    /// The checkout accepted under `requestId`, if any.
    func checkout(_ requestId: UUID) async throws -> CheckoutRecord? {
        try await state.get(CheckoutRecord.key(requestId), as: CheckoutRecord.self)?.value
    }

    /// Reads the buyer's basket, asks `change` what to do with it and does that compare-and-set;
    /// when another write came first, reads again and asks again (at most ``maximumAttempts``
    /// times, then ``StateError/Code/etagMismatch``). Returns what `change` returned with the
    /// basket as it now is (the written one, with its new version).
    func update<Result: Sendable>(
        _ buyerId: String, _ change: (StoredBasket) async throws -> (Change, Result)
    ) async throws -> (basket: StoredBasket, result: Result) {
        for _ in 1...Self.maximumAttempts {
            let entry = try await read(buyerId)
            let (decision, result) = try await change(entry.basket)
            do {
                return (try await write(decision, over: entry), result)
            } catch let error as StateError where error.code == .etagMismatch {
                continue  // another write came first: read it and decide again
            }
        }
        throw StateError(.etagMismatch, "the basket of \(buyerId) kept changing")
    }

    /// Deletes the buyer's basket, whatever it holds (nothing when there is none).
    func delete(_ buyerId: String) async throws {
        try await state.delete(buyerId)
    }

    // MARK: Private

    /// A stored basket with the store's ETag of it (`nil` when none is stored).
    private struct Entry {
        var basket: StoredBasket
        var storeETag: String?
    }

    private func read(_ buyerId: String) async throws -> Entry {
        guard let stored = try await state.get(buyerId, as: StoredBasket.self) else { return Entry(basket: StoredBasket(buyerId: buyerId)) }
        return Entry(basket: stored.value, storeETag: stored.etag)
    }

    private func write(_ change: Change, over entry: Entry) async throws -> StoredBasket {
        switch change {
        case .keep:
            return entry.basket
        case .replace(var basket):
            basket.version = Self.newVersion()
            try await state.transaction([try upsert(basket, over: entry)])
            return basket
        case .delete:
            guard let etag = entry.storeETag else { return StoredBasket(buyerId: entry.basket.buyerId) }
            try await state.delete(entry.basket.buyerId, etag: etag)
            return StoredBasket(buyerId: entry.basket.buyerId)
        case .checkOut(var basket, let record, let event):
            basket.version = Self.newVersion()
            let recordOptions = SaveOptions(concurrency: .firstWrite, ttlInSeconds: CheckoutRecord.ttlInSeconds)
            try await outbox.transaction(
                [try upsert(basket, over: entry), try .upsert(key: CheckoutRecord.key(record.orderId), value: record, options: recordOptions)],
                publishing: [event])
            return basket
        }
    }

    /// Writes `basket` only if the stored one is still `entry` (insert-only when none was stored).
    private func upsert(_ basket: StoredBasket, over entry: Entry) throws -> StateOperation {
        let options = SaveOptions(etag: entry.storeETag, concurrency: entry.storeETag == nil ? .firstWrite : .lastWrite, ttlInSeconds: ttlInSeconds)
        return try .upsert(key: basket.buyerId, value: basket, options: options)
    }

    private static func newVersion() -> String { UUID.random().uuidString.lowercased() }
}
