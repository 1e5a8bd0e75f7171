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
    /// Settled SSTables lacking a component, over every part.
    let incompleteSSTables: UInt64
    /// Distinct tables whose snapshot would not restore, by reason label.
    let unrestorableTables: [String: Int]

    /// The roll-ups of every (tag, origin) in `tables`, sorted by tag.
    static func of(_ tables: [TableMeasurement]) -> [SnapshotTagRollUp] {
        struct Key: Hashable {
            let tag: String
            let origin: SnapshotOrigin
        }
        var sums: [Key: Sum] = [:]
        for table in tables {
            let identity = TableIdentity(keyspace: table.key.keyspace, table: table.key.table, id: table.key.tableID)
            for snapshot in table.snapshots {
                // Changed in place: copying a sum out and back would copy its set of tables on
                // every insert, quadratic in the tables that hold a tag.
                sums[Key(tag: snapshot.tag, origin: snapshot.origin), default: Sum(createdAt: snapshot.createdAt)]
                    .add(snapshot, of: identity)
            }
        }
        return sums.map { key, sum in
            SnapshotTagRollUp(tag: key.tag, origin: key.origin, tables: sum.tables.count, usage: sum.usage,
                              createdAt: sum.createdAt, expiresAt: sum.expiresAt, incompleteSSTables: sum.incompleteSSTables,
                              unrestorableTables: sum.unrestorable.mapValues(\.count))
        }.sorted { ($0.tag, $0.origin.rawValue) < ($1.tag, $1.origin.rawValue) }
    }

    private struct TableIdentity: Hashable {
        let keyspace: String, table: String, id: String
    }

    /// A roll-up while it is summed.
    private struct Sum {
        var tables: Set<TableIdentity> = []
        var usage = FileSetUsage()
        var createdAt: Double
        var expiresAt: Double?
        var incompleteSSTables: UInt64 = 0
        /// By reason label; every part of a table carries the same verdict, so a set.
        var unrestorable: [String: Set<TableIdentity>] = [:]

        mutating func add(_ snapshot: SnapshotMeasurement, of table: TableIdentity) {
            tables.insert(table)
            usage.files += snapshot.usage.files
            usage.sstables += snapshot.usage.sstables
            usage.sizeBytes += snapshot.usage.sizeBytes
            usage.allocatedBytes += snapshot.usage.allocatedBytes
            usage.exclusiveBytes += snapshot.usage.exclusiveBytes
            createdAt = min(createdAt, snapshot.createdAt)
            if let expiry = snapshot.expiresAt { expiresAt = min(expiresAt ?? expiry, expiry) }
            incompleteSSTables += snapshot.sstables.incomplete
            for reason in RestoreProblems.reasons where snapshot.problems.contains(reason.problem) {
                unrestorable[reason.label, default: []].insert(table)
            }
        }
    }
}
