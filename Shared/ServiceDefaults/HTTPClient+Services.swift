import AsyncHTTPClient
import NIOCore

extension HTTPClient {
    /// The client one service uses to call another (the storefront's backends, Basket's and the
    /// model worker's calls to Catalog, Catalog's to the model worker), made on first use and kept
    /// for the life of the process, on NIO's shared event loops (``HTTPClient/Configuration/services``).
    /// The bearer-token verifier's rare key-set fetch keeps AsyncHTTPClient's shared client.
    ///
    /// Not `HTTPClient.shared`: that one is configured like a browser, at most 8 connections to a
    /// host (pages beyond them queue inside the client), response decompression and redirects on.
    /// First used after `TracingSettings.bootstrap()` (in `buildApplication`), so its spans reach
    /// the tracer installed there.
    public static let services = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: .services)
}

extension HTTPClient.Configuration {
    /// Calls between the sample's services: up to 64 connections to each service (as many as
    /// its callers have requests in flight; .NET's `HttpClient`, eShop's, sets no limit), idle
    /// ones closed after 60 s, a connection made within 2 s, and at most 10 s without a byte
    /// while an answer is read (a call's own deadline, `execute(_:timeout:)`, ends when the
    /// answer's head arrives; this bounds its body). No decompression (no service here compresses
    /// its answers) and no redirects (a service that redirects breaks its contract).
    public static var services: Self {
        HTTPClient.Configuration(
            redirectConfiguration: .disallow,
            timeout: Timeout(connect: .seconds(2), read: .seconds(10)),
            connectionPool: ConnectionPool(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: 64),
            decompression: .disabled)
    }
}
