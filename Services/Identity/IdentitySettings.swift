import Configuration
import ServiceDefaults

/// Identity's own settings.
///
/// | key (env) | type | default |
/// |---|---|---|
/// | `identity.signing.key` (`IDENTITY_SIGNING_KEY`) | secret PEM of a P-256 private key | none: generated once and kept in `identity.signing_keys` |
/// | `identity.token.lifetime.seconds` (`IDENTITY_TOKEN_LIFETIME_SECONDS`) | seconds | `3600` |
/// | `identity.bcrypt.cost` (`IDENTITY_BCRYPT_COST`) | 4…31 | `10` |
/// | `identity.login.max.failures` (`IDENTITY_LOGIN_MAX_FAILURES`) | failures before a cool-down | `5` |
/// | `identity.login.cooldown.seconds` (`IDENTITY_LOGIN_COOLDOWN_SECONDS`) | seconds refused with 429 | `60` |
/// | `identity.login.failure.delay.ms` (`IDENTITY_LOGIN_FAILURE_DELAY_MS`) | extra delay per recent failure | `200` |
/// | `identity.seed.users` (`IDENTITY_SEED_USERS`) | `true` \| `false` | `true` |
/// | `identity.alice.password`, `identity.bob.password`, `identity.admin.password` (`IDENTITY_ALICE_PASSWORD`, …) | secret | ``DevelopmentUsers/defaultPassword`` |
/// | and ``AuthSettings``' keys: `IDENTITY_URL` (the public base URL), `JWT_ISSUER`, `JWT_AUDIENCE` | | |
struct IdentitySettings: Sendable {
    var auth: AuthSettings
    var signingKeyPEM: String?
    var tokenLifetime: Duration
    var bcryptCost: UInt8
    var login: LoginPolicy
    var seedUsers: [SeedUser]

    init(reader: ConfigReader) throws(ConfigurationError) {
        auth = try AuthSettings(reader: reader)
        signingKeyPEM = reader.string(forKey: "identity.signing.key", isSecret: true)
        tokenLifetime = .seconds(try reader.count(forKey: "identity.token.lifetime.seconds", default: 3600))
        let cost = try reader.count(forKey: "identity.bcrypt.cost", default: 10)
        guard (4...31).contains(cost) else {
            throw ConfigurationError(variable: "IDENTITY_BCRYPT_COST", problem: "is '\(cost)': expected 4…31")
        }
        bcryptCost = UInt8(cost)
        login = LoginPolicy(
            maximumFailures: max(1, try reader.count(forKey: "identity.login.max.failures", default: 5)),
            cooldown: .seconds(try reader.count(forKey: "identity.login.cooldown.seconds", default: 60)),
            delayPerFailure: .milliseconds(try reader.count(forKey: "identity.login.failure.delay.ms", default: 200)))
        let seed = reader.string(forKey: "identity.seed.users", default: "true").lowercased()
        guard seed == "true" || seed == "false" else {
            throw ConfigurationError(variable: "IDENTITY_SEED_USERS", problem: "is '\(seed)': expected true or false")
        }
        seedUsers = seed == "true" ? try DevelopmentUsers.all(reader: reader) : []
    }
}

/// How repeated wrong passwords for one user name are slowed down and then refused.
struct LoginPolicy: Sendable {
    /// Failures in a row after which the user name is refused (429) for ``cooldown``.
    var maximumFailures: Int
    var cooldown: Duration
    /// A wrong password is answered after `delayPerFailure × failures so far`.
    var delayPerFailure: Duration
}
