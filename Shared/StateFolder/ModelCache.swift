import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOPosix

/// Model files cached in the state folder (`<state>/models/<name>/<version>/`), downloaded once
/// for every replica and restart.
///
/// ``prepare(_:baseURL:)``, under the model's folder lock (one downloader; other replicas wait):
/// 1. each file already present is verified (sha256); a corrupt one is logged and deleted;
/// 2. each missing file is checked against the quota, then streamed into `<file>.partial`
///    (appending and hashing as bytes arrive, in constant memory), resuming with an HTTP
///    `Range` request where an interrupted download stopped; it is fsynced and, if its checksum
///    matches, renamed atomically to its name; a mismatch deletes it and retries, at most
///    ``maximumAttempts`` times;
/// 3. `current` is switched atomically to the version, and versions no longer in use are removed.
///
/// Readers resolve `current` or use the returned ``ModelFiles``, so they never see a partial file.
public struct ModelCache: Sendable {
    static let inUseFile = "IN_USE"
    static let currentLink = "current"

    /// `<state>/models`.
    public let folder: URL
    public let quota: StateQuota
    /// Downloads of one file (a failed or corrupt transfer counts as one) before it fails.
    public var maximumAttempts: Int
    /// How long a replica waits while another downloads: long enough for the slowest download.
    public var lockPolicy: FolderLock.WaitPolicy
    let http: HTTPClient
    let logger: Logger

    public init(
        stateFolder: StateFolder, http: HTTPClient = .shared, maximumAttempts: Int = 3,
        lockPolicy: FolderLock.WaitPolicy = .init(attempts: 900, backoff: .seconds(1)), logger: Logger
    ) {
        self.folder = stateFolder.modelsFolder
        self.quota = stateFolder.quota
        self.http = http
        self.maximumAttempts = max(1, maximumAttempts)
        self.lockPolicy = lockPolicy
        self.logger = logger
    }

    /// Makes every file of `manifest` present and verified, downloading what is missing from
    /// `baseURL` (for relative URLs), and returns the version in use.
    ///
    /// - Throws: ``StateFolderError`` (`quotaExceeded` before anything is written,
    ///   `downloadFailed` after the last attempt, `lockUnavailable`/`stopped` while waiting).
    public func prepare(_ manifest: ModelManifest, baseURL: URL?) async throws -> ModelFiles {
        try manifest.validate()
        let modelFolder = folder.appendingPathComponent(manifest.name, isDirectory: true)
        let lock = try await FolderLock.acquire(modelFolder, policy: lockPolicy, logger: logger)
        defer { lock.release() }
        let versionFolder = modelFolder.appendingPathComponent(manifest.version, isDirectory: true)
        try FileManager.default.createDirectory(at: versionFolder, withIntermediateDirectories: true)
        for file in manifest.files {
            try await ensure(file, in: versionFolder, baseURL: baseURL)
        }
        let files = try ModelFiles(manifest: manifest, folder: versionFolder)
        try switchCurrent(of: modelFolder, to: manifest.version)
        removeUnusedVersions(of: modelFolder, keeping: manifest.version)
        logger.info("model ready", metadata: ["model.name": "\(manifest.name)", "model.version": "\(manifest.version)", "path": "\(versionFolder.path)"])
        return files
    }

    private func ensure(_ file: ModelManifest.File, in versionFolder: URL, baseURL: URL?) async throws {
        let target = versionFolder.appendingPathComponent(file.path)
        let metadata: Logger.Metadata = ["model.file": "\(file.path)"]
        if FileManager.default.fileExists(atPath: target.path) {
            let actual = try await PartialFile.sha256(of: target)
            if actual == file.sha256 {
                logger.debug("model file verified", metadata: metadata)
                return
            }
            logger.warning(
                "model file is corrupt; downloading it again",
                metadata: metadata.merging(["sha256.expected": "\(file.sha256)", "sha256.actual": "\(actual)"]) { $1 })
            try FileManager.default.removeItem(at: target)
        }
        guard let url = URL(string: file.url, relativeTo: baseURL)?.absoluteURL, url.scheme == "http" || url.scheme == "https" else {
            throw StateFolderError(.invalidManifest, "the URL '\(file.url)' of '\(file.path)' is not an http(s) URL (base \(baseURL?.absoluteString ?? "none"))")
        }
        try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
        let partialURL = target.appendingPathExtension("partial")
        var lastError: any Error = StateFolderError(.downloadFailed, "no attempt made")
        for attempt in 1...maximumAttempts {
            let present = ((try? FileManager.default.attributesOfItem(atPath: partialURL.path))?[.size] as? NSNumber)?.int64Value ?? 0
            let quota = self.quota
            try await NIOThreadPool.singleton.runIfActive {
                try quota.check(adding: max(0, file.size - present), for: "downloading \(file.path) (\(file.size) bytes)")
            }
            do {
                let start = ContinuousClock.now
                let sha256 = try await download(file, from: url, into: partialURL, metadata: metadata)
                guard sha256 == file.sha256 else {
                    try? FileManager.default.removeItem(at: partialURL)
                    throw StateFolderError(.downloadFailed, "the checksum of \(file.path) is \(sha256), expected \(file.sha256)")
                }
                try Self.rename(partialURL, to: target)
                StateFolderMetrics.downloaded(since: start)
                return
            } catch {
                lastError = error
                guard attempt < maximumAttempts else { break }
                logger.warning(
                    "model download failed; retrying",
                    metadata: metadata.merging(["error": "\(error)", "attempt": "\(attempt)/\(maximumAttempts)"]) { $1 })
            }
        }
        throw StateFolderError(.downloadFailed, "cannot download \(file.path) from \(url.absoluteString) after \(maximumAttempts) attempts: \(lastError)")
    }

    /// Streams `url` into `partialURL`, from the byte it holds already; returns the file's sha256.
    private func download(_ file: ModelManifest.File, from url: URL, into partialURL: URL, metadata: Logger.Metadata) async throws -> String {
        let partial = try await PartialFile.open(partialURL)
        if partial.size > file.size { try await partial.truncate() }
        var request = HTTPClientRequest(url: url.absoluteString)
        let resumeFrom = partial.size
        if resumeFrom > 0 {
            request.headers.add(name: "Range", value: "bytes=\(resumeFrom)-")
            logger.info("resuming model download", metadata: metadata.merging(["from.bytes": "\(resumeFrom)", "size.bytes": "\(file.size)"]) { $1 })
        } else {
            logger.info("downloading model file", metadata: metadata.merging(["size.bytes": "\(file.size)", "url": "\(url.absoluteString)"]) { $1 })
        }
        let response = try await http.execute(request, timeout: .hours(1))
        switch response.status.code {
        case 206 where resumeFrom > 0 && response.headers.first(name: "Content-Range")?.hasPrefix("bytes \(resumeFrom)-") == true:
            break
        case 200:
            if resumeFrom > 0 { try await partial.truncate() }  // the server ignored the range: start over
        case 416 where resumeFrom == file.size:
            break  // every byte is here already
        default:
            throw StateFolderError(.downloadFailed, "GET \(url.absoluteString) answered \(response.status)")
        }
        // 1 MiB is written (and hashed) on the thread pool while the next one arrives: at most
        // two are held, whatever the file's size.
        var progress = DownloadProgress(size: file.size, logger: logger, metadata: metadata)
        var pending = ByteBuffer()
        var writing: Task<Void, any Error>?
        do {
            for try await chunk in response.body {
                StateFolderMetrics.downloadedBytes.increment(by: chunk.readableBytes)
                pending.writeImmutableBuffer(chunk)
                guard pending.readableBytes >= 1 << 20 else { continue }
                try await writing?.value
                progress.report(partial.size)
                let full = pending
                pending = ByteBuffer()
                writing = Task { try await partial.append(full) }
            }
            try await writing?.value
        } catch {
            writing?.cancel()
            _ = try? await writing?.value
            throw error
        }
        if pending.readableBytes > 0 { try await partial.append(pending) }
        guard partial.size == file.size else {
            throw StateFolderError(.downloadFailed, "\(file.path) ended at \(partial.size) bytes, expected \(file.size)")
        }
        return try await partial.sync()
    }

    /// `rename(2)` (atomic within a folder), then `fsync` of the folder so the new name survives a crash.
    static func rename(_ source: URL, to target: URL) throws {
        guard Foundation.rename(source.path, target.path) == 0 else {
            throw StateFolderError(.downloadFailed, "cannot rename \"\(source.path)\": \(String(cString: strerror(errno)))")
        }
        let folder = open(target.deletingLastPathComponent().path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if folder >= 0 {
            fsync(folder)
            close(folder)
        }
    }

    /// Points `<model>/current` at `version`: a new link renamed over the old one.
    private func switchCurrent(of modelFolder: URL, to version: String) throws {
        let link = modelFolder.appendingPathComponent(Self.currentLink)
        if (try? FileManager.default.destinationOfSymbolicLink(atPath: link.path)) == version { return }
        let temporary = modelFolder.appendingPathComponent(".\(Self.currentLink).\(getpid())")
        try? FileManager.default.removeItem(at: temporary)
        try FileManager.default.createSymbolicLink(atPath: temporary.path, withDestinationPath: version)
        try Self.rename(temporary, to: link)
        logger.info("model version switched", metadata: ["model.folder": "\(modelFolder.path)", "model.version": "\(version)"])
    }

    /// Removes every other version folder no process marks in use.
    private func removeUnusedVersions(of modelFolder: URL, keeping version: String) {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: modelFolder.path)) ?? []
        for entry in entries where entry != version && entry != Self.currentLink && entry != "LOCK" && !entry.hasPrefix(".") {
            let candidate = modelFolder.appendingPathComponent(entry, isDirectory: true)
            let marker = open(candidate.appendingPathComponent(Self.inUseFile).path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
            guard marker >= 0 else { continue }
            defer { close(marker) }
            guard flock(marker, LOCK_EX | LOCK_NB) == 0 else {
                logger.info("old model version still in use; kept", metadata: ["model.version": "\(entry)"])
                continue
            }
            do {
                try FileManager.default.removeItem(at: candidate)
                logger.info("old model version removed", metadata: ["model.version": "\(entry)"])
            } catch {
                logger.warning("cannot remove an old model version", metadata: ["model.version": "\(entry)", "error": "\(error)"])
            }
        }
    }
}

/// Logs a large download's progress at every tenth.
struct DownloadProgress {
    let size: Int64
    let logger: Logger
    let metadata: Logger.Metadata
    private var reportedTenth: Int64 = 0

    init(size: Int64, logger: Logger, metadata: Logger.Metadata) {
        self.size = size
        self.logger = logger
        self.metadata = metadata
    }

    mutating func report(_ done: Int64) {
        guard size >= 10 << 20 else { return }
        let tenth = done * 10 / size
        guard tenth > reportedTenth else { return }
        reportedTenth = tenth
        logger.info(
            "downloading model file: \(tenth * 10)% (\(done >> 20) of \(size >> 20) MiB)",
            metadata: metadata.merging(["done.bytes": "\(done)"]) { $1 })
    }
}
