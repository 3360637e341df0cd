import Foundation

/// A new empty folder of a test's own under the system's temporary folder, removed by ``remove()``.
public struct TemporaryFolder: Sendable {
    public let url: URL

    /// A folder named after `name` (the calling function by default) and a random suffix.
    public init(_ name: String = #function) throws {
        url = FileManager.default.temporaryDirectory
            .appendingPathComponent("eshop-\(name.prefix { $0.isLetter })-\(UUID().uuidString.prefix(8))", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    public var path: String { url.path }

    public func remove() { try? FileManager.default.removeItem(at: url) }
}
