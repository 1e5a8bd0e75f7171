import Dispatch
import FoundationEssentials
import Synchronization

/// Counts the calls a walk has made into the filesystem; a counter that stands still for the walk
/// time limit means a call that does not return. One relaxed atomic add a call.
final class WalkProgress: Sendable {
    private let calls = Atomic<Int>(0)

    /// A call into the filesystem returned.
    func tick() {
        calls.add(1, ordering: .relaxed)
    }

    var count: Int { calls.load(ordering: .relaxed) }
}

/// How one watched job ended.
enum JobOutcome<Value> {
    case finished(Value)
    /// Its walk made no progress within the limit; it was left to its thread. `since`: when it
    /// started, in seconds since the epoch.
    case stuck(since: Double)
    /// Not started: `skip` said so.
    case skipped
    /// Not started: no thread could be created for it (out of threads or memory).
    case notRun
}

/// Runs jobs on detached threads of the scanner's own, taking the next job as one finishes, and
/// watches each: a job whose ``WalkProgress`` stands still for `limit` is left to its thread (a
/// thread blocked in a hung filesystem cannot be stopped, a kernel rule), a new thread takes its
/// place, and the caller gets ``JobOutcome/stuck(since:)`` for it instead of waiting.
///
/// Detached threads rather than joined ones: joining a thread stuck in a hung mount would stop
/// every later scan.
final class WatchedJobs<Value>: @unchecked Sendable {  // each job's value is written by one thread before its state is published
    private enum State: Int {
        case waiting, running, storing, done, abandoned, skipped, notRun
    }

    private final class Job: @unchecked Sendable {
        let state = Atomic<Int>(State.waiting.rawValue)
        let progress = WalkProgress()
        /// Written by the worker before it publishes `running`.
        var started = 0.0
        /// Written by the worker in `storing`, read after `done`.
        var value: Value?
    }

    private let jobs: [Job]
    private let nextJob = Atomic<Int>(0)
    private let ended = Atomic<Int>(0)
    private let allEnded = DispatchSemaphore(value: 0)

    private init(count: Int) {
        jobs = (0..<count).map { _ in Job() }
    }

    /// Runs `count` jobs and returns their outcomes in job order.
    /// - Parameters:
    ///   - threads: jobs run at once.
    ///   - limit: how long a job's progress may stand still.
    ///   - skip: asked on the worker thread before a job starts; `true` skips it.
    ///   - work: the job; it ticks the progress it is given after every call into the filesystem.
    ///   - stuck: called on the caller's thread when a job is left to its thread.
    ///   - returnedLate: called on the job's thread when a job left behind returns; its value is dropped.
    static func run(count: Int, threads: Int, limit: Duration, name: String, nice: Int32?,
                    skip: @escaping @Sendable (Int) -> Bool,
                    work: @escaping @Sendable (Int, WalkProgress) -> Value,
                    stuck: (Int, Double) -> Void,
                    returnedLate: @escaping @Sendable (Int) -> Void) -> [JobOutcome<Value>] {
        guard count > 0 else { return [] }
        let run = WatchedJobs(count: count)
        let worker: @Sendable () -> Void = { run.work(skip: skip, work: work, returnedLate: returnedLate) }
        let started = (0..<min(threads, count)).filter { _ in WalkerThreads.start(name: name, nice: nice, body: worker) }.count
        // With no thread at all, nothing would take the jobs: they are reported not run. (A
        // worker that did start takes every job in turn.)
        if started == 0 { run.claimRemaining(as: .notRun) }
        run.watch(limit: limit) { index in
            stuck(index, run.jobs[index].started)
            // The thread left behind was taking jobs: without a replacement, the jobs nobody has
            // taken yet are reported not run rather than waited for.
            if !WalkerThreads.start(name: name, nice: nice, body: worker) { run.claimRemaining(as: .notRun) }
        }
        return run.jobs.map { job in
            switch State(rawValue: job.state.load(ordering: .acquiring)) {
            case .done: .finished(job.value!)
            case .abandoned: .stuck(since: job.started)
            case .notRun: .notRun
            default: .skipped
            }
        }
    }

    /// Ends every job no worker has taken yet as `state`; workers then find none left.
    private func claimRemaining(as state: State) {
        while true {
            let index = nextJob.wrappingAdd(1, ordering: .relaxed).oldValue
            guard index < jobs.count else { return }
            jobs[index].state.store(state.rawValue, ordering: .releasing)
            end()
        }
    }

    /// A worker thread: takes jobs until none is left, or until the job it ran was left behind
    /// (a new thread has taken its place).
    private func work(skip: (Int) -> Bool, work: (Int, WalkProgress) -> Value, returnedLate: (Int) -> Void) {
        while true {
            let index = nextJob.wrappingAdd(1, ordering: .relaxed).oldValue
            guard index < jobs.count else { return }
            let job = jobs[index]
            if skip(index) {
                job.state.store(State.skipped.rawValue, ordering: .releasing)
                end()
                continue
            }
            job.started = Date().timeIntervalSince1970
            job.state.store(State.running.rawValue, ordering: .releasing)
            let value = work(index, job.progress)
            guard job.state.compareExchange(expected: State.running.rawValue, desired: State.storing.rawValue,
                                            ordering: .acquiring).exchanged else {
                returnedLate(index)
                return
            }
            job.value = value
            job.state.store(State.done.rawValue, ordering: .releasing)
            end()
        }
    }

    private func end() {
        if ended.wrappingAdd(1, ordering: .acquiringAndReleasing).newValue == jobs.count { allEnded.signal() }
    }

    /// Waits until every job has ended, looking at running jobs' progress every tick (a
    /// quarter of the limit, at most a second) and leaving those that stood still for `limit`.
    private func watch(limit: Duration, leftBehind: (Int) -> Void) {
        let tick = min(limit / 4, .seconds(1))
        let tickNanoseconds = Int(tick.components.seconds) * 1_000_000_000 + Int(tick.components.attoseconds / 1_000_000_000)
        var seen = [Int](repeating: -1, count: jobs.count)
        var since = [ContinuousClock.Instant](repeating: .now, count: jobs.count)
        while ended.load(ordering: .acquiring) < jobs.count {
            if allEnded.wait(timeout: .now() + .nanoseconds(max(1, tickNanoseconds))) == .success { break }
            let now = ContinuousClock.now
            for (index, job) in jobs.enumerated() where job.state.load(ordering: .acquiring) == State.running.rawValue {
                let progress = job.progress.count
                if progress != seen[index] {
                    seen[index] = progress
                    since[index] = now
                } else if now - since[index] >= limit,
                          job.state.compareExchange(expected: State.running.rawValue, desired: State.abandoned.rawValue,
                                                    ordering: .acquiringAndReleasing).exchanged {
                    end()
                    leftBehind(index)
                }
            }
        }
    }
}
