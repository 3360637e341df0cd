import Configuration
import EventBus
import Foundation
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
@main
struct EventsAdmin {
    static func main() async {
        await ServiceMain.run("EventsAdmin") {
            let arguments = Array(CommandLine.arguments.dropFirst())
            let reader = try await ConfigReader.service(arguments: [])
            let redis = RedisClient(configuration: try RedisClient.Configuration(reader: reader), logger: Logger(label: "events-admin"))
            let deadLetters = DeadLetters(
                client: redis, streamPrefix: reader.string(forKey: "events.stream.prefix", default: ""),
                maximumStreamLength: try reader.count(forKey: "events.max.stream.length", default: 100_000))
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await redis.run() }
                defer { group.cancelAll() }
                try await execute(arguments, deadLetters)
            }
        }
    }

    static func execute(_ arguments: [String], _ deadLetters: DeadLetters) async throws {
        switch (arguments.first, arguments.count) {
        case ("list", 2), ("list", 3):
            guard let count = arguments.count == 3 ? Int(arguments[2]) : 100, count > 0 else { throw usage }
            let letters = try await deadLetters.list(topic: arguments[1], count: count)
            for letter in letters { print(describe(letter)) }
            print("\(letters.count) dead letter(s) in \(deadLetters.stream(arguments[1]))")
        case ("replay", 2):
            let replayed = try await deadLetters.replayAll(topic: arguments[1])
            print("replayed \(replayed) dead letter(s) to \(arguments[1])")
        case ("replay", 3):
            try await deadLetters.replay(topic: arguments[1], id: arguments[2])
            print("replayed \(arguments[2]) to \(arguments[1])")
        default:
            throw usage
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

    static let usage = EventsAdminError(message: "usage: EventsAdmin list TOPIC [COUNT] | replay TOPIC [ID]")
}

struct EventsAdminError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}
