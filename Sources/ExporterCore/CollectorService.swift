import Dispatch
import Logging
import ServiceLifecycle

/// Runs the ``Collector`` every interval and publishes each result; stops on graceful shutdown.
///
/// The keep-the-last-result pattern: the disk walk runs on its own thread, and readers of the
/// ``PageStore`` never wait for it.
public struct CollectorService: Service {
    let collector: Collector
    let interval: Duration
    let initialState: CollectorState
    let publish: @Sendable (CollectorState) -> Void

    /// - Parameters:
    ///   - initialState: the state before the first collection.
    ///   - publish: called with each new state, on the collector's task.
    public init(collector: Collector, interval: Duration, initialState: CollectorState,
                publish: @escaping @Sendable (CollectorState) -> Void) {
        self.collector = collector
        self.interval = interval
        self.initialState = initialState
        self.publish = publish
    }

    public func run() async throws {
        let clock = ContinuousClock()
        // Graceful shutdown cancels the sleep between scans: that is the normal way to end.
        try? await cancelWhenGracefulShutdown { [collector, interval, initialState, publish] in
            var state = initialState
            while true {
                let started = clock.now
                let previous = state
                state = await Self.runBlocking { collector.collect(after: previous) }
                publish(state)
                try await Task.sleep(until: started + interval, clock: clock)
            }
        }
    }

    /// Runs `body` on a Dispatch thread, keeping the concurrency pool free.
    private static func runBlocking<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(returning: body()) }
        }
    }
}
