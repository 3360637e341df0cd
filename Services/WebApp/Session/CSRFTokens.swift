import Crypto
import Foundation
import StateClient
import Synchronization

/// CSRF tokens bound to the session: the token is HMAC-SHA256(key, session id), so it needs no
/// storage, changes when the session rotates (sign-in, sign-out), and a page of another site can
/// neither read it (same-origin policy) nor compute it (the key never leaves the server).
final class CSRFTokens: Sendable {
    let state: StateClient
    /// The key, once read from the store (it never changes while the store keeps it).
    private let loadedKey = Mutex<SymmetricKey?>(nil)

    init(state: StateClient) {
        self.state = state
    }

    func token(for sessionID: String) async throws -> String {
        Base64URL.encode(HMAC<SHA256>.authenticationCode(for: Data(sessionID.utf8), using: try await key()))
    }

    /// Compares in constant time.
    func isValid(_ token: String, for sessionID: String) async throws -> Bool {
        guard let code = Base64URL.decode(token) else { return false }
        return HMAC<SHA256>.isValidAuthenticationCode(code, authenticating: Data(sessionID.utf8), using: try await key())
    }

    /// The shared key, read from the store on first use (the store's client runs only once the
    /// application does, so it cannot be read while the application is built).
    private func key() async throws -> SymmetricKey {
        if let key = loadedKey.withLock({ $0 }) { return key }
        let key = try await Self.sharedKey(in: state)
        loadedKey.withLock { $0 = key }
        return key
    }

    /// The key every replica shares: the state store's `csrf-key`, written once (first-write) by
    /// whichever replica starts first and read by the others.
    private static func sharedKey(in state: StateClient) async throws -> SymmetricKey {
        struct StoredKey: Codable { var key: String }
        for _ in 0..<3 {
            if let stored = try await state.get("csrf-key", as: StoredKey.self)?.value, let bytes = Base64URL.decode(stored.key) {
                return SymmetricKey(data: bytes)
            }
            let fresh = SymmetricKey(size: .bits256).withUnsafeBytes { Array($0) }
            do {
                try await state.save("csrf-key", StoredKey(key: Base64URL.encode(fresh)), options: SaveOptions(concurrency: .firstWrite))
                return SymmetricKey(data: fresh)
            } catch let error as StateError where error.code == .etagMismatch {
                continue  // another replica wrote it first: read theirs
            }
        }
        throw StateError(.etagMismatch, "the CSRF key could not be read or written")
    }
}
