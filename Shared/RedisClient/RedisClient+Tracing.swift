import Tracing

/// The Redis client's spans (OpenTelemetry's database conventions): one client span per command
/// or pipeline, named by the command (`EVALSHA`, `XADD`; `MULTI` or `PIPELINE` for a batch),
/// never with its arguments, which hold user data and secrets (`AUTH`).
enum RedisSpan {
    /// Runs `body` in a span, but only under a span being recorded, the tracer's active span
    /// (`Tracer.activeSpan(identifiedBy:)`: swift-otel's for a span its sampler kept, never for one
    /// it dropped or that has ended; a tracer that does not implement it gets no command spans).
    /// A command with no span around it (an event consumer's poll, the outbox relay's tick, a
    /// health check) would otherwise start a trace of its own several times a second. One in a
    /// trace the sampler dropped would be discarded, and carries no context on, but would still
    /// cost its span id (a `getrandom` call), its attributes and a task-local on every command of
    /// every request not sampled.
    static func run<Result>(_ operation: String, batchSize: Int? = nil, _ body: () async throws -> Result) async throws -> Result {
        // The context first: with tracing off there is none, and the tracer's look-up takes a lock.
        guard let context = ServiceContext.current else { return try await body() }
        let tracer = InstrumentationSystem.tracer
        guard tracer.activeSpan(identifiedBy: context) != nil else { return try await body() }
        return try await tracer.withSpan(operation, context: context, ofKind: .client) { span in
            // One update, not one per attribute: each assignment copies a recording span's attributes.
            span.updateAttributes { attributes in
                attributes["db.system.name"] = "redis"
                attributes["db.operation.name"] = operation
                if let batchSize { attributes["db.operation.batch.size"] = batchSize }
            }
            return try await body()
        }
    }
}
