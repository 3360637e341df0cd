import EventBus
import Logging
import ServiceLifecycle
import StateFolder

/// Keeps the ``CatalogIndex`` of this replica: once the model is loaded and this replica owns
/// the `catalog-index` store (a standby replica waits, as for the bought-together store), it
/// loads the stored vectors, syncs with Catalog (retrying while Catalog cannot answer: 1 s,
/// doubling up to 30 s), then follows `CatalogItemCreated`, `CatalogItemUpdated` and
/// `CatalogItemDeleted` on the event bus until the worker stops, syncing again whenever an
/// event's item could not be re-read.
///
/// The bus runs only after the sync: events published meanwhile wait in their streams and are
/// applied afterwards, so every change made during the sync is applied after it.
struct CatalogIndexer: Service {
    let index: CatalogIndex
    let status: ModelStatus
    let stateFolder: StateFolder
    let lockPolicy: FolderLock.WaitPolicy
    /// The bus with the index's subscriptions (``subscribe(_:to:)``).
    let bus: RedisStreamsEventBus
    let logger: Logger

    /// Subscribes `index` to the catalog's item events on `bus`: each re-reads its item.
    static func subscribe(_ index: CatalogIndex, to bus: RedisStreamsEventBus) {
        bus.subscribe(CatalogItemCreated.self) { event in await index.refresh([event.productId]) }
        bus.subscribe(CatalogItemUpdated.self) { event in await index.refresh([event.productId]) }
        bus.subscribe(CatalogItemDeleted.self) { event in await index.refresh([event.productId]) }
    }

    func run() async throws {
        guard let model = await cancelWhenGracefulShutdown({ await status.loadedModel() }) else { return }
        guard let store = try await ownStore() else { return }
        do {
            index.phase = .syncing(lastError: nil)
            try await index.open(store: store, model: model)
            guard try await syncUntilDone() else {
                try store.close()
                return
            }
            index.phase = .ready
            try await withThrowingDiscardingTaskGroup { group in
                group.addTask { try await bus.run() }
                group.addTask { try await resyncWhenAsked() }
            }
            try store.close()
        } catch {
            try? store.close()
            throw error
        }
    }

    /// Runs a full sync each time an event's item could not be re-read, until the worker stops.
    private func resyncWhenAsked() async throws {
        try await cancelWhenGracefulShutdown {
            for await _ in index.resyncRequests {
                guard try await syncUntilDone() else { return }
            }
        }
    }

    /// Syncs until it succeeds (`true`) or the worker stops (`false`).
    private func syncUntilDone() async throws -> Bool {
        var delay = Duration.seconds(1)
        while true {
            do {
                try await index.sync()
                return true
            } catch {
                if Task.isCancelled || Task.isShuttingDownGracefully { return false }
                // A resync keeps a ready index serving: it only lags until Catalog answers.
                if index.phase != .ready { index.phase = .syncing(lastError: "\(error)") }
                logger.warning("the catalog index cannot sync with Catalog; retrying", metadata: ["error": "\(error)", "retry.in": "\(delay)"])
                do {
                    try await cancelWhenGracefulShutdown { [delay] in try await Task.sleep(for: delay) }
                } catch {
                    return false
                }
                delay = min(delay * 2, .seconds(30))
            }
        }
    }

    /// The store once this replica owns it; `nil` when stopped first.
    private func ownStore() async throws -> KeyedStateStore? {
        while true {
            do {
                return try await KeyedStateStore.open(
                    stateFolder, store: CatalogIndex.store, stream: CatalogIndex.streamFolder, lockPolicy: lockPolicy, logger: logger)
            } catch let error as StateFolderError where error.code == .lockUnavailable {
                index.phase = .standingBy
                logger.info("another replica owns the store; standing by", metadata: ["store": "\(CatalogIndex.store)"])
            } catch let error as StateFolderError where error.code == .stopped {
                return nil
            }
        }
    }
}
