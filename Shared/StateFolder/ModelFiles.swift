import Foundation

/// A prepared model version: every file of its manifest present and verified in ``folder``.
///
/// While this value lives, the version is marked in use (a shared `flock` on
/// `<version>/IN_USE`), so a cache switching to a newer version leaves this one in place until
/// it is released; the next ``ModelCache/prepare(_:baseURL:)`` removes it then.
public final class ModelFiles: Sendable {
    public let manifest: ModelManifest
    /// `<state>/models/<name>/<version>`.
    public let folder: URL
    private let inUse: Int32

    init(manifest: ModelManifest, folder: URL) throws(StateFolderError) {
        let descriptor = open(folder.appendingPathComponent(ModelCache.inUseFile).path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0, flock(descriptor, LOCK_SH) == 0 else {
            throw StateFolderError(.unusableFolder, "cannot mark \"\(folder.path)\" in use: \(String(cString: strerror(errno)))")
        }
        self.manifest = manifest
        self.folder = folder
        self.inUse = descriptor
    }

    deinit { close(inUse) }

    public var name: String { manifest.name }
    public var version: String { manifest.version }

    /// The local path of the manifest's file `path`.
    public func url(for path: String) -> URL { folder.appendingPathComponent(path) }
}
