import BackupScan

/// Which tables' user snapshots get per-(table, tag) series under `--collector.snapshot-detail`,
/// within its series budget (`--collector.snapshot-detail.max-series`; 0: no limit).
///
/// Tables are taken in the measurement's order, each with all of its user snapshots (a table's
/// snapshots are never shown in part), until the next one's series would pass the budget; the
/// series of that table and every later one are not emitted and are counted in
/// ``droppedSeries``. Automatic snapshots are outside the budget: they always have their series.
public struct SnapshotDetailSelection: Sendable, Equatable {
    /// The default budget: what the daemon can render and serve at 1,000 tables × 20 snapshots
    /// within the 128 MiB the shipped Kubernetes sidecar may use (docs/cost.md).
    public static let defaultMaxSeries = 20_000

    /// Per table, in the measurement's order: whether its user snapshots get their series.
    public let detailed: [Bool]
    /// The per-(table, tag) series the budget left out.
    public let droppedSeries: Int

    public init(tables: [TableMeasurement], detail: Bool, maxSeries: Int) {
        guard detail else {
            detailed = Array(repeating: false, count: tables.count)
            droppedSeries = 0
            return
        }
        var emitted = 0, dropped = 0
        var full = false
        detailed = tables.map { table in
            let series = ExporterMetrics.userSnapshotSeries(of: table)
            if !full, maxSeries == 0 || emitted + series <= maxSeries {
                emitted += series
                return true
            }
            full = full || series > 0
            dropped += series
            return series == 0
        }
        droppedSeries = dropped
    }
}
