import Exposition
import Synchronization

/// Combines the latest collection and the latest runtime-probe state, and re-renders the
/// ``Pages`` whenever either changes.
public final class Publisher: Sendable {
    private struct Latest {
        var collector: CollectorState
        var runtime: RuntimeState?
        var reloads: [ConfigFileKind: ConfigReloadStatus] = [:]
        var headers = ResponseHeaders()
    }

    private let latest: Mutex<Latest>
    public let store: PageStore
    private let telemetryPath: String
    private let demand = MetricsDemand()

    /// - Parameter runtimeConfigured: whether a runtime probe runs; without one the runtime
    ///   series are absent.
    public init(initial: CollectorState, runtimeConfigured: Bool, telemetryPath: String) {
        let first = Latest(collector: initial, runtime: runtimeConfigured ? RuntimeState() : nil)
        latest = Mutex(first)
        self.telemetryPath = telemetryPath
        store = PageStore(Self.render(first, telemetryPath: telemetryPath, demand: demand))
    }

    /// Publishes a new collection.
    public func publish(_ collector: CollectorState) {
        update { $0.collector = collector }
    }

    /// Publishes a new runtime-probe state.
    public func publish(_ runtime: RuntimeState) {
        update { $0.runtime = runtime }
    }

    /// Publishes the outcome of a configuration file's latest re-read; the same outcome again
    /// renders nothing.
    public func publish(_ reload: ConfigReloadStatus, for file: ConfigFileKind) {
        guard latest.withLock({ $0.reloads[file] }) != reload else { return }
        update { $0.reloads[file] = reload }
    }

    /// Uses new response headers from now on.
    func apply(headers: ResponseHeaders) {
        update { $0.headers = headers }
    }

    private func update(_ change: (inout Latest) -> Void) {
        latest.withLock { latest in
            change(&latest)
            store.publish(Self.render(latest, telemetryPath: telemetryPath, demand: demand))
        }
    }

    private static func render(_ latest: Latest, telemetryPath: String, demand: MetricsDemand) -> Pages {
        var state = merged(latest.collector, latest.runtime)
        state.status.configReloads = latest.reloads
        return Pages(state: state, telemetryPath: telemetryPath, headers: latest.headers, demand: demand)
    }

    /// The collection with the runtime source's series filled in.
    public static func merged(_ collector: CollectorState, _ runtime: RuntimeState?) -> CollectorState {
        var state = collector
        if let enabled = runtime?.enabled { state.status.incrementalEnabled[.runtime] = enabled }
        if let succeeded = runtime?.lastReadSucceeded { state.status.stateProbeSucceeded[.runtime] = succeeded }
        if let duration = runtime?.lastReadDuration { state.status.stateProbeDuration[.runtime] = duration }
        return state
    }
}
