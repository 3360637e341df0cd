import RedisClient

/// The Lua scripts of ``RedisStateStore``. Every item is a hash at its stored key with fields
/// `data` (the value bytes, as given) and `version` (the ETag, a decimal integer) —
/// Dapr's layout, so a Dapr sidecar and this store read each other's items.
extension RedisStateStore {
    /// Reads items: data, version and expiry of each key in one atomic step.
    ///
    /// - `KEYS`: the stored keys to read (duplicates allowed).
    /// - `ARGV`: none.
    /// - Reply: one element per key, in order: `0` when the key does not exist; the key's type
    ///   name (`string`, `list`, …) when it is not a hash; otherwise `{data, version, expiry}`, where
    ///   `data`/`version` are null when the hash lacks the field and `expiry` is `PEXPIRETIME`
    ///   (milliseconds since the epoch, `-1` for none).
    ///
    /// `flags=no-writes` lets it run while the server is out of memory.
    static let readScript = RedisScript(
        """
        #!lua flags=no-writes
        local items = {}
        for i, key in ipairs(KEYS) do
          local kind = redis.call('TYPE', key).ok
          if kind == 'none' then
            items[i] = 0
          elseif kind ~= 'hash' then
            items[i] = kind
          else
            local fields = redis.call('HMGET', key, 'data', 'version')
            items[i] = {fields[1], fields[2], redis.call('PEXPIRETIME', key)}
          end
        end
        return items
        """)

    /// Applies operations in order, all or none: `set`, `delete` and `transaction` all run it.
    ///
    /// Phase 1 checks every operation against a simulation of the keys — each key's existence and
    /// version as Redis holds them, updated by the earlier operations of the same call — so a later
    /// operation sees what an earlier one did to the same key. The first failed check returns an
    /// error reply starting with `ETAGMISMATCH` before anything is written. Phase 2 then writes
    /// everything; it cannot fail halfway, as its commands (`DEL`, `HSET`, `EXPIRE` with a TTL
    /// the store bounded) do not fail on keys phase 1 accepted.
    ///
    /// A write replaces the whole hash (`DEL` + `HSET`), so it holds exactly `data` and `version`
    /// afterwards (a `first-write` marker left by Dapr goes) and has no TTL unless this write sets
    /// one. The new version is the old one plus one or, when there was none (absent key, deleted
    /// earlier, or a key that is not one of our hashes), the server's clock in microseconds — so an
    /// ETag of a deleted item practically never matches the item written after it (only a clock
    /// landing exactly on the old version, e.g. after stepping back, could; Dapr restarts at 1,
    /// where it always matches). A key that exists but is not a hash has no version: an ETag or a
    /// first-write on it conflicts, a plain write replaces it.
    ///
    /// - `KEYS[i]`: the stored key of operation `i` (a key may appear several times).
    /// - `ARGV`: five per operation; those of operation `i` start at `ARGV[5 * (i - 1) + 1]`:
    ///   1. `set` or `del`;
    ///   2. the expected ETag, `''` for none (the store has checked it is a decimal integer);
    ///   3. `1` for first-write (insert-only when there is no ETag), `0` otherwise;
    ///   4. the TTL in seconds, `0` for none (ignored for `del`);
    ///   5. the value bytes (`''` for `del`).
    /// - Reply: the number of operations applied, or the error `ETAGMISMATCH <message>`.
    ///
    /// The `#!lua` line makes Redis refuse the whole script up front when it is out of memory,
    /// instead of failing at the first write.
    static let applyScript = RedisScript(
        """
        #!lua
        local states = {}
        local function state(key)
          local current = states[key]
          if current == nil then
            local kind = redis.call('TYPE', key)['ok']
            current = {exists = kind ~= 'none', version = false}
            if kind == 'hash' then
              current.version = redis.call('HGET', key, 'version')
            end
            states[key] = current
          end
          return current
        end

        -- A key written for the first time (or again after a delete) starts at the server's clock
        -- in microseconds, not at 1, so an ETag of a deleted item practically never matches its successor.
        local clock = redis.call('TIME')
        local firstVersion = tonumber(clock[1]) * 1000000 + tonumber(clock[2])

        local versions = {}
        for i, key in ipairs(KEYS) do
          local at = 5 * (i - 1)
          local operation, etag, firstWrite = ARGV[at + 1], ARGV[at + 2], ARGV[at + 3]
          local current = state(key)
          if etag ~= '' then
            if current.version ~= etag then
              return redis.error_reply('ETAGMISMATCH possible etag mismatch for key ' .. key)
            end
          elseif operation == 'set' and firstWrite == '1' and current.exists then
            return redis.error_reply('ETAGMISMATCH first-write: key ' .. key .. ' already exists')
          end
          if operation == 'set' then
            local previous = tonumber(current.version)
            current.version = string.format('%d', previous and previous + 1 or firstVersion)
            current.exists = true
            versions[i] = current.version
          else
            current.version = false
            current.exists = false
          end
        end

        for i, key in ipairs(KEYS) do
          local at = 5 * (i - 1)
          redis.call('DEL', key)
          if ARGV[at + 1] == 'set' then
            redis.call('HSET', key, 'data', ARGV[at + 5], 'version', versions[i])
            if ARGV[at + 4] ~= '0' then
              redis.call('EXPIRE', key, ARGV[at + 4])
            end
          end
        end
        return #KEYS
        """)

    /// The first word of the error reply ``applyScript`` gives for a failed ETag or first-write check.
    static let conflictPrefix = "ETAGMISMATCH"
}
