/// A user as stored: the password only as a bcrypt hash.
struct StoredUser: Sendable, Equatable {
    /// The stable id, used as the token's `sub` (the buyer id).
    var id: String
    var userName: String
    var name: String
    var email: String
    var role: String
    var passwordHash: String
}

/// Looks users up by user name (case-insensitive).
protocol UserRepository: Sendable {
    func user(named userName: String) async throws -> StoredUser?
}

/// Counts wrong passwords per user name, shared by every replica.
protocol LoginAttempts: Sendable {
    /// Seconds left in the user name's cool-down, or `nil` when it may try.
    func cooldownRemaining(for userName: String) async throws -> Int?
    /// Records a wrong password; returns the failures in a row so far (the cool-down starts, and
    /// the count restarts, when it reaches `policy.maximumFailures`).
    func recordFailure(for userName: String, policy: LoginPolicy) async throws -> Int
    /// Forgets the failures after a successful login.
    func recordSuccess(for userName: String) async throws
}
