import EventBus
import Foundation
import Logging
import ServiceLifecycle
import Tracing

/// The durable grace-period timer. The due time is stored with the order
/// (``Order/gracePeriodEndsAt``), so it survives restarts; every `pollInterval` this service
/// queries the orders still `submitted` whose time has come and fires each one, a compare-and-set
/// transition, so with several replicas polling only one moves an order (the others find it moved
/// and do nothing). Nothing is kept in memory between polls. Each firing is a span in the trace
/// of the checkout that created the order.
struct GracePeriodTimer: Service {
    let service: OrderingService
    let pollInterval: Duration
    let batchSize = 100
    let logger: Logger

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    try await fireDue()
                } catch {
                    logger.error("cannot fire grace-period timers; retrying", metadata: ["error": "\(String(reflecting: error))"])
                }
                try? await Task.sleep(for: pollInterval)
            }
        }
    }

    /// Fires every timer due now; returns how many it found due.
    @discardableResult
    func fireDue() async throws -> Int {
        var fired = 0
        while true {
            let due = try await service.repository.dueForStockValidation(at: service.now(), limit: batchSize)
            for order in due {
                // A span in the checkout's trace (stored with the order), not a trace of its own.
                try await withSpan("grace period elapsed", context: (order.trace ?? TraceContextHeaders()).serviceContext()) { span in
                    span.attributes["order.id"] = order.orderId
                    try await service.gracePeriodElapsed(order.orderId)
                }
            }
            fired += due.count
            if due.count < batchSize { return fired }
        }
    }
}
