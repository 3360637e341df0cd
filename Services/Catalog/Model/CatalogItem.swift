import Foundation

/// A product. `price` is an exact decimal (PostgreSQL `numeric(10,2)`), encoded in JSON as an
/// exact number.
struct CatalogItem: Codable, Sendable, Equatable {
    var id: Int
    var name: String
    var description: String
    var price: Decimal
    var pictureFileName: String
    var catalogTypeId: Int
    var catalogBrandId: Int
    var availableStock: Int
    var restockThreshold: Int
    var maxStockThreshold: Int
}

struct CatalogBrand: Codable, Sendable, Equatable {
    var id: Int
    var brand: String
}

struct CatalogType: Codable, Sendable, Equatable {
    var id: Int
    var type: String
}

/// A product picture and its validator.
struct CatalogPicture: Sendable {
    var contentType: String
    var content: [UInt8]
    /// A strong ETag, quoted (`"<md5 of the content>"`).
    var etag: String
}

/// The fields of an item an admin sets (everything but the id and the picture).
struct CatalogItemFields: Sendable, Equatable {
    var name: String
    var description: String
    var price: Decimal
    var catalogTypeId: Int
    var catalogBrandId: Int
    var availableStock: Int
    var restockThreshold: Int
    var maxStockThreshold: Int
}
