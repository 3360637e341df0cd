import Foundation
import Logging
import PostgresNIO
import ServiceDefaults
import StateStores

/// Users and login failures in PostgreSQL's `identity` schema. Every call answers within
/// `PostgresClient.requestDeadline`: a frozen or unreachable server is a 503, never a hang.
struct PostgresIdentityRepository: UserRepository, LoginAttempts {
    let client: PostgresClient
    let logger: Logger

    func user(named userName: String) async throws -> StoredUser? {
        try await client.withinDeadline { [logger] client in
            let rows = try await client.tracedQuery(
                """
                SELECT id::text, user_name, name, email, role, password_hash
                FROM identity.users WHERE lower(user_name) = lower(\(userName))
                """, logger: logger)
            for try await (id, userName, name, email, role, hash) in rows.decode((String, String, String, String, String, String).self) {
                return StoredUser(id: id, userName: userName, name: name, email: email, role: role, passwordHash: hash)
            }
            return nil
        }
    }

    func cooldownRemaining(for userName: String) async throws -> Int? {
        try await client.withinDeadline { [logger] client in
            let rows = try await client.tracedQuery(
                """
                SELECT ceil(extract(epoch FROM locked_until - now()))::bigint FROM identity.login_failures
                WHERE user_name = lower(\(userName)) AND locked_until > now()
                """, logger: logger)
            for try await seconds in rows.decode(Int.self) { return max(1, seconds) }
            return nil
        }
    }

    func recordFailure(for userName: String, policy: LoginPolicy) async throws -> Int {
        try await client.withinDeadline { [logger] client in
            // One statement, so concurrent failures count exactly: the count that reaches the limit
            // starts the cool-down and restarts the count.
            let limit = policy.maximumFailures
            let cooldownSeconds = Int(policy.cooldown.components.seconds)
            let rows = try await client.tracedQuery(
                """
                INSERT INTO identity.login_failures AS f (user_name, failures, locked_until)
                VALUES (lower(\(userName)), 1, CASE WHEN 1 >= \(limit) THEN now() + make_interval(secs => \(cooldownSeconds)) END)
                ON CONFLICT (user_name) DO UPDATE SET
                    failures = CASE WHEN f.failures + 1 >= \(limit) THEN 0 ELSE f.failures + 1 END,
                    locked_until = CASE WHEN f.failures + 1 >= \(limit) THEN now() + make_interval(secs => \(cooldownSeconds)) ELSE f.locked_until END
                RETURNING CASE WHEN failures = 0 THEN \(limit) ELSE failures END
                """, logger: logger)
            for try await failures in rows.decode(Int.self) { return failures }
            return limit
        }
    }

    func recordSuccess(for userName: String) async throws {
        try await client.withinDeadline { [logger] client in
            _ = try await client.tracedQuery("DELETE FROM identity.login_failures WHERE user_name = lower(\(userName))", logger: logger)
        }
    }
}

extension PostgresIdentityRepository {
    /// Inserts each user whose user name is absent (ids are generated once, so they stay stable
    /// across restarts); run inside the migration transaction.
    static func seed(_ users: [SeedUser], hashedPasswords: [String], on connection: PostgresConnection, logger: Logger) async throws {
        for (user, hash) in zip(users, hashedPasswords) {
            try await connection.tracedQuery(
                """
                INSERT INTO identity.users (id, user_name, name, email, role, password_hash)
                SELECT \(UUID().uuidString.lowercased())::uuid, \(user.userName), \(user.name), \(user.email), \(user.role), \(hash)
                WHERE NOT EXISTS (SELECT 1 FROM identity.users WHERE lower(user_name) = lower(\(user.userName)))
                """, logger: logger)
        }
    }

    /// The signing key every replica shares: the stored one, or `generated` stored now when
    /// there is none; run inside the migration transaction.
    static func sharedSigningKey(generated: String, on connection: PostgresConnection, logger: Logger) async throws -> String {
        try await connection.tracedQuery(
            "INSERT INTO identity.signing_keys (id, private_key_pem) VALUES (1, \(generated)) ON CONFLICT (id) DO NOTHING",
            logger: logger)
        for try await pem in try await connection.tracedQuery("SELECT private_key_pem FROM identity.signing_keys WHERE id = 1", logger: logger)
            .decode(String.self)
        {
            return pem
        }
        return generated
    }
}
