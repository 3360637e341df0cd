import Logging
import PostgresNIO
import Tracing

// PostgresNIO 1.33 records no spans, so queries are traced here: one client span per statement
// (OpenTelemetry's database conventions), named by its first keyword (`SELECT`, `INSERT`, `WITH`),
// with the SQL text as written, bind parameters as `$1` and never their values. As with Redis
// commands, a statement outside a recorded span (migrations, the outbox relay's poll, a trace
// the sampler dropped) records nothing.

extension PostgresClient {
    /// `query(_:logger:)` in a span (above).
    @discardableResult
    public func tracedQuery(_ query: PostgresQuery, logger: Logger, file: String = #fileID, line: Int = #line) async throws -> PostgresRowSequence {
        try await SQLSpan.run(query.sql) { try await self.query(query, logger: logger, file: file, line: line) }
    }

    /// `execute(_:logger:)` of a prepared statement in a span (above).
    public func tracedExecute<Statement: PostgresPreparedStatement, Row>(
        _ statement: Statement, logger: Logger, file: String = #fileID, line: Int = #line
    ) async throws -> AsyncThrowingMapSequence<PostgresRowSequence, Row> where Row == Statement.Row {
        try await SQLSpan.run(Statement.sql) { try await self.execute(statement, logger: logger, file: file, line: line) }
    }
}

extension PostgresConnection {
    /// `query(_:logger:)` in a span (above).
    @discardableResult
    public func tracedQuery(_ query: PostgresQuery, logger: Logger, file: String = #fileID, line: Int = #line) async throws -> PostgresRowSequence {
        try await SQLSpan.run(query.sql) { try await self.query(query, logger: logger, file: file, line: line) }
    }
}

enum SQLSpan {
    static func run<Result>(_ sql: String, _ body: () async throws -> Result) async throws -> Result {
        // The context first: with tracing off there is none, and the tracer's look-up takes a lock.
        guard let context = ServiceContext.current else { return try await body() }
        let tracer = InstrumentationSystem.tracer
        guard tracer.activeSpan(identifiedBy: context) != nil else { return try await body() }
        let operation = sql.drop(while: \.isWhitespace).prefix(while: \.isLetter).uppercased()
        return try await tracer.withSpan(operation.isEmpty ? "SQL" : operation, context: context, ofKind: .client) { span in
            span.updateAttributes { attributes in
                attributes["db.system.name"] = "postgresql"
                attributes["db.operation.name"] = operation
                attributes["db.query.text"] = sql
            }
            return try await body()
        }
    }
}
