import Foundation
import Testing
import TestSupport

/// The restorability series of the binary on nodes laid out from SSTables Cassandra wrote: a
/// complete node, and the same node with one thing broken per table and snapshot.
@Suite(.serialized) struct RestorabilityEndToEndTests {
    static let exporter = BuiltProducts.path("cassandra-backup-exporter")

    private func once(_ node: RealNode, detail: Bool = false) throws -> (text: String, samples: [ExposedSample]) {
        let result = try Command.run(Self.exporter, ["--once", "--no-collector.runtime", "--collector.sstable-settle", "1ms"]
                                     + (detail ? ["--collector.snapshot-detail"] : [])
                                     + node.dataDirectories.flatMap { ["--cassandra.data-dir", "\(node.root)/\($0)"] })
        try #require(result.status == 0, "\(result.stderr)")
        let lint = try Command.run("promtool", ["check", "metrics"], stdin: result.stdout)
        #expect(lint.status == 0 && lint.stdout.isEmpty && lint.stderr.isEmpty, "\(lint.stdout)\(lint.stderr)")
        return (result.stdout, parseExposition(result.stdout))
    }

    private func restorability(_ text: String) -> String {
        text.split(separator: "\n").filter {
            $0.hasPrefix("cassandra_backup_snapshot_tag_incomplete") || $0.hasPrefix("cassandra_backup_snapshot_tag_unrestorable")
                || (($0.hasPrefix("cassandra_backup_incomplete") || $0.hasPrefix("cassandra_backup_pending")
                     || $0.hasPrefix("cassandra_backup_rewritten")) && ($0.contains("legacy_na_simple\"") || !$0.hasSuffix(" 0")))
                || ($0.hasPrefix("cassandra_backup_snapshot_unrestorable") && $0.hasSuffix(" 1"))
        }.joined(separator: "\n")
    }

    @Test func aCompleteAndABrokenNodeFromCassandrasOwnSSTables() throws {
        let temp = try TemporaryDirectory("restore-e2e")
        defer { temp.remove() }
        let node = RealNode(root: temp.path, dataDirectories: ["d1", "d2"])
        try node.build()
        let complete = try once(node)
        print("complete node:\n\(restorability(complete.text))")
        let tables = Double(RealSSTable.all.count)
        #expect(complete.samples.value("cassandra_backup_snapshot_tag_tables", ["snapshot": "weekly"]) == tables)
        #expect(complete.samples.filter { $0.name == "cassandra_backup_incomplete_sstables" }.count == RealSSTable.all.count * 2)
        #expect(complete.samples.filter { $0.name.hasPrefix("cassandra_backup_") && ($0.name.hasSuffix("incomplete_sstables")
            || $0.name.hasSuffix("unrestorable_tables") || $0.name.hasSuffix("pending_sstables")) }.allSatisfy { $0.value == 0 })

        // Broken, each in another table: a backup's Data.db (d1), a snapshot's Statistics.db
        // (d2), a snapshot's manifest and schema (d1), the d2 part of a snapshot cleared.
        func table(_ version: String, _ dataDirectory: String) -> String {
            let index = RealSSTable.all.firstIndex { $0.version == version }!
            return "\(temp.path)/\(node.table(index, in: dataDirectory))"
        }
        let me = RealSSTable.all.first { $0.version == "me" }!, nb = RealSSTable.all.first { $0.version == "nb" }!
        try FileManager.default.removeItem(atPath: "\(table("me", "d1"))/backups/\(me.file("Data.db", generation: 3))")
        try FileManager.default.removeItem(atPath: "\(table("nb", "d2"))/snapshots/weekly/\(nb.file("Statistics.db", generation: 2))")
        try FileManager.default.removeItem(atPath: "\(table("oa", "d1"))/snapshots/weekly/manifest.json")
        try FileManager.default.removeItem(atPath: "\(table("oa", "d1"))/snapshots/weekly/schema.cql")
        try FileManager.default.removeItem(atPath: "\(table("da", "d2"))/snapshots/weekly")
        let broken = try once(node, detail: true)
        print("broken node:\n\(restorability(broken.text))")
        let tag = ["snapshot": "weekly", "origin": "user"]
        #expect(broken.samples.value("cassandra_backup_incomplete_sstables", ["data_dir": "\(temp.path)/d1", "table": me.table]) == 1)
        #expect(broken.samples.value("cassandra_backup_snapshot_tag_incomplete_sstables", tag) == 1)
        for (reason, tables) in ["incomplete_sstable": 1.0, "missing_file": 1, "no_manifest": 1, "no_schema": 1] {
            #expect(broken.samples.value("cassandra_backup_snapshot_tag_unrestorable_tables", tag.merging(["reason": reason]) { $1 }) == tables,
                    "\(reason)")
        }
        // Detail: the verdict on every part of the table's snapshot.
        for part in ["d1", "d2"] {
            #expect(broken.samples.value("cassandra_backup_snapshot_unrestorable",
                                         ["data_dir": "\(temp.path)/\(part)", "table": nb.table, "reason": "incomplete_sstable"]) == 1, "\(part)")
        }
    }
}
