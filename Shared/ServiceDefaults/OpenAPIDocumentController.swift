import Hummingbird

/// `GET /openapi.yaml`: the service's OpenAPI document, as committed beside its sources
/// (`application/yaml`, RFC 9512).
public struct OpenAPIDocumentController<Context: RequestContext>: Sendable {
    public let yaml: String

    public init(yaml: String) {
        self.yaml = yaml
    }

    public var endpoints: RouteCollection<Context> {
        let routes = RouteCollection(context: Context.self)
        let yaml = yaml
        routes.get("openapi.yaml") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/yaml"], body: .init(byteBuffer: ByteBuffer(string: yaml)))
        }
        return routes
    }
}
