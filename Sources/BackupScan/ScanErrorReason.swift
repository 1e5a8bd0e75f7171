import Glibc

/// Why an entry was skipped during a scan: the `reason` label of
/// `cassandra_backup_scan_errors_total`.
public enum ScanErrorReason: String, Sendable, CaseIterable {
    /// The entry disappeared between listing and opening (compaction, cleanup).
    case vanished
    /// The exporter may not read it.
    case permission
    /// The disk or the filesystem failed to read it (`EIO`, `EUCLEAN`: a dying disk, a
    /// corrupted directory, a network filesystem's soft timeout).
    case io
    /// A table walk whose calls did not return within the walk time limit, counted once when it is
    /// left behind; its series keep their last values while it is stuck.
    case stuck
    /// The exporter ran out of descriptors or memory (`EMFILE`, `ENFILE`, `ENOMEM`), or of
    /// threads to walk with: not a property of the entry, so the scan that met it fails as a
    /// whole and keeps the last values; skipping the entry would publish a table as gone or empty.
    case resources
    /// Any other error from the operating system.
    case other

    /// Classifies an `errno` value.
    init(errno code: Int32) {
        switch code {
        case ENOENT, ENOTDIR, ELOOP: self = .vanished  // removed, or replaced by another kind of entry
        case EACCES, EPERM: self = .permission
        case EIO, EUCLEAN, ETIMEDOUT, ENXIO: self = .io
        case EMFILE, ENFILE, ENOMEM: self = .resources
        default: self = .other
        }
    }
}
