/// Entries skipped during a scan, by reason.
public struct ScanErrorCounts: Sendable, Equatable {
    public private(set) var counts: [ScanErrorReason: UInt64] = [:]

    public init() {}

    /// The count for one reason.
    public subscript(reason: ScanErrorReason) -> UInt64 { counts[reason, default: 0] }

    mutating func record(_ reason: ScanErrorReason) {
        counts[reason, default: 0] += 1
    }

    /// Adds another set of counts to this one.
    public mutating func add(_ other: ScanErrorCounts) {
        for (reason, count) in other.counts { counts[reason, default: 0] += count }
    }

    /// Total skipped entries.
    public var total: UInt64 { counts.values.reduce(0, +) }
}
