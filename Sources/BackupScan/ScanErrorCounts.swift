import Glibc

/// Why an entry was skipped during a scan: the `reason` label of
/// `cassandra_backup_scan_errors_total`.
public enum SkipReason: String, Sendable, CaseIterable {
    /// The entry disappeared between listing and opening (compaction, cleanup).
    case vanished
    /// The exporter may not read it.
    case permission
    /// Any other error from the operating system.
    case other

    /// Classifies an `errno` value.
    init(errno code: Int32) {
        switch code {
        case ENOENT, ENOTDIR, ELOOP: self = .vanished  // removed, or replaced by another kind of entry
        case EACCES, EPERM: self = .permission
        default: self = .other
        }
    }
}

/// Entries skipped during a scan, by reason.
public struct ScanErrorCounts: Sendable, Equatable {
    public private(set) var counts: [SkipReason: UInt64] = [:]

    public init() {}

    /// The count for one reason.
    public subscript(reason: SkipReason) -> UInt64 { counts[reason, default: 0] }

    mutating func record(_ reason: SkipReason) {
        counts[reason, default: 0] += 1
    }

    /// Adds another set of counts to this one.
    public mutating func add(_ other: ScanErrorCounts) {
        for (reason, count) in other.counts { counts[reason, default: 0] += count }
    }

    /// Total skipped entries.
    public var total: UInt64 { counts.values.reduce(0, +) }
}

/// A system call failed for one entry.
struct EntryError: Error {
    let code: Int32
    var reason: SkipReason { SkipReason(errno: code) }
}
