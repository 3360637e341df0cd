import Foundation
import HTTPTypes
import Hummingbird

/// The form of a token request (`application/x-www-form-urlencoded`).
struct TokenRequest: Sendable {
    var username: String
    var password: String

    /// Reads and checks the form; anything but a complete password grant is an ``OAuthError``.
    init(_ request: Request, context: some RequestContext) async throws {
        let contentType = request.headers[.contentType]?.split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased()
        guard contentType == "application/x-www-form-urlencoded" else {
            throw OAuthError(error: "invalid_request", description: "the body must be application/x-www-form-urlencoded")
        }
        let body = try await request.body.collect(upTo: 16 * 1024)
        let fields = Self.parse(String(buffer: body))
        guard let grantType = fields["grant_type"] else {
            throw OAuthError(error: "invalid_request", description: "grant_type is required")
        }
        guard grantType == "password" else {
            throw OAuthError(error: "unsupported_grant_type", description: "only grant_type=password is supported")
        }
        guard let username = fields["username"], !username.isEmpty, username.count <= 100 else {
            throw OAuthError(error: "invalid_request", description: "username is required (at most 100 characters)")
        }
        guard let password = fields["password"], !password.isEmpty, password.utf8.count <= 72 else {
            throw OAuthError(error: "invalid_request", description: "password is required (at most 72 bytes)")
        }
        self.username = username
        self.password = password
    }

    /// `application/x-www-form-urlencoded` fields (`+` is a space); the first of repeated names wins.
    static func parse(_ text: String) -> [String: String] {
        var fields: [String: String] = [:]
        for pair in text.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ part: Substring) -> String? { part.replacingOccurrences(of: "+", with: " ").removingPercentEncoding }
            guard let name = decode(parts[0]), let value = parts.count == 2 ? decode(parts[1]) : "" else { continue }
            if fields[name] == nil { fields[name] = value }
        }
        return fields
    }
}

/// A successful token response (RFC 6749 §5.1).
struct TokenResponse: Codable, Sendable {
    var accessToken: String
    var tokenType: String
    var expiresIn: Int

    enum CodingKeys: String, CodingKey {
        case accessToken = "access_token", tokenType = "token_type", expiresIn = "expires_in"
    }
}

/// An OAuth error response (RFC 6749 §5.2): status 400, `{"error","error_description"}`.
struct OAuthError: Error, Sendable, Equatable, Codable {
    var error: String
    var description: String?

    enum CodingKeys: String, CodingKey {
        case error, description = "error_description"
    }

    init(error: String, description: String? = nil) {
        self.error = error
        self.description = description
    }

    static let invalidGrant = OAuthError(error: "invalid_grant", description: "the user name or password is wrong")

    var status: HTTPResponse.Status { .badRequest }
}

/// JSON responses of the token endpoint, never cached (RFC 6749 §5.1).
enum OAuthResponse {
    private static let pragma = HTTPField.Name("Pragma")!

    static func json(_ value: some Encodable, status: HTTPResponse.Status) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let body = try encoder.encode(value)
        return Response(
            status: status,
            headers: [.contentType: "application/json", .cacheControl: "no-store", Self.pragma: "no-cache"],
            body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}
