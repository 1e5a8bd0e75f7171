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
public struct ScanCache: Sendable {
    struct Entry: Sendable {
        let measurement: TableMeasurement
        /// The directories to check, by path from the keyspace directory.
        let stamps: [(path: String, stamp: DirectoryStamp)]
        /// Whether some of ``stamps`` are of a snapshot that may yet turn finished, and so be
        /// dropped from the checks (``DataDirectoryScanner/settledSnapshotSeconds``).
        let checksSnapshots: Bool
    }

    var entries: [TableKey: Entry] = [:]

    public init() {}

    /// Tables that the next scan may reuse.
    public var count: Int { entries.count }
}
