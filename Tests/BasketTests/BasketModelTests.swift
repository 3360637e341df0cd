import Foundation
import ServiceDefaults
import StateClient
import Testing

@testable import Basket

/// The basket's rules without a server: updates, checkout validation, pricing and what an order
/// submission removes.
@Suite struct BasketModelTests {
    private func update(_ lines: [(Int?, Int?)]) throws(ProblemDetails) -> BasketUpdate {
        try BasketUpdate(BasketUpdateRequest(items: lines.map { .init(productId: $0.0, quantity: $0.1) }))
    }

    private func fieldErrors(_ body: () throws -> Void) -> [String] {
        do {
            try body()
            return []
        } catch let problem as ProblemDetails {
            return problem.errors.map { Array($0.keys).sorted() } ?? []
        } catch {
            return ["unexpected \(error)"]
        }
    }

    @Test func mergesRepeatedProductsAndDropsZeroQuantities() throws {
        let merged = try update([(1, 2), (2, 1), (1, 3), (3, 0)])
        #expect(merged.lines.map(\.productId) == [1, 2])
        #expect(merged.lines.map(\.quantity) == [5, 1])
    }

    @Test func namesEveryBadLine() {
        #expect(fieldErrors { _ = try update([(nil, 1), (1, 100), (2, -1), (0, 1)]) } == [
            "items[0].productId", "items[1].quantity", "items[2].quantity", "items[3].productId",
        ])
        #expect(fieldErrors { _ = try update([(1, 60), (1, 40)]) } == ["items[1].quantity"])
        #expect(fieldErrors { _ = try BasketUpdate(BasketUpdateRequest(items: nil)) } == ["items"])
    }

    @Test func acceptsOnlyLuhnValidCardNumbers() {
        #expect(CardChecks.isValidNumber("4111111111111111"))
        #expect(CardChecks.isValidNumber("5555555555554444"))
        #expect(!CardChecks.isValidNumber("4111111111111112"))
        #expect(!CardChecks.isValidNumber("41111111111"))
        #expect(!CardChecks.isValidNumber("4111a11111111111"))
    }

    @Test func validatesACheckoutFieldByFieldKeepingOnlyTheLastFourDigits() throws {
        let now = Date(timeIntervalSince1970: 1_795_000_000)  // 2026-11-18
        let good = CheckoutRequest(
            street: "1 Main St", city: "Seattle", state: "WA", country: "US", zipCode: "98101", cardNumber: "4111 1111 1111 1111",
            cardHolderName: "Alice", cardExpiration: "12/26", cardSecurityCode: "123", userEmail: "alice@example.com")
        let valid = try ValidCheckout(good, now: now)
        #expect(valid.cardLastFourDigits == "1111")
        #expect(valid.cardExpiresAt == Date(timeIntervalSince1970: 1_798_761_600))  // 2027-01-01 UTC

        var bad = good
        bad.street = " "
        bad.cardNumber = "4111111111111112"
        bad.cardExpiration = "10/26"
        bad.cardSecurityCode = "12"
        bad.userEmail = "alice"
        #expect(fieldErrors { _ = try ValidCheckout(bad, now: now) } == ["cardExpiration", "cardNumber", "cardSecurityCode", "street", "userEmail"])
        bad = good
        bad.cardExpiration = "13/26"
        #expect(fieldErrors { _ = try ValidCheckout(bad, now: now) } == ["cardExpiration"])
    }

    @Test func pricesExactlyAndShowsTheOldPriceOnlyWhenItChanged() {
        let basket = StoredBasket(buyerId: "b", items: [
            StoredBasketItem(productId: 1, productName: "Mug", unitPrice: Decimal(string: "0.1")!, quantity: 3, pictureUrl: "p1"),
            StoredBasketItem(productId: 2, productName: "Cap", unitPrice: Decimal(string: "0.2")!, quantity: 1, pictureUrl: "p2"),
        ])
        let unchanged = BasketView(basket, products: [:])
        #expect(unchanged.total == Decimal(string: "0.5")!)
        #expect(unchanged.items.allSatisfy { $0.oldUnitPrice == nil })
        let repriced = BasketView(basket, products: [2: Product(id: 2, name: "Cap", price: Decimal(string: "0.25")!, pictureUrl: "p2")])
        #expect(repriced.items[1].unitPrice == Decimal(string: "0.25")! && repriced.items[1].oldUnitPrice == Decimal(string: "0.2")!)
        #expect(repriced.total == Decimal(string: "0.55")!)
    }
}
