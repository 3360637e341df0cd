import EventBus
import Foundation
import Logging
import ServiceDefaults
import StateClient

/// What Ordering does, apart from HTTP: creates orders from checkouts and moves them through
/// ``OrderStateMachine``, each move a compare-and-set of the order together with its event.
struct OrderingService: Sendable {
    let repository: OrderRepository
    /// How long a buyer may cancel before stock is checked.
    let gracePeriod: Duration
    /// Tells the outbox relay to publish now (after a transition committed its event).
    let wakeRelay: @Sendable () -> Void
    let logger: Logger
    /// The clock (tests move it).
    var now: @Sendable () -> Date = { Date() }

    /// How often a transition is retried when another writer changed the order first.
    static let maximumAttempts = 10

    // MARK: Events

    /// `UserCheckoutAccepted`: stores the `submitted` order (id = the checkout's request id) with
    /// `OrderStatusChangedToSubmitted`; a repeated checkout event finds it stored and does nothing.
    /// With no grace period the order moves on at once (the timer would otherwise find it).
    func checkoutAccepted(_ checkout: UserCheckoutAccepted) async throws {
        let order = Order(checkout, gracePeriod: gracePeriod, now: now())
        guard try await repository.create(order, publishing: order.statusEvent(at: order.createdAt)) else { return }
        OrderingMetrics.submitted()
        wakeRelay()
        logger.info("order submitted", metadata: ["order.id": "\(order.orderId)", "buyer.id": "\(order.buyerId)"])
        if gracePeriod <= .zero { try await gracePeriodElapsed(order.orderId) }
    }

    /// The durable timer fired: `submitted` → `awaitingStockValidation`. Nothing when another
    /// replica fired it first, or the buyer cancelled.
    func gracePeriodElapsed(_ orderId: String) async throws {
        _ = try await transition(orderId, on: .gracePeriodElapsed, ignoringRefusal: true)
    }

    /// Applies an event's trigger; a refused one is logged and dropped (a redelivered or late
    /// event: the order moved on already).
    func handle(_ orderId: UUID, _ trigger: OrderTrigger) async throws {
        _ = try await transition(orderId.lowercasedString, on: trigger, ignoringRefusal: true)
    }

    // MARK: API

    /// The caller's order; 404 for an unknown id and for another buyer's order alike (an admin sees every order).
    func order(_ orderId: String, for user: AuthenticatedUser) async throws -> Order {
        guard UUID(uuidString: orderId) != nil, let order = try await repository.entry(orderId.lowercased())?.order,
            order.buyerId == user.buyerID || user.isAdmin
        else {
            throw Self.notFound(orderId)
        }
        return order
    }

    /// Cancels the caller's order (an admin may cancel any); 404 as ``order(_:for:)``, 409 when
    /// its status forbids it.
    func cancel(_ orderId: String, by user: AuthenticatedUser) async throws -> Order {
        _ = try await order(orderId, for: user)
        return try await transitionOrConflict(orderId.lowercased(), on: .cancelledByBuyer)
    }

    /// Ships a paid order (the route allows admins only); 404 for an unknown id, 409 unless `paid`.
    func ship(_ orderId: String) async throws -> Order {
        try await transitionOrConflict(orderId.lowercased(), on: .shipped)
    }

    private func transitionOrConflict(_ orderId: String, on trigger: OrderTrigger) async throws -> Order {
        guard UUID(uuidString: orderId) != nil else { throw Self.notFound(orderId) }
        do {
            guard let order = try await transition(orderId, on: trigger, ignoringRefusal: false) else { throw Self.notFound(orderId) }
            return order
        } catch let refused as OrderTransitionRefused {
            throw ProblemDetails(.conflict, detail: "the order is \(refused.status.rawValue); it cannot be \(refused.trigger.verb) now")
        }
    }

    static func notFound(_ orderId: String) -> ProblemDetails {
        ProblemDetails(.notFound, detail: "no order \(orderId)")
    }

    // MARK: Transitions

    /// Reads the order, applies `trigger` and writes it with its event, compare-and-set on the
    /// ETag, retrying when another writer came first. Returns the order as written, `nil` when
    /// there is no such order, or (`ignoringRefusal`) when the process forbids the move.
    private func transition(_ orderId: String, on trigger: OrderTrigger, ignoringRefusal: Bool) async throws -> Order? {
        for _ in 1...Self.maximumAttempts {
            guard let entry = try await repository.entry(orderId) else {
                if ignoringRefusal { logger.warning("event for an unknown order dropped", metadata: ["order.id": "\(orderId)", "trigger": "\(trigger)"]) }
                return nil
            }
            let at = now()
            let next: Order
            do {
                next = try entry.order.applying(trigger, at: at)
            } catch {
                guard ignoringRefusal else { throw error }
                logger.info("transition refused", metadata: ["order.id": "\(orderId)", "reason": "\(error)"])
                return nil
            }
            do {
                try await repository.replace(entry, with: next, publishing: next.statusEvent(at: at))
                OrderingMetrics.moved(entry.order, to: next, on: trigger, at: at)
                wakeRelay()
                logger.info("order moved", metadata: ["order.id": "\(orderId)", "order.status": "\(next.status.rawValue)"])
                return next
            } catch let error as StateError where error.code == .etagMismatch {
                continue
            }
        }
        throw StateError(.etagMismatch, "order \(orderId) kept changing")
    }
}

extension OrderTrigger {
    /// The trigger as a past participle, for messages ("cannot be shipped now").
    var verb: String {
        switch self {
        case .cancelledByBuyer: "cancelled"
        case .shipped: "shipped"
        default: "changed this way"
        }
    }
}

extension AuthenticatedUser {
    /// Whether the token's role is `admin`.
    var isAdmin: Bool { role == "admin" }
}
