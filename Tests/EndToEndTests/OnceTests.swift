import Foundation
import NodeSimulator
import Testing
import TestSupport

/// `cassandra-backup-exporter --once` as a user runs it, over a simulated node, checked against
/// `find` and `du`.
@Suite struct OnceTests {
    static let exporter = BuiltProducts.path("cassandra-backup-exporter")

    @Test func everyMetricEqualsTheOracle() throws {
        let temp = try TemporaryDirectory("once")
        defer { temp.remove() }
        let directories = try SimulatedNode.jbodAfterSomeLife(in: temp)
        // With detail, so the user snapshot "before-upgrade" has its per-(table, tag) series too.
        let result = try Command.run(Self.exporter, ["--once", "--collector.snapshot-detail",
                                                     "--cassandra.data-dir", directories[0], "--cassandra.data-dir", directories[1]])
        #expect(result.status == 0, "\(result.stderr)")
        try ExpositionOracle.expectEveryMetricEqualsTheOracle(result.stdout, directories: directories)
    }

    /// `--no-collector.snapshot-detail` turns the detail off again (a unit file's flags overridden
    /// by a drop-in): the user snapshot has no per-(table, tag) series, its per-tag roll-up stays.
    @Test func snapshotDetailHasANoForm() throws {
        let temp = try TemporaryDirectory("once")
        defer { temp.remove() }
        let directories = try SimulatedNode.jbodAfterSomeLife(in: temp)
        let result = try Command.run(Self.exporter, ["--once", "--collector.snapshot-detail", "--no-collector.snapshot-detail",
                                                     "--cassandra.data-dir", directories[0], "--cassandra.data-dir", directories[1]])
        #expect(result.status == 0, "\(result.stderr)")
        let samples = parseExposition(result.stdout)
        #expect(samples.value("cassandra_backup_snapshot_files", ["snapshot": "before-upgrade"]) == nil)
        #expect(samples.value("cassandra_backup_snapshot_tag_files", ["snapshot": "before-upgrade"]) != nil)
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
        (["--collector.runtime.timeout", "soon"], "collector.runtime.timeout"),
        (["--collector.runtime.interval", "-5m"], "collector.runtime.interval"),
        (["--nodetool.timeout", "soon"], "nodetool.timeout"),
        (["--jolokia.url", "ftp://host/jolokia"], "jolokia.url"),
        // Past Go's time.Duration (it crashed the exporter), and past each flag's own bound.
        (["--collector.runtime.timeout", "9223372036854775807ms"], "collector.runtime.timeout"),
        (["--collector.runtime.timeout", "2h"], "--collector.runtime.timeout 2h is longer than 1h"),
        (["--nodetool.timeout", "2h"], "--nodetool.timeout 2h is longer than 1h"),
        (["--nodetool.interval", "1m", "--collector.runtime.interval", "2m"], "--nodetool.interval is the old name of --collector.runtime.interval"),
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
