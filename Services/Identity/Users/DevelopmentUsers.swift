import Configuration

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

    static func all(reader: ConfigReader) -> [SeedUser] {
        func password(_ user: String) -> String {
            reader.string(forKey: ConfigKey("identity.\(user).password"), isSecret: true) ?? defaultPassword
        }
        return [
            SeedUser(userName: "alice", name: "Alice Smith", email: "alice@example.com", role: Role.buyer, password: password("alice")),
            SeedUser(userName: "bob", name: "Bob Jones", email: "bob@example.com", role: Role.buyer, password: password("bob")),
            SeedUser(userName: "admin", name: "Shop Admin", email: "admin@example.com", role: Role.admin, password: password("admin")),
        ]
    }
}

/// The roles a token can carry.
enum Role {
    static let buyer = "buyer"
    static let admin = "admin"
}
