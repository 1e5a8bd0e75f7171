import CLowPriority
import Glibc

/// Threads of the scanner's own: named, optionally lowered before they start working, and
/// detached: nobody waits for one that is blocked in a hung filesystem (``WatchedJobs`` watches
/// their progress instead).
///
/// Own threads rather than Dispatch's pool: an unprivileged thread cannot raise its nice value
/// again, so a lowered pool thread would slow whatever work the pool gave it later; and a pool
/// thread stuck in a hung mount would be one fewer for the rest of the process.
enum WalkerThreads {
    /// Runs `body` on a new detached thread; false when the system refuses to create one (out of
    /// threads or memory): `body` is then not run at all. The caller is the scan's watcher, which
    /// must never block in a walk itself.
    /// - Parameter nice: the nice value with idle-class I/O to give the thread, or `nil` to leave
    ///   it as the caller is. Failing to lower (a seccomp filter, an old kernel) leaves the walk as it was.
    @discardableResult
    static func start(name: String, nice: Int32?, body: @escaping @Sendable () -> Void) -> Bool {
        let context = Unmanaged.passRetained(Start(name: name, nice: nice, body: body)).toOpaque()
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        defer { pthread_attr_destroy(&attributes) }
        pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
        var thread = pthread_t()
        guard pthread_create(&thread, &attributes, startWalker, context) == 0 else {
            Unmanaged<Start>.fromOpaque(context).release()
            return false
        }
        return true
    }

    /// What a new thread needs before it runs the walk.
    private final class Start {
        let name: String
        let nice: Int32?
        let body: @Sendable () -> Void

        init(name: String, nice: Int32?, body: @escaping @Sendable () -> Void) {
            self.name = name
            self.nice = nice
            self.body = body
        }
    }

    private static let startWalker: @convention(c) (UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer? = { context in
        let start = Unmanaged<Start>.fromOpaque(context!).takeRetainedValue()
        // Lowered before it is named: whoever finds a thread by its name (ps -L, a test) finds it
        // already at its priority.
        if let nice = start.nice { _ = CLowPriority_lowerCurrentThread(nice) }
        _ = CLowPriority_nameCurrentThread(start.name)
        start.body()
        return nil
    }
}
