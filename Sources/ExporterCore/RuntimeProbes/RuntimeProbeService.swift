import Logging
import ServiceLifecycle

/// Runs a ``RuntimeProbe`` every interval (each nodetool run starts a JVM, so the interval is
/// longer than the scan's) and publishes the resulting ``RuntimeState``.
public struct RuntimeProbeService: Service {
    let probe: any RuntimeProbe
    let interval: Duration
    let logger: Logger
    let publish: @Sendable (RuntimeState) -> Void

    public init(probe: any RuntimeProbe, interval: Duration, logger: Logger, publish: @escaping @Sendable (RuntimeState) -> Void) {
        self.probe = probe
        self.interval = interval
        self.logger = logger
        self.publish = publish
    }

    public func run() async throws {
        let (probe, logger) = (self.probe, self.logger)
        await repeatUntilShutdown(every: interval, from: RuntimeState(), step: { state in
            await Self.probeOnce(probe, after: state, logger: logger)
        }, publish: publish)
    }

    /// Reads once, logs a failure in one line, and returns the next state.
    public static func probeOnce(_ probe: any RuntimeProbe, after state: RuntimeState, logger: Logger) async -> RuntimeState {
        let started = ContinuousClock.now
        let reading = await probe.read()
        let duration = ContinuousClock.now - started
        if case .failed(let reason) = reading {
            logger.warning("runtime backup-state probe failed; keeping the last good value",
                           metadata: ["probe": "\(probe.name)", "error": "\(reason)"])
        }
        return state.updated(with: reading, duration: duration)
    }
}
