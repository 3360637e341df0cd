import EventBus
import Foundation
import Testing

/// One rule for ids: every UUID the system writes is lower case, event fields included.
@Suite struct LowercaseIdTests {
    static let orderId = UUID()

    static let events: [any IntegrationEvent] = [
        UserCheckoutAccepted(
            userId: "alice", userName: "Alice", userEmail: "a@example.com", city: "c", street: "s", state: "st", country: "co", zipCode: "z",
            cardHolderName: "Alice", cardLastFourDigits: "1111", cardExpiration: Date(), requestId: orderId,
            basket: .init(buyerId: "alice", items: [.init(productId: 1, productName: "Mug", unitPrice: 1, quantity: 1)])),
        OrderStatusChangedToSubmitted(orderId: orderId, orderStatus: .submitted, buyerId: "alice", buyerEmail: "a@example.com"),
        OrderStatusChangedToAwaitingStockValidation(
            orderId: orderId, orderStatus: .awaitingStockValidation, description: "", orderStockItems: [.init(productId: 1, units: 1)], buyerId: "alice"),
        OrderStockConfirmed(orderId: orderId),
        OrderStockRejected(orderId: orderId, orderStockItems: [.init(productId: 1, hasStock: false)]),
        OrderStatusChangedToValidated(orderId: orderId, orderStatus: .stockConfirmed, description: "", total: 1, buyerId: "alice"),
        OrderPaymentSucceeded(orderId: orderId),
        OrderPaymentFailed(orderId: orderId),
        OrderStatusChangedToPaid(orderId: orderId, orderStatus: .paid, description: "", orderStockItems: [], buyerId: "alice"),
        OrderStatusChangedToShipped(orderId: orderId, orderStatus: .shipped, description: "", buyerId: "alice"),
        OrderStatusChangedToCancelled(orderId: orderId, orderStatus: .cancelled, description: "", buyerId: "alice"),
        ProductPriceChanged(productId: 1, newPrice: 2, oldPrice: 1),
    ]

    @Test(arguments: 0..<events.count)
    func everyIdInTheEnvelopeIsLowerCase(_ index: Int) throws {
        let event = Self.events[index]
        let envelope = try EventEnvelope(event, source: "test")
        let json = String(decoding: envelope.bytes, as: UTF8.self)
        #expect(!json.contains(event.id.uuidString), "capital event id in \(json)")
        #expect(!json.contains(Self.orderId.uuidString), "capital order id in \(json)")
        #expect(json.contains("\"id\":\"\(event.id.uuidString.lowercased())\""))
        if !(event is ProductPriceChanged) {
            #expect(json.contains(Self.orderId.uuidString.lowercased()))
        }
    }

    @Test func idsInEitherCaseAreRead() throws {
        let id = UUID()
        for text in [id.uuidString, id.uuidString.lowercased()] {
            let event = try EventJSON.decoder().decode(
                OrderStockConfirmed.self,
                from: Data(#"{"id":"\#(text)","orderId":"\#(text)","creationDate":"2026-11-22T20:15:00.123Z"}"#.utf8))
            #expect(event.orderId == id)
        }
    }
}
