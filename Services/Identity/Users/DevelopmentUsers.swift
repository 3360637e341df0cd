import Configuration
import ServiceDefaults

/// A user created on first start when absent.
struct SeedUser: Sendable {
    var userName: String
    var name: String
    var email: String
    var role: String
    var password: String
}

/// The development users: buyers `alice` and `bob`, and `admin` with role `admin`.
///
/// Their passwords are configuration (`IDENTITY_ALICE_PASSWORD`, `IDENTITY_BOB_PASSWORD`,
/// `IDENTITY_ADMIN_PASSWORD`) falling back to ``defaultPassword``. Production sets
/// `IDENTITY_SEED_USERS=false`, so this code path does not run there.
enum DevelopmentUsers {
    /// The documented development password (docs/identity.md), the one dotnet/eShop uses.
    static let defaultPassword = "Pass123$"

    /// The seed users with their configured passwords; a password bcrypt could not verify
    /// faithfully (a NUL, over 72 bytes in UTF-8: ``Password/problem(_:)``) fails start-up with an
    /// error naming the variable, rather than being stored truncated.
    static func all(reader: ConfigReader) throws(ConfigurationError) -> [SeedUser] {
        func password(_ user: String) throws(ConfigurationError) -> String {
            let password = reader.string(forKey: ConfigKey("identity.\(user).password"), isSecret: true) ?? defaultPassword
            if let problem = Password.problem(password) {
                throw ConfigurationError(variable: "IDENTITY_\(user.uppercased())_PASSWORD", problem: problem)
            }
            return password
        }
        return [
            SeedUser(userName: "alice", name: "Alice Smith", email: "alice@example.com", role: Role.buyer, password: try password("alice")),
            SeedUser(userName: "bob", name: "Bob Jones", email: "bob@example.com", role: Role.buyer, password: try password("bob")),
            SeedUser(userName: "admin", name: "Shop Admin", email: "admin@example.com", role: Role.admin, password: try password("admin")),
        ]
    }
}

/// The roles a token can carry.
enum Role {
    static let buyer = "buyer"
    static let admin = "admin"
}

/// What bcrypt can verify faithfully: it stops at the first NUL byte and reads at most 72 bytes,
/// so a longer password, or one with a NUL, would verify as a shorter one.
enum Password {
    static let maximumBytes = 72

    /// Why bcrypt cannot take `password` (empty, a NUL, too long), or `nil` when it can.
    static func problem(_ password: String) -> String? {
        if password.isEmpty { return "is empty" }
        if password.unicodeScalars.contains("\0") { return "contains a NUL character, which bcrypt cannot verify" }
        if password.utf8.count > maximumBytes { return "is \(password.utf8.count) bytes in UTF-8: bcrypt verifies at most \(maximumBytes)" }
        return nil
    }
}
