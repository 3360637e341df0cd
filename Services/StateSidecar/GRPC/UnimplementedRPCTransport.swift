import GRPCCore

/// A server transport that answers calls of methods no service registered with `UNIMPLEMENTED`
/// and a message naming the method and what the sidecar serves, and hands every other call to
/// the server. `GRPCServer` answers such calls itself, but only with "Requested RPC isn't
/// implemented by this server.", which does not tell a Dapr SDK user which call is missing or why.
struct UnimplementedRPCTransport<Base: ServerTransport>: ServerTransport {
    typealias Bytes = Base.Bytes

    let base: Base
    /// The methods the server serves.
    let served: Set<MethodDescriptor>

    func configure(context: GRPCServerContext) {
        base.configure(context: context)
    }

    func listen(streamHandler: @escaping @Sendable (RPCStream<Inbound, Outbound>, ServerContext) async -> Void) async throws {
        try await base.listen { stream, context in
            guard served.contains(context.descriptor) else {
                let message = "\(context.descriptor.fullyQualifiedMethod) is not implemented: this sidecar serves Dapr's state API "
                    + "(\(served.map(\.method).sorted().joined(separator: ", "))) and nothing else"
                // The caller may be gone already; there is no one else to tell.
                try? await stream.outbound.write(.status(Status(code: .unimplemented, message: message), [:]))
                await stream.outbound.finish()
                return
            }
            await streamHandler(stream, context)
        }
    }

    func beginGracefulShutdown() {
        base.beginGracefulShutdown()
    }
}
