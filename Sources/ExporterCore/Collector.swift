import BackupScan
import Exposition
import Foundation
import Logging

/// What the exporter knows after a collection: the last good measurement and its own status.
public struct CollectorState: Sendable {
    /// The last successful scan's measurement; kept when a later scan fails.
    public var measurement: NodeMeasurement?
    public var status: ExporterStatus

    /// - Parameter interval: the configured time between scans, exported for alerting.
    public init(build: BuildInfo, interval: Duration? = nil) {
        status = ExporterStatus(build: build)
        status.collectorInterval = interval?.seconds
    }
}

/// One collection step: read cassandra.yaml, scan the data directories, update the state.
///
/// Blocking (it walks the disk): callers run it off the concurrency pool, one at a time.
public struct Collector: Sendable {
    public let scanner: DataDirectoryScanner
    /// cassandra.yaml to re-read at each collection; `nil` when none is configured.
    public let configPath: String?
    public let logger: Logger

    public init(scanner: DataDirectoryScanner, configPath: String?, logger: Logger) {
        self.scanner = scanner
        self.configPath = configPath
        self.logger = logger
    }

    /// Collects once and returns the state that follows `previous`.
    public func collect(after previous: CollectorState) -> CollectorState {
        var state = previous
        readConfig(into: &state.status)

        let start = ContinuousClock.now
        let result = Result { () throws(DataDirectoryScanner.Failure) in try scanner.scan() }
        state.status.lastScanDuration = (ContinuousClock.now - start).seconds
        switch result {
        case .success(let measurement):
            state.measurement = measurement
            state.status.lastScanSucceeded = true
            state.status.lastSuccessTimestamp = Date().timeIntervalSince1970
            state.status.skippedTotal.add(measurement.errors)
            logger.debug("scan finished", metadata: [
                "tables": "\(measurement.tables.count)",
                "seconds": "\(state.status.lastScanDuration ?? 0)",
                "skipped": "\(measurement.errors.total)",
            ])
        case .failure(let failure):
            state.status.lastScanSucceeded = false
            logger.error("scan failed; serving the last good values", metadata: ["error": "\(failure)"])
        }
        state.status.process = ProcessStatsReader.read()
        return state
    }

    private func readConfig(into status: inout ExporterStatus) {
        guard let configPath else { return }
        do {
            let config = try CassandraConfig.load(path: configPath)
            status.incrementalEnabled["config"] = config.incrementalBackups
            status.stateProbeSucceeded["config"] = true
        } catch {
            status.stateProbeSucceeded["config"] = false
            logger.warning("cannot read cassandra.yaml; keeping the last good value", metadata: ["error": "\(error)"])
        }
    }
}

extension Duration {
    /// The duration in seconds, as a `Double`.
    var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
