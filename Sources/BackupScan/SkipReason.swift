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
