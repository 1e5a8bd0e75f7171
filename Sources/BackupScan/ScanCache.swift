/// What the previous scan learned about each table, so unchanged tables are not walked again.
///
/// A table is reused when every directory visited in its last walk (the table directory, its
/// index directories, `backups/` and subdirectories, `snapshots/`, and each tag that was not yet
/// a finished snapshot: see ``DataDirectoryScanner/settledSnapshotSeconds``) still has the same
/// inode, mtime and ctime. Any file added, removed or renamed in those directories changes
/// a mtime: flushes, compactions deleting inputs, shipping, snapshots taken or cleared, DROP.
/// What it cannot see: a hard link to a backed-up file created or removed *outside* the table
/// (changing a link count, hence exclusive bytes), files rewritten in place, and files added to
/// or removed from a finished snapshot (Cassandra does none of these); the periodic full walk
/// (`--collector.full-scan-every`) covers them.
///
/// A table of which only `backups/` changed (a shipping run) has `backups/` listed again and keeps
/// the rest (see ``BackupLinks``), so a shipping run costs what it removed, not the node's size.
public struct ScanCache: Sendable {
    /// A class, so that handing an entry from scan to scan is one reference count, not one per
    /// string and array inside (the copies showed as 14 % of an unchanged scan at 1,000 tables).
    final class Entry: Sendable {
        let measurement: TableMeasurement
        /// The directories to check, by path from the keyspace directory.
        let stamps: [(path: String, stamp: DirectoryStamp)]
        /// Whether some of ``stamps`` are of a snapshot that may yet turn finished, and so be
        /// dropped from the checks (``DataDirectoryScanner/settledSnapshotSeconds``).
        let checksSnapshots: Bool
        /// What a scan needs to list only `backups/` when nothing else of the table changed.
        let backupLinks: BackupLinks?
        /// When the last of the table's pending SSTables settles (seconds since the epoch): from
        /// then on the table is walked again, so that they are judged; `nil` when none was pending.
        let judgeAgainAt: Double?

        init(measurement: TableMeasurement, stamps: [(path: String, stamp: DirectoryStamp)], checksSnapshots: Bool, backupLinks: BackupLinks?,
             judgeAgainAt: Double?) {
            self.measurement = measurement
            self.stamps = stamps
            self.checksSnapshots = checksSnapshots
            self.backupLinks = backupLinks
            self.judgeAgainAt = judgeAgainAt
        }
    }

    var entries: [TableKey: Entry] = [:]

    /// A keyspace directory's tables as last listed, sorted by key, with its stamp then: while
    /// the stamp holds (no table created, dropped or renamed), the listing is not read again.
    struct KeyspaceListing: Sendable {
        let stamp: DirectoryStamp
        let tables: [(name: EntryName, key: TableKey)]
    }

    /// By keyspace directory path (`<data_dir>/<keyspace>`).
    var keyspaces: [String: KeyspaceListing] = [:]

    public init() {}

    /// Tables that the next scan may reuse.
    public var count: Int { entries.count }
}
