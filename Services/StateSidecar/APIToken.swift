/// Dapr's API token (`DAPR_API_TOKEN`): when set, every request must carry it in the
/// `dapr-api-token` HTTP header or gRPC metadata, except the health endpoints
/// (``APITokenMiddleware``, ``APITokenInterceptor``).
struct APIToken: Sendable {
    /// The header and metadata key, as Dapr names it.
    static let headerName = "dapr-api-token"

    private let token: [UInt8]

    /// `nil` when `token` is empty: no token is required.
    init?(_ token: String) {
        guard !token.isEmpty else { return nil }
        self.token = Array(token.utf8)
    }

    /// Whether `presented` is the token, comparing every byte whatever the first mismatch, so
    /// the time taken does not tell how much of a guess was right.
    func accepts(_ presented: String?) -> Bool {
        guard let presented else { return false }
        let bytes = Array(presented.utf8)
        guard bytes.count == token.count else { return false }
        var difference: UInt8 = 0
        for (a, b) in zip(bytes, token) { difference |= a ^ b }
        return difference == 0
    }
}
