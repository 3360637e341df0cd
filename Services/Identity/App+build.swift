import Configuration
import Foundation
import Hummingbird
import HummingbirdBcrypt
import Logging
import NIOPosix
import PostgresNIO
import ServiceDefaults

/// Identity's port (ARCHITECTURE.md).
let identityDefaultPort = 5105
/// Identity's app id.
let identityDefaultAppID = "identity-api"

/// The Identity application: migrates and seeds the `identity` schema, loads the shared signing
/// key, then serves tokens.
///
/// | key (env) | type | default |
/// |---|---|---|
/// | ``IdentitySettings``' keys (signing key, token lifetime, bcrypt cost, login throttling, seed users) | | |
/// | ``AuthSettings``' keys (`IDENTITY_URL`, `JWT_ISSUER`, `JWT_AUDIENCE`) | | |
/// | `PostgresClient.Configuration(reader:)`'s keys (`POSTGRES_*`) | | |
/// | and ``ServiceSettings``' keys (`HTTP_PORT` default 5105, `APP_ID` default `identity-api`) | | |
func buildApplication(reader: ConfigReader) async throws -> some ApplicationProtocol {
    let settings = try ServiceSettings(reader: reader)
    let identity = try IdentitySettings(reader: reader)
    let postgres = try PostgresClient.Configuration(reader: reader)
    var logger = Logger(label: settings.appID)
    logger.logLevel = settings.logLevel
    let issuer = try await PostgresClient.withRunning(configuration: postgres, logger: logger) { [logger] client in
        try await prepareIdentityStore(client: client, settings: identity, logger: logger)
    }
    let client = PostgresClient(configuration: postgres, backgroundLogger: logger)
    let repository = PostgresIdentityRepository(client: client, logger: logger)
    let router = buildRouter(
        users: repository, attempts: repository, issuer: issuer, policy: identity.login,
        decoyHash: try await hashPassword(UUID().uuidString, cost: identity.bcryptCost),
        openAPIDocument: try identityOpenAPIDocument(), healthChecks: [.postgres(client)])
    logger.info("serving tokens", metadata: ["issuer": "\(identity.auth.issuer)", "kid": "\(issuer.keyID)"])
    return Application(router: ServiceRouter(router), server: .service(), configuration: settings.applicationConfiguration, services: [client], logger: logger)
}

/// Identity's routes.
func buildRouter(
    users: any UserRepository, attempts: any LoginAttempts, issuer: TokenIssuer, policy: LoginPolicy, decoyHash: String,
    openAPIDocument: String, healthChecks: [HealthCheck]
) -> Router<BasicRequestContext> {
    let router = Router.service(context: BasicRequestContext.self, healthChecks: healthChecks)
    router.addRoutes(TokenController(users: users, attempts: attempts, issuer: issuer, policy: policy, decoyHash: decoyHash).endpoints)
    router.addRoutes(DiscoveryController(issuer: issuer).endpoints)
    router.addRoutes(OpenAPIDocumentController<BasicRequestContext>(yaml: openAPIDocument).endpoints)
    return router
}

/// Brings the `identity` schema up to date, creates the seed users that are missing, and returns
/// the issuer with the signing key every replica shares (`IDENTITY_SIGNING_KEY`, else the key
/// stored by the first replica).
func prepareIdentityStore(client: PostgresClient, settings: IdentitySettings, logger: Logger) async throws -> TokenIssuer {
    var hashes: [String] = []
    for user in settings.seedUsers { hashes.append(try await hashPassword(user.password, cost: settings.bcryptCost)) }
    let seedUsers = settings.seedUsers
    let configuredKey = settings.signingKeyPEM
    let generatedKey = TokenIssuer.generatePrivateKeyPEM()
    let pem = try await IdentityMigrations.migrator.migrate(client: client, logger: logger) { [hashes] connection in
        try await PostgresIdentityRepository.seed(seedUsers, hashedPasswords: hashes, on: connection, logger: logger)
        if let configuredKey { return configuredKey }
        return try await PostgresIdentityRepository.sharedSigningKey(generated: generatedKey, on: connection, logger: logger)
    }.seed
    return try await TokenIssuer(privateKeyPEM: pem, settings: settings.auth, lifetime: settings.tokenLifetime)
}

/// A bcrypt hash, computed on NIO's thread pool (it is deliberately slow).
func hashPassword(_ password: String, cost: UInt8) async throws -> String {
    try await NIOThreadPool.singleton.runIfActive { Bcrypt.hash(password, cost: cost) }
}

/// The committed OpenAPI document (`Services/Identity/openapi.yaml`, a bundled resource).
func identityOpenAPIDocument() throws -> String {
    guard let url = Bundle.module.url(forResource: "openapi", withExtension: "yaml") else {
        throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: "openapi.yaml"])
    }
    return try String(contentsOf: url, encoding: .utf8)
}
