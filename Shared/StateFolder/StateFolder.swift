import Foundation
import Logging

/// A service's persisted state folder, after Quix's "state management": kept across restarts,
/// shared by every replica of the service and by no other service, limited by a quota.
///
/// Layout (docs/model-worker.md):
///
/// ```
/// <state>/                       STATE_DIR, made absolute
///   models/<model>/LOCK          the model cache: one downloader at a time (``ModelCache``)
///   models/<model>/current ->    the version in use (a symbolic link, switched atomically)
///   models/<model>/<version>/…   the model's files
///   <group>/<store>/<stream>/    keyed state of a consumer group (``KeyedStateStore``)
///     LOCK                       held by the replica owning the store
///     state.sqlite               values and the last processed stream entry id
/// ```
///
/// Models live outside every group, so clearing a group's state (``clearGroup(_:)``) keeps them.
public struct StateFolder: Sendable {
    /// The default quota, as Quix's state storage limit: 100 GB.
    public static let defaultQuotaBytes: Int64 = 100_000_000_000

    /// The absolute path of the folder.
    public let root: URL
    /// The consumer group: the app id by default, as in Quix.
    public let consumerGroup: String
    /// The limit on the bytes stored under ``root``.
    public let quota: StateQuota

    /// Resolves `path` (`STATE_DIR`, default `./state`; relative to `base`, the current directory by default),
    /// creates it when missing, checks it can be written, and logs
    /// `Initializing state directory at "<absolute path>/<consumer group>"` at INFO.
    ///
    /// - Throws: ``StateFolderError/Code/unusableFolder`` when the path is a regular file or
    ///   cannot be created or written.
    public static func open(
        path: String = "./state", relativeTo base: String = FileManager.default.currentDirectoryPath, consumerGroup: String,
        quotaBytes: Int64 = defaultQuotaBytes, logger: Logger
    ) throws(StateFolderError) -> StateFolder {
        let root = URL(fileURLWithPath: path, relativeTo: URL(fileURLWithPath: base, isDirectory: true))
            .absoluteURL.standardizedFileURL
        let folder = StateFolder(root: root, consumerGroup: consumerGroup, quota: StateQuota(root: root, limitBytes: quotaBytes))
        try folder.prepare()
        logger.info("Initializing state directory at \"\(folder.groupFolder.path)\"")
        return folder
    }

    init(root: URL, consumerGroup: String, quota: StateQuota) {
        self.root = root
        self.consumerGroup = consumerGroup
        self.quota = quota
    }

    /// `<state>/<group>`: every keyed store of the consumer group.
    public var groupFolder: URL { root.appendingPathComponent(consumerGroup, isDirectory: true) }

    /// `<state>/models`: the model cache, outside every group.
    public var modelsFolder: URL { root.appendingPathComponent("models", isDirectory: true) }

    /// `<state>/<group>/<store>/<stream>`: one keyed store's folder.
    public func storeFolder(store: String, stream: String) -> URL {
        groupFolder.appendingPathComponent(store, isDirectory: true).appendingPathComponent(stream, isDirectory: true)
    }

    /// Marks the group in use by this process until the mark is released: every process working
    /// on the group (store owner or standby replica) holds one, and ``clearGroup(_:)`` refuses
    /// while any does.
    public func markInUse() throws(StateFolderError) -> GroupInUse {
        try GroupInUse(groupFolder.appendingPathComponent(GroupInUse.fileName))
    }

    /// Deletes the group's keyed state (`<state>/<group>`) and keeps the models, as Quix's
    /// `Application.clear_state()`.
    ///
    /// - Throws: ``StateFolderError/Code/lockUnavailable`` while a process marks the group in
    ///   use (``markInUse()``): the state is left as it was.
    public func clearGroup(_ logger: Logger) throws(StateFolderError) {
        let marker = groupFolder.appendingPathComponent(GroupInUse.fileName)
        let descriptor = Foundation.open(marker.path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw StateFolderError(.unusableFolder, "cannot open \"\(marker.path)\": \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            throw StateFolderError(
                .lockUnavailable, "refusing to clear the state at \"\(groupFolder.path)\" while a worker uses it: stop every replica first")
        }
        logger.info("Removing state folder at \"\(groupFolder.path)\"")
        do {
            try FileManager.default.removeItem(at: groupFolder)
        } catch {
            throw StateFolderError(.unusableFolder, "cannot remove \"\(groupFolder.path)\": \(error.localizedDescription)")
        }
    }

    private func prepare() throws(StateFolderError) {
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: root.path, isDirectory: &isFolder), !isFolder.boolValue {
            throw StateFolderError(.unusableFolder, "the state folder \"\(root.path)\" (STATE_DIR) is a file, not a folder")
        }
        do {
            try FileManager.default.createDirectory(at: groupFolder, withIntermediateDirectories: true)
        } catch {
            throw StateFolderError(.unusableFolder, "cannot create the state folder \"\(groupFolder.path)\" (STATE_DIR): \(error.localizedDescription)")
        }
        let probe = root.appendingPathComponent(".write-check-\(getpid())")
        guard FileManager.default.createFile(atPath: probe.path, contents: Data()) else {
            throw StateFolderError(.unusableFolder, "the state folder \"\(root.path)\" (STATE_DIR) cannot be written")
        }
        try? FileManager.default.removeItem(at: probe)
    }
}

/// A process's shared hold on `<state>/<group>/IN_USE`; released when deallocated or on exit.
public final class GroupInUse: Sendable {
    static let fileName = "IN_USE"
    private let descriptor: Int32

    init(_ file: URL) throws(StateFolderError) {
        let descriptor = open(file.path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0, flock(descriptor, LOCK_SH) == 0 else {
            throw StateFolderError(.unusableFolder, "cannot mark \"\(file.path)\" in use: \(String(cString: strerror(errno)))")
        }
        self.descriptor = descriptor
    }

    deinit { close(descriptor) }
}
