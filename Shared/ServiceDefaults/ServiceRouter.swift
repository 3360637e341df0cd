import Hummingbird

/// A service's router as the application's responder, answering `405 Method Not Allowed` with
/// `Allow` (RFC 9110 §15.5.6) when the path is routed but not for the request's method, where
/// Hummingbird answers 404 for both.
///
/// ```swift
/// Application(router: ServiceRouter(router), server: .service(), configuration: …)
/// ```
public struct ServiceRouter<Context: RequestContext>: HTTPResponderBuilder {
    /// The 405 answer for a request and the `Allow` value; by default problem+json.
    public typealias MethodNotAllowed = @Sendable (_ request: Request, _ allow: String) -> Response

    public let router: Router<Context>
    public let methodNotAllowed: MethodNotAllowed

    public init(_ router: Router<Context>, methodNotAllowed: @escaping MethodNotAllowed = { ServiceRouter.problem($0, allow: $1) }) {
        self.router = router
        self.methodNotAllowed = methodNotAllowed
    }

    /// The default 405: a ``ProblemDetails`` naming the allowed methods.
    public static func problem(_ request: Request, allow: String) -> Response {
        var problem = ProblemDetails(.methodNotAllowed, detail: "\(request.method.rawValue) is not allowed here; allowed: \(allow)")
        problem.instance = request.uri.path
        return problem.response(allocator: ByteBufferAllocator())
    }

    public func buildResponder() -> Responder {
        // The methods of each routed path; HEAD wherever GET is (`autoGenerateHeadEndpoints`).
        var paths: [String: (path: RouterPath, methods: Set<HTTPRequest.Method>)] = [:]
        for route in router.routes {
            paths[route.path.description, default: (route.path, [])].methods.insert(route.method)
        }
        // A second router, for its path matching only: each routed path answers 204 with `Allow`.
        let lookup = Router(context: Context.self)
        for (path, methods) in paths.values {
            let allowed = methods.contains(.get) ? methods.union([.head]) : methods
            let allow = allowed.map(\.rawValue).sorted().joined(separator: ", ")
            lookup.on(path, method: .get) { _, _ in Response(status: .noContent, headers: [.allow: allow]) }
        }
        return Responder(routes: router.buildResponder(), lookup: lookup.buildResponder(), methodNotAllowed: methodNotAllowed)
    }

    public struct Responder: HTTPResponder {
        let routes: RouterResponder<Context>
        let lookup: RouterResponder<Context>
        let methodNotAllowed: MethodNotAllowed

        public func respond(to request: Request, context: Context) async throws -> Response {
            let response = try await routes.respond(to: request, context: context)
            guard response.status == .notFound else { return response }
            var probe = request.head
            probe.method = .get
            let known = try await lookup.respond(to: Request(head: probe, body: RequestBody(buffer: ByteBuffer())), context: context)
            guard let allow = known.headers[.allow], !allow.split(separator: ",").contains(where: { $0.trimmingCharacters(in: .whitespaces) == request.method.rawValue })
            else { return response }  // an unknown path, or the handler's own 404
            var answer = methodNotAllowed(request, allow)
            answer.headers[.allow] = allow
            return answer
        }
    }
}
