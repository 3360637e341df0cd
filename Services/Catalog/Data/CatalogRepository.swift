/// Filters of an item listing; `nil` means "any".
struct CatalogItemFilter: Sendable, Equatable {
    var brandId: Int?
    var typeId: Int?
    /// Names starting with this (case-sensitive).
    var namePrefix: String?
}

/// One page of a listing and the number of items across all pages.
struct CatalogItemPage: Sendable {
    var count: Int
    var items: [CatalogItem]
}

/// Where catalog data lives.
protocol CatalogRepository: Sendable {
    /// Items matching `filter`, ordered by name then id, `pageSize` per page.
    func items(pageIndex: Int, pageSize: Int, filter: CatalogItemFilter) async throws -> CatalogItemPage
    func item(id: Int) async throws -> CatalogItem?
    /// The items among `ids` that exist, by id.
    func items(ids: [Int]) async throws -> [CatalogItem]
    /// Items whose name or description contains `text` (ignoring case), ordered by name then id,
    /// `pageSize` per page: the search without the model worker.
    func items(containing text: String, pageIndex: Int, pageSize: Int) async throws -> CatalogItemPage
    func picture(itemId: Int) async throws -> CatalogPicture?
    func brands() async throws -> [CatalogBrand]
    func types() async throws -> [CatalogType]
    /// Creates an item (with a generated picture).
    /// - Throws: ``CatalogReferenceError`` when the brand or type does not exist.
    func create(_ fields: CatalogItemFields) async throws -> CatalogItem
    /// Replaces an item's fields (and regenerates its picture); `nil` when there is no such item.
    /// - Throws: ``CatalogReferenceError`` when the brand or type does not exist.
    func update(id: Int, _ fields: CatalogItemFields) async throws -> CatalogItem?
    /// Deletes an item; `false` when there was none.
    func delete(id: Int) async throws -> Bool
}

/// An item refers to a brand or type that does not exist.
struct CatalogReferenceError: Error, Sendable, Equatable {
    /// `catalogBrandId` or `catalogTypeId`.
    var field: String
}
