import Exposition
import Synchronization

/// Combines the latest collection and the latest runtime-probe state, and re-renders the
/// ``Pages`` whenever either changes.
public final class Publisher: Sendable {
    private struct Latest {
        var state: PublishedState
        var headers = ResponseHeaders()
    }

    private let latest: Mutex<Latest>
    public let store: PageStore
    private let telemetryPath: String
    private let demand = MetricsDemand()
    private let memory = RenderingMemory()

    /// - Parameter runtimeConfigured: whether a runtime probe runs; without one the runtime
    ///   series are absent.
    public init(initial: CollectorState, runtimeConfigured: Bool, telemetryPath: String) {
        let first = Latest(state: PublishedState(collector: initial, runtime: runtimeConfigured ? RuntimeState() : nil))
        latest = Mutex(first)
        self.telemetryPath = telemetryPath
        store = PageStore(Self.render(first, telemetryPath: telemetryPath, demand: demand, memory: memory))
    }

    /// Publishes a new collection.
    public func publish(_ collector: CollectorState) {
        update { $0.state.collector = collector }
    }

    /// Publishes a new runtime-probe state.
    public func publish(_ runtime: RuntimeState) {
        update { $0.state.runtime = runtime }
    }

    /// Publishes the outcome of a configuration file's latest re-read; the same outcome again
    /// renders nothing.
    public func publish(_ reload: ConfigReloadStatus, for file: ConfigFileKind) {
        guard latest.withLock({ $0.state.reloads[file] }) != reload else { return }
        update { $0.state.reloads[file] = reload }
    }

    /// Uses new response headers from now on.
    func apply(headers: ResponseHeaders) {
        update { $0.headers = headers }
    }

    private func update(_ change: (inout Latest) -> Void) {
        latest.withLock { latest in
            change(&latest)
            store.publish(Self.render(latest, telemetryPath: telemetryPath, demand: demand, memory: memory))
        }
    }

    private static func render(_ latest: Latest, telemetryPath: String, demand: MetricsDemand, memory: RenderingMemory) -> Pages {
        Pages(state: latest.state, telemetryPath: telemetryPath, headers: latest.headers, demand: demand, memory: memory)
    }
}
