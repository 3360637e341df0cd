import Foundation
import StateClient

/// What a sign-in came to.
enum SignInOutcome: Sendable {
    case signedIn(accessToken: String, expiresIn: Int)
    /// Wrong user name or password (`invalid_grant`).
    case refused
    /// Too many wrong passwords: Identity's cool-down (429) for `retryAfter` seconds.
    case throttled(retryAfter: String?)
}

/// Identity's token endpoint (the password grant, docs/identity.md).
struct IdentityAPI: Sendable {
    let client: APIClient

    func signIn(userName: String, password: String) async throws -> SignInOutcome {
        let form = "grant_type=password&username=\(userName.queryEscaped)&password=\(password.queryEscaped)"
        let response = try await client.send(.POST, "/connect/token", form: form)
        switch response.status {
        case 200:
            struct TokenAnswer: Decodable {
                var access_token: String
                var expires_in: Int
            }
            let answer = try response.decode(TokenAnswer.self)
            return .signedIn(accessToken: answer.access_token, expiresIn: answer.expires_in)
        case 400: return .refused
        case 429: return .throttled(retryAfter: response.headers.first(name: "Retry-After"))
        default: throw BackendContractError(backend: client.name, status: response.status)
        }
    }
}

/// The claims the storefront shows: who signed in and with which role.
struct AccessTokenPayload: Decodable, Sendable {
    var sub: String
    var name: String
    var role: String

    /// The claims of a token Identity has just issued to us over its token endpoint. The storefront
    /// only reads them to greet the user and to show admin links; every API verifies the token's
    /// signature itself, so nothing is granted on these claims alone.
    init(token: String) throws {
        let parts = token.split(separator: ".")
        guard parts.count == 3, let payload = Base64URL.decode(parts[1]) else {
            throw BackendContractError(backend: "identity", status: 200)
        }
        self = try JSONDecoder().decode(Self.self, from: Data(payload))
    }
}
