import Glibc
import Synchronization

/// At most `callsPerSecond` directory reads and `fstatat` calls a second, spread evenly
/// (`--collector.max-stat-rate`): each call waits for its slot, so a walk of a cold tree cannot
/// keep the disk busy however many threads share the budget.
public final class IOBudget: Sendable {
    /// Calls allowed a second.
    public let callsPerSecond: Double
    private let interval: Duration
    private struct Ledger {
        /// When the next call may run.
        var next: ContinuousClock.Instant?
        var calls = 0
        /// Time callers spent waiting, summed over threads.
        var waited = Duration.zero
    }
    private let ledger = Mutex(Ledger())

    public init(callsPerSecond: Double) {
        self.callsPerSecond = max(callsPerSecond, 1e-3)
        interval = .nanoseconds(Int64(1e9 / self.callsPerSecond))
    }

    /// Calls spent and time waited since the budget was made.
    public var spent: (calls: Int, waited: Duration) {
        ledger.withLock { ($0.calls, $0.waited) }
    }

    /// Waits, when needed, until one more call may run, and counts it.
    func spend() {
        let now = ContinuousClock.now
        let slot = ledger.withLock { ledger in
            let slot = max(now, ledger.next ?? now)
            ledger.next = slot + interval
            ledger.calls += 1
            if slot > now { ledger.waited += slot - now }
            return slot
        }
        guard slot > now else { return }
        let (seconds, attoseconds) = (slot - now).components
        var wait = timespec(tv_sec: Int(seconds), tv_nsec: Int(attoseconds / 1_000_000_000))
        var left = timespec()
        while nanosleep(&wait, &left) != 0 && errno == EINTR { wait = left }
    }
}
