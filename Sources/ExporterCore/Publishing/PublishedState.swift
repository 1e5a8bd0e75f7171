import Exposition

/// Everything the exposition shows, as the services last reported it: the latest collection,
/// the runtime probe's state (`nil`: no probe configured, no runtime series) and the outcome of
/// each configuration file's latest re-read.
public struct PublishedState: Sendable {
    public var collector: CollectorState
    public var runtime: RuntimeState?
    public var reloads: [ConfigFileKind: ConfigReloadStatus]

    public init(collector: CollectorState, runtime: RuntimeState? = nil, reloads: [ConfigFileKind: ConfigReloadStatus] = [:]) {
        self.collector = collector
        self.runtime = runtime
        self.reloads = reloads
    }

    /// The collection with the runtime probe's and the reloads' series filled in.
    var merged: CollectorState {
        var state = collector
        if let enabled = runtime?.enabled { state.status.incrementalEnabled[.runtime] = enabled }
        if let succeeded = runtime?.lastReadSucceeded { state.status.stateProbeSucceeded[.runtime] = succeeded }
        if let duration = runtime?.lastReadDuration { state.status.stateProbeDuration[.runtime] = duration }
        state.status.configReloads = reloads
        return state
    }

    /// The metric families: the one way from the state to an exposition, for the daemon's pages
    /// and for `--once`. `lines` keeps the tables' lines for the next exposition.
    func families(lines: TableLineCache = TableLineCache()) -> ExpositionFamilies {
        let state = merged
        return ExporterMetrics.families(measurement: state.measurement, status: state.status, lines: lines)
    }

    /// The text exposition in `format`, as its parts in order: joined, a 5,000-table node's
    /// 14 MB would be held twice while `--once` writes it (heaptrack).
    public func exposition(as format: ExpositionFormat = .prometheus) -> [String] {
        let parts = TextFormat.renderParts(families(), as: format)
        return [parts.stable, parts.volatile]
    }
}
