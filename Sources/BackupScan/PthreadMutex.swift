import Glibc

/// A pthread mutex: the lock ThreadSanitizer sees, where it does not see the futex under
/// `Synchronization.Mutex`. Written here because FoundationEssentials has no `NSLock`, and
/// Foundation would bring ICU into the process.
final class PthreadMutex: @unchecked Sendable {
    /// At a fixed address: a pthread mutex must not move.
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)

    init() {
        mutex.initialize(to: pthread_mutex_t())
        pthread_mutex_init(mutex, nil)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    func withLock<Result, Failure: Error>(_ body: () throws(Failure) -> Result) throws(Failure) -> Result {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body()
    }
}
