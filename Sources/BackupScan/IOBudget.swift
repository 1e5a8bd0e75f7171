import Glibc
import Synchronization

/// At most `callsPerSecond` directory reads and `fstatat` calls a second, spread evenly
/// (`--collector.max-stat-rate`): each call waits for its slot, so a walk of a cold tree cannot
/// keep the disk busy however many threads share the budget.
///
/// Lock-free: every walking thread comes here for every call, so a lock would be contended all
/// the time, and a contended `Mutex` is taken by the kernel (a priority-inheriting futex) where
/// ThreadSanitizer cannot see it.
public final class IOBudget: Sendable {
    /// Calls allowed a second.
    public let callsPerSecond: Double
    private let intervalNanoseconds: Int64
    private let origin = ContinuousClock.now
    /// When the next call may run, in nanoseconds after `origin`.
    private let nextSlot = Atomic<Int64>(0)
    private let calls = Atomic<Int>(0)
    /// Time callers spent waiting, summed over threads.
    private let waitedNanoseconds = Atomic<Int64>(0)

    public init(callsPerSecond: Double) {
        self.callsPerSecond = max(callsPerSecond, 1e-3)
        intervalNanoseconds = Int64(1e9 / self.callsPerSecond)
    }

    /// Calls spent and time waited since the budget was made.
    public var spent: (calls: Int, waited: Duration) {
        (calls.load(ordering: .relaxed), .nanoseconds(waitedNanoseconds.load(ordering: .relaxed)))
    }

    /// Waits, when needed, until one more call may run, and counts it.
    func spend() {
        let (seconds, attoseconds) = (ContinuousClock.now - origin).components
        let now = seconds * 1_000_000_000 + attoseconds / 1_000_000_000
        var next = nextSlot.load(ordering: .relaxed)
        var slot = max(now, next)
        while true {
            let (exchanged, original) = nextSlot.compareExchange(
                expected: next, desired: slot + intervalNanoseconds, ordering: .relaxed)
            if exchanged { break }
            next = original
            slot = max(now, next)
        }
        calls.add(1, ordering: .relaxed)
        let wait = slot - now
        guard wait > 0 else { return }
        waitedNanoseconds.add(wait, ordering: .relaxed)
        var request = timespec(tv_sec: Int(wait / 1_000_000_000), tv_nsec: Int(wait % 1_000_000_000))
        var left = timespec()
        while nanosleep(&request, &left) != 0 && errno == EINTR { request = left }
    }
}
