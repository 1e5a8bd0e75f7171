/// What the previous scan learned about each table, so unchanged tables are not walked again.
///
/// A table is reused when every directory visited in its last walk (the table directory, its
/// index directories, `backups/` and subdirectories, `snapshots/` and each tag) still has the
/// same inode, mtime and ctime. Any file added, removed or renamed in those directories changes
/// a mtime: flushes, compactions deleting inputs, shipping, snapshots taken or cleared, DROP.
/// What it cannot see: a hard link to a backed-up file created or removed *outside* the table
/// (changing a link count, hence exclusive bytes) and files rewritten in place (Cassandra never
/// does either); the periodic full walk (`--collector.full-scan-every`) covers them.
public struct ScanCache: Sendable {
    struct Entry: Sendable {
        let measurement: TableMeasurement
        let stamps: [(path: String, stamp: DirectoryStamp)]
    }

    var entries: [TableKey: Entry] = [:]

    public init() {}

    /// Tables that the next scan may reuse.
    public var count: Int { entries.count }
}
