/// Whether each table's snapshots would restore, judged across data directories.
///
/// With several data directories (JBOD) Cassandra spreads a snapshot's SSTables over them and
/// writes `manifest.json` and `schema.cql` in one of them only (`ColumnFamilyStore.snapshotWithoutMemtable`,
/// `Directories.getSnapshotManifestFile`): a part alone would lack a manifest, or hold one naming
/// files that are in another part. So the parts of one table's snapshot (same keyspace, table,
/// id and tag) are judged together, and every part carries the verdict.
enum SnapshotRestore {
    /// `tables` with every snapshot's ``SnapshotMeasurement/problems`` set.
    static func judged(_ tables: [TableMeasurement]) -> [TableMeasurement] {
        struct Key: Hashable {
            let keyspace: String, table: String, id: String, tag: String
        }
        var parts: [Key: [SnapshotMeasurement]] = [:]
        let spread = Set(tables.map(\.key.dataDirectory)).count > 1
        if spread {
            for table in tables {
                for snapshot in table.snapshots {
                    parts[Key(keyspace: table.key.keyspace, table: table.key.table, id: table.key.tableID, tag: snapshot.tag), default: []]
                        .append(snapshot)
                }
            }
        }
        return tables.map { table in
            var judged = table
            for index in judged.snapshots.indices {
                let snapshot = judged.snapshots[index]
                let key = Key(keyspace: table.key.keyspace, table: table.key.table, id: table.key.tableID, tag: snapshot.tag)
                judged.snapshots[index].problems = problems(of: spread ? parts[key] ?? [snapshot] : [snapshot])
            }
            return judged
        }
    }

    /// What keeps the parts of one table's snapshot from restoring; nothing while a part's
    /// SSTables are pending: the snapshot is still being taken (Cassandra links the SSTables
    /// first and writes `manifest.json` and `schema.cql` after them).
    static func problems(of parts: [SnapshotMeasurement]) -> RestoreProblems {
        var problems = RestoreProblems()
        guard !parts.contains(where: { $0.sstables.pending > 0 }) else { return problems }
        if parts.contains(where: { $0.sstables.unrebuildable > 0 }) { problems.insert(.incompleteSSTable) }
        if !parts.contains(where: \.restore.hasSchema) { problems.insert(.noSchema) }
        let manifests = parts.filter(\.restore.hasManifest)
        if manifests.isEmpty {
            problems.insert(.noManifest)
        } else if parts.count == 1 {
            if !manifests[0].restore.missingHere.isEmpty { problems.insert(.missingFile) }
        } else {
            let present = Set(parts.flatMap(\.restore.dataFiles))
            if manifests.contains(where: { $0.restore.missingHere.contains { !present.contains($0) } }) { problems.insert(.missingFile) }
        }
        return problems
    }
}
