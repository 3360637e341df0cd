import Foundation
import ServiceDefaults
import StateClient

/// Baskets in the state store (component `statestore`, key `basket-api||<buyerId>`), with a TTL
/// for abandoned baskets, written compare-and-set so no update is lost.
struct BasketRepository: Sendable {
    let state: StateClient
    /// Seconds an untouched basket is kept (`BASKET_TTL_SECONDS`, default 30 days).
    let ttlInSeconds: Int
    /// Each recent buyer's stored bytes, decoded (Redis restarts a key's ETag at 1 after a
    /// delete, so the bytes themselves identify a value).
    let decoded = LastResultCache<[UInt8], StoredBasket>()

    /// A stored basket with the store's ETag of it (for compare-and-set writes).
    struct Entry: Sendable {
        var basket: StoredBasket
        /// `nil` when no basket is stored.
        var storeETag: String?
    }

    /// The buyer's basket, or an empty one (version ``StoredBasket/absentVersion``) when none is stored.
    func entry(of buyerId: String) async throws -> Entry {
        guard let stored = try await state.get(buyerId) else { return Entry(basket: StoredBasket(buyerId: buyerId)) }
        let basket = try decoded.result(for: buyerId, input: stored.value) { bytes throws(StateError) in
            do {
                return try JSONDecoder().decode(StoredBasket.self, from: Data(bytes))
            } catch {
                throw StateError(.storeFailure, "the stored basket of \(buyerId) is not a basket: \(error)")
            }
        }
        return Entry(basket: basket, storeETag: stored.etag)
    }

    /// Stores `basket` if the stored one is still `entry`; ``StateError/Code/etagMismatch`` when
    /// it changed meanwhile. Returns the basket as written, with its new version.
    func replace(_ entry: Entry, with basket: StoredBasket) async throws -> StoredBasket {
        var basket = basket
        basket.version = UUID.random().uuidString.lowercased()
        try await state.transaction([try operation(replacing: entry, with: basket)])
        return basket
    }

    /// The state operation that writes `basket` over `entry` (for a transaction with more).
    func operation(replacing entry: Entry, with basket: StoredBasket) throws -> StateOperation {
        let options = SaveOptions(etag: entry.storeETag, concurrency: entry.storeETag == nil ? .firstWrite : .lastWrite, ttlInSeconds: ttlInSeconds)
        return try .upsert(key: basket.buyerId, value: basket, options: options)
    }

    /// Deletes the buyer's basket (nothing when there is none).
    func delete(_ buyerId: String) async throws {
        try await state.delete(buyerId)
    }

    /// Deletes `entry`'s basket if it is still the stored one.
    func delete(_ entry: Entry) async throws {
        guard let etag = entry.storeETag else { return }
        try await state.delete(entry.basket.buyerId, etag: etag)
    }
}
