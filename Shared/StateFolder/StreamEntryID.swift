/// A Redis Streams entry id, `<milliseconds>-<sequence>`, ordered as Redis orders entries.
public struct StreamEntryID: Sendable, Hashable, Comparable, CustomStringConvertible, LosslessStringConvertible {
    public var milliseconds: UInt64
    public var sequence: UInt64

    public init?(_ text: String) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, let milliseconds = UInt64(parts[0]), let sequence = UInt64(parts[1]) else { return nil }
        self.milliseconds = milliseconds
        self.sequence = sequence
    }

    public var description: String { "\(milliseconds)-\(sequence)" }

    public static func < (lhs: StreamEntryID, rhs: StreamEntryID) -> Bool {
        (lhs.milliseconds, lhs.sequence) < (rhs.milliseconds, rhs.sequence)
    }
}
