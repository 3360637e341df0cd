import Foundation
import Hummingbird

/// `GET /openapi.yaml`: the service's OpenAPI document, as committed beside its sources
/// (`application/yaml`, RFC 9512).
public struct OpenAPIDocumentController<Context: RequestContext>: Sendable {
    public let yaml: String

    public init(yaml: String) {
        self.yaml = yaml
    }

    /// The document bundled as `openapi.yaml` in `bundle` (a service's `Bundle.module`, with
    /// `resources: [.copy("openapi.yaml")]` in Package.swift).
    public init(bundle: Bundle) throws {
        guard let url = bundle.url(forResource: "openapi", withExtension: "yaml") else {
            throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: "openapi.yaml"])
        }
        self.init(yaml: try String(contentsOf: url, encoding: .utf8))
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
