import Hummingbird
import StateClient

/// Hummingbird's response encoder for every service's JSON answers (``ServiceRequestContext``):
/// 200, `Content-Type: application/json; charset=utf-8`, the body written by StateClient's
/// `JSONBytesEncoder` (what Foundation's `JSONEncoder` with `.withoutEscapingSlashes` means,
/// without building its tree first; members unsorted, in the order the type writes them).
public struct JSONResponseEncoder: ResponseEncoder {
    public init() {}

    public func encode(_ value: some Encodable, from request: Request, context: some RequestContext) throws -> Response {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(512)
        try JSONBytesEncoder().encode(value, into: &bytes)
        return Response(
            status: .ok,
            headers: [.contentType: "application/json; charset=utf-8", .contentLength: String(bytes.count)],
            body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}
