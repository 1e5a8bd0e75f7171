import Dispatch
import Synchronization

/// One thread for work that must not run on libmicrohttpd's polling threads, with a bounded
/// number of waiting jobs: when a flood of slow requests fills it, later ones are refused at once
/// instead of delaying every other request.
public final class SlowWorkQueue: Sendable {
    private let queue = DispatchQueue(label: "cassandra-backup-exporter.slow-work")
    private let waiting = Atomic<Int>(0)
    /// Jobs accepted and not yet finished, at most.
    public let limit: Int

    public init(limit: Int) {
        self.limit = max(1, limit)
    }

    /// Runs `job` on the queue's thread, or returns false at once when `limit` jobs are queued.
    public func submit(_ job: @escaping @Sendable () -> Void) -> Bool {
        guard reserve() else { return false }
        queue.async {
            job()
            self.waiting.subtract(1, ordering: .releasing)
        }
        return true
    }

    /// Waits until every job submitted so far has returned. Not from a job.
    public func drain() {
        queue.sync {}
    }

    private func reserve() -> Bool {
        var current = waiting.load(ordering: .relaxed)
        while current < limit {
            let (exchanged, original) = waiting.compareExchange(expected: current, desired: current + 1, ordering: .acquiring)
            if exchanged { return true }
            current = original
        }
        return false
    }
}
