import Foundation
import NodeSimulator
import Testing
import TestSupport

/// `cassandra-backup-exporter --once` as a user runs it, over a simulated node, checked against
/// `find` and `du`.
@Suite struct OnceTests {
    static let exporter = BuiltProducts.path("cassandra-backup-exporter")

    /// A JBOD node after some life: flushes, a shipping run, a snapshot, compactions (backups
    /// become compacted, held by the snapshot), later flushes compacted again (backups become
    /// exclusive), and tables with empty `backups/` on the second disk.
    static func simulatedNode(in temp: TemporaryDirectory) throws -> [String] {
        let directories = [temp("disk1/data"), temp("disk2/data")]
        let node = SimulatedNode(dataDirectories: directories, seed: 42)
        try node.populate(flushes: 3)
        try node.shipBackups()
        for table in node.tables { try node.flush(table, in: directories[0]); try node.flush(table, in: directories[0]) }
        try node.snapshot(tag: "before-upgrade")
        for table in node.tables { try node.compact(table, in: directories[0]) }
        for table in node.tables.prefix(4) { try node.flush(table, in: directories[0]); try node.flush(table, in: directories[0]) }
        for table in node.tables.prefix(4) { try node.compact(table, in: directories[0]) }
        for table in node.tables.suffix(3) { try node.flush(table, in: directories[1]) }
        return directories
    }

    @Test func everyMetricEqualsTheOracle() throws {
        let temp = try TemporaryDirectory("once")
        defer { temp.remove() }
        let directories = try Self.simulatedNode(in: temp)
        // With detail, so the user snapshot "before-upgrade" has its per-(table, tag) series too.
        let result = try Command.run(Self.exporter, ["--once", "--collector.snapshot-detail",
                                                     "--cassandra.data-dir", directories[0], "--cassandra.data-dir", directories[1]])
        #expect(result.status == 0, "\(result.stderr)")
        try Self.expectEveryMetricEqualsTheOracle(result.stdout, directories: directories)
    }

    /// `--no-collector.snapshot-detail` turns the detail off again (a unit file's flags overridden
    /// by a drop-in): the user snapshot has no per-(table, tag) series, its per-tag roll-up stays.
    @Test func snapshotDetailHasANoForm() throws {
        let temp = try TemporaryDirectory("once")
        defer { temp.remove() }
        let directories = try Self.simulatedNode(in: temp)
        let result = try Command.run(Self.exporter, ["--once", "--collector.snapshot-detail", "--no-collector.snapshot-detail",
                                                     "--cassandra.data-dir", directories[0], "--cassandra.data-dir", directories[1]])
        #expect(result.status == 0, "\(result.stderr)")
        let samples = parseExposition(result.stdout)
        #expect(samples.value("cassandra_backup_snapshot_files", ["snapshot": "before-upgrade"]) == nil)
        #expect(samples.value("cassandra_backup_snapshot_tag_files", ["snapshot": "before-upgrade"]) != nil)
    }

    /// Checks `--once --collector.snapshot-detail` output for `directories` (the tree of
    /// ``simulatedNode(in:)``) against find, du and df. `shown` maps a directory to the
    /// `data_dir` label the exporter saw it as (another path inside a container).
    static func expectEveryMetricEqualsTheOracle(_ exposition: String, directories: [String],
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
                let backups = try FileOracle(directory + "/backups")
                var live = try FileOracle(directory, depth1: true)
                for index in try FileManager.default.contentsOfDirectory(atPath: directory) where index.hasPrefix(".") {
                    live = live + (try FileOracle("\(directory)/\(index)", depth1: true))
                }
                let expected: [(String, Double?)] = [
                    ("cassandra_backup_files", Double(backups.count)),
                    ("cassandra_backup_sstables", Double(backups.dataFiles)),
                    ("cassandra_backup_size_bytes", Double(backups.apparentBytes)),
                    ("cassandra_backup_allocated_bytes", Double(backups.allocatedBytes)),
                    ("cassandra_backup_exclusive_bytes", Double(backups.exclusiveBytes)),
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
                sawExclusive = sawExclusive || backups.exclusiveBytes > 0
                sawCompacted = sawCompacted || backups.allocatedBytes(notIn: live) > backups.exclusiveBytes
                let tags = (try? FileManager.default.contentsOfDirectory(atPath: directory + "/snapshots")) ?? []
                let allSnapshots = try FileOracle(directory + "/snapshots")
                #expect(samples.value("cassandra_backup_table_snapshots", labels) == Double(tags.count))
                #expect(samples.value("cassandra_backup_table_snapshots_allocated_bytes", labels) == Double(allSnapshots.allocatedBytes))
                #expect(samples.value("cassandra_backup_table_snapshots_exclusive_bytes", labels) == Double(allSnapshots.exclusiveBytes))
                for tag in tags {
                    let snapshot = try FileOracle("\(directory)/snapshots/\(tag)")
                    let snapshotLabels = labels.merging(["snapshot": tag, "origin": tag.hasPrefix("dropped-") ? "dropped" : "user"]) { $1 }
                    #expect(samples.value("cassandra_backup_snapshot_files", snapshotLabels) == Double(snapshot.count))
                    #expect(samples.value("cassandra_backup_snapshot_size_bytes", snapshotLabels) == Double(snapshot.apparentBytes))
                    #expect(samples.value("cassandra_backup_snapshot_allocated_bytes", snapshotLabels) == Double(snapshot.allocatedBytes))
                    #expect(samples.value("cassandra_backup_snapshot_exclusive_bytes", snapshotLabels) == Double(snapshot.exclusiveBytes))
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

    @Test func versionNamesVersionRevisionAndSwift() throws {
        let result = try Command.run(Self.exporter, ["--version"])
        #expect(result.status == 0)
        #expect(result.stdout.hasPrefix("cassandra-backup-exporter, version "))
        #expect(result.stdout.contains("(revision: ") && result.stdout.contains("swift 6."))
    }

    @Test(arguments: [
        (["--no-such-flag"], "Unknown option"),
        (["--collector.interval", "5x"], "collector.interval"),
        (["--collector.interval", "0s"], "collector.interval"),
        (["--web.listen-address", "nonsense"], "web.listen-address"),
        (["--cassandra.data-dir", "/nonexistent/data"], "/nonexistent/data"),
        (["--log.level", "loud"], "log.level"),
        (["--log.format", "xml"], "log.format"),
        (["--web.telemetry-path", "metrics"], "web.telemetry-path"),
        (["--web.config.file", "/nonexistent/web.yml", "--cassandra.data-dir", "/tmp"], "web config /nonexistent/web.yml: no such file"),
        (["--cassandra.config", "/nonexistent/cassandra.yaml", "--cassandra.data-dir", "/tmp"], "/nonexistent/cassandra.yaml"),
        (["--nodetool.path", "/nonexistent/nodetool"], "nodetool.path"),
        (["--nodetool.timeout", "soon"], "nodetool.timeout"),
        (["--nodetool.interval", "-5m"], "nodetool.interval"),
        (["--jolokia.url", "ftp://host/jolokia"], "jolokia.url"),
        // Past Go's time.Duration (it crashed the exporter), and past each flag's own bound.
        (["--nodetool.timeout", "9223372036854775807ms"], "nodetool.timeout"),
        (["--nodetool.timeout", "2h"], "--nodetool.timeout 2h is longer than 1h"),
        (["--collector.interval", "2d"], "--collector.interval 2d is longer than 1d"),
        (["--web.connection-timeout", "300y"], "web.connection-timeout"),
    ] as [([String], String)])
    func badInputStopsWithOneClearLine(arguments: [String], mention: String) throws {
        let result = try Command.run(Self.exporter, arguments + ["--once"])
        #expect(result.status != 0)
        #expect(result.stdout.isEmpty)
        let lines = result.stderr.split(separator: "\n", omittingEmptySubsequences: false).filter { !$0.isEmpty }
        #expect(lines.count == 1, "stderr: \(result.stderr)")
        #expect(result.stderr.contains(mention), "stderr: \(result.stderr)")
    }

    @Test func brokenCassandraYamlStopsStartUp() throws {
        let temp = try TemporaryDirectory("once")
        defer { temp.remove() }
        try "incremental_backups: maybe\n".write(toFile: temp("cassandra.yaml"), atomically: true, encoding: .utf8)
        let result = try Command.run(Self.exporter, ["--once", "--cassandra.config", temp("cassandra.yaml"), "--cassandra.data-dir", temp.path])
        #expect(result.status != 0)
        #expect(result.stderr == "cassandra-backup-exporter: cassandra config \(temp("cassandra.yaml")): 1:22: incremental_backups must be true or false (or yes/no, on/off)\n")
    }

    @Test func dataDirectoriesDefaultToTheConfigsList() throws {
        let temp = try TemporaryDirectory("once")
        defer { temp.remove() }
        try FixtureBuilder(root: temp.path).file("d1/ks/t-0123456789abcdef0123456789abcdef/backups/nb-1-big-Data.db", size: 10)
        try "incremental_backups: true\ndata_file_directories:\n    - \(temp("d1"))\n".write(toFile: temp("cassandra.yaml"), atomically: true, encoding: .utf8)
        let result = try Command.run(Self.exporter, ["--once"], environment: ["CASSANDRA_CONF": temp.path, "PATH": "/usr/bin:/bin"])
        #expect(result.status == 0, "\(result.stderr)")
        let samples = parseExposition(result.stdout)
        #expect(samples.value("cassandra_backup_files", ["data_dir": temp("d1")]) == 1)
        #expect(samples.value("cassandra_backup_incremental_enabled", ["source": "config"]) == 1)
    }

    /// Cassandra 4.0+ keeps the local system keyspaces in `local_system_data_file_directory`
    /// when set: a data directory like the others. The config repeats keys, as real files do.
    @Test func theLocalSystemDataDirectoryIsScannedToo() throws {
        let temp = try TemporaryDirectory("once")
        defer { temp.remove() }
        let fixture = FixtureBuilder(root: temp.path)
        try fixture.file("d1/ks/t-0123456789abcdef0123456789abcdef/backups/nb-1-big-Data.db", size: 10)
        try fixture.file("sys/system/local-7ad54392bcdd35a684174e047860b377/backups/nb-2-big-Data.db", size: 20)
        try fixture.file("sys/system/local-7ad54392bcdd35a684174e047860b377/backups/nb-3-big-Data.db", size: 20)
        try """
            incremental_backups: false
            data_file_directories:
                - /nonexistent
            local_system_data_file_directory: \(temp("sys"))
            data_file_directories:
                - \(temp("d1"))
            incremental_backups: true

            """.write(toFile: temp("cassandra.yaml"), atomically: true, encoding: .utf8)
        let result = try Command.run(Self.exporter, ["--once", "--cassandra.config", temp("cassandra.yaml")], environment: ["PATH": "/usr/bin:/bin"])
        #expect(result.status == 0, "\(result.stderr)")
        let samples = parseExposition(result.stdout)
        #expect(samples.value("cassandra_backup_files", ["data_dir": temp("d1"), "table": "t"]) == 1)
        #expect(samples.value("cassandra_backup_files", ["data_dir": temp("sys"), "keyspace": "system", "table": "local"]) == 2)
        #expect(samples.value("cassandra_backup_incremental_enabled", ["source": "config"]) == 1)
    }

    @Test(.enabled(if: runsAsRoot, "becomes the user nobody with setpriv, which needs root"))
    func onceFailsWithOneLineWhenADataDirectoryCannotBeRead() throws {
        let temp = try TemporaryDirectory("unreadable")
        defer { temp.remove() }
        try FixtureBuilder(root: temp.path).directory("data/ks")
        _ = try Command.output("chmod", ["0711", temp.path])
        _ = try Command.output("chmod", ["0700", temp("data")])
        let result = try Command.run("setpriv", ["--reuid=nobody", "--regid=nogroup", "--clear-groups", Self.exporter,
                                                 "--once", "--cassandra.data-dir", temp("data")])
        #expect(result.status == 1)
        #expect(result.stdout.isEmpty)
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 1 && lines[0].contains("scan failed") && lines[0].contains("Permission denied"), "\(result.stderr)")
    }

    @Test(.enabled(if: runsAsRoot, "becomes the user nobody with setpriv, which needs root"))
    func unreadableEntriesAreCountedAsPermissionErrorsAndTheRestIsMeasured() throws {
        let temp = try TemporaryDirectory("perm")
        defer { temp.remove() }
        let tree = FixtureBuilder(root: temp.path)
        let table = "data/ks/t-0123456789abcdef0123456789abcdef"
        try tree.file("\(table)/backups/nb-1-big-Data.db", size: 10_000)
        try tree.file("\(table)/backups/.secret_idx/nb-1-big-Data.db", size: 10_000)
        try tree.file("data/locked/t-0123456789abcdef0123456789abcdee/backups/nb-1-big-Data.db", size: 10_000)
        _ = try Command.output("chmod", ["-R", "a+rX", temp.path])
        _ = try Command.output("chmod", ["0700", temp("\(table)/backups/.secret_idx"), temp("data/locked")])
        // The test binary's directory must be reachable for the unprivileged user.
        let result = try Command.run("setpriv", ["--reuid=nobody", "--regid=nogroup", "--clear-groups", Self.exporter,
                                                 "--once", "--cassandra.data-dir", temp("data")])
        #expect(result.status == 0, "\(result.stderr)")
        let samples = parseExposition(result.stdout)
        #expect(samples.value("cassandra_backup_scan_errors_total", ["reason": "permission"]) == 2)
        #expect(samples.value("cassandra_backup_files", ["keyspace": "ks"]) == 1)
        #expect(samples.value("cassandra_backup_files", ["keyspace": "locked"]) == nil)
    }
}
