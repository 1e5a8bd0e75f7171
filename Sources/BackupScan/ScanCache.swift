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
        /// When the table's pending SSTables settle: from then on they are looked at again, so
        /// that they are judged.
        let pending: PendingSSTables

        init(measurement: TableMeasurement, stamps: [(path: String, stamp: DirectoryStamp)], checksSnapshots: Bool, backupLinks: BackupLinks?,
             pending: PendingSSTables) {
            self.measurement = measurement
            self.stamps = stamps
            self.checksSnapshots = checksSnapshots
            self.backupLinks = backupLinks
            self.pending = pending
        }
    }

    var entries: [TableKey: Entry] = [:]

    /// When the last pending SSTable of a table's `backups/` and of its snapshots settles
    /// (seconds since the epoch); `nil` where none is pending. Once `backups/`'s have settled it
    /// is listed again (a flush makes its SSTables pending: relisting is what a flush costs
    /// anyway, where a walk of the whole table doubled the busy node's CPU); once the snapshots'
    /// have, the table is walked.
    struct PendingSSTables: Sendable {
        var backups: Double?
        var snapshots: Double?
    }

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
