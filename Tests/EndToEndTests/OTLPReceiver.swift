import Foundation
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import StateClient
import Synchronization
import TestSupport

/// An OTLP/HTTP collector in the test: `POST /v1/traces` with OTLP's JSON encoding
/// (`OTEL_EXPORTER_OTLP_PROTOCOL=http/json`), every span kept in memory with its service.
///
/// Ids are compared as the exporter wrote them (swift-otel writes the proto's bytes in
/// SwiftProtobuf's JSON form), never decoded, so the checks hold whatever their encoding.
final class OTLPReceiver: Sendable {
    struct Span: Sendable, Hashable {
        var service: String
        var name: String
        var traceID: String
        var spanID: String
        /// `nil` for a trace's root.
        var parentSpanID: String?
    }

    let port: Int
    private let received = Mutex<[Span]>([])

    private init(port: Int) { self.port = port }

    /// `http://127.0.0.1:<port>`, the value of `OTEL_EXPORTER_OTLP_ENDPOINT`.
    var endpoint: String { "http://127.0.0.1:\(port)" }

    var spans: [Span] { received.withLock { $0 } }

    /// Runs a receiver on a free port while `body` runs.
    static func with<Result: Sendable>(_ body: @Sendable (OTLPReceiver) async throws -> Result) async throws -> Result {
        let receiver = OTLPReceiver(port: try await TestRedis.freePort())
        let router = Router()
        router.post("/v1/traces") { request, _ -> Response in
            let body = try await request.body.collect(upTo: 16 << 20)
            receiver.record(JSONValue(json: Array(buffer: body)))
            return Response(status: .ok, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(string: "{}")))
        }
        var logger = Logger(label: "otlp-receiver")
        logger.logLevel = .warning
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: receiver.port)), logger: logger)
        let server = ServiceGroup(configuration: .init(services: [app], logger: logger))
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await server.run() }
            do {
                // Ready once it answers (404 for this path).
                try await TestRedis.eventually(within: .seconds(10)) { _ = try await HTTP.send(.GET, receiver.endpoint + "/") }
                let result = try await body(receiver)
                await server.triggerGracefulShutdown()
                return result
            } catch {
                await server.triggerGracefulShutdown()
                throw error
            }
        }
    }

    /// Keeps the spans of one export request (`resourceSpans[].scopeSpans[].spans[]`).
    private func record(_ request: JSONValue?) {
        guard case .array(let resources)? = request?.value(at: "resourceSpans") else { return }
        var spans: [Span] = []
        for resource in resources {
            var service = "?"
            if case .array(let attributes)? = resource.value(at: "resource")?.value(at: "attributes") {
                for attribute in attributes where attribute.value(at: "key") == .string("service.name") {
                    if case .string(let name)? = attribute.value(at: "value")?.value(at: "stringValue") { service = name }
                }
            }
            guard case .array(let scopes)? = resource.value(at: "scopeSpans") else { continue }
            for scope in scopes {
                guard case .array(let items)? = scope.value(at: "spans") else { continue }
                for item in items {
                    guard case .string(let traceID)? = item.value(at: "traceId"), case .string(let spanID)? = item.value(at: "spanId"),
                        case .string(let name)? = item.value(at: "name")
                    else { continue }
                    var parent: String?
                    if case .string(let id)? = item.value(at: "parentSpanId"), !id.isEmpty { parent = id }
                    spans.append(Span(service: service, name: name, traceID: traceID, spanID: spanID, parentSpanID: parent))
                }
            }
        }
        received.withLock { $0 += spans }
    }
}
