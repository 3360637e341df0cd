import PostgresNIO
import ServiceDefaults

/// The `identity` schema: users, the shared signing key, and failed-login counters.
enum IdentityMigrations {
    /// The advisory lock of Identity's migrations ("identit" in ASCII, then 1).
    static let lockID: Int64 = 0x6964_656E_7469_7401

    static let all: [PostgresMigration] = [
        PostgresMigration(
            version: 1, name: "users, signing key, login failures",
            statements: [
                """
                CREATE TABLE identity.users (
                    id uuid PRIMARY KEY,
                    user_name text NOT NULL,
                    name text NOT NULL,
                    email text NOT NULL,
                    role text NOT NULL CHECK (role IN ('buyer', 'admin')),
                    password_hash text NOT NULL,
                    created_at timestamptz NOT NULL DEFAULT now())
                """,
                "CREATE UNIQUE INDEX users_user_name_idx ON identity.users (lower(user_name))",
                """
                CREATE TABLE identity.signing_keys (
                    id integer PRIMARY KEY CHECK (id = 1),
                    private_key_pem text NOT NULL,
                    created_at timestamptz NOT NULL DEFAULT now())
                """,
                """
                CREATE TABLE identity.login_failures (
                    user_name text PRIMARY KEY,
                    failures integer NOT NULL,
                    locked_until timestamptz NULL)
                """,
            ]),
    ]

    static var migrator: PostgresMigrator {
        PostgresMigrator(schema: "identity", lockID: lockID, migrations: all)
    }
}
