import Foundation
import Logging
import ServiceLifecycle

/// An exclusive lock on a folder between processes: `flock(2)` on `<folder>/LOCK`, held until
/// ``release()`` or the process ends (a SIGKILLed owner frees it at once). The owner's pid is
/// written into the file so a waiting replica can name it.
///
/// Quix's stores hold RocksDB's lock file the same way and retry a bounded number of times
/// (quix-streams `open_max_retries`, `open_retry_backoff`); so does ``acquire(_:policy:logger:)``.
/// `flock` on network file systems varies: keep the state folder on a local or a POSIX-locking
/// shared volume (docs/model-worker.md).
public final class FolderLock: Sendable {
    /// How long a second replica waits: `attempts` tries, `backoff` apart.
    public struct WaitPolicy: Sendable {
        public var attempts: Int
        public var backoff: Duration

        public init(attempts: Int = 10, backoff: Duration = .seconds(3)) {
            self.attempts = max(1, attempts)
            self.backoff = backoff
        }
    }

    public let folder: URL
    private let descriptor: Int32

    private init(folder: URL, descriptor: Int32) {
        self.folder = folder
        self.descriptor = descriptor
    }

    deinit { close(descriptor) }

    /// Frees the lock now (it is also freed when the lock is deallocated or the process exits).
    public func release() { flock(descriptor, LOCK_UN) }

    /// Takes the lock on `folder` (created when missing), waiting as `policy` says. Each failed
    /// try logs a warning; a graceful shutdown or task cancellation ends the wait.
    ///
    /// - Throws: ``StateFolderError/Code/lockUnavailable`` after the last attempt,
    ///   ``StateFolderError/Code/stopped`` when interrupted.
    public static func acquire(_ folder: URL, policy: WaitPolicy = WaitPolicy(), logger: Logger) async throws(StateFolderError) -> FolderLock {
        for attempt in 1...policy.attempts {
            if let lock = try tryAcquire(folder) { return lock }
            let holder = owner(of: folder).map { " (held by pid \($0))" } ?? ""
            guard attempt < policy.attempts else { break }
            logger.warning(
                "Cannot acquire a lock on \"\(folder.path)\"\(holder) (attempt \(attempt)/\(policy.attempts)). Retrying in \(policy.backoff).")
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: policy.backoff) }
            } catch {
                throw StateFolderError(.stopped, "stopped while waiting for the lock on \"\(folder.path)\"")
            }
        }
        let holder = owner(of: folder).map { "pid \($0)" } ?? "another process"
        throw StateFolderError(
            .lockUnavailable,
            "cannot acquire the lock on \"\(folder.path)\": \(holder) holds it; gave up after \(policy.attempts) attempts \(policy.backoff) apart")
    }

    /// Takes the lock if it is free now; `nil` when another process (or another open of the
    /// same file in this process) holds it.
    public static func tryAcquire(_ folder: URL) throws(StateFolderError) -> FolderLock? {
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw StateFolderError(.unusableFolder, "cannot create \"\(folder.path)\": \(error.localizedDescription)")
        }
        let path = folder.appendingPathComponent("LOCK").path
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw StateFolderError(.unusableFolder, "cannot open \"\(path)\": \(String(cString: strerror(errno)))")
        }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            close(descriptor)
            return nil
        }
        let pid = Array("\(getpid())\n".utf8)
        _ = ftruncate(descriptor, 0)
        _ = pid.withUnsafeBytes { pwrite(descriptor, $0.baseAddress, $0.count, 0) }
        return FolderLock(folder: folder, descriptor: descriptor)
    }

    /// Whether a process holds the lock on `folder` now.
    public static func isHeld(_ folder: URL) -> Bool {
        let descriptor = open(folder.appendingPathComponent("LOCK").path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else { return true }
        flock(descriptor, LOCK_UN)
        return false
    }

    /// The pid the current (or last) owner wrote.
    static func owner(of folder: URL) -> Int32? {
        guard let text = try? String(contentsOf: folder.appendingPathComponent("LOCK"), encoding: .utf8) else { return nil }
        return Int32(text.trimmingCharacters(in: .whitespacesAndNewlines))
    }
}
