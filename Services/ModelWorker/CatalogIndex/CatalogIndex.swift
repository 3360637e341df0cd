import Crypto
import Embeddings
import Foundation
import Logging
import NIOPosix
import StateFolder
import Synchronization
import VectorIndex

/// The catalog's semantic index: a vector per catalog item (its name and description embedded
/// by the model), in memory for search (``VectorIndex``) and in the keyed-state store
/// `catalog-index` so a restart reuses them.
///
/// In the store, the message key is the product id and the state key names the model,
/// `vector:<model name>@<model version>`, holding ``StoredVector`` (the SHA-256 of the text
/// embedded and the vector). An item whose text and model are unchanged is never embedded
/// again; a new model version finds no vectors under its key and embeds everything, and the
/// other versions' vectors are deleted at start.
///
/// Every change (the sync at start, a refresh after an event) passes one ``SerialGate``, so an
/// older read of Catalog never overwrites a newer one. Embedding, search and the matrix work run
/// on the NIO thread pool, never on an event loop.
final class CatalogIndex: Sendable {
    /// Where the index stands, as `/health/ready` and the search API report it.
    enum Phase: Sendable, Equatable {
        case waitingForModel
        /// Another replica owns the store; this one waits to take over.
        case standingBy
        /// Loading stored vectors and syncing with Catalog (`lastError`: why the last try failed).
        case syncing(lastError: String?)
        case ready
    }

    /// Texts embedded per batch.
    static let batchSize = 32
    static let store = "catalog-index"
    /// The store's stream folder: the index follows Catalog's three item topics, so it is named
    /// after their source.
    static let streamFolder = "catalog-api"

    private struct Contents: Sendable {
        var vectors: VectorIndex
        /// SHA-256 (hex) of the text each vector was embedded from.
        var textHashes: [Int: String] = [:]
    }

    /// What the index works with once this replica owns the store and the model is loaded.
    private struct Owner: Sendable {
        var store: KeyedStateStore
        var embedder: SentenceEmbedder
        var stateKey: String
    }

    let catalog: CatalogItemsClient
    let logger: Logger
    private let gate = SerialGate()
    private let phaseState = Mutex(Phase.waitingForModel)
    private let contents = Mutex(Contents(vectors: VectorIndex(dimension: 1)))
    private let owner = Mutex<Owner?>(nil)
    private let embeddedCount = Atomic(0)
    private let reusedCount = Atomic(0)
    /// Wake-ups for a full sync: an event whose item could not be re-read asks for one.
    let resyncRequests: AsyncStream<Void>
    private let resyncContinuation: AsyncStream<Void>.Continuation

    init(catalog: CatalogItemsClient, logger: Logger) {
        self.catalog = catalog
        self.logger = logger
        (resyncRequests, resyncContinuation) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(1))
    }

    var phase: Phase {
        get { phaseState.withLock { $0 } }
        set { phaseState.withLock { $0 = newValue } }
    }

    /// Items in the index.
    var count: Int { contents.withLock { $0.vectors.count } }
    /// Texts embedded since this process started (the sync and the events).
    var embeddedSinceStart: Int { embeddedCount.load(ordering: .relaxed) }
    /// Vectors found in the store at start, for the current model, and used as they were.
    var reusedAtStart: Int { reusedCount.load(ordering: .relaxed) }

    // MARK: Start

    /// Takes the store over with `model`: loads the vectors stored under the model's key and
    /// deletes other models' vectors.
    func open(store: KeyedStateStore, model: LoadedModel) async throws {
        let stateKey = "vector:\(model.files.name)@\(model.files.version)"
        let stored = try await store.values(withStateKeyPrefix: "vector:")
        var loaded = Contents(vectors: VectorIndex(dimension: model.embedder.dimension))
        var stale: [(messageKey: String, stateKey: String)] = []
        for entry in stored {
            guard entry.stateKey == stateKey, let id = Int(entry.messageKey) else {
                stale.append((entry.messageKey, entry.stateKey))
                continue
            }
            let vector = try JSONDecoder().decode(StoredVector.self, from: entry.value)
            try loaded.vectors.upsert(id, vector.floats)
            loaded.textHashes[id] = vector.textHash
        }
        if !stale.isEmpty {
            try await store.update { [stale] transaction in
                for entry in stale { try transaction.state(forKey: entry.messageKey).delete(entry.stateKey) }
            }
        }
        contents.withLock { $0 = loaded }
        owner.withLock { $0 = Owner(store: store, embedder: model.embedder, stateKey: stateKey) }
        reusedCount.store(loaded.vectors.count, ordering: .relaxed)
        logger.info(
            "catalog index loaded", metadata: ["index.items": "\(loaded.vectors.count)", "index.stale": "\(stale.count)", "index.key": "\(stateKey)"])
    }

    /// Brings the index in line with Catalog: pages through every item, embeds the new and
    /// changed ones and drops the items Catalog no longer has. A pass during which the catalog's
    /// size changed (items moved between pages) is repeated, at most three times in all.
    func sync() async throws {
        try await gate.run {
            for pass in 1...3 {
                var seen = Set<Int>()
                var pageIndex = 0
                let first = try await catalog.page(0)
                var page = first
                while true {
                    try await apply(page.items, removing: [])
                    seen.formUnion(page.items.map(\.id))
                    guard page.items.count == CatalogItemsClient.pageSize else { break }
                    pageIndex += 1
                    page = try await catalog.page(pageIndex)
                }
                let last = try await catalog.page(0).count
                guard first.count == last && seen.count == last else {
                    logger.info("the catalog changed during the sync; another pass", metadata: ["pass": "\(pass)"])
                    continue
                }
                let gone = contents.withLock { $0.vectors.ids.filter { !seen.contains($0) } }
                try await apply([], removing: gone)
                break
            }
        }
        logger.info(
            "catalog index synced",
            metadata: ["index.items": "\(count)", "index.embedded": "\(embeddedSinceStart)", "index.reused": "\(reusedAtStart)"])
    }

    /// Re-reads the items `ids` from Catalog and updates them, or drops those it no longer has:
    /// what every catalog item event does, whatever its topic (events of different topics can
    /// arrive in any order; Catalog's current state cannot be out of order).
    ///
    /// When that fails (Catalog restarting, a full disk), the event is not retried until it is
    /// dead-lettered: a full sync is requested instead (``resyncRequests``), which the indexer
    /// retries until Catalog answers, and which re-reads every item, this one included.
    func refresh(_ ids: [Int]) async {
        do {
            try await gate.run {
                let found = try await catalog.items(ids)
                let present = Set(found.map(\.id))
                try await apply(found, removing: ids.filter { !present.contains($0) })
            }
        } catch {
            logger.warning("a catalog item could not be re-read; a full sync follows", metadata: ["ids": "\(ids)", "error": "\(error)"])
            resyncContinuation.yield()
        }
    }

    /// Embeds the items whose text changed (or that are new), stores them and drops `removed`,
    /// in one keyed-state transaction per batch; memory follows each committed batch.
    private func apply(_ items: [CatalogText], removing removed: [Int]) async throws {
        guard let owner = owner.withLock({ $0 }) else { throw CatalogIndexError.notOpen }
        // An item whose text has no token the model reads (a name of accents only) cannot be
        // embedded: it stays out of the index (and is dropped if it was in) rather than fail
        // its whole batch.
        let unreadable = items.filter { owner.embedder.tokenize($0.text).count <= 2 }
        if !unreadable.isEmpty { logger.warning("catalog items without a word the model reads are not indexed", metadata: ["ids": "\(unreadable.map(\.id))"]) }
        let unreadableIDs = Set(unreadable.map(\.id))
        let readable = items.filter { !unreadableIDs.contains($0.id) }
        let removed = removed + unreadableIDs
        let hashed = readable.map { ($0, Self.hash($0.text)) }
        let changed = contents.withLock { contents in hashed.filter { item, hash in contents.textHashes[item.id] != hash } }
        for start in stride(from: 0, to: changed.count, by: Self.batchSize) {
            let batch = Array(changed[start..<min(changed.count, start + Self.batchSize)])
            let texts = batch.map(\.0.text)
            let vectors = try await NIOThreadPool.singleton.runIfActive { try owner.embedder.embed(texts) }
            ModelWorkerMetrics.embedded(texts.count, purpose: .index)
            let stored = zip(batch, vectors).map { item, vector in (item.0.id, StoredVector(textHash: item.1, floats: vector)) }
            try await owner.store.update { transaction in
                for (id, vector) in stored { try transaction.state(forKey: String(id)).set(owner.stateKey, vector) }
            }
            try contents.withLock { contents in
                for (id, vector) in stored {
                    try contents.vectors.upsert(id, vector.floats)
                    contents.textHashes[id] = vector.textHash
                }
            }
            embeddedCount.add(batch.count, ordering: .relaxed)
        }
        let known = contents.withLock { contents in removed.filter { contents.textHashes[$0] != nil } }
        guard !known.isEmpty else { return }
        try await owner.store.update { transaction in
            for id in known { try transaction.state(forKey: String(id)).delete(owner.stateKey) }
        }
        contents.withLock { contents in
            for id in known {
                contents.vectors.remove(id)
                contents.textHashes[id] = nil
            }
        }
    }

    static func hash(_ text: String) -> String { SHA256.hash(data: Data(text.utf8)).map { String(format: "%02x", $0) }.joined() }

    // MARK: Queries

    /// The items closest in meaning to `text`, best first.
    /// - Throws: ``CatalogIndexError/notReady`` until the first sync finished.
    func search(_ text: String, limit: Int) async throws -> [VectorIndex.Match] {
        guard phase == .ready, let embedder = owner.withLock({ $0?.embedder }) else { throw CatalogIndexError.notReady(phase) }
        let vectors = contents.withLock { $0.vectors }  // a copy on write: changes meanwhile do not wait for the search
        let matches = try await NIOThreadPool.singleton.runIfActive {
            let query = try embedder.embed([text])[0]
            return try vectors.nearest(to: query, limit: limit)
        }
        ModelWorkerMetrics.embedded(1, purpose: .query)
        return matches
    }

    /// The items closest in meaning to item `productId` (itself left out), best first; empty when
    /// the item is not indexed.
    func neighbours(of productId: Int, limit: Int) async throws -> [VectorIndex.Match] {
        guard phase == .ready else { throw CatalogIndexError.notReady(phase) }
        let vectors = contents.withLock { $0.vectors }
        return try await NIOThreadPool.singleton.runIfActive {
            guard let vector = vectors.vector(of: productId) else { return [] }
            return try vectors.nearest(to: vector, limit: limit, excluding: [productId])
        }
    }
}

enum CatalogIndexError: Error, CustomStringConvertible {
    case notOpen
    case notReady(CatalogIndex.Phase)

    var description: String {
        switch self {
        case .notOpen: "the catalog index is not open"
        case .notReady(.waitingForModel): "the catalog index waits for the model"
        case .notReady(.standingBy): "another replica owns the catalog index; this one stands by"
        case .notReady(.syncing(let error)): "the catalog index is syncing with Catalog" + (error.map { " (last attempt: \($0))" } ?? "")
        case .notReady(.ready): "the catalog index is ready"
        }
    }
}

/// One item's vector in the store: `{"textHash":"<sha256 hex>","vector":"<base64>"}`, the
/// vector as little-endian IEEE 754 single-precision floats (every platform Swift runs on here
/// is little-endian).
struct StoredVector: Codable, Sendable {
    var textHash: String
    var vector: Data

    init(textHash: String, floats: [Float]) {
        self.textHash = textHash
        vector = floats.withUnsafeBytes { Data($0) }
    }

    var floats: [Float] {
        var floats = [Float](repeating: 0, count: vector.count / MemoryLayout<Float>.size)
        _ = floats.withUnsafeMutableBytes { vector.copyBytes(to: $0) }  // copied: Data's bytes need not be aligned for Float
        return floats
    }
}
