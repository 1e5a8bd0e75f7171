import BackupScan
import Exposition
import Foundation
import Testing
import TestSupport

/// The mapping from a measurement to the contract's metric names and labels, over a tree
/// scanned for real.
@Suite struct ExporterMetricsTests {
    static let build = BuildInfo(version: "1.2.3", revision: "abc", swiftVersion: "6.3")

    @Test func everyContractMetricIsPresentWithItsLabels() throws {
        let temp = try TemporaryDirectory("metrics")
        defer { temp.remove() }
        let tree = FixtureBuilder(root: temp.path)
        let table = FixtureBuilder.table(in: "")
        try tree.flushedSSTable(in: table, size: 5000)
        try tree.link("\(table)/snapshots/s1/nb-1-big-Data.db", to: "\(table)/nb-1-big-Data.db")
        try tree.link("\(table)/snapshots/truncated-1700000000000-t/nb-1-big-Data.db", to: "\(table)/nb-1-big-Data.db")
        let measurement = try DataDirectoryScanner(dataDirectories: [temp.path]).scan()

        var status = ExporterStatus(build: Self.build)
        status.lastScanSucceeded = true
        status.lastScanDuration = 0.5
        status.lastSuccessTimestamp = 1_700_000_000
        status.incrementalEnabled = [.config: false, .runtime: true]
        status.stateProbeSucceeded = [.config: true, .runtime: true]
        status.configReloads = [.web: ConfigReloadStatus(successful: false, lastSuccessTimestamp: 1_699_999_000)]
        status.stateProbeDuration = [.config: 0.002, .runtime: 1.5]
        let text = TextFormat.render(ExporterMetrics.families(measurement: measurement, status: status).all)
        let samples = parseExposition(text)
        let labels = ["data_dir": temp.path, "keyspace": "ks", "table": "t", "table_id": "0123456789abcdef0123456789abcdef"]

        for name in ["cassandra_backup_files", "cassandra_backup_sstables", "cassandra_backup_size_bytes",
                     "cassandra_backup_allocated_bytes", "cassandra_backup_exclusive_bytes", "cassandra_backup_compacted_bytes",
                     "cassandra_backup_oldest_file_timestamp_seconds", "cassandra_backup_newest_file_timestamp_seconds",
                     "cassandra_backup_live_sstables", "cassandra_backup_live_allocated_bytes"] {
            #expect(samples.value(name, labels) != nil, "\(name)")
        }
        // Per (table, tag): the automatic snapshot by default; the user snapshot only with detail.
        status.snapshotDetail = true
        let detailed = parseExposition(TextFormat.render(ExporterMetrics.families(measurement: measurement, status: status).all))
        for name in ["cassandra_backup_snapshot_files", "cassandra_backup_snapshot_size_bytes",
                     "cassandra_backup_snapshot_allocated_bytes", "cassandra_backup_snapshot_exclusive_bytes",
                     "cassandra_backup_snapshot_created_timestamp_seconds"] {
            #expect(samples.value(name, labels.merging(["snapshot": "truncated-1700000000000-t", "origin": "truncated"]) { $1 }) != nil, "\(name)")
            #expect(samples.value(name, labels.merging(["snapshot": "s1"]) { $1 }) == nil, "\(name)")
            #expect(detailed.value(name, labels.merging(["snapshot": "s1", "origin": "user"]) { $1 }) != nil, "\(name)")
        }
        for name in ["cassandra_backup_table_snapshots", "cassandra_backup_table_snapshots_allocated_bytes",
                     "cassandra_backup_table_snapshots_exclusive_bytes"] {
            #expect(samples.value(name, labels) != nil, "\(name)")
        }
        for name in ["cassandra_backup_snapshot_tag_tables", "cassandra_backup_snapshot_tag_files", "cassandra_backup_snapshot_tag_size_bytes",
                     "cassandra_backup_snapshot_tag_allocated_bytes", "cassandra_backup_snapshot_tag_exclusive_bytes",
                     "cassandra_backup_snapshot_tag_created_timestamp_seconds"] {
            #expect(samples.value(name, ["snapshot": "s1", "origin": "user"]) != nil, "\(name)")
        }
        #expect(samples.value("cassandra_backup_table_snapshots", labels) == 2)
        #expect(samples.value("cassandra_backup_files", labels) == 1)
        #expect(samples.value("cassandra_backup_incremental_enabled", ["source": "config"]) == 0)
        #expect(samples.value("cassandra_backup_incremental_enabled", ["source": "runtime"]) == 1)
        #expect(samples.value("cassandra_backup_state_probe_success", ["source": "config"]) == 1)
        #expect(samples.value("cassandra_backup_filesystem_avail_bytes", ["data_dir": temp.path]) != nil)
        #expect(samples.value("cassandra_backup_filesystem_size_bytes", ["data_dir": temp.path]) != nil)
        #expect(samples.value("cassandra_backup_filesystem_readonly", ["data_dir": temp.path]) == 0)
        #expect(samples.value("cassandra_backup_data_dir_stuck", ["data_dir": temp.path]) == 0)
        #expect(samples.value("cassandra_backup_table_stuck_seconds") == nil, "present only while a walk is stuck")
        #expect(samples.value("cassandra_backup_scan_duration_seconds") == 0.5)
        #expect(samples.value("cassandra_backup_scan_success") == 1)
        #expect(samples.value("cassandra_backup_scan_last_success_timestamp_seconds") == 1_700_000_000)
        #expect(samples.value("cassandra_backup_scan_errors_total", ["reason": "vanished"]) == 0)
        #expect(samples.value("cassandra_backup_exporter_build_info", ["version": "1.2.3", "revision": "abc", "swift_version": "6.3"]) == 1)
        #expect(samples.value("cassandra_backup_exporter_config_last_reload_successful", ["file": "web"]) == 0)
        #expect(samples.value("cassandra_backup_state_probe_duration_seconds", ["source": "runtime"]) == 1.5)
        #expect(samples.value("cassandra_backup_exporter_config_last_reload_success_timestamp_seconds", ["file": "web"]) == 1_699_999_000)
        // HELP lines of scan-derived metrics say where the values come from.
        #expect(text.contains("# HELP cassandra_backup_files Regular files under backups/. From the background scan, not the scrape."))
        let lint = try Command.run("promtool", ["check", "metrics"], stdin: text)
        #expect(lint.status == 0 && lint.stdout.isEmpty && lint.stderr.isEmpty, "\(lint.stdout)\(lint.stderr)")
    }

    /// `--collector.snapshot-detail.max-series`: whole tables in order, each with all its user
    /// snapshots, until the next would pass the budget; the rest are counted, and automatic
    /// snapshots keep their series. A user snapshot's part has 10 series here (docs/metrics.md:
    /// five values without an expiry, one incomplete count, four unrestorable reasons).
    @Test func snapshotDetailStaysWithinItsSeriesBudget() throws {
        let temp = try TemporaryDirectory("budget")
        defer { temp.remove() }
        let tree = FixtureBuilder(root: temp.path)
        let ids = ["11111111111111111111111111111111", "22222222222222222222222222222222", "33333333333333333333333333333333"]
        for id in ids {
            let table = FixtureBuilder.table("ks", "t", id: id, in: "")
            try tree.flushedSSTable(in: table, size: 4096)
            for tag in ["daily-1", "daily-2", "truncated-1700000000000-t"] {
                try tree.link("\(table)/snapshots/\(tag)/nb-1-big-Data.db", to: "\(table)/nb-1-big-Data.db")
            }
        }
        let measurement = try DataDirectoryScanner(dataDirectories: [temp.path]).scan()
        var status = ExporterStatus(build: Self.build)
        status.snapshotDetail = true
        func render(budget: Int) -> [ExposedSample] {
            status.snapshotDetailMaxSeries = budget
            return parseExposition(TextFormat.render(ExporterMetrics.families(measurement: measurement, status: status).all))
        }
        func userSeries(_ samples: [ExposedSample]) -> [String: Int] {
            samples.filter { $0.labels["origin"] == "user" && $0.labels["table_id"] != nil }
                .reduce(into: [:]) { $0[$1.labels["table_id"]!, default: 0] += 1 }
        }
        for (budget, detailedTables) in [(0, 3), (60, 3), (59, 2), (40, 2), (39, 1), (20, 1), (19, 0)] {
            let samples = render(budget: budget)
            let expected = Dictionary(uniqueKeysWithValues: ids.prefix(detailedTables).map { ($0, 20) })
            #expect(userSeries(samples) == expected, "budget \(budget)")
            #expect(samples.value("cassandra_backup_snapshot_detail_dropped_series") == Double((3 - detailedTables) * 20), "budget \(budget)")
            let automatic = samples.filter { $0.name == "cassandra_backup_snapshot_files" && $0.labels["origin"] == "truncated" }
            #expect(automatic.count == 3, "automatic snapshots are outside the budget")
        }
        status.snapshotDetail = false
        #expect(render(budget: 1).value("cassandra_backup_snapshot_detail_dropped_series") == 0)
    }

    @Test func emptyBackupsHaveNoTimestampSeries() throws {
        let temp = try TemporaryDirectory("metrics")
        defer { temp.remove() }
        try FixtureBuilder(root: temp.path).file("ks/t-0123456789abcdef0123456789abcdef/nb-1-big-Data.db", size: 10)
        let measurement = try DataDirectoryScanner(dataDirectories: [temp.path]).scan()
        let samples = parseExposition(TextFormat.render(ExporterMetrics.families(measurement: measurement, status: ExporterStatus(build: Self.build)).all))
        #expect(samples.value("cassandra_backup_files") == 0)
        #expect(samples.value("cassandra_backup_oldest_file_timestamp_seconds") == nil)
        #expect(samples.value("cassandra_backup_newest_file_timestamp_seconds") == nil)
        // Without a config source there is no config series at all.
        #expect(samples.value("cassandra_backup_incremental_enabled") == nil)
        // Without --web.config.file no reload series.
        #expect(samples.value("cassandra_backup_exporter_config_last_reload_successful") == nil)
    }
}
