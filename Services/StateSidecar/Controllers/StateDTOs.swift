import StateClient

/// One item of a save body (and the `request` of a transaction upsert or delete):
/// `{"key":"k","value":<any JSON>,"etag":"1","metadata":{"ttlInSeconds":"60"},"options":{…}}`.
/// Unknown fields are ignored, as in Dapr.
///
/// `value` is not decoded: it is the member's JSON text exactly as sent, taken from the body by
/// ``StateController/decodeSaveItems(_:)`` (a decoder would round numbers such as `1e300`).
struct SaveItemDTO: Decodable {
    enum CodingKeys: String, CodingKey {
        case key, etag, metadata, options
    }

    struct Options: Decodable {
        var concurrency: String?
        var consistency: String?
    }

    var key: String?
    var value: ArraySlice<UInt8>?
    var etag: String?
    var metadata: [String: String]?
    var options: Options?
}

/// The body of bulk get: `{"keys":["k1","k2"],"parallelism":10,"metadata":{…}}`.
struct BulkGetRequestDTO: Decodable {
    var keys: [String]?
    var parallelism: Int?
    var metadata: [String: String]?
}

/// The body of a transaction: `{"operations":[{"operation":"upsert","request":{…}}],"metadata":{…}}`.
struct TransactionRequestDTO: Decodable {
    struct Operation: Decodable {
        var operation: String?
        var request: SaveItemDTO?
    }

    var operations: [Operation]?
    var metadata: [String: String]?
}
