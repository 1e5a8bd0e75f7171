import BackupScan

/// Everything besides the table measurement that goes into one exposition.
public struct ExporterStatus: Sendable {
    /// Outcome of the most recent scan.
    public var lastScanSucceeded: Bool?
    /// Wall time of the most recent finished scan, in seconds.
    public var lastScanDuration: Double?
    /// End time of the most recent successful scan, seconds since the epoch.
    public var lastSuccessTimestamp: Double?
    /// How long `--collector.max-stat-rate` held the last scan back, in seconds summed over the
    /// walking threads; `nil` when no budget is set.
    public var lastScanBudgetWait: Double?
    /// Tables walked, tables of which only `backups/` was listed again, and tables reused
    /// unchanged in the last successful scan.
    public var tablesWalked: Int?
    public var tablesBackupsListed: Int?
    public var tablesReused: Int?
    /// The configured time between scans, in seconds.
    public var collectorInterval: Double?
    /// Whether per-(table, tag) series are emitted for user snapshots too (`--collector.snapshot-detail`).
    public var snapshotDetail = false
    /// The most per-(table, tag) series user snapshots may add with ``snapshotDetail``
    /// (`--collector.snapshot-detail.max-series`); 0: no limit.
    public var snapshotDetailMaxSeries = SnapshotDetailSelection.defaultMaxSeries
    /// Entries skipped since start, by reason.
    public var scanErrorsTotal = ScanErrorCounts()
    /// Whether incremental backup is enabled, per source; a source that was never read
    /// successfully is absent.
    public var incrementalEnabled: [StateSource: Bool] = [:]
    /// Whether the last read of each configured source worked.
    public var stateProbeSucceeded: [StateSource: Bool] = [:]
    /// Wall time of the last read of each configured source, in seconds.
    public var stateProbeDuration: [StateSource: Double] = [:]
    /// The exporter's own configuration files re-read while it runs (`--web.config.file`); a
    /// file not configured is absent.
    public var configReloads: [ConfigFileKind: ConfigReloadStatus] = [:]
    public var build: BuildInfo
    public var process: ProcessStats?

    public init(build: BuildInfo) {
        self.build = build
    }
}

/// Identifies the exporter binary.
public struct BuildInfo: Sendable {
    public let version: String
    public let revision: String
    public let swiftVersion: String

    public init(version: String, revision: String, swiftVersion: String) {
        self.version = version
        self.revision = revision
        self.swiftVersion = swiftVersion
    }
}

/// The standard `process_*` figures.
public struct ProcessStats: Sendable {
    public var residentMemoryBytes: Double
    public var virtualMemoryBytes: Double
    public var cpuSecondsTotal: Double
    public var openFileDescriptors: Double
    public var maxFileDescriptors: Double?
    public var startTimeSeconds: Double

    public init(residentMemoryBytes: Double, virtualMemoryBytes: Double, cpuSecondsTotal: Double,
                openFileDescriptors: Double, maxFileDescriptors: Double?, startTimeSeconds: Double) {
        self.residentMemoryBytes = residentMemoryBytes
        self.virtualMemoryBytes = virtualMemoryBytes
        self.cpuSecondsTotal = cpuSecondsTotal
        self.openFileDescriptors = openFileDescriptors
        self.maxFileDescriptors = maxFileDescriptors
        self.startTimeSeconds = startTimeSeconds
    }
}

/// Where the incremental-backup setting was read: the `source` label of
/// `cassandra_backup_incremental_enabled` and `cassandra_backup_state_probe_success`.
public enum StateSource: String, Sendable, CaseIterable {
    /// `incremental_backups` in cassandra.yaml, what the node does after a restart.
    case config
    /// The running node, through nodetool or Jolokia.
    case runtime
}

/// A configuration file of the exporter's own that is re-read while it runs: the `file` label of
/// `cassandra_backup_exporter_config_last_reload_successful`. cassandra.yaml is Cassandra's and
/// reports through `cassandra_backup_state_probe_success{source="config"}`.
public enum ConfigFileKind: String, Sendable, CaseIterable {
    /// `--web.config.file` and the certificate files it names.
    case web
}

/// The outcome of the latest re-read of a configuration file, as Prometheus reports its own
/// (`prometheus_config_last_reload_successful`).
public struct ConfigReloadStatus: Sendable, Equatable {
    /// Whether the latest read and parse worked; false means the last good settings are in force.
    public var successful: Bool
    /// When the settings in force were read: at start-up, then at each successful read that
    /// changed them or ended a run of failures. Seconds since the epoch.
    public var lastSuccessTimestamp: Double

    public init(successful: Bool, lastSuccessTimestamp: Double) {
        self.successful = successful
        self.lastSuccessTimestamp = lastSuccessTimestamp
    }
}
