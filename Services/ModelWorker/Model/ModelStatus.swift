import Synchronization

/// Where the model stands: loading, loaded (ready), or failed with the reason `/health/ready` gives.
final class ModelStatus: Sendable {
    enum Phase: Sendable {
        case loading
        case ready(LoadedModel)
        case failed(String)
    }

    private let phase = Mutex<Phase>(.loading)
    private let loaded: AsyncStream<LoadedModel>
    private let loadedContinuation: AsyncStream<LoadedModel>.Continuation

    init() {
        (loaded, loadedContinuation) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(1))
    }

    var current: Phase { phase.withLock { $0 } }

    func set(_ new: Phase) {
        phase.withLock { $0 = new }
        if case .ready(let model) = new { loadedContinuation.yield(model) }
    }

    /// The model once it is loaded; `nil` when the task is cancelled first. For one caller (the
    /// catalog indexer).
    func loadedModel() async -> LoadedModel? {
        for await model in loaded { return model }
        return nil
    }
}
