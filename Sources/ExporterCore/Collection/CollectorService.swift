import Dispatch
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
        let collector = self.collector
        await repeatUntilShutdown(every: interval, from: initialState, step: { previous in
            await Self.runBlocking { collector.collect(after: previous) }
        }, publish: publish)
    }

    /// Runs `body` on a Dispatch thread, keeping the concurrency pool free.
    private static func runBlocking<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(returning: body()) }
        }
    }
}
