import CLowPriority
import Glibc

/// Threads of the scanner's own for one walk: named, optionally lowered before they start
/// working, and joined before the walk returns.
///
/// Own threads rather than Dispatch's pool: an unprivileged thread cannot raise its nice value
/// again, so a lowered pool thread would slow whatever work the pool gave it later.
enum WalkerThreads {
    /// Runs `body` on `count` new threads and returns when every one has finished. A thread the
    /// system refuses to create is replaced by a run of `body` on the calling thread.
    /// - Parameter nice: the nice value with idle-class I/O to give each thread, or `nil` to leave
    ///   them as the caller is. Failing to lower (a seccomp filter, an old kernel) leaves the walk as it was.
    static func run(_ count: Int, name: String, nice: Int32?, body: @escaping @Sendable () -> Void) {
        var threads: [pthread_t] = []
        for _ in 0..<count {
            let context = Unmanaged.passRetained(Start(name: name, nice: nice, body: body)).toOpaque()
            var thread = pthread_t()
            if pthread_create(&thread, nil, startWalker, context) == 0 {
                threads.append(thread)
            } else {
                Unmanaged<Start>.fromOpaque(context).release()
                body()
            }
        }
        for thread in threads { pthread_join(thread, nil) }
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
        _ = CLowPriority_nameCurrentThread(start.name)
        if let nice = start.nice { _ = CLowPriority_lowerCurrentThread(nice) }
        start.body()
        return nil
    }
}
