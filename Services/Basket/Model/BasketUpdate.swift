import ServiceDefaults

/// The body of `PUT /api/v1/basket`: the whole basket as product ids and quantities.
struct BasketUpdateRequest: Decodable, Sendable {
    struct Line: Decodable, Sendable {
        var productId: Int?
        var quantity: Int?
    }

    var items: [Line]?
}

/// A validated basket update: quantities by product id, repeated ids merged, zero quantities
/// dropped, in the order products first appear.
struct BasketUpdate: Sendable, Equatable {
    static let maximumQuantity = 99
    static let maximumLines = 100

    var lines: [(productId: Int, quantity: Int)]

    static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.lines.elementsEqual(rhs.lines) { $0.productId == $1.productId && $0.quantity == $1.quantity }
    }

    /// Validates `request`; every mistake is named by its field (`items[2].quantity`).
    init(_ request: BasketUpdateRequest) throws(ProblemDetails) {
        guard let items = request.items else {
            throw ProblemDetails(.badRequest, detail: "one or more fields are invalid", errors: ["items": ["is required (an array of {productId, quantity})"]])
        }
        var errors: [String: [String]] = [:]
        var order: [Int] = []
        var quantities: [Int: Int] = [:]
        for (index, line) in items.enumerated() {
            // Catalog's ids are int32 (its OpenAPI document): a larger one names no product.
            guard let productId = line.productId, (1...Int(Int32.max)).contains(productId) else {
                errors["items[\(index)].productId", default: []].append("must be an integer 1…\(Int32.max)")
                continue
            }
            guard let quantity = line.quantity, (0...Self.maximumQuantity).contains(quantity) else {
                errors["items[\(index)].quantity", default: []].append("must be 0…\(Self.maximumQuantity) (0 removes the item)")
                continue
            }
            if quantities[productId] == nil { order.append(productId) }
            quantities[productId, default: 0] += quantity
            if quantities[productId, default: 0] > Self.maximumQuantity {
                errors["items[\(index)].quantity", default: []].append("product \(productId) adds up to more than \(Self.maximumQuantity)")
            }
        }
        if order.count > Self.maximumLines { errors["items", default: []].append("at most \(Self.maximumLines) different products") }
        guard errors.isEmpty else { throw ProblemDetails(.badRequest, detail: "one or more fields are invalid", errors: errors) }
        lines = order.compactMap { id in quantities[id].flatMap { $0 > 0 ? (id, $0) : nil } }
    }
}
