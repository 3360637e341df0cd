import EventBus
import Foundation
import Testing
import Tracing

@Suite struct EnvelopeTests {
    @Test func theEnvelopeIsACloudEvent() async throws {
        let created = try #require(EventJSON.parse("2026-11-22T20:15:00.123Z"))
        let event = ProductPriceChanged(productId: 3, newPrice: Decimal(string: "19.5")!, oldPrice: 20, creationDate: created)
        let trace = TraceContextHeaders(traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
        let envelope = try EventEnvelope(event, source: "catalog-api", traceContext: trace)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(envelope.bytes)) as? [String: Any])
        #expect(json["specversion"] as? String == "1.0")
        #expect(json["id"] as? String == event.id.uuidString.lowercased())
        #expect(json["source"] as? String == "catalog-api")
        #expect(json["type"] as? String == "ProductPriceChanged")
        #expect(json["time"] as? String == "2026-11-22T20:15:00.123Z")
        #expect(json["datacontenttype"] as? String == "application/json")
        #expect(json["traceparent"] as? String == trace.traceparent)
        #expect(json["tracestate"] == nil)
        let data = try #require(json["data"] as? [String: Any])
        #expect(data["productId"] as? Int == 3)
        #expect(data["creationDate"] as? String == "2026-11-22T20:15:00.123Z")
        #expect(try envelope.event(as: ProductPriceChanged.self) == event)
    }

    @Test func anEnvelopeCarriesTheSpanThatMadeIt() throws {
        try withTracer(W3CTestTracer.make()) {
            try withSpan("checkout") { _ in
                let envelope = try EventEnvelope(OrderStockConfirmed(orderId: UUID()), source: "catalog-api")
                #expect(try envelope.header().traceContext == TraceContextHeaders.current)
                #expect(TraceContextHeaders.current.traceparent != nil)
            }
        }
    }

    @Test func withoutATracerAnEnvelopeCarriesNoTrace() throws {
        let envelope = try EventEnvelope(OrderStockConfirmed(orderId: UUID()), source: "catalog-api")
        #expect(try envelope.header().traceparent == nil)
        #expect(!String(decoding: envelope.bytes, as: UTF8.self).contains("traceparent"))
    }

    @Test func malformedEnvelopesAreRejected() {
        for text in ["not json", #"{"specversion":"0.3","id":"1","source":"a","type":"t"}"#, #"{"specversion":"1.0","id":"","source":"a","type":"t"}"#] {
            #expect(throws: EventBusError.self) { try EventEnvelope(topic: "t", bytes: Array(text.utf8)).header() }
        }
    }

    @Test(arguments: [
        ("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", true),
        ("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00", true),
        ("00-00000000000000000000000000000000-00f067aa0ba902b7-01", false),
        ("00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01", false),
        ("00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01", false),
        ("ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", false),
        ("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra", false),
        // A later version, which W3C Trace Context §3.2.4 would read by its first fields:
        // swift-w3c-trace-context 1.0 reads version 00 only, so such a caller starts a new trace.
        ("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra", false),
        ("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7", false),
    ])
    func traceParentsAreReadByTheW3CPropagator(header: String, valid: Bool) throws {
        // What a handler continues: the envelope's traceparent through swift-otel's propagator.
        let continued = try withTracer(W3CTestTracer.make()) {
            let context = TraceContextHeaders(traceparent: header).serviceContext()
            return ServiceContext.$current.withValue(context) { TraceContextHeaders.current }
        }
        #expect((continued.traceparent != nil) == valid)
        if valid { #expect(continued.traceID == header.split(separator: "-")[1]) }
        if valid, header.hasPrefix("00") { #expect(continued.traceparent == header) }
    }

    @Test func backoffDoublesUpToTheMaximum() {
        let policy = RetryPolicy(maximumAttempts: 5, initialBackoff: .milliseconds(100), maximumBackoff: .milliseconds(350))
        #expect((1...4).map(policy.backoff(afterAttempt:)) == [.milliseconds(100), .milliseconds(200), .milliseconds(350), .milliseconds(350)])
    }
}
