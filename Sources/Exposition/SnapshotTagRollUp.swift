import BackupScan

/// One snapshot tag summed over every table of the node that holds it.
///
/// Sums are exact: a snapshot's files are hard links to one table's SSTables, so no inode is
/// shared between the snapshots of two table directories, and the per-table exclusive bytes add
/// up to what clearing the tag frees on the node.
struct SnapshotTagRollUp {
    let tag: String
    let origin: SnapshotOrigin
    /// Distinct tables (keyspace, table, id) holding the tag; a table on several data
    /// directories (JBOD) counts once.
    let tables: Int
    let usage: FileSetUsage
    /// The earliest creation time.
    let createdAt: Double
    /// The earliest expiry; `nil` when no snapshot of the tag has one.
    let expiresAt: Double?

    /// The roll-ups of every (tag, origin) in `tables`, sorted by tag.
    static func of(_ tables: [TableMeasurement]) -> [SnapshotTagRollUp] {
        struct Key: Hashable {
            let tag: String
            let origin: SnapshotOrigin
        }
        struct TableIdentity: Hashable {
            let keyspace: String, table: String, id: String
        }
        var sums: [Key: (tables: Set<TableIdentity>, usage: FileSetUsage, createdAt: Double, expiresAt: Double?)] = [:]
        for table in tables {
            let identity = TableIdentity(keyspace: table.key.keyspace, table: table.key.table, id: table.key.tableID)
            for snapshot in table.snapshots {
                let key = Key(tag: snapshot.tag, origin: snapshot.origin)
                var sum = sums[key] ?? ([], FileSetUsage(), snapshot.createdAt, nil)
                sum.tables.insert(identity)
                sum.usage.files += snapshot.usage.files
                sum.usage.sstables += snapshot.usage.sstables
                sum.usage.sizeBytes += snapshot.usage.sizeBytes
                sum.usage.allocatedBytes += snapshot.usage.allocatedBytes
                sum.usage.exclusiveBytes += snapshot.usage.exclusiveBytes
                sum.createdAt = min(sum.createdAt, snapshot.createdAt)
                if let expiry = snapshot.expiresAt { sum.expiresAt = min(sum.expiresAt ?? expiry, expiry) }
                sums[key] = sum
            }
        }
        return sums.map { key, sum in
            SnapshotTagRollUp(tag: key.tag, origin: key.origin, tables: sum.tables.count, usage: sum.usage,
                              createdAt: sum.createdAt, expiresAt: sum.expiresAt)
        }.sorted { ($0.tag, $0.origin.rawValue) < ($1.tag, $1.origin.rawValue) }
    }
}
