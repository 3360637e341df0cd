import Foundation
import HTTPTypes
import Hummingbird
import ServiceDefaults

/// The form of a token request (`application/x-www-form-urlencoded`), read with Hummingbird's
/// `URLEncodedFormDecoder`.
struct TokenRequest: Sendable {
    var username: String
    var password: String

    /// The form's fields; each optional so that a missing one is named in the error.
    private struct Form: Decodable {
        var grant_type: String?
        var username: String?
        var password: String?
    }

    /// Reads and checks the form; anything but a complete password grant is an ``OAuthError``.
    ///
    /// A password bcrypt cannot verify faithfully is refused rather than truncated: bcrypt reads
    /// at most 72 bytes and stops at the first NUL, so `Pass123$` followed by U+0000 and anything
    /// would otherwise verify as `Pass123$`. PostgreSQL's `text` cannot hold U+0000 either, so a
    /// user name with one is refused before it reaches the database.
    init(_ request: Request, context: some RequestContext) async throws {
        let contentType = request.headers[.contentType]?.split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased()
        guard contentType == "application/x-www-form-urlencoded" else {
            throw OAuthError(error: "invalid_request", description: "the body must be application/x-www-form-urlencoded")
        }
        let body = try await request.body.collect(upTo: 16 * 1024)
        let form: Form
        do {
            form = try URLEncodedFormDecoder().decode(Form.self, from: String(buffer: body))
        } catch {
            // RFC 6749 §3.2: a parameter sent twice, or a malformed form, is an invalid request.
            throw OAuthError(error: "invalid_request", description: "the form is malformed or repeats a parameter")
        }
        guard let grantType = form.grant_type else {
            throw OAuthError(error: "invalid_request", description: "grant_type is required")
        }
        guard grantType == "password" else {
            throw OAuthError(error: "unsupported_grant_type", description: "only grant_type=password is supported")
        }
        guard let username = form.username, !username.isEmpty else { throw OAuthError(error: "invalid_request", description: "username is required") }
        if let problem = PostgresText.problem(username, maximumCharacters: 100) {
            throw OAuthError(error: "invalid_request", description: "username \(problem)")
        }
        guard let password = form.password else { throw OAuthError(error: "invalid_request", description: "password is required") }
        if let problem = Password.problem(password) { throw OAuthError(error: "invalid_request", description: "the password \(problem)") }
        self.username = username
        self.password = password
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
