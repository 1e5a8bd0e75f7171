import Foundation
import Testing

/// The whole exposition of a measured tree against what `find`, `du` and `df` say of it.
public enum ExpositionOracle {
    /// Checks `--once --collector.snapshot-detail` output for `directories` (the tree of
    /// ``SimulatedNode/jbodAfterSomeLife(in:)``) against find, du and df. `shown` maps a directory to the
    /// `data_dir` label the exporter saw it as (another path inside a container).
    public static func expectEveryMetricEqualsTheOracle(_ exposition: String, directories: [String],
                                                 shown: (String) -> String = { $0 }) throws {
        let samples = parseExposition(exposition)
        var tablesChecked = 0
        var sawExclusive = false, sawCompacted = false
        for dataDirectory in directories {
            let listing = try Command.output("find", [dataDirectory, "-mindepth", "2", "-maxdepth", "2", "-type", "d",
                                                      "-regextype", "posix-extended", "-regex", ".*/[^/]+-[0-9a-f]{32}"])
            for directory in listing.split(separator: "\n").map(String.init) {
                let parts = directory.split(separator: "/")
                let name = parts[parts.count - 1]
                let labels = ["data_dir": shown(dataDirectory), "keyspace": String(parts[parts.count - 2]),
                              "table": String(name.dropLast(33)), "table_id": String(name.suffix(32))]
                let table = try TableOracle(directory)
                let backups = table.backups, live = table.live
                let expected: [(String, Double?)] = [
                    ("cassandra_backup_files", Double(backups.count)),
                    ("cassandra_backup_sstables", Double(backups.dataFiles)),
                    ("cassandra_backup_size_bytes", Double(backups.apparentBytes)),
                    ("cassandra_backup_allocated_bytes", Double(backups.allocatedBytes)),
                    ("cassandra_backup_exclusive_bytes", Double(try backups.exclusiveBytes())),
                    ("cassandra_backup_compacted_bytes", Double(backups.allocatedBytes(notIn: live))),
                    ("cassandra_backup_oldest_file_timestamp_seconds", backups.oldest),
                    ("cassandra_backup_newest_file_timestamp_seconds", backups.newest),
                    ("cassandra_backup_live_sstables", Double(live.dataFiles)),
                    ("cassandra_backup_live_allocated_bytes", Double(live.allocatedBytes)),
                ]
                for (metric, value) in expected {
                    let exposed = samples.value(metric, labels)
                    if let value {
                        // Timestamps go through decimal text: allow for the last digit.
                        #expect(exposed.map { abs($0 - value) <= max(1e-6, value * 1e-15) } == true, "\(metric) \(labels): \(String(describing: exposed)) vs \(value)")
                    } else {
                        #expect(exposed == nil, "\(metric) \(labels) should be absent")
                    }
                }
                let exclusive = try backups.exclusiveBytes()
                sawExclusive = sawExclusive || exclusive > 0
                sawCompacted = sawCompacted || backups.allocatedBytes(notIn: live) > exclusive
                let tags = table.tags, allSnapshots = table.allSnapshots
                #expect(samples.value("cassandra_backup_table_snapshots", labels) == Double(tags.count))
                #expect(samples.value("cassandra_backup_table_snapshots_allocated_bytes", labels) == Double(allSnapshots.allocatedBytes))
                #expect(samples.value("cassandra_backup_table_snapshots_exclusive_bytes", labels) == Double(try allSnapshots.exclusiveBytes()))
                for tag in tags {
                    let snapshot = try FileOracle("\(directory)/snapshots/\(tag)")
                    let snapshotLabels = labels.merging(["snapshot": tag, "origin": tag.hasPrefix("dropped-") ? "dropped" : "user"]) { $1 }
                    #expect(samples.value("cassandra_backup_snapshot_files", snapshotLabels) == Double(snapshot.count))
                    #expect(samples.value("cassandra_backup_snapshot_size_bytes", snapshotLabels) == Double(snapshot.apparentBytes))
                    #expect(samples.value("cassandra_backup_snapshot_allocated_bytes", snapshotLabels) == Double(snapshot.allocatedBytes))
                    #expect(samples.value("cassandra_backup_snapshot_exclusive_bytes", snapshotLabels) == Double(try snapshot.exclusiveBytes()))
                    #expect(samples.value("cassandra_backup_snapshot_created_timestamp_seconds", snapshotLabels) != nil)
                }
                tablesChecked += 1
            }
            // Filesystem figures from df (block counts in 1-byte units).
            let df = try Command.output("df", ["-B1", "--output=size,avail", dataDirectory]).split(separator: "\n")[1]
                .split(separator: " ").compactMap { Double($0) }
            #expect(samples.value("cassandra_backup_filesystem_size_bytes", ["data_dir": shown(dataDirectory)]) == df[0])
            let avail = try #require(samples.value("cassandra_backup_filesystem_avail_bytes", ["data_dir": shown(dataDirectory)]))
            #expect(abs(avail - df[1]) < 64 * 1_048_576, "free space moves a little between statvfs and df")
        }
        // The tree has the interesting cases, and every table got series (no others did).
        #expect(tablesChecked == 17)
        #expect(samples.filter { $0.name == "cassandra_backup_files" }.count == tablesChecked)
        #expect(sawExclusive && sawCompacted)
        #expect(samples.value("cassandra_backup_scan_success") == 1)
        #expect(samples.value("cassandra_backup_exporter_build_info") == 1)
        // node_exporter, which reads this output as a textfile, exports its own process_* series.
        #expect(!samples.contains { $0.name.hasPrefix("process_") })

        let lint = try Command.run("promtool", ["check", "metrics"], stdin: exposition)
        #expect(lint.status == 0 && lint.stdout.isEmpty && lint.stderr.isEmpty, "\(lint.stdout)\(lint.stderr)")
    }
}
