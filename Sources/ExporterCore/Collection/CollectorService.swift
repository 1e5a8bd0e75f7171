import Dispatch
import ServiceLifecycle
import Synchronization

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
        let publish = self.publish
        await repeatUntilShutdown(every: interval, from: Round(state: initialState, memory: ScanMemory()), step: { previous in
            await Self.runBlocking {
                var memory = previous.memory
                let state = collector.collect(after: previous.state, memory: &memory)
                return Round(state: state, memory: memory)
            } ?? previous
        }, publish: { publish($0.state) })
    }

    /// What one collection hands the next: the published state and the collector's own memory.
    private struct Round: Sendable {
        let state: CollectorState
        let memory: ScanMemory
    }

    /// Runs `body` on a Dispatch thread, keeping the concurrency pool free. Cancellation (graceful
    /// shutdown) returns `nil` at once and leaves `body` to finish on its own: a scan waiting out
    /// a stuck walk must not hold up SIGTERM.
    private static func runBlocking<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T? {
        let answer = OneAnswer<T?>()
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                answer.wait(with: continuation)
                DispatchQueue.global().async { answer.give(body()) }
            }
        } onCancel: {
            answer.give(nil)
        }
    }
}

/// Resumes a continuation with the first answer given, whichever comes first (the work's result
/// or cancellation), and ignores the other.
private final class OneAnswer<T: Sendable>: Sendable {
    private enum State {
        case empty
        case waiting(CheckedContinuation<T, Never>)
        case answered(T)
        case done
    }

    private let state = Mutex<State>(.empty)

    func wait(with continuation: CheckedContinuation<T, Never>) {
        let early: T? = state.withLock { state in
            if case .answered(let value) = state {
                state = .done
                return value
            }
            state = .waiting(continuation)
            return nil
        }
        if let early { continuation.resume(returning: early) }
    }

    func give(_ value: T) {
        let waiting: CheckedContinuation<T, Never>? = state.withLock { state in
            switch state {
            case .empty:
                state = .answered(value)
                return nil
            case .waiting(let continuation):
                state = .done
                return continuation
            case .answered, .done:
                return nil
            }
        }
        waiting?.resume(returning: value)
    }
}
