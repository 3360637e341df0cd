import EventBus
import Foundation
import Logging
import RedisClient
import ServiceLifecycle
import StateFolder

/// "Bought together" counts in keyed state, keyed by product id (the message key):
///
/// | state key | value |
/// |---|---|
/// | `orders` | paid orders holding the product |
/// | `with:<other id>` | paid orders holding both products |
enum BoughtTogether {
    static let store = "bought-together"

    /// Counts one paid order: each product once, however many units.
    static func count(_ order: OrderStatusChangedToPaid, in transaction: StateTransaction) throws {
        let products = Set(order.orderStockItems.map(\.productId)).sorted()
        for product in products {
            let state = transaction.state(forKey: String(product))
            try state.set("orders", try state.get("orders", default: 0) + 1)
            for other in products where other != product {
                try state.set("with:\(other)", try state.get("with:\(other)", default: 0) + 1)
            }
        }
    }
}

/// Owns the bought-together store when it can: waits for the store's lock (a standby replica
/// keeps waiting and takes over when the owner stops), then consumes `OrderStatusChangedToPaid`
/// in checkpoints.
struct BoughtTogetherConsumer: Service {
    /// Held while the worker runs, so `clear-state` refuses.
    let groupInUse: GroupInUse
    let client: RedisClient
    let stateFolder: StateFolder
    let streamPrefix: String
    let checkpoint: CheckpointPolicy
    let lockPolicy: FolderLock.WaitPolicy
    let logger: Logger

    var stream: String { streamPrefix + OrderStatusChangedToPaid.topic }

    func run() async throws {
        guard let store = try await ownStore() else { return }
        logger.info("owning the store", metadata: ["store": "\(BoughtTogether.store)", "path": "\(store.folder.path)"])
        let consumer = CheckpointedStreamConsumer<OrderStatusChangedToPaid>(
            client: client, stream: stream, group: stateFolder.consumerGroup, consumerName: "\(stateFolder.consumerGroup)-\(BoughtTogether.store)",
            policy: checkpoint, logger: logger, handler: BoughtTogether.count)
        do {
            try await consumer.run(store: store)
            try store.close()
        } catch {
            try? store.close()
            throw error
        }
    }

    /// The store once this replica owns it; `nil` when stopped first.
    private func ownStore() async throws -> KeyedStateStore? {
        while true {
            do {
                return try await KeyedStateStore.open(stateFolder, store: BoughtTogether.store, stream: stream, lockPolicy: lockPolicy, logger: logger)
            } catch let error as StateFolderError where error.code == .lockUnavailable {
                logger.info("another replica owns the store; standing by", metadata: ["store": "\(BoughtTogether.store)"])
            } catch let error as StateFolderError where error.code == .stopped {
                return nil
            }
        }
    }
}
