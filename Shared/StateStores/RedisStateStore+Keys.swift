import Foundation
import RedisClient
import StateClient

/// Key listing with `SCAN` (never `KEYS`, which blocks the server).
extension RedisStateStore {
    /// Stored keys starting with `prefix` (items only: hashes, not other keys sharing the prefix),
    /// at most `limit` per page.
    ///
    /// How paging stays exact. `SCAN` returns its keys in batches it decides; a batch can never be
    /// cut, because the next call can only resume at a cursor, i.e. after a whole batch. So:
    /// - Batches are appended to the page while they fit in `limit`. The first batch that does not
    ///   fit is left out, and the page's token is the cursor *that batch started at*: the next call
    ///   scans it again (re-scanning from a cursor is normal `SCAN` use, so its guarantee — every key
    ///   present throughout is returned — still holds).
    /// - `COUNT` starts at `limit`, grows while batches come back sparse (few keys match), and
    ///   shrinks when a batch alone is larger than the page, retrying at the same cursor.
    /// - At `COUNT 1` a batch is one hash-table bucket. If even that holds more matching keys than
    ///   `limit` (only with very small limits), the page takes `limit` of them and the token carries
    ///   the rest (`<cursor>:<base64url JSON>`), handed out first by the next call.
    ///
    /// The token is otherwise the `SCAN` cursor in decimal; `nil` when the scan is complete. A page
    /// can be shorter than `limit` (even empty) with a token; keep calling until the token is `nil`.
    /// A caller doing so sees every key that exists throughout, and a key at most once — except
    /// that `SCAN` itself may repeat a key when Redis resizes its table during the iteration
    /// (duplicates within a page are removed). Expired keys are never returned.
    ///
    /// One call scans until its page is full or the scan ends, so where few keys match in a large
    /// keyspace it takes several round trips (`COUNT` grows to 8 × `limit`, at least 1 024).
    public func keys(prefix: String, limit: Int, token: String?) async throws -> StateKeysPage {
        guard limit > 0 else { throw StateError(.invalidRequest, "limit must be positive") }
        var position = try KeysPosition(token: token)
        var page = Array(position.pending.prefix(limit))
        position.pending.removeFirst(page.count)
        if !position.pending.isEmpty { return StateKeysPage(keys: page, token: position.token) }

        // Keys are compared as bytes, as Redis does: Swift's `String` equality and `hasPrefix` follow
        // Unicode canonical equivalence and could merge or drop distinct keys.
        let prefixBytes = Array(prefix.utf8)
        let pattern = Self.globEscaped(prefixBytes) + [UInt8(ascii: "*")]
        let target = min(limit, 10_000)
        let maximumCount = max(target * 8, 1_024)
        var count = target
        var seen = Set(page.map { Array($0.utf8) })
        while page.count < limit, let cursor = position.cursor {
            let (next, batch) = try await scan(cursor: cursor, pattern: pattern, count: count)
            var fresh: [[UInt8]] = []
            var freshSet = Set<[UInt8]>()
            for key in batch where key.starts(with: prefixBytes) && !seen.contains(key) && freshSet.insert(key).inserted {
                fresh.append(key)
            }
            if page.count + fresh.count <= limit {
                page += fresh.map { String(decoding: $0, as: UTF8.self) }
                seen.formUnion(fresh)
                position.cursor = next
                if fresh.count * 2 < limit - page.count { count = min(count * 2, maximumCount) }
            } else if !page.isEmpty {
                break  // leave the batch for the next call, which scans it again from `cursor`
            } else if count > 1 {
                count = max(1, min(count / 2, count * target / (2 * fresh.count)))
            } else {
                let keys = fresh.map { String(decoding: $0, as: UTF8.self) }
                page = Array(keys.prefix(limit))
                position = KeysPosition(cursor: next, pending: Array(keys.dropFirst(limit)))
                break
            }
        }
        return StateKeysPage(keys: page, token: position.token)
    }

    /// One `SCAN` call: the next cursor (`nil` when the scan is complete) and the batch's keys.
    private func scan(cursor: String, pattern: [UInt8], count: Int) async throws(StateError) -> (String?, [[UInt8]]) {
        let reply = try await perform {
            try await client.send(RedisCommand("SCAN", cursor, "MATCH", pattern, "COUNT", count, "TYPE", "hash"))
        }
        guard let parts = reply.array, parts.count == 2, let next = parts[0].string, let keys = parts[1].array else {
            throw StateError(.storeFailure, "unexpected reply to SCAN: \(reply)")
        }
        return (next == "0" ? nil : next, keys.compactMap(\.bytes))
    }

    /// The bytes glob patterns treat specially.
    private static let globSpecials = Array("*?[]\\".utf8)

    /// `prefix` as a glob pattern that matches exactly itself: `*`, `?`, `[`, `]` and `\` escaped
    /// with `\` (byte-wise: these ASCII bytes never occur inside a multi-byte UTF-8 character).
    static func globEscaped(_ prefix: [UInt8]) -> [UInt8] {
        var escaped: [UInt8] = []
        escaped.reserveCapacity(prefix.count + 8)
        for byte in prefix {
            if globSpecials.contains(byte) { escaped.append(UInt8(ascii: "\\")) }
            escaped.append(byte)
        }
        return escaped
    }
}

/// Where a key listing continues: a `SCAN` cursor (`nil` once the scan is complete) and keys of
/// a split batch still to hand out.
struct KeysPosition: Equatable {
    var cursor: String?
    var pending: [String]

    init(cursor: String?, pending: [String] = []) {
        self.cursor = cursor
        self.pending = pending
    }

    /// Parses a token this store gave out; `nil` starts from the beginning.
    init(token: String?) throws(StateError) {
        guard let token else {
            self.init(cursor: "0")
            return
        }
        let invalid = StateError(.invalidRequest, "invalid keys token '\(token)'")
        let parts = token.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
        guard let cursor = UInt64(parts[0]) else { throw invalid }
        var pending: [String] = []
        if parts.count == 2 {
            var base64 = parts[1].replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
            base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
            guard let data = Data(base64Encoded: base64), let keys = try? JSONDecoder().decode([String].self, from: data),
                !keys.isEmpty
            else { throw invalid }
            pending = keys
        }
        // A plain cursor is never 0 (the last page has no token); with pending keys, 0 means "done".
        self.init(cursor: cursor == 0 && !pending.isEmpty ? nil : String(cursor), pending: pending)
    }

    /// The token to continue from here; `nil` when nothing is left.
    var token: String? {
        guard !pending.isEmpty else { return cursor }
        let data = (try? JSONEncoder().encode(pending)) ?? Data("[]".utf8)
        let base64 = data.base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
        return "\(cursor ?? "0"):\(base64)"
    }
}
