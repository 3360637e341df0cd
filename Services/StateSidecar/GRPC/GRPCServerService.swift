import GRPCCore
import Logging
import ServiceLifecycle

/// Runs a ``GRPCServer`` as a service of the application's `ServiceGroup`: serves until the
/// group shuts down, then stops accepting calls and lets the running ones finish.
///
/// grpc-swift-extras has this adapter (GRPCServiceLifecycle), but it is not among the packages
/// this machine can resolve, and it takes only these few lines.
struct GRPCServerService<Transport: ServerTransport>: Service {
    let server: GRPCServer<Transport>
    let logger: Logger

    func run() async throws {
        try await withGracefulShutdownHandler {
            try await withThrowingDiscardingTaskGroup { group in
                group.addTask { try await server.serve() }
                if let address = try await server.listeningAddress {
                    logger.info("serving Dapr's gRPC API", metadata: ["address": .string("\(address)")])
                }
            }
        } onGracefulShutdown: {
            server.beginGracefulShutdown()
        }
    }
}
