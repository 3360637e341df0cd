import Foundation

/// Basket → ordering: a buyer checked out their basket. `requestId` (the checkout's
/// `X-Request-Id`) becomes the order id, so a repeated checkout creates one order.
public struct UserCheckoutAccepted: IntegrationEvent, Hashable {
    public var id: UUID
    public var creationDate: Date
    public var userId: String
    public var userName: String
    public var userEmail: String
    public var city: String
    public var street: String
    public var state: String
    public var country: String
    public var zipCode: String
    public var cardNumber: String
    public var cardHolderName: String
    public var cardExpiration: Date
    public var cardSecurityNumber: String
    public var cardTypeId: Int
    public var requestId: UUID
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
        zipCode: String, cardNumber: String, cardHolderName: String, cardExpiration: Date, cardSecurityNumber: String,
        cardTypeId: Int, requestId: UUID, basket: CustomerBasket, id: UUID = UUID(), creationDate: Date = Date()
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
        self.cardNumber = cardNumber
        self.cardHolderName = cardHolderName
        self.cardExpiration = cardExpiration
        self.cardSecurityNumber = cardSecurityNumber
        self.cardTypeId = cardTypeId
        self.requestId = requestId
        self.basket = basket
    }
}
