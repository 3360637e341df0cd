// A process the EventBus tests start and SIGKILL, to check that what a killed process leaves
// behind is not lost. Not a tool: it only does what a test needs, and says so on stdout.
//
//   EventBusProbe consume        subscribe to OrderPaymentSucceeded; print "handling <order id>"
//                                and hang in the handler (never acknowledging)
//   EventBusProbe outbox-write   commit STATE_KEY = "paid" and OrderPaymentSucceeded(ORDER_ID)
//                                in one outbox transaction, print "committed", then hang (no relay)
//
// Environment: REDIS_HOST, REDIS_PORT, REDIS_PASSWORD, APP_ID, EVENTS_STREAM_PREFIX, and for
// outbox-write STATE_KEY, ORDER_ID, EVENT_ID, TRACEPARENT (the write is a span continuing it).
import EventBus
import Foundation
import Logging
import OTel
import RedisClient
import StateClient
import StateStores
import Tracing

let environment = ProcessInfo.processInfo.environment
let logger = Logger(label: "event-bus-probe")
let redis = RedisClient(
    configuration: .init(
        host: environment["REDIS_HOST"] ?? "127.0.0.1", port: environment["REDIS_PORT"].flatMap(Int.init) ?? 6379,
        password: environment["REDIS_PASSWORD"].flatMap { $0.isEmpty ? nil : $0 }),
    logger: logger)
let appID = environment["APP_ID"] ?? "probe"
let state = StateClient(store: RedisStateStore(client: redis, logger: logger), storeName: "statestore", appID: appID)

func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

func hang() async throws {
    while true { try await Task.sleep(for: .seconds(3_600)) }
}

try await withThrowingTaskGroup(of: Void.self) { group in
    group.addTask { try await redis.run() }
    switch CommandLine.arguments.dropFirst().first {
    case "consume":
        let bus = RedisStreamsEventBus(
            client: redis, state: state,
            configuration: .init(
                appID: appID, streamPrefix: environment["EVENTS_STREAM_PREFIX"] ?? "", blockTimeout: .milliseconds(200),
                handlingLeaseInSeconds: 1),
            logger: logger)
        bus.subscribe(OrderPaymentSucceeded.self) { event in
            say("handling \(event.orderId.uuidString.lowercased())")
            try await hang()
        }
        group.addTask { try await bus.run() }
    case "outbox-write":
        let outbox = StateOutbox(state: state)
        let orderID = UUID(uuidString: environment["ORDER_ID"] ?? "") ?? UUID()
        let eventID = UUID(uuidString: environment["EVENT_ID"] ?? "") ?? UUID()
        // swift-otel's tracer (W3C propagation) as a service has it, exporting nothing.
        var tracing = OTel.Configuration.default
        tracing.traces.exporter = .none
        tracing.logs.enabled = false
        tracing.metrics.enabled = false
        let caller = TraceContextHeaders(traceparent: environment["TRACEPARENT"])
        try await withTracer(OTel.makeTracingBackend(configuration: tracing).factory) {
            try await withSpan("outbox write", context: caller.serviceContext()) { _ in
                try await outbox.transaction(
                    [.upsert(key: environment["STATE_KEY"] ?? "order", bytes: Array("paid".utf8))],
                    publishing: [OrderPaymentSucceeded(orderId: orderID, id: eventID)])
            }
        }
        say("committed")
        group.addTask { try await hang() }
    default:
        say("usage: EventBusProbe consume | outbox-write")
        exit(64)
    }
    try await group.next()
}
