import Foundation
import TestSupport
import Testing

/// Traces across real processes: every service exports to an OTLP receiver in the test.
@Suite(.serialized, .redisReachable, .postgresReachable, .timeLimit(.minutes(3))) struct TracingTests {
    @Test func oneCheckoutIsOneTraceFromTheBasketPostToPaidAcrossEveryService() async throws {
        try await OTLPReceiver.with { receiver in
            let tracing = [
                "OTEL_EXPORTER_OTLP_ENDPOINT": receiver.endpoint, "OTEL_EXPORTER_OTLP_PROTOCOL": "http/json",
                // Export every 50 ms instead of every 5 s, so the test takes seconds.
                "OTEL_BSP_SCHEDULE_DELAY": "50",
                // Valid, and the default: it once made swift-otel enable logs too, and stop every service.
                "OTEL_SDK_DISABLED": "false",
            ]
            try await EndToEndSystem.with(environment: tracing) { system in
                let alice = try await system.token("alice")
                try await system.putBasket([(1, 1)], token: alice)
                let orderId = try await system.checkout(token: alice)
                try await system.waitForOrder(orderId, token: alice, in: ["paid"])

                // The checkout's server span roots a trace holding each step to `paid`, in its service.
                let steps: [(service: String, span: String, parentService: String)] = [
                    ("ordering-api", "UserCheckoutAccepted process", "basket-api"),
                    ("catalog-api", "OrderStatusChangedToAwaitingStockValidation process", "ordering-api"),
                    ("ordering-api", "OrderStockConfirmed process", "catalog-api"),
                    ("payment-api", "OrderStatusChangedToValidated process", "ordering-api"),
                    ("ordering-api", "OrderPaymentSucceeded process", "payment-api"),
                ]
                let trace = try await TestRedis.eventually(within: .seconds(20)) {
                    let spans = receiver.spans
                    guard let checkout = spans.first(where: { $0.service == "basket-api" && $0.name == "/api/v1/basket/checkout" }) else {
                        throw EndToEndError("no checkout span yet among \(spans.count)")
                    }
                    let trace = spans.filter { $0.traceID == checkout.traceID }
                    let byID = Dictionary(trace.map { ($0.spanID, $0) }) { first, _ in first }
                    for step in steps {
                        guard let span = trace.first(where: { $0.service == step.service && $0.name == step.span }) else {
                            throw EndToEndError("no '\(step.span)' in \(step.service) in the checkout's trace yet")
                        }
                        guard let parent = span.parentSpanID.flatMap({ byID[$0] }) else {
                            throw EndToEndError("the parent of '\(step.span)' is not (yet) in the trace")
                        }
                        guard parent.service == step.parentService else {
                            throw EndToEndError("'\(step.span)' continues a span of \(parent.service), not \(step.parentService)")
                        }
                    }
                    let orphans = trace.filter { span in span.parentSpanID.map { byID[$0] == nil } ?? false }
                    guard orphans.isEmpty else { throw EndToEndError("parents not (yet) received: \(orphans.map(\.name))") }
                    return (checkout: checkout, spans: trace)
                }
                #expect(trace.checkout.parentSpanID == nil)
                #expect(trace.spans.filter { $0.parentSpanID == nil }.count == 1)
                #expect(Set(trace.spans.map(\.service)).isSuperset(of: ["basket-api", "ordering-api", "catalog-api", "payment-api"]))
                // Below the events: Redis commands, SQL statements, state operations.
                let names = Set(trace.spans.map(\.name))
                for name in ["XADD", "EVALSHA", "state transaction", "state get", "SELECT", "UPDATE"] {
                    #expect(names.contains(name), "no '\(name)' span in \(names.sorted())")
                }
                // HTTP out and in: pricing the basket, Basket's client span is the parent of Catalog's server span.
                let spans = receiver.spans
                let byID = Dictionary(spans.map { ($0.spanID, $0) }) { first, _ in first }
                let priced = spans.filter { $0.service == "catalog-api" && $0.name == "/api/v1/catalog/items/by_ids" }
                #expect(!priced.isEmpty)
                for span in priced {
                    let client = span.parentSpanID.flatMap { byID[$0] }
                    #expect(client?.service == "basket-api" && client?.name == "GET", "by_ids continues \(String(describing: client))")
                }
            }
        }
    }
}
