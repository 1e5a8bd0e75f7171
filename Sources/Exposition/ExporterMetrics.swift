import BackupScan

/// Maps a measurement and the exporter's status onto the metric families of the contract
/// (`docs/metrics.md`).
public enum ExporterMetrics {
    private static let fromScan = "From the background scan, not the scrape."

    /// All metric families for one exposition.
    /// - Parameters:
    ///   - measurement: the last good measurement; `nil` before the first one.
    ///   - lines: the tables' lines of the previous exposition, reused for the tables whose
    ///     measurement did not change (a fresh cache renders every table).
    public static func families(measurement: NodeMeasurement?, status: ExporterStatus,
                                lines: TableLineCache = TableLineCache()) -> ExpositionFamilies {
        var families = ExpositionFamilies(stable: [], volatile: [])
        if let measurement {
            let selection = SnapshotDetailSelection(tables: measurement.tables, detail: status.snapshotDetail,
                                                    maxSeries: status.snapshotDetailMaxSeries)
            let tables = lines.lines(of: measurement.tables, detail: selection.detailed, columns: tableColumns)
            families.stable = lines.stableFamilies {
                // Each sized once (grown by appending: 3 MB transient at 5,000 tables, heaptrack).
                var chunks = tableColumns.map { _ in
                    var column = [String]()
                    column.reserveCapacity(tables.entries.count)
                    return column
                }
                for entry in tables.entries {
                    for (index, chunk) in entry.chunks.enumerated() { chunks[index].append(chunk) }
                }
                return zip(tableColumns, chunks).map { MetricFamily(name: $0.name, help: $0.help, renderedLines: $1) }
                    + snapshotTagFamilies(measurement.tables)
                    + [MetricFamily(name: "cassandra_backup_snapshot_detail_dropped_series",
                                    help: "Per-(table, tag) series of user snapshots not emitted because --collector.snapshot-detail would pass --collector.snapshot-detail.max-series (0 within it, or with detail off).",
                                    samples: [.init(Double(selection.droppedSeries))])]
            }
            families.stableGeneration = tables.generation
            families.volatile += filesystemFamilies(measurement.filesystems)
            families.volatile += stuckFamilies(measurement)
        }
        families.volatile += statusFamilies(status)
        return families
    }

    // MARK: Per table

    private static func tableLabels(_ key: TableKey) -> [(name: String, value: String)] {
        [("data_dir", key.dataDirectory), ("keyspace", key.keyspace), ("table", key.table), ("table_id", key.tableID)]
    }

    /// The label text of a table's series, `data_dir="…",keyspace="…",table="…",table_id="…"`.
    static func tableLabelText(_ key: TableKey) -> String { TextFormat.labelText(tableLabels(key)) }

    /// Every family with a line (or, per snapshot, lines) per table, in the order of
    /// ``TableLineCache``'s chunks.
    static let tableColumns: [TableColumn] = tableValueColumns + restorabilityColumns + snapshotColumns + snapshotRestorabilityColumns
        + tableSnapshotColumns

    private static let tableValueColumns: [TableColumn] = {
        typealias Value = @Sendable (TableMeasurement) -> Double?
        let columns: [(name: String, help: String, value: Value)] = [
            ("cassandra_backup_files", "Regular files under backups/.", { Double($0.backups.files) }),
            ("cassandra_backup_sstables", "*-Data.db files under backups/.", { Double($0.backups.sstables) }),
            ("cassandra_backup_size_bytes", "Apparent size (st_size) of files under backups/, each inode once.",
             { Double($0.backups.sizeBytes) }),
            ("cassandra_backup_allocated_bytes", "Allocated bytes (st_blocks*512) under backups/, each inode once.",
             { Double($0.backups.allocatedBytes) }),
            ("cassandra_backup_exclusive_bytes",
             "Allocated bytes of inodes whose every link is inside this backups/: what clearing it would free.",
             { Double($0.backups.exclusiveBytes) }),
            ("cassandra_backup_compacted_bytes",
             "Allocated bytes under backups/ of inodes that are not a live SSTable file of this table.",
             { Double($0.backupCompactedBytes) }),
            ("cassandra_backup_oldest_file_timestamp_seconds", "Oldest st_mtime under backups/ (absent when empty).",
             { $0.backups.oldestModified }),
            ("cassandra_backup_newest_file_timestamp_seconds", "Newest st_mtime under backups/ (absent when empty).",
             { $0.backups.newestModified }),
            ("cassandra_backup_live_sstables", "*-Data.db files of the live table (table and index directories).",
             { Double($0.liveSSTables) }),
            ("cassandra_backup_live_allocated_bytes",
             "Allocated bytes of regular files in the table directory and its index directories.",
             { Double($0.liveAllocatedBytes) }),
        ]
        return columns.map { column in
            TableColumn(name: column.name, help: "\(column.help) \(fromScan)") { table, labels, _ in
                column.value(table).map { TextFormat.line(column.name, labels: labels, value: $0) } ?? ""
            }
        }
    }()

    /// Per table: whether `backups/` would restore, and the components Cassandra rewrote since
    /// they were linked into `backups/` and the snapshots.
    private static let restorabilityColumns: [TableColumn] = [
        TableColumn(name: "cassandra_backup_incomplete_sstables",
                    help: "Settled SSTables under backups/ lacking Data.db, their primary index, TOC.txt or a component TOC.txt lists. \(fromScan)") { table, labels, _ in
            TextFormat.line("cassandra_backup_incomplete_sstables", labels: labels, value: Double(table.backupSSTables.incomplete))
        },
        TableColumn(name: "cassandra_backup_pending_sstables",
                    help: "SSTables under backups/ not judged yet: a component, or for an incomplete one its directory, changed within --collector.sstable-settle. \(fromScan)") { table, labels, _ in
            TextFormat.line("cassandra_backup_pending_sstables", labels: labels, value: Double(table.backupSSTables.pending))
        },
        TableColumn(name: "cassandra_backup_rewritten_components",
                    help: "Components in backups/ (set=backups) or the table's snapshots (set=snapshots) whose same-named live file now has another inode (Cassandra rewrote it); directory entries. \(fromScan)") { table, labels, _ in
            TextFormat.line("cassandra_backup_rewritten_components", labels: labels + ",set=\"backups\"",
                            value: Double(table.backupSSTables.rewrittenComponents))
                + TextFormat.line("cassandra_backup_rewritten_components", labels: labels + ",set=\"snapshots\"",
                                  value: Double(table.snapshotRewrittenComponents))
        },
    ]

    // MARK: Per snapshot

    /// The label text of a snapshot's series: the table's labels, `snapshot` and `origin`.
    private static func snapshotLabels(_ labels: String, _ snapshot: SnapshotMeasurement) -> String {
        labels + "," + TextFormat.labelText([("snapshot", snapshot.tag), ("origin", snapshot.origin.rawValue)])
    }

    /// Per (table, tag), as the other snapshot series: whether the snapshot would restore. The
    /// verdict is the table's across every data directory holding a part of the snapshot.
    private static let snapshotRestorabilityColumns: [TableColumn] = [
        TableColumn(name: "cassandra_backup_snapshot_incomplete_sstables",
                    help: "Settled SSTables of this part of the snapshot lacking a component. User snapshots only with --collector.snapshot-detail. \(fromScan)") { table, labels, detail in
            table.snapshots.filter { detail || $0.origin.isAutomatic }.map { snapshot in
                TextFormat.line("cassandra_backup_snapshot_incomplete_sstables", labels: snapshotLabels(labels, snapshot),
                                value: Double(snapshot.sstables.incomplete))
            }.sorted().joined()
        },
        TableColumn(name: "cassandra_backup_snapshot_unrestorable",
                    help: "1 when the table's snapshot with this tag would not restore, by reason (incomplete_sstable, missing_file, no_manifest, no_schema), judged across data directories. User snapshots only with --collector.snapshot-detail. \(fromScan)") { table, labels, detail in
            table.snapshots.filter { detail || $0.origin.isAutomatic }.flatMap { snapshot in
                RestoreProblems.reasons.map { reason in
                    TextFormat.line("cassandra_backup_snapshot_unrestorable", labels: snapshotLabels(labels, snapshot) + ",reason=\"\(reason.label)\"",
                                    value: snapshot.problems.contains(reason.problem) ? 1 : 0)
                }
            }.sorted().joined()
        },
    ]

    /// The per-(table, tag) series ``snapshotColumns`` and ``snapshotRestorabilityColumns`` give a
    /// table's user snapshots in detail mode: what ``SnapshotDetailSelection`` budgets.
    static func userSnapshotSeries(of table: TableMeasurement) -> Int {
        table.snapshots.reduce(0) { sum, snapshot in
            guard !snapshot.origin.isAutomatic else { return sum }
            return sum + snapshotValues.count { $0.value(snapshot) != nil } + 1 + RestoreProblems.reasons.count
        }
    }

    /// The values of ``snapshotColumns``: a line per snapshot where the value exists.
    private static let snapshotValues: [(name: String, help: String, value: @Sendable (SnapshotMeasurement) -> Double?)] = [
        ("cassandra_backup_snapshot_files", "Regular files in the snapshot.", { Double($0.usage.files) }),
        ("cassandra_backup_snapshot_size_bytes", "Apparent size of the snapshot, each inode once.",
         { Double($0.usage.sizeBytes) }),
        ("cassandra_backup_snapshot_allocated_bytes", "Allocated bytes of the snapshot, each inode once.",
         { Double($0.usage.allocatedBytes) }),
        ("cassandra_backup_snapshot_exclusive_bytes",
         "Allocated bytes of inodes whose every link is inside this snapshot: what clearing it would free.",
         { Double($0.usage.exclusiveBytes) }),
        ("cassandra_backup_snapshot_created_timestamp_seconds",
         "created_at from manifest.json, else the snapshot directory's mtime.", { $0.createdAt }),
        ("cassandra_backup_snapshot_expires_timestamp_seconds",
         "expires_at from manifest.json (a snapshot taken with a TTL); absent without one.", { $0.expiresAt }),
    ]

    /// Per (table, tag): every automatic snapshot, and user snapshots only with `detail`
    /// (`--collector.snapshot-detail`): tables times tags is what a retention multiplies.
    private static let snapshotColumns: [TableColumn] = snapshotValues.map { column in
        TableColumn(name: column.name,
                    help: "\(column.help) User snapshots only with --collector.snapshot-detail. \(fromScan)") { table, labels, detail in
            var lines: [String] = []
            for snapshot in table.snapshots where detail || snapshot.origin.isAutomatic {
                guard let value = column.value(snapshot) else { continue }
                lines.append(TextFormat.line(column.name, labels: snapshotLabels(labels, snapshot), value: value))
            }
            return lines.sorted().joined()
        }
    }

    /// Per table, all its snapshots together.
    private static let tableSnapshotColumns: [TableColumn] = {
        typealias Value = @Sendable (TableMeasurement) -> Double
        let columns: [(name: String, help: String, value: Value)] = [
            ("cassandra_backup_table_snapshots", "Snapshot directories of the table.", { Double($0.snapshots.count) }),
            ("cassandra_backup_table_snapshots_allocated_bytes",
             "Allocated bytes of the table's snapshots, each inode once across all of them.", { Double($0.allSnapshots.allocatedBytes) }),
            ("cassandra_backup_table_snapshots_exclusive_bytes",
             "Allocated bytes of inodes whose every link is inside the table's snapshots/: what clearing them all would free.",
             { Double($0.allSnapshots.exclusiveBytes) }),
        ]
        return columns.map { column in
            TableColumn(name: column.name, help: "\(column.help) \(fromScan)") { table, labels, _ in
                TextFormat.line(column.name, labels: labels, value: column.value(table))
            }
        }
    }()

    /// Per tag across the node (labels `snapshot`, `origin`): what `nodetool clearsnapshot -t <tag>` concerns.
    private static func snapshotTagFamilies(_ tables: [TableMeasurement]) -> [MetricFamily] {
        let rollUps = SnapshotTagRollUp.of(tables)
        typealias Value = (SnapshotTagRollUp) -> Double?
        let columns: [(name: String, help: String, value: Value)] = [
            ("cassandra_backup_snapshot_tag_tables", "Tables holding a snapshot with this tag.", { Double($0.tables) }),
            ("cassandra_backup_snapshot_tag_files", "Regular files in the tag's snapshots, summed over the tables.",
             { Double($0.usage.files) }),
            ("cassandra_backup_snapshot_tag_size_bytes", "Apparent size of the tag's snapshots, summed over the tables.",
             { Double($0.usage.sizeBytes) }),
            ("cassandra_backup_snapshot_tag_allocated_bytes", "Allocated bytes of the tag's snapshots, summed over the tables.",
             { Double($0.usage.allocatedBytes) }),
            ("cassandra_backup_snapshot_tag_exclusive_bytes",
             "Exclusive bytes of the tag's snapshots, summed over the tables: what clearsnapshot -t <tag> frees on this node.",
             { Double($0.usage.exclusiveBytes) }),
            ("cassandra_backup_snapshot_tag_created_timestamp_seconds", "The earliest creation time over the tag's snapshots.",
             { $0.createdAt }),
            ("cassandra_backup_snapshot_tag_expires_timestamp_seconds",
             "The earliest expires_at over the tag's snapshots; absent when none has one.", { $0.expiresAt }),
        ]
        return columns.map { column in
            MetricFamily(name: column.name, help: "\(column.help) \(fromScan)", samples: rollUps.compactMap { rollUp in
                column.value(rollUp).map { .init([("snapshot", rollUp.tag), ("origin", rollUp.origin.rawValue)], $0) }
            })
        } + [
            MetricFamily(name: "cassandra_backup_snapshot_tag_incomplete_sstables",
                         help: "Settled SSTables of the tag's snapshots, over every table and data directory, lacking a component. \(fromScan)",
                         samples: rollUps.map { .init([("snapshot", $0.tag), ("origin", $0.origin.rawValue)], Double($0.incompleteSSTables)) }),
            MetricFamily(name: "cassandra_backup_snapshot_tag_unrestorable_tables",
                         help: "Tables holding the tag whose snapshot would not restore, by reason (incomplete_sstable, missing_file, no_manifest, no_schema), judged across data directories. \(fromScan)",
                         samples: rollUps.flatMap { rollUp in
                             RestoreProblems.reasons.map { reason in
                                 .init([("snapshot", rollUp.tag), ("origin", rollUp.origin.rawValue), ("reason", reason.label)],
                                       Double(rollUp.unrestorableTables[reason.label, default: 0]))
                             }
                         }),
        ]
    }

    // MARK: Filesystems

    private static func filesystemFamilies(_ filesystems: [DataDirectoryFilesystem]) -> [MetricFamily] {
        [
            MetricFamily(name: "cassandra_backup_filesystem_avail_bytes",
                         help: "statvfs f_bavail*f_frsize of the data directory's filesystem. \(fromScan)",
                         samples: filesystems.map { .init([("data_dir", $0.dataDirectory)], Double($0.usage.availableBytes)) }),
            MetricFamily(name: "cassandra_backup_filesystem_size_bytes",
                         help: "statvfs f_blocks*f_frsize of the data directory's filesystem. \(fromScan)",
                         samples: filesystems.map { .init([("data_dir", $0.dataDirectory)], Double($0.usage.sizeBytes)) }),
            MetricFamily(name: "cassandra_backup_filesystem_readonly",
                         help: "1 when the data directory's filesystem is mounted read-only (statvfs ST_RDONLY). \(fromScan)",
                         samples: filesystems.map { .init([("data_dir", $0.dataDirectory)], $0.usage.readOnly ? 1 : 0) }),
        ]
    }

    // MARK: Stuck walks

    private static func stuckFamilies(_ measurement: NodeMeasurement) -> [MetricFamily] {
        [
            MetricFamily(name: "cassandra_backup_data_dir_stuck",
                         help: "1 while a statvfs, listing or table walk in the data directory has not returned within --collector.walk-timeout; its last values are served meanwhile. \(fromScan)",
                         samples: measurement.dataDirectories.map { .init([("data_dir", $0.dataDirectory)], $0.stuck ? 1 : 0) }),
            MetricFamily(name: "cassandra_backup_table_stuck_seconds",
                         help: "Seconds since the table's walk started, present only while it has not returned within --collector.walk-timeout; the table's series keep their last values. \(fromScan)",
                         samples: measurement.stuckTables.map { .init(tableLabels($0.key), $0.seconds) }),
        ]
    }

    // MARK: Exporter health

    private static func statusFamilies(_ status: ExporterStatus) -> [MetricFamily] {
        var families = [
            MetricFamily(name: "cassandra_backup_incremental_enabled",
                         help: "1 when incremental backup is enabled, by source (config: cassandra.yaml, runtime: the live node). \(fromScan)",
                         samples: status.incrementalEnabled.map { .init([("source", $0.key.rawValue)], $0.value ? 1 : 0) }),
            MetricFamily(name: "cassandra_backup_state_probe_success",
                         help: "1 when the last read of that incremental-backup state source worked. \(fromScan)",
                         samples: status.stateProbeSucceeded.map { .init([("source", $0.key.rawValue)], $0.value ? 1 : 0) }),
            MetricFamily(name: "cassandra_backup_state_probe_duration_seconds",
                         help: "Wall time of the last read of that incremental-backup state source (config: cassandra.yaml; runtime: nodetool or Jolokia).",
                         samples: StateSource.allCases.compactMap { source in
                             status.stateProbeDuration[source].map { .init([("source", source.rawValue)], $0) }
                         }),
            MetricFamily(name: "cassandra_backup_scan_errors_total",
                         help: "Entries skipped by scans since start, by reason. \(fromScan)", kind: .counter,
                         samples: ScanErrorReason.allCases.map { .init([("reason", $0.rawValue)], Double(status.scanErrorsTotal[$0])) }),
            MetricFamily(name: "cassandra_backup_exporter_build_info",
                         help: "Constant 1, labelled with the exporter's version, revision and Swift version.", kind: .info,
                         samples: [.init([("version", status.build.version), ("revision", status.build.revision),
                                          ("swift_version", status.build.swiftVersion)], 1)]),
        ]
        if let succeeded = status.lastScanSucceeded {
            families.append(MetricFamily(name: "cassandra_backup_scan_success",
                                         help: "1 when the last scan finished, 0 when it failed (the last good values are still served).",
                                         samples: [.init(succeeded ? 1 : 0)]))
        }
        if let duration = status.lastScanDuration {
            families.append(MetricFamily(name: "cassandra_backup_scan_duration_seconds",
                                         help: "Wall time of the last finished scan.", samples: [.init(duration)]))
        }
        if let wait = status.lastScanBudgetWait {
            families.append(MetricFamily(name: "cassandra_backup_scan_budget_wait_seconds",
                                         help: "Time --collector.max-stat-rate held the last successful scan's directory reads and fstatat calls back, summed over the walking threads.",
                                         samples: [.init(wait)]))
        }
        if let walked = status.tablesWalked, let reused = status.tablesReused {
            families.append(MetricFamily(name: "cassandra_backup_scan_tables",
                                         help: "Table directories in the last successful scan: walked, backups_listed (only backups/ had changed and was listed again), or reused because none of their directories changed.",
                                         samples: [.init([("result", "walked")], Double(walked)),
                                                   .init([("result", "backups_listed")], Double(status.tablesBackupsListed ?? 0)),
                                                   .init([("result", "reused")], Double(reused))]))
        }
        if let interval = status.collectorInterval {
            families.append(MetricFamily(name: "cassandra_backup_collector_interval_seconds",
                                         help: "The configured time between scans (--collector.interval).",
                                         samples: [.init(interval)]))
        }
        if let timestamp = status.lastSuccessTimestamp {
            families.append(MetricFamily(name: "cassandra_backup_scan_last_success_timestamp_seconds",
                                         help: "End time of the last successful scan, seconds since the epoch.",
                                         samples: [.init(timestamp)]))
        }
        families += configReloadFamilies(status.configReloads)
        if let process = status.process {
            families += processFamilies(process)
        }
        return families
    }

    private static func configReloadFamilies(_ reloads: [ConfigFileKind: ConfigReloadStatus]) -> [MetricFamily] {
        guard !reloads.isEmpty else { return [] }
        let files = ConfigFileKind.allCases.compactMap { kind in reloads[kind].map { (kind, $0) } }
        return [
            MetricFamily(name: "cassandra_backup_exporter_config_last_reload_successful",
                         help: "1 when the last read of the exporter's configuration file (and the files it names) worked; 0 means the last good settings are still in force.",
                         samples: files.map { .init([("file", $0.0.rawValue)], $0.1.successful ? 1 : 0) }),
            MetricFamily(name: "cassandra_backup_exporter_config_last_reload_success_timestamp_seconds",
                         help: "When the settings in force were read successfully (start-up, a change, or the end of a run of failures), seconds since the epoch.",
                         samples: files.map { .init([("file", $0.0.rawValue)], $0.1.lastSuccessTimestamp) }),
        ]
    }

    private static func processFamilies(_ process: ProcessStats) -> [MetricFamily] {
        var families = [
            MetricFamily(name: "process_resident_memory_bytes", help: "Resident memory size in bytes.",
                         samples: [.init(process.residentMemoryBytes)]),
            MetricFamily(name: "process_virtual_memory_bytes", help: "Virtual memory size in bytes.",
                         samples: [.init(process.virtualMemoryBytes)]),
            MetricFamily(name: "process_cpu_seconds_total", help: "Total user and system CPU time spent in seconds.",
                         kind: .counter, samples: [.init(process.cpuSecondsTotal)]),
            MetricFamily(name: "process_open_fds", help: "Number of open file descriptors.",
                         samples: [.init(process.openFileDescriptors)]),
            MetricFamily(name: "process_start_time_seconds",
                         help: "Start time of the process since unix epoch in seconds.",
                         samples: [.init(process.startTimeSeconds)]),
        ]
        if let max = process.maxFileDescriptors {
            families.append(MetricFamily(name: "process_max_fds", help: "Maximum number of open file descriptors.",
                                         samples: [.init(max)]))
        }
        return families
    }
}
