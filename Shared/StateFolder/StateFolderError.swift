import Foundation

/// Why the state folder, a model download or keyed state could not do what was asked. The
/// message names the path, the sizes or the setting to change.
public struct StateFolderError: Error, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable {
        /// `STATE_DIR` is a regular file, or cannot be created or written.
        case unusableFolder
        /// The write or download would take the folder past `STATE_QUOTA_BYTES`.
        case quotaExceeded
        /// Another process holds the folder's lock and kept it past the bounded wait.
        case lockUnavailable
        /// The wait for a lock was interrupted by shutdown.
        case stopped
        /// A download failed (HTTP status, connection, or a checksum that never matched).
        case downloadFailed
        /// A manifest that cannot be used (bad JSON, unsafe path, bad checksum text).
        case invalidManifest
        /// Stored keyed state cannot be read or written.
        case state
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
