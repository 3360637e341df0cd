import Synchronization

/// Where the model stands: loading, loaded (ready), or failed with the reason `/health/ready` gives.
final class ModelStatus: Sendable {
    enum Phase: Sendable {
        case loading
        case ready(LoadedModel)
        case failed(String)
    }

    private let phase = Mutex<Phase>(.loading)

    var current: Phase { phase.withLock { $0 } }

    func set(_ new: Phase) { phase.withLock { $0 = new } }
}
