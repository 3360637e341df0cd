import Foundation

/// Basket → ordering: a buyer checked out their basket. `requestId` (the checkout's idempotency
/// key: `Idempotency-Key`, or eShop's `x-requestid`) becomes the order id, so a repeated checkout
/// creates one order.
///
/// The card travels as its holder, last four digits and expiry only: the full number and the
/// security code never leave Basket (they are neither stored nor logged; the payment is simulated).
public struct UserCheckoutAccepted: IntegrationEvent, Hashable {
    @LowercaseUUID public var id: UUID
    public var creationDate: Date
    public var userId: String
    public var userName: String
    public var userEmail: String
    public var city: String
    public var street: String
    public var state: String
    public var country: String
    public var zipCode: String
    public var cardHolderName: String
    /// The last four digits of the card number.
    public var cardLastFourDigits: String
    /// The first instant the card is no longer valid.
    public var cardExpiration: Date
    @LowercaseUUID public var requestId: UUID
    public var basket: CustomerBasket

    /// The basket as it was at checkout.
    public struct CustomerBasket: Codable, Sendable, Hashable {
        public var buyerId: String
        public var items: [BasketItem]

        public init(buyerId: String, items: [BasketItem]) {
            self.buyerId = buyerId
            self.items = items
        }
    }

    /// One line of the basket; prices in the catalog's currency, never floating point.
    public struct BasketItem: Codable, Sendable, Hashable {
        public var productId: Int
        public var productName: String
        public var unitPrice: Decimal
        public var quantity: Int
        public var pictureUrl: String?

        public init(productId: Int, productName: String, unitPrice: Decimal, quantity: Int, pictureUrl: String? = nil) {
            self.productId = productId
            self.productName = productName
            self.unitPrice = unitPrice
            self.quantity = quantity
            self.pictureUrl = pictureUrl
        }
    }

    public init(
        userId: String, userName: String, userEmail: String, city: String, street: String, state: String, country: String,
        zipCode: String, cardHolderName: String, cardLastFourDigits: String, cardExpiration: Date, requestId: UUID,
        basket: CustomerBasket, id: UUID = UUID(), creationDate: Date = Date()
    ) {
        self.id = id
        self.creationDate = creationDate
        self.userId = userId
        self.userName = userName
        self.userEmail = userEmail
        self.city = city
        self.street = street
        self.state = state
        self.country = country
        self.zipCode = zipCode
        self.cardHolderName = cardHolderName
        self.cardLastFourDigits = cardLastFourDigits
        self.cardExpiration = cardExpiration
        self.requestId = requestId
        self.basket = basket
    }
}
