import Hummingbird
import JWTKit
import ServiceDefaults

/// `GET /.well-known/openid-configuration` and `GET /.well-known/jwks.json`.
struct DiscoveryController: Sendable {
    let issuer: TokenIssuer

    var endpoints: RouteCollection<BasicRequestContext> {
        let routes = RouteCollection(context: BasicRequestContext.self)
        routes.get(".well-known/openid-configuration") { _, _ in
            DiscoveryDocument(
                issuer: issuer.settings.issuer,
                tokenEndpoint: issuer.settings.identityURL + "/connect/token",
                jwksURI: issuer.settings.jwksURL)
        }
        routes.get(".well-known/jwks.json") { _, _ in issuer.jwks }
        return routes
    }
}

/// The part of OpenID Connect Discovery 1.0 that applies to a password-grant token service.
struct DiscoveryDocument: ResponseEncodable {
    var issuer: String
    var tokenEndpoint: String
    var jwksURI: String
    var grantTypesSupported = ["password"]
    var responseTypesSupported = ["token"]
    var tokenEndpointAuthMethodsSupported = ["none"]
    var idTokenSigningAlgValuesSupported = ["ES256"]
    var claimsSupported = ["iss", "aud", "sub", "exp", "iat", "name", "email", "role"]

    enum CodingKeys: String, CodingKey {
        case issuer, tokenEndpoint = "token_endpoint", jwksURI = "jwks_uri", grantTypesSupported = "grant_types_supported"
        case responseTypesSupported = "response_types_supported"
        case tokenEndpointAuthMethodsSupported = "token_endpoint_auth_methods_supported"
        case idTokenSigningAlgValuesSupported = "id_token_signing_alg_values_supported", claimsSupported = "claims_supported"
    }
}

extension JWKS: @retroactive ResponseEncodable {}
