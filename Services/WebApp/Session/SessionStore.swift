import Crypto
import Foundation
import StateClient

/// Who is signed in to a browser session, kept server-side: the browser holds only the session
/// id in an HttpOnly cookie, never the access token.
struct SignedInUser: Codable, Sendable {
    /// Identity's access token, sent to Basket and Ordering on the user's behalf.
    var accessToken: String
    var buyerId: String
    var name: String
    /// `buyer` or `admin`.
    var role: String
    var expiresAt: Date

    var isAdmin: Bool { role == "admin" }
}

/// Signed-in sessions in the state store (`webapp||session-<sha256 of the id>`, Redis in
/// production), each with a TTL equal to its token's lifetime, so every replica sees them and
/// they vanish when the token expires. Session ids are 256 random bits.
struct SessionStore: Sendable {
    let state: StateClient

    /// A new id: `s.` + 43 base64url characters for a signed-in session, `g.` for a guest's
    /// (a guest id only anchors the CSRF token and is never stored).
    static func newID(signedIn: Bool) -> String {
        (signedIn ? "s." : "g.") + Base64URL.encode(SymmetricKey(size: .bits256).withUnsafeBytes { Array($0) })
    }

    /// Whether `id` has the shape of an id this store issues.
    static func isWellFormed(_ id: String) -> Bool {
        id.utf8.count == 45 && (id.hasPrefix("s.") || id.hasPrefix("g."))
            && id.utf8.dropFirst(2).allSatisfy { (0x30...0x39).contains($0) || (0x41...0x5A).contains($0) || (0x61...0x7A).contains($0) || $0 == 0x2D || $0 == 0x5F }
    }

    /// The user of a signed-in session, or `nil` (a guest id, unknown or expired).
    func user(session id: String) async throws -> SignedInUser? {
        guard id.hasPrefix("s.") else { return nil }
        return try await state.get(Self.key(id), as: SignedInUser.self)?.value
    }

    /// Starts a signed-in session for `user` under a new id (the old one is never reused).
    func signIn(_ user: SignedInUser) async throws -> String {
        let id = Self.newID(signedIn: true)
        let ttl = max(1, Int(user.expiresAt.timeIntervalSinceNow.rounded(.down)))
        try await state.save(Self.key(id), user, options: SaveOptions(concurrency: .firstWrite, ttlInSeconds: ttl))
        return id
    }

    /// Ends the session `id` (nothing for a guest id).
    func signOut(session id: String) async throws {
        guard id.hasPrefix("s.") else { return }
        try await state.delete(Self.key(id))
    }

    /// The stored key: a hash of the id, so the store never holds a usable session id.
    private static func key(_ id: String) -> String {
        "session-" + SHA256.hash(data: Data(id.utf8)).map { String(format: "%02x", $0) }.joined()
    }
}
