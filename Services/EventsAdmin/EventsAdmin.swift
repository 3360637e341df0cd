import ArgumentParser
import Configuration
import EventBus
import Logging
import RedisClient
import ServiceDefaults

/// Lists and replays dead letters (docs/events.md, "Dead letters").
///
/// ```
/// EventsAdmin list TOPIC [COUNT]     dead letters of TOPIC, oldest first (default 100)
/// EventsAdmin replay TOPIC [ID]      send one dead letter (or all) back to TOPIC
/// ```
///
/// | key (env) | type | default |
/// |---|---|---|
/// | `redis.*` (`REDIS_HOST`, `REDIS_PORT`, `REDIS_PASSWORD`, …) | see `RedisClient.Configuration(reader:)` | |
/// | `events.stream.prefix` (`EVENTS_STREAM_PREFIX`) | string put before every topic | none |
/// | `events.max.stream.length` (`EVENTS_MAX_STREAM_LENGTH`) | integer, trimming on replay | `100000` |
///
/// Exit status: 0 done, 1 failed (the reason on standard error), 64 a usage mistake.
@main
struct EventsAdmin: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "EventsAdmin",
        abstract: "Lists and replays dead letters (docs/events.md, \"Dead letters\").",
        discussion: """
            Redis from REDIS_HOST, REDIS_PORT, REDIS_PASSWORD; EVENTS_STREAM_PREFIX if the bus uses one; \
            EVENTS_MAX_STREAM_LENGTH (default 100000) trims the topic's stream on replay.
            """,
        subcommands: [List.self, Replay.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Dead letters of TOPIC, oldest first.")

        @Argument(help: "The topic (the event's name, e.g. OrderPaymentSucceeded).")
        var topic: String

        @Argument(help: "How many to list at most.")
        var count: Int = 100

        func validate() throws {
            guard count > 0 else { throw ValidationError("COUNT must be a positive number.") }
        }

        func run() async throws {
            try await EventsAdmin.withDeadLetters { deadLetters in
                let letters = try await deadLetters.list(topic: topic, count: count)
                for letter in letters { print(EventsAdmin.describe(letter)) }
                print("\(letters.count) dead letter(s) in \(deadLetters.stream(topic))")
            }
        }
    }

    struct Replay: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Sends one dead letter (or all, oldest first) back to TOPIC.")

        @Argument(help: "The topic (the event's name, e.g. OrderPaymentSucceeded).")
        var topic: String

        @Argument(help: "The dead letter's id, as `list` shows it; all of the topic's when left out.")
        var id: String?

        func run() async throws {
            try await EventsAdmin.withDeadLetters { deadLetters in
                if let id {
                    try await deadLetters.replay(topic: topic, id: id)
                    print("replayed \(id) to \(topic)")
                } else {
                    let replayed = try await deadLetters.replayAll(topic: topic)
                    print("replayed \(replayed) dead letter(s) to \(topic)")
                }
            }
        }
    }

    /// Runs `body` with the configured dead letters, the Redis client running meanwhile.
    static func withDeadLetters(_ body: (DeadLetters) async throws -> Void) async throws {
        let reader = try await ConfigReader.service(arguments: [])
        let redis = RedisClient(configuration: try RedisClient.Configuration(reader: reader), logger: Logger(label: "events-admin"))
        let deadLetters = DeadLetters(
            client: redis, streamPrefix: reader.string(forKey: "events.stream.prefix", default: ""),
            maximumStreamLength: try reader.count(forKey: "events.max.stream.length", default: 100_000))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await redis.run() }
            defer { group.cancelAll() }
            try await body(deadLetters)
        }
    }

    static func describe(_ letter: DeadLetter) -> String {
        let header = try? letter.envelope.header()
        return """
            \(letter.id)  failed \(letter.failedAt) in \(letter.group) after \(letter.attempts) attempt(s)
              event \(header?.id ?? "?") from \(header?.source ?? "?") at \(header?.time ?? "?")
              error: \(letter.error.split(whereSeparator: \.isNewline).joined(separator: " "))
            """
    }
}
