import Foundation
import PostgresNIO
import StateClient
import StateStores
import Testing
import TestSupport

/// What `PostgresStateStore` leaves in the database, read back with plain SQL: Dapr's postgresql
/// v1 layout, ETag = `xmin`, binary values, TTL columns, migrations, cleanup and transactions.
@Suite(.postgresReachable, .timeLimit(.minutes(1))) struct PostgresStateStoreLayoutTests {
    private let logger = PostgresTestDatabase.logger

    /// One stored row, read directly.
    private struct StoredRow: Equatable {
        var value: String
        var isBinary: Bool
        var xmin: String
        var hasUpdateDate: Bool
        var expiresInSeconds: Double?
    }

    private func storedRow(_ key: String, table: String, client: PostgresClient) async throws -> StoredRow? {
        let rows = try await client.query(
            """
            SELECT value::text, isbinary, xmin::text, updatedate IS NOT NULL,
                   EXTRACT(EPOCH FROM expiredate - now())::float8
            FROM \(unescaped: "\"\(table)\"") WHERE key = \(key)
            """, logger: logger
        ).collect()
        return try rows.first.map { row in
            let (value, isBinary, xmin, hasUpdateDate, expires) = try row.decode((String, Bool, String, Bool, Double?).self)
            return StoredRow(value: value, isBinary: isBinary, xmin: xmin, hasUpdateDate: hasUpdateDate, expiresInSeconds: expires)
        }
    }

    private func count(_ table: String, client: PostgresClient) async throws -> Int {
        try await client.query("SELECT count(*) FROM \(unescaped: "\"\(table)\"")", logger: logger).collect()[0].decode(Int.self)
    }

    @Test func createsDaprsPostgresqlV1Table() async throws {
        try await PostgresTestDatabase.withStore { _, client, table in
            let rows = try await client.query(
                """
                SELECT column_name::text, data_type::text, is_nullable::text, COALESCE(column_default, '')::text, is_identity::text
                FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = \(table)
                ORDER BY ordinal_position
                """, logger: logger
            ).collect()
            let columns = try rows.map { try $0.decode((String, String, String, String, String).self) }
            let described = columns.map { "\($0.0) \($0.1) nullable=\($0.2) default=\($0.3) identity=\($0.4)" }
            #expect(
                described == [
                    "key text nullable=NO default= identity=NO",
                    "value jsonb nullable=NO default= identity=NO",
                    "isbinary boolean nullable=NO default= identity=NO",
                    "insertdate timestamp with time zone nullable=NO default=now() identity=NO",
                    "updatedate timestamp with time zone nullable=YES default= identity=NO",
                    "expiredate timestamp with time zone nullable=YES default= identity=NO",
                    "row_id bigint nullable=NO default= identity=YES",
                ])
            let indexes = try await client.query(
                "SELECT indexdef FROM pg_indexes WHERE schemaname = current_schema() AND tablename = \(table) ORDER BY indexname",
                logger: logger
            ).collect().map { try $0.decode(String.self) }
            #expect(indexes.contains { $0.contains("UNIQUE INDEX \(table)_pkey") && $0.hasSuffix("(key)") })
            #expect(indexes.contains { $0.contains("UNIQUE INDEX \(table)_row_id_idx") && $0.hasSuffix("(row_id)") })
            #expect(indexes.contains { $0.contains("INDEX \(table)_key_c_idx") && $0.hasSuffix(#"(key COLLATE "C")"#) })

            let metadata = try await client.query(
                "SELECT key, value FROM \(unescaped: "\"\(table)_meta\"") ORDER BY key", logger: logger
            ).collect().map { try $0.decode((String, String).self) }
            #expect(metadata.map(\.0) == ["migrations"] && metadata.map(\.1) == ["3"])
        }
    }

    @Test func storesPrefixedKeysWithXminAsTheETag() async throws {
        try await PostgresTestDatabase.withStore { store, client, table in
            let state = StateClient(store: store, storeName: "statestore", appID: "basket-api")
            try await state.save("alice", bytes: Array(#"{"b": 2,   "a": [1, 1.0]}"#.utf8))
            let first = try #require(try await storedRow("basket-api||alice", table: table, client: client))
            #expect(first == StoredRow(value: #"{"a": [1, 1.0], "b": 2}"#, isBinary: false, xmin: first.xmin, hasUpdateDate: false, expiresInSeconds: nil))
            let entry = try #require(try await state.get("alice"))
            #expect(entry.etag == first.xmin)
            #expect(UInt32(entry.etag) != nil)
            #expect(entry.value == Array(#"{"a": [1, 1.0], "b": 2}"#.utf8))  // jsonb's rendering

            try await state.save("alice", bytes: Array("3".utf8), options: SaveOptions(etag: entry.etag))
            let second = try #require(try await storedRow("basket-api||alice", table: table, client: client))
            #expect(second.xmin != first.xmin && second.hasUpdateDate && second.value == "3")
            #expect(try await state.get("alice")?.etag == second.xmin)
        }
    }

    @Test func storesBytesThatAreNotJSONAsBase64Binary() async throws {
        try await PostgresTestDatabase.withStore { store, client, table in
            let binaries: [[UInt8]] = [
                [0xFF, 0x00, 0x01, 0x80], Array("not json".utf8), [], Array(#""\u0000""#.utf8), Array(#""\ud800""#.utf8),
                Array("01".utf8), Array("[1,]".utf8), Array("1e99999".utf8), Array(repeating: UInt8(ascii: "["), count: 600) + Array(repeating: UInt8(ascii: "]"), count: 600),
                Array("\"tab\t\"".utf8), Array(#""\udc00""#.utf8), Array("1.".utf8), Array("-".utf8), Array("{\"a\" 1}".utf8), Array("nul".utf8),
                Array("\u{FEFF}1".utf8), Array("'x'".utf8), Array("NaN".utf8), [0x22, 0xC3, 0x28, 0x22],
            ]
            for (index, bytes) in binaries.enumerated() {
                try await store.set(SetRequest(key: "bin-\(index)", value: bytes))
                let row = try #require(try await storedRow("bin-\(index)", table: table, client: client))
                #expect(row.isBinary, "value \(index)")
                #expect(row.value == "\"\(Data(bytes).base64EncodedString())\"", "value \(index)")
                #expect(try await store.get("bin-\(index)", consistency: .eventual)?.value == bytes, "value \(index)")
            }
            let bulk = try await store.bulkGet(["bin-0", "bin-1"], consistency: .strong).items
            #expect(bulk["bin-0"]?.value == binaries[0] && bulk["bin-1"]?.value == binaries[1])

            for (index, text) in [#" {"a":"\u00e9\ud83d\ude80"} "#, "-0.5e-3", "\"\"", "null", "\t[ true ,false]\r\n", "1E+2", #""\/\b""#].enumerated() {
                try await store.set(SetRequest(key: "json-\(index)", value: Array(text.utf8)))
                let row = try #require(try await storedRow("json-\(index)", table: table, client: client))
                #expect(!row.isBinary, "value \(index)")
            }
        }
    }

    @Test func setsAndClearsTheExpireDate() async throws {
        try await PostgresTestDatabase.withStore { store, client, table in
            try await store.set(SetRequest(key: "k", value: Array("1".utf8), ttlInSeconds: 100))
            let expiring = try #require(try await storedRow("k", table: table, client: client)?.expiresInSeconds)
            #expect(expiring > 98 && expiring <= 100)
            let item = try #require(try await store.get("k", consistency: .eventual))
            let expiresAt = try #require(item.expiresAt)
            #expect(abs(expiresAt.timeIntervalSinceNow - 100) < 3)

            try await store.set(SetRequest(key: "k", value: Array("2".utf8)))
            #expect(try await storedRow("k", table: table, client: client)?.expiresInSeconds == nil)
            try await store.set(SetRequest(key: "k", value: Array("3".utf8), ttlInSeconds: 100))
            try await store.set(SetRequest(key: "k", value: Array("4".utf8), ttlInSeconds: -1))
            #expect(try await storedRow("k", table: table, client: client)?.expiresInSeconds == nil)
            #expect(try await store.get("k", consistency: .eventual)?.expiresAt == nil)

            // An expired row is invisible, and first-write may replace it.
            try await client.query("UPDATE \(unescaped: "\"\(table)\"") SET expiredate = now() - interval '1 second'", logger: logger)
            #expect(try await store.get("k", consistency: .eventual) == nil)
            #expect(try await store.bulkGet(["k"], consistency: .eventual).items.isEmpty)
            #expect(try await store.keys(prefix: "", limit: 10, token: nil).keys.isEmpty)
            await #expect(throws: StateError.self) {
                try await store.delete(DeleteRequest(key: "k", etag: "1"))
            }
            try await store.set(SetRequest(key: "k", value: Array("5".utf8), concurrency: .firstWrite))
            #expect(try await store.get("k", consistency: .eventual)?.value == Array("5".utf8))
        }
    }

    @Test func treatsETagsBeyondUInt32AsMismatchesAndNonIntegersAsInvalid() async throws {
        try await withPostgresStateStore { store, _ in
            try await store.set(SetRequest(key: "k", value: Array("1".utf8)))
            for etag in ["4294967296", "99999999999999"] {
                await #expect { try await store.set(SetRequest(key: "k", value: Array("2".utf8), etag: etag)) } throws: {
                    ($0 as? StateError)?.code == .etagMismatch
                }
                await #expect { try await store.delete(DeleteRequest(key: "k", etag: etag)) } throws: {
                    ($0 as? StateError)?.code == .etagMismatch
                }
            }
            for etag in ["x", "1.0", "-5", "99999999999999999999999"] {
                await #expect { try await store.set(SetRequest(key: "k", value: Array("2".utf8), etag: etag)) } throws: {
                    ($0 as? StateError)?.code == .etagInvalid
                }
                await #expect {
                    try await store.transaction([.upsert(SetRequest(key: "a", value: Array("2".utf8))), .delete(DeleteRequest(key: "k", etag: etag))])
                } throws: { ($0 as? StateError)?.code == .etagInvalid }
            }
            #expect(try await store.get("a", consistency: .eventual) == nil)
            #expect(try await store.get("k", consistency: .eventual)?.value == Array("1".utf8))
        }
    }

    @Test func handlesKeysPostgreSQLCannotHold() async throws {
        try await withPostgresStateStore { store, _ in
            let key = "app||a\u{0}b"
            await #expect { try await store.set(SetRequest(key: key, value: [1])) } throws: { ($0 as? StateError)?.code == .invalidRequest }
            #expect(try await store.get(key, consistency: .eventual) == nil)
            #expect(try await store.bulkGet([key], consistency: .eventual).items.isEmpty)
            try await store.delete(DeleteRequest(key: key))
            await #expect { try await store.delete(DeleteRequest(key: key, etag: "1")) } throws: { ($0 as? StateError)?.code == .etagMismatch }
            #expect(try await store.keys(prefix: key, limit: 10, token: nil).keys.isEmpty)
            #expect(try await store.query(StateQuery(), keyPrefix: key).items.isEmpty)
        }
    }

    // MARK: Migrations

    @Test func migratesTwiceAndConcurrentlyRecordingTheLevel() async throws {
        try await PostgresTestDatabase.withClient { client in
            let table = PostgresTestDatabase.uniqueTableName()
            let metadataTable = table + "_meta"
            do {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for _ in 0..<4 {
                        group.addTask {
                            let store = PostgresStateStore(
                                client: client, tableName: table, metadataTableName: metadataTable, cleanupInterval: nil, logger: logger)
                            try await store.migrate()
                        }
                    }
                    try await group.waitForAll()
                }
                let store = PostgresStateStore(client: client, tableName: table, metadataTableName: metadataTable, logger: logger)
                try await store.set(SetRequest(key: "kept", value: Array("1".utf8)))
                try await store.migrate()
                try await store.migrate()
                #expect(try await store.get("kept", consistency: .eventual)?.value == Array("1".utf8))
                let level = try await client.query(
                    "SELECT value FROM \(unescaped: "\"\(metadataTable)\"") WHERE key = 'migrations'", logger: logger
                ).collect().map { try $0.decode(String.self) }
                #expect(level == ["3"])
                // A table at the level already (as daprd leaves it) gets the key-order index too.
                try await client.query("DROP INDEX \(unescaped: "\"\(table)_key_c_idx\"")", logger: logger)
                try await store.migrate()
                let indexes = try await client.query(
                    "SELECT indexname::text FROM pg_indexes WHERE schemaname = current_schema() AND tablename = \(table)", logger: logger
                ).collect().map { try $0.decode(String.self) }
                #expect(indexes.contains("\(table)_key_c_idx"))
                try await PostgresTestDatabase.drop([table, metadataTable], on: client)
            } catch {
                try? await PostgresTestDatabase.drop([table, metadataTable], on: client)
                throw error
            }
        }
    }

    /// A key listing reads a range of the key-order index, not the whole table (the outbox relay
    /// lists its prefix in a table of every order and handled event).
    @Test func listsKeysThroughTheKeyOrderIndex() async throws {
        try await PostgresTestDatabase.withStore { store, client, table in
            try await client.query(
                """
                INSERT INTO \(unescaped: "\"\(table)\"") (key, value, isbinary)
                SELECT 'app||order-' || n, '{}', false FROM generate_series(1, 5000) AS n
                """, logger: logger)
            try await client.query("ANALYZE \(unescaped: "\"\(table)\"")", logger: logger)
            try await store.set(SetRequest(key: "app||outbox:1", value: Array("1".utf8)))
            #expect(try await store.keys(prefix: "app||outbox:", limit: 10, token: nil).keys == ["app||outbox:1"])
            // The statistics arrive within a second or so of the statement.
            let entriesRead = try await eventually("an index scan of \(table)_key_c_idx", within: .seconds(10)) {
                let row = try await client.query(
                    "SELECT idx_scan, idx_tup_read FROM pg_stat_user_indexes WHERE indexrelname = \(table + "_key_c_idx")", logger: logger
                ).collect().first?.decode((Int, Int).self)
                guard let row, row.0 > 0 else { throw NotYetScanned() }
                return row.1
            }
            #expect(entriesRead < 10)  // the prefix's range, not all 5 001 keys in order
        }
    }

    private struct NotYetScanned: Error {}

    @Test func upgradesATableDaprCreatedAndSchemaQualifiedNames() async throws {
        try await PostgresTestDatabase.withClient { client in
            let schema = PostgresTestDatabase.uniqueTableName("schema")
            try await client.query("CREATE SCHEMA \(unescaped: schema)", logger: logger)
            do {
                // Dapr's level 2: the table without row_id, the level in the metadata table.
                try await client.query(
                    """
                    CREATE TABLE \(unescaped: schema).state (key text NOT NULL PRIMARY KEY, value jsonb NOT NULL, isbinary boolean NOT NULL,
                      insertdate TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT NOW(), updatedate TIMESTAMP WITH TIME ZONE NULL,
                      expiredate TIMESTAMP WITH TIME ZONE)
                    """, logger: logger)
                try await client.query("CREATE TABLE \(unescaped: schema).meta (key text NOT NULL PRIMARY KEY, value text NOT NULL)", logger: logger)
                try await client.query("INSERT INTO \(unescaped: schema).meta VALUES ('migrations', '2')", logger: logger)
                try await client.query(
                    "INSERT INTO \(unescaped: schema).state (key, value, isbinary) VALUES ('dapr||k', '{\"x\": 1}', false), ('dapr||b', '\"AAE=\"', true)",
                    logger: logger)

                let store = PostgresStateStore(
                    client: client, tableName: "\(schema).STATE", metadataTableName: "\(schema).meta", cleanupInterval: nil, logger: logger)
                try await store.migrate()
                #expect(try await store.get("dapr||k", consistency: .eventual)?.value == Array(#"{"x": 1}"#.utf8))
                #expect(try await store.get("dapr||b", consistency: .eventual)?.value == [0, 1])
                let rowIDs = try await client.query("SELECT row_id FROM \(unescaped: schema).state ORDER BY row_id", logger: logger)
                    .collect().map { try $0.decode(Int.self) }
                #expect(rowIDs.count == 2 && Set(rowIDs).count == 2)
                let level = try await client.query("SELECT value FROM \(unescaped: schema).meta WHERE key = 'migrations'", logger: logger)
                    .collect().map { try $0.decode(String.self) }
                #expect(level == ["3"])
                try await store.set(SetRequest(key: "dapr||new", value: Array("1".utf8)))
                #expect(try await store.keys(prefix: "dapr||", limit: 10, token: nil).keys == ["dapr||b", "dapr||k", "dapr||new"])
                try await client.query("DROP SCHEMA \(unescaped: schema) CASCADE", logger: logger)
            } catch {
                _ = try? await client.query("DROP SCHEMA \(unescaped: schema) CASCADE", logger: logger)
                throw error
            }
        }
    }

    @Test(arguments: ["", "a.b.c", "bad-name", "x;drop table y", "\"q\"", "1abc", ".state", "state.", String(repeating: "a", count: 64)])
    func rejectsInvalidTableNames(_ name: String) async throws {
        try await PostgresTestDatabase.withClient { client in
            let store = PostgresStateStore(client: client, tableName: name, cleanupInterval: nil, logger: logger)
            await #expect { try await store.migrate() } throws: { ($0 as? StateError)?.code == .invalidRequest }
            await #expect { try await store.get("k", consistency: .eventual) } throws: { ($0 as? StateError)?.code == .invalidRequest }
            let badMetadata = PostgresStateStore(client: client, metadataTableName: name, cleanupInterval: nil, logger: logger)
            await #expect { try await badMetadata.migrate() } throws: { ($0 as? StateError)?.code == .invalidRequest }
        }
    }

    // MARK: Cleanup

    @Test func cleanupDeletesExpiredRowsOnceAcrossReplicasPerInterval() async throws {
        try await PostgresTestDatabase.withStore(cleanupInterval: .seconds(3600)) { store, client, table in
            let replica = PostgresStateStore(
                client: client, tableName: table, metadataTableName: table + "_meta", cleanupInterval: .seconds(3600), logger: logger)
            for index in 0..<10 {
                try await store.set(SetRequest(key: "k\(index)", value: Array("1".utf8), ttlInSeconds: index < 6 ? 1000 : nil))
            }
            try await client.query(
                "UPDATE \(unescaped: "\"\(table)\"") SET expiredate = now() - interval '1 minute' WHERE key IN ('k0', 'k1', 'k2', 'k3')",
                logger: logger)

            async let first = store.cleanupExpiredItems()
            async let second = replica.cleanupExpiredItems()
            let results = try await [first, second]
            #expect(results.compactMap { $0 } == [4], "exactly one replica cleaned: \(results)")
            #expect(try await count(table, client: client) == 6)

            // Within the interval nobody cleans again.
            try await client.query("UPDATE \(unescaped: "\"\(table)\"") SET expiredate = now() - interval '1 minute' WHERE key = 'k4'", logger: logger)
            #expect(try await store.cleanupExpiredItems() == nil)
            #expect(try await replica.cleanupExpiredItems() == nil)
            #expect(try await count(table, client: client) == 6)

            // Once the interval has passed, the next round runs.
            try await client.query(
                "UPDATE \(unescaped: "\"\(table)_meta\"") SET value = (now() - interval '2 hours')::text WHERE key = 'last-cleanup'", logger: logger)
            #expect(try await replica.cleanupExpiredItems() == 1)
            #expect(try await count(table, client: client) == 5)
        }
    }

    @Test func runMigratesAndCleansUpPeriodicallyUntilCancelled() async throws {
        try await PostgresTestDatabase.withClient { client in
            let table = PostgresTestDatabase.uniqueTableName()
            do {
                let store = PostgresStateStore(
                    client: client, tableName: table, metadataTableName: table + "_meta", cleanupInterval: .milliseconds(300), logger: logger)
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { try await store.run() }
                    // run() migrates first.
                    var migrated = false
                    for _ in 0..<100 where !migrated {
                        migrated = (try? await store.set(SetRequest(key: "never", value: Array("1".utf8)))) != nil
                        if !migrated { try await Task.sleep(for: .milliseconds(50)) }
                    }
                    #expect(migrated)
                    try await store.set(SetRequest(key: "soon", value: Array("1".utf8), ttlInSeconds: 1))
                    var remaining: [String] = []
                    for _ in 0..<100 {
                        remaining = try await client.query("SELECT key FROM \(unescaped: "\"\(table)\"") ORDER BY key", logger: logger)
                            .collect().map { try $0.decode(String.self) }
                        if remaining == ["never"] { break }
                        try await Task.sleep(for: .milliseconds(100))
                    }
                    #expect(remaining == ["never"])
                    group.cancelAll()
                }
                try await PostgresTestDatabase.drop([table, table + "_meta"], on: client)
            } catch {
                try? await PostgresTestDatabase.drop([table, table + "_meta"], on: client)
                throw error
            }
        }
    }

    // MARK: Transactions

    @Test func aFailingTransactionChangesNothing() async throws {
        try await PostgresTestDatabase.withStore { store, client, table in
            try await store.set(SetRequest(key: "a", value: Array("1".utf8)))
            try await store.set(SetRequest(key: "b", value: Array("2".utf8), ttlInSeconds: 500))
            let before = try await client.query(
                "SELECT key, value::text, xmin::text, expiredate FROM \(unescaped: "\"\(table)\"") ORDER BY key", logger: logger
            ).collect().map { try $0.decode((String, String, String, Date?).self) }
            let etagOfB = try #require(try await store.get("b", consistency: .eventual)).etag

            await #expect {
                try await store.transaction([
                    .upsert(SetRequest(key: "a", value: Array("10".utf8))), .upsert(SetRequest(key: "c", value: Array("3".utf8))),
                    .delete(DeleteRequest(key: "b", etag: etagOfB)), .upsert(SetRequest(key: "a", value: Array("11".utf8), etag: "1")),
                ])
            } throws: { ($0 as? StateError)?.code == .etagMismatch }
            await #expect {
                try await store.transaction([
                    .delete(DeleteRequest(key: "a")), .upsert(SetRequest(key: "b", value: Array("20".utf8), concurrency: .firstWrite)),
                ])
            } throws: { ($0 as? StateError)?.code == .etagMismatch }

            let after = try await client.query(
                "SELECT key, value::text, xmin::text, expiredate FROM \(unescaped: "\"\(table)\"") ORDER BY key", logger: logger
            ).collect().map { try $0.decode((String, String, String, Date?).self) }
            #expect(after.map(\.0) == before.map(\.0) && after.map(\.1) == before.map(\.1) && after.map(\.2) == before.map(\.2))
            #expect(after.map(\.3) == before.map(\.3))

            // A successful one commits every operation with one xmin.
            try await store.transaction([
                .upsert(SetRequest(key: "a", value: Array("10".utf8))), .delete(DeleteRequest(key: "b", etag: etagOfB)),
                .upsert(SetRequest(key: "c", value: Array("3".utf8))),
            ])
            let committed = try await client.query("SELECT key, xmin::text FROM \(unescaped: "\"\(table)\"") ORDER BY key", logger: logger)
                .collect().map { try $0.decode((String, String).self) }
            #expect(committed.map(\.0) == ["a", "c"] && committed[0].1 == committed[1].1)
        }
    }

    // MARK: Errors

    @Test func reportsSQLErrorsAsStoreFailuresWithoutBoundValues() async throws {
        try await PostgresTestDatabase.withStore { store, client, table in
            try await PostgresTestDatabase.drop([table], on: client)
            let secret = "secret-key-\(UUID().uuidString)"
            await #expect {
                try await store.set(SetRequest(key: secret, value: Array(#"{"password":"hunter2"}"#.utf8)))
            } throws: { error in
                guard let error = error as? StateError else { return false }
                return error.code == .storeFailure && error.message.contains("42P01") && !error.message.contains(secret)
                    && !error.message.contains("hunter2")
            }
            await #expect { try await store.get(secret, consistency: .eventual) } throws: {
                ($0 as? StateError)?.code == .storeFailure && !"\($0)".contains(secret)
            }
        }
    }

    @Test func reportsAStoppedClientAsUnavailable() async throws {
        let client = PostgresClient(configuration: PostgresTestDatabase.configuration, backgroundLogger: logger)
        let store = PostgresStateStore(client: client, tableName: "state", cleanupInterval: nil, logger: logger)
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            try? await Task.sleep(for: .milliseconds(100))
            group.cancelAll()
        }
        await #expect { try await store.get("k", consistency: .eventual) } throws: { ($0 as? StateError)?.code == .unavailable }
        await #expect { try await store.set(SetRequest(key: "k", value: [1])) } throws: { ($0 as? StateError)?.code == .unavailable }
    }
}
