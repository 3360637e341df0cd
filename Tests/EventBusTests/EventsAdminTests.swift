import EventBus
import Foundation
import RedisClient
import Subprocess
import Testing
import TestSupport

/// The EventsAdmin tool as an operator runs it, against a dead letter a failing handler left.
@Suite(.redisReachable, .timeLimit(.minutes(1))) struct EventsAdminTests {
    @Test func listsADeadLetterWithItsErrorAndReplaysItToItsTopic() async throws {
        let fixture = RedisEventsFixture()
        try await TestRedis.withClient { redis in
            let bus = fixture.bus(redis)
            bus.subscribe(OrderPaymentFailed.self) { event in throw HandlerFailure(description: "mail server down for \(event.orderId)") }
            let event = OrderPaymentFailed(orderId: UUID())
            let deadLetters = DeadLetters(client: redis, streamPrefix: fixture.prefix)
            let letter = try await fixture.running([bus]) {
                try await bus.publish(event)
                return try await TestRedis.eventually(within: .seconds(10)) {
                    guard let letter = try await deadLetters.list(topic: OrderPaymentFailed.topic).first else {
                        throw NotYet(description: "not dead-lettered")
                    }
                    return letter
                }
            }

            let listed = try await admin(["list", OrderPaymentFailed.topic], fixture)
            #expect(listed.status == .exited(0))
            #expect(listed.output.contains { $0.hasPrefix(letter.id) && $0.contains("in \(fixture.appID) after 3 attempt(s)") })
            #expect(listed.output.contains("  event \(event.id.uuidString.lowercased()) from \(fixture.appID) at \(EventJSON.format(event.creationDate))"))
            #expect(listed.output.contains("  error: mail server down for \(event.orderId)"))
            #expect(listed.output.last == "1 dead letter(s) in \(deadLetters.stream(OrderPaymentFailed.topic))")

            let missing = try await admin(["replay", OrderPaymentFailed.topic, "1-0"], fixture)
            #expect(missing.status == .exited(1))
            #expect(missing.output.contains { $0.contains("no dead letter 1-0") })

            let replayed = try await admin(["replay", OrderPaymentFailed.topic, letter.id], fixture)
            #expect(replayed.status == .exited(0))
            #expect(try await deadLetters.list(topic: OrderPaymentFailed.topic).isEmpty)
            let stream = try await redis.send(RedisCommand("XRANGE", bus.stream(OrderPaymentFailed.topic), "-", "+")).array ?? []
            #expect(stream.count == 2)  // the original and the replayed copy, same envelope
            #expect(stream.last?.array?.last?.array?.last?.bytes == letter.envelope.bytes)

            let usage = try await admin(["frobnicate"], fixture)
            #expect(usage.status == .exited(64))  // EX_USAGE, swift-argument-parser's status for a usage mistake
            #expect(usage.output.contains("Usage: EventsAdmin <subcommand>"))
            try await fixture.cleanUp(redis)
        }
    }

    /// Runs EventsAdmin with `arguments` to its end; how it ended and its output lines (stdout and stderr).
    private func admin(_ arguments: [String], _ fixture: RedisEventsFixture) async throws -> (status: TerminationStatus, output: [String]) {
        let (lines, status) = try await TestProcess.run([Probe.path(of: "EventsAdmin")] + arguments, environment: Probe.environment(fixture))
        return (status, lines)
    }
}
