import ChildProcess
import EventBus
import Foundation
import RedisClient
import Testing
import TestSupport

/// The EventsAdmin tool as an operator runs it, against a dead letter a failing handler left.
@Suite struct EventsAdminTests {
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
                        throw WaitTimedOut(description: "not dead-lettered")
                    }
                    return letter
                }
            }

            let listed = try await admin(["list", OrderPaymentFailed.topic], fixture)
            #expect(listed.status == 0)
            #expect(listed.output.contains { $0.hasPrefix(letter.id) && $0.contains("in \(fixture.appID) after 3 attempt(s)") })
            #expect(listed.output.contains("  event \(event.id.uuidString.lowercased()) from \(fixture.appID) at \(EventJSON.format(event.creationDate))"))
            #expect(listed.output.contains("  error: mail server down for \(event.orderId)"))
            #expect(listed.output.last == "1 dead letter(s) in \(deadLetters.stream(OrderPaymentFailed.topic))")

            let missing = try await admin(["replay", OrderPaymentFailed.topic, "1-0"], fixture)
            #expect(missing.status == 1)
            #expect(missing.output.contains { $0.contains("no dead letter 1-0") })

            let replayed = try await admin(["replay", OrderPaymentFailed.topic, letter.id], fixture)
            #expect(replayed.status == 0)
            #expect(try await deadLetters.list(topic: OrderPaymentFailed.topic).isEmpty)
            let stream = try await redis.send(RedisCommand("XRANGE", bus.stream(OrderPaymentFailed.topic), "-", "+")).array ?? []
            #expect(stream.count == 2)  // the original and the replayed copy, same envelope
            #expect(stream.last?.array?.last?.array?.last?.bytes == letter.envelope.bytes)

            let usage = try await admin(["frobnicate"], fixture)
            #expect(usage.status == 1)
            #expect(usage.output == ["EventsAdmin: error: usage: EventsAdmin list TOPIC [COUNT] | replay TOPIC [ID]"])
            try await fixture.cleanUp(redis)
        }
    }

    /// Runs EventsAdmin with `arguments`; its exit status and output lines (stdout and stderr),
    /// once the line that ends its output (a summary or an error) has been read.
    private func admin(_ arguments: [String], _ fixture: RedisEventsFixture) async throws -> (status: Int32, output: [String]) {
        let lines = Lines()
        let process = try ChildProcess(
            [Probe.path(of: "EventsAdmin")] + arguments, environment: Probe.environment(fixture), output: .lines(lines.append))
        let status = await process.waitForExit()
        try await TestRedis.eventually(within: .seconds(5)) {
            guard lines.all.contains(where: { $0.contains("dead letter(s)") || $0.hasPrefix("replayed") || $0.contains("error:") }) else {
                throw WaitTimedOut(description: "EventsAdmin's output is incomplete: \(lines.all)")
            }
        }
        return (status, lines.all)
    }
}
