/// A W3C Trace Context `traceparent` (`00-<trace id>-<parent id>-<flags>`), carried in every
/// event's envelope so a trace continues across services.
///
/// While a handler runs, ``current`` holds the traceparent of the event it handles, so events it
/// publishes carry the same trace without passing it along by hand.
public struct TraceParent: Sendable, Hashable, CustomStringConvertible {
    /// 32 lowercase hex digits, not all zero.
    public let traceID: String
    /// 16 lowercase hex digits, not all zero: the span that caused the event.
    public let parentID: String
    /// The trace flags; bit 0 is `sampled`.
    public let flags: UInt8

    /// The trace context of the task: set while an event handler runs, or by the caller
    /// (`TraceParent.$current.withValue(…)`) to make publishes continue a trace.
    @TaskLocal public static var current: TraceParent?

    /// Parses a `traceparent` header value; `nil` when it is invalid (W3C Trace Context §3.2:
    /// lowercase hex, no all-zero ids, version `ff` invalid, exactly four fields for version `00`).
    /// A later version is read by its first four fields (§3.2.4); ``description`` writes it back
    /// as version `00`.
    public init?(_ header: String) {
        let parts = header.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count >= 4, parts[0].count == 2, parts[0] != "ff", Self.isHex(parts[0]),
            parts[1].count == 32, Self.isHex(parts[1]), parts[1].contains(where: { $0 != "0" }),
            parts[2].count == 16, Self.isHex(parts[2]), parts[2].contains(where: { $0 != "0" }),
            parts[3].count == 2, Self.isHex(parts[3]), let flags = UInt8(parts[3], radix: 16)
        else { return nil }
        // Version 00 has exactly four fields; later versions may append more (§3.2.4).
        if parts[0] == "00", parts.count != 4 { return nil }
        self.init(traceID: String(parts[1]), parentID: String(parts[2]), flags: flags)
    }

    private init(traceID: String, parentID: String, flags: UInt8) {
        self.traceID = traceID
        self.parentID = parentID
        self.flags = flags
    }

    /// A new trace (random ids), sampled.
    public static func random() -> TraceParent {
        TraceParent(traceID: randomHex(bytes: 16), parentID: randomHex(bytes: 8), flags: 1)
    }

    /// `true` when the caller recorded the trace (flag bit 0).
    public var isSampled: Bool { flags & 1 == 1 }

    /// The header value, version 00.
    public var description: String {
        "00-\(traceID)-\(parentID)-\(flags < 16 ? "0" : "")\(String(flags, radix: 16))"
    }

    private static func isHex(_ text: Substring) -> Bool {
        text.allSatisfy { ("0"..."9").contains($0) || ("a"..."f").contains($0) }
    }

    private static func randomHex(bytes: Int) -> String {
        var hex = ""
        repeat {
            hex = (0..<bytes).map { _ in
                let byte = UInt8.random(in: 0...255)
                return (byte < 16 ? "0" : "") + String(byte, radix: 16)
            }.joined()
        } while hex.allSatisfy { $0 == "0" }
        return hex
    }
}
