import Hummingbird
import Prometheus

/// `GET /metrics`: every metric of the process in Prometheus' text format (version 0.0.4).
struct MetricsController<Context: RequestContext>: Sendable {
    let registry: PrometheusCollectorRegistry

    var endpoints: RouteCollection<Context> {
        let routes = RouteCollection(context: Context.self)
        routes.get("metrics") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: registry.emitToBuffer())))
        }
        return routes
    }
}

extension Router {
    /// Records every request with Hummingbird's `MetricsMiddleware` (labelled by route template:
    /// `/api/v1/catalog/items/{id}`, never the path a client sent; unknown paths share one label)
    /// and serves ``ServiceMetrics/registry`` at `GET /metrics`. Add it first, so the middleware
    /// sees the status ``ProblemMiddleware`` answers.
    public func addMetrics(registry: PrometheusCollectorRegistry = ServiceMetrics.registry) {
        add(middleware: MetricsMiddleware())
        addRoutes(MetricsController<Context>(registry: registry).endpoints)
    }
}
