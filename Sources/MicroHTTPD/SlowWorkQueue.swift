import Dispatch
import Synchronization

/// One thread for work that must not run on libmicrohttpd's polling threads (bcrypt checks),
/// shared fairly between clients.
///
/// Jobs wait in one queue per key (the client's address) and are taken round-robin across keys,
/// at most ``perKey`` waiting per key and ``limit`` in all; beyond either a job is refused at once
/// (the caller answers 503). So a flood of wrong passwords from one address, or a few, delays a
/// scraper's first check by a few checks, never by the flood's length, even before the scraper
/// has a remembered verdict (a restart, an upgrade, a password rotation during the flood).
/// exporter-toolkit serialises bcrypt behind one mutex in arrival order instead; there the first
/// check of a scraper waits behind every guess queued before it.
public final class SlowWorkQueue: Sendable {
    /// A job and what to do instead when it will not run (the queue stops first).
    private struct Job {
        let run: @Sendable () -> Void
        let cancel: @Sendable () -> Void
    }

    private struct State {
        var waiting: [String: [Job]] = [:]
        /// Keys with waiting jobs, in the order they are served.
        var turns: [String] = []
        /// Jobs accepted and not finished (waiting or running), in all and per key.
        var count = 0
        var perKey: [String: Int] = [:]
        var running = false
        var stopped = false
    }

    private let queue = DispatchQueue(label: "cassandra-backup-exporter.slow-work")
    /// ``State`` is only touched inside `guarded.sync`: a serial queue rather than a `Mutex`,
    /// because ThreadSanitizer sees libdispatch's ordering but not the futex under `Mutex`, and
    /// reported this state as racing between the worker and `stop()`.
    private let guarded = DispatchQueue(label: "cassandra-backup-exporter.slow-work.state")
    nonisolated(unsafe) private var unguardedState = State()

    private func withState<R>(_ body: (inout State) -> R) -> R {
        guarded.sync { body(&unguardedState) }
    }
    /// Jobs accepted and not finished, at most, over all keys.
    public let limit: Int
    /// Jobs accepted and not finished, at most, per key.
    public let perKey: Int

    public init(limit: Int, perKey: Int = 2) {
        self.limit = max(1, limit)
        self.perKey = max(1, perKey)
    }

    /// Queues `job` under `key`, or returns false at once when the queue, or `key`'s share of it,
    /// is full, or the queue has stopped. When the queue stops before `job` runs, `cancel` is
    /// called instead.
    public func submit(key: String, _ job: @escaping @Sendable () -> Void, cancel: @escaping @Sendable () -> Void) -> Bool {
        let (accepted, start) = withState { state -> (Bool, Bool) in
            guard !state.stopped, state.count < limit, state.perKey[key, default: 0] < perKey else { return (false, false) }
            if state.waiting[key] == nil { state.turns.append(key) }
            state.waiting[key, default: []].append(Job(run: job, cancel: cancel))
            state.count += 1
            state.perKey[key, default: 0] += 1
            let start = !state.running
            state.running = true
            return (true, start)
        }
        if start {
            queue.async {
                while let (key, job) = self.next() {
                    job.run()
                    self.finished(key)
                }
            }
        }
        return accepted
    }

    /// A job of `key` returned.
    private func finished(_ key: String) {
        withState { state in
            state.count -= 1
            state.perKey[key, default: 1] -= 1
            if state.perKey[key] == 0 { state.perKey[key] = nil }
        }
    }

    /// The next job, round-robin over the keys; `nil` (and the worker ends) when none waits.
    private func next() -> (String, Job)? {
        withState { state in
            guard !state.turns.isEmpty else {
                state.running = false
                return nil
            }
            let key = state.turns.removeFirst()
            var jobs = state.waiting.removeValue(forKey: key)!
            let job = jobs.removeFirst()
            if !jobs.isEmpty {
                state.waiting[key] = jobs
                state.turns.append(key)
            }
            return (key, job)
        }
    }

    /// Refuses new jobs, cancels those waiting, and waits until the one running (if any) returns.
    /// Not from a job.
    public func stop() {
        let cancelled = withState { state in
            state.stopped = true
            let jobs = state.turns.flatMap { state.waiting[$0] ?? [] }
            for key in state.turns { state.perKey[key, default: 0] -= state.waiting[key]?.count ?? 0 }
            state.count -= jobs.count
            state.waiting = [:]
            state.turns = []
            return jobs
        }
        cancelled.forEach { $0.cancel() }
        queue.sync {}
    }
}
