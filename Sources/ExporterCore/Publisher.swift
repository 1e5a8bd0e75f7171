import Synchronization

/// Combines the latest collection and the latest runtime-probe state, and re-renders the
/// ``Pages`` whenever either changes.
public final class Publisher: Sendable {
    private struct Latest {
        var collector: CollectorState
        var runtime: RuntimeState?
    }

    private let latest: Mutex<Latest>
    public let store: PageStore
    private let telemetryPath: String

    /// - Parameter runtimeConfigured: whether a runtime probe runs; without one the runtime
    ///   series are absent.
    public init(initial: CollectorState, runtimeConfigured: Bool, telemetryPath: String) {
        let first = Latest(collector: initial, runtime: runtimeConfigured ? RuntimeState() : nil)
        latest = Mutex(first)
        self.telemetryPath = telemetryPath
        store = PageStore(Pages(state: Self.merged(first.collector, first.runtime), telemetryPath: telemetryPath))
    }

    /// Publishes a new collection.
    public func publish(_ collector: CollectorState) {
        latest.withLock { latest in
            latest.collector = collector
            store.publish(Pages(state: Self.merged(latest.collector, latest.runtime), telemetryPath: telemetryPath))
        }
    }

    /// Publishes a new runtime-probe state.
    public func publish(_ runtime: RuntimeState) {
        latest.withLock { latest in
            latest.runtime = runtime
            store.publish(Pages(state: Self.merged(latest.collector, latest.runtime), telemetryPath: telemetryPath))
        }
    }

    /// The collection with the runtime source's series filled in.
    public static func merged(_ collector: CollectorState, _ runtime: RuntimeState?) -> CollectorState {
        var state = collector
        if let enabled = runtime?.enabled { state.status.incrementalEnabled["runtime"] = enabled }
        if let succeeded = runtime?.lastReadSucceeded { state.status.stateProbeSucceeded["runtime"] = succeeded }
        return state
    }
}
