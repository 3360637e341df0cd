import Foundation

/// The limit on the bytes a state folder holds (`STATE_QUOTA_BYTES`, default 100 GB as Quix's
/// state storage). Checked before a download or a keyed-state commit would pass it, so a full
/// folder is a clear error instead of a disk-full failure halfway through a write.
///
/// Usage is the sum of the sizes of the regular files under the folder, counted when checked
/// (the folder holds a few files: models and one SQLite database per store).
public struct StateQuota: Sendable {
    public let root: URL
    public let limitBytes: Int64

    public init(root: URL, limitBytes: Int64) {
        self.root = root
        self.limitBytes = limitBytes
    }

    /// The bytes stored under the folder now. Blocking: call it off the event loops.
    public func usedBytes() -> Int64 {
        guard let files = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.fileSizeKey, .isRegularFileKey]) else { return 0 }
        var total: Int64 = 0
        for case let file as URL in files {
            guard let values = try? file.resourceValues(forKeys: [.fileSizeKey, .isRegularFileKey]), values.isRegularFile == true else { continue }
            total += Int64(values.fileSize ?? 0)
        }
        return total
    }

    /// Throws ``StateFolderError/Code/quotaExceeded`` when adding `bytes` for `purpose` would
    /// pass the limit; the message names the sizes. Blocking: call it off the event loops.
    public func check(adding bytes: Int64, for purpose: String) throws(StateFolderError) {
        let used = usedBytes()
        guard used + bytes > limitBytes else { return }
        throw StateFolderError(
            .quotaExceeded,
            "the state folder quota would be exceeded: \(purpose) needs \(bytes) bytes, \(used) bytes are used, "
                + "and the quota is \(limitBytes) bytes (STATE_QUOTA_BYTES)")
    }
}
