import Foundation
import Logging
import Synchronization

/// The services' swift-log handler: one line per event on standard error, as text
/// (`2026-11-22T17:00:00.123Z info basket-api: request.id=7f3c… items=2 basket saved`) or as a
/// JSON object for log collectors (`{"label":…,"level":…,"message":…,"time":…,…metadata}`).
///
/// Metadata is rendered only when a line is written. swift-log's `StreamLogHandler` re-renders it
/// each time a key is set; Hummingbird and ``RequestIDMiddleware`` set keys on every request, so
/// each request paid for log text that was never written (~6 % of the state sidecar's CPU).
public struct ServiceLogHandler: LogHandler {
    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    private let label: String
    private let format: LogFormat
    private let write: @Sendable (String) -> Void

    /// Creates a handler; `write` receives each finished line (standard error by default).
    public init(label: String, format: LogFormat, write: @escaping @Sendable (String) -> Void = ServiceLogHandler.writeToStandardError) {
        self.label = label
        self.format = format
        self.write = write
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var fields = metadata
        if let provided = metadataProvider?.get() { fields.merge(provided) { _, new in new } }
        if let extra = event.metadata { fields.merge(extra) { _, new in new } }
        let time = Date().formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
        switch format {
        case .text: write(Self.textLine(time: time, label: label, event: event, fields: fields))
        case .json: Self.jsonLine(time: time, label: label, event: event, fields: fields).map(write)
        }
    }

    private static func textLine(time: String, label: String, event: LogEvent, fields: Logger.Metadata) -> String {
        var line = "\(time) \(event.level) \(label):"
        for (key, value) in fields.sorted(by: { $0.key < $1.key }) { line += " \(key)=\(value)" }
        return line + " \(event.message)"
    }

    private static func jsonLine(time: String, label: String, event: LogEvent, fields: Logger.Metadata) -> String? {
        var object: [String: Any] = ["time": time, "level": event.level.rawValue, "label": label, "message": event.message.description]
        for (key, value) in fields where object[key] == nil { object[key] = jsonValue(value) }
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) else { return nil }
        return String(decoding: data, as: UTF8.self)
    }

    private static func jsonValue(_ value: Logger.MetadataValue) -> Any {
        switch value {
        case .string(let text): text
        case .stringConvertible(let convertible): convertible.description
        case .array(let values): values.map(jsonValue)
        case .dictionary(let entries): entries.mapValues(jsonValue)
        }
    }

    private static let standardErrorLock = Mutex(())

    /// Writes a line to standard error, whole, even when several threads log at once.
    public static let writeToStandardError: @Sendable (String) -> Void = { line in
        standardErrorLock.withLock { _ in
            FileHandle.standardError.write(Data((line + "\n").utf8))
        }
    }
}
