import BackupScan
import Exposition
import FoundationEssentials
import Logging

/// What the exporter publishes after a collection: the last good measurement and its own status.
public struct CollectorState: Sendable {
    /// The last successful scan's measurement; kept when a later scan fails.
    public var measurement: NodeMeasurement?
    public var status: ExporterStatus

    /// - Parameter interval: the configured time between scans, exported for alerting.
    /// - Parameter snapshotDetail: emit per-(table, tag) series for user snapshots too, at most
    ///   `snapshotDetailMaxSeries` of them (0: no limit).
    public init(build: BuildInfo, interval: Duration? = nil, snapshotDetail: Bool = false,
                snapshotDetailMaxSeries: Int = SnapshotDetailSelection.defaultMaxSeries) {
        status = ExporterStatus(build: build)
        status.collectorInterval = interval?.seconds
        status.snapshotDetail = snapshotDetail
        status.snapshotDetailMaxSeries = snapshotDetailMaxSeries
    }
}

/// What the collector keeps for its own next scan and publishes to no one.
public struct ScanMemory: Sendable {
    /// What the next scan may reuse; `nil` forces a full walk.
    var cache: ScanCache?
    /// Scans since the last full walk.
    var scansSinceFullWalk = 0

    public init() {}
}

/// One collection step: read cassandra.yaml, scan the data directories, update the state.
///
/// Blocking (it walks the disk): callers run it off the concurrency pool, one at a time.
public struct Collector: Sendable {
    public let scanner: DataDirectoryScanner
    /// cassandra.yaml to re-read at each collection; `nil` when none is configured.
    public let configPath: String?
    public let logger: Logger
    /// Every this many scans every table is walked, whatever the cache says; 1 never reuses.
    public let fullScanEvery: Int

    public init(scanner: DataDirectoryScanner, configPath: String?, logger: Logger, fullScanEvery: Int = 60) {
        self.scanner = scanner
        self.configPath = configPath
        self.logger = logger
        self.fullScanEvery = max(1, fullScanEvery)
    }

    /// Collects once and returns the state that follows `previous`; `memory` is what the previous
    /// scans left for this one (a fresh ``ScanMemory`` walks every table).
    public func collect(after previous: CollectorState, memory: inout ScanMemory) -> CollectorState {
        var state = previous
        readConfig(into: &state.status)

        // Rule 7 of ScanCache: no reuse at start, after a failed scan, or on every Nth scan.
        let fullWalk = memory.cache == nil || memory.scansSinceFullWalk + 1 >= fullScanEvery
        let start = ContinuousClock.now
        let result = Result { () throws(DataDirectoryScanner.Failure) in try scanner.scan(reusing: fullWalk ? nil : memory.cache, previous: state.measurement) }
        state.status.lastScanDuration = (ContinuousClock.now - start).seconds
        switch result {
        case .success(let scan):
            let measurement = scan.measurement
            state.measurement = measurement
            memory.cache = scan.cache
            memory.scansSinceFullWalk = fullWalk ? 0 : memory.scansSinceFullWalk + 1
            state.status.tablesWalked = scan.tablesWalked
            state.status.tablesBackupsListed = scan.tablesBackupsListed
            state.status.tablesReused = scan.tablesReused
            state.status.lastScanBudgetWait = scanner.budget == nil ? nil : scan.budgetWait.seconds
            state.status.lastScanSucceeded = true
            state.status.lastSuccessTimestamp = Date().timeIntervalSince1970
            state.status.scanErrorsTotal.add(measurement.errors)
            logger.debug("scan finished", metadata: [
                "tables_walked": "\(scan.tablesWalked)",
                "tables_backups_listed": "\(scan.tablesBackupsListed)",
                "tables_reused": "\(scan.tablesReused)",
                "seconds": "\(state.status.lastScanDuration ?? 0)",
                "skipped": "\(measurement.errors.total)",
            ])
        case .failure(let failure):
            state.status.lastScanSucceeded = false
            state.status.scanErrorsTotal.add(failure.errors)
            memory.cache = nil
            logger.error("scan failed; serving the last good values", metadata: ["error": "\(failure)"])
        }
        state.status.process = ProcessStatsReader.read()
        return state
    }

    private func readConfig(into status: inout ExporterStatus) {
        guard let configPath else { return }
        let started = ContinuousClock.now
        defer { status.stateProbeDuration[.config] = (ContinuousClock.now - started).seconds }
        do {
            let config = try CassandraConfig.reload(path: configPath)
            status.incrementalEnabled[.config] = config.incrementalBackups
            status.stateProbeSucceeded[.config] = true
        } catch {
            status.stateProbeSucceeded[.config] = false
            logger.warning("cannot read cassandra.yaml; keeping the last good value", metadata: ["error": "\(error)"])
        }
    }
}
