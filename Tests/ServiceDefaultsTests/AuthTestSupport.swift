import Foundation
import JWTKit
import ServiceDefaults
import Synchronization

/// A key set source that counts its fetches and can be switched to another key set.
final class CountingKeySource: Sendable {
    private let state: Mutex<(jwks: JWKS, fetches: Int)>

    init(_ jwks: JWKS) { state = Mutex((jwks, 0)) }

    var fetches: Int { state.withLock { $0.fetches } }
    func serve(_ jwks: JWKS) { state.withLock { $0.jwks = jwks } }

    func fetch() -> JWKS {
        state.withLock { state in
            state.fetches += 1
            return state.jwks
        }
    }
}
