import Glibc

/// A keyspace directory shared by the walks of its tables in one scan, open from the first of
/// them until the last has finished.
///
/// Holding every keyspace open for a whole scan cost one descriptor per keyspace: at the usual
/// soft limit of 1,024, a node of a thousand keyspaces (or four data directories of 260) ran out,
/// and its tables vanished from the scan. Tables are walked in key order, so a keyspace's tables
/// run together and at most about ``DataDirectoryScanner/parallelism`` keyspaces are open at once.
/// Closing it whenever no walk was using it instead reopened it for almost every table of an
/// unchanged scan, whose walks are a few `fstatat` calls each (perf: 15% of such a scan).
final class KeyspaceDirectory: Sendable {
    /// The data directory as configured (it may itself be a symlink) and the keyspace's name in it.
    private let dataDirectory: String
    private let name: EntryName
    /// Device and inode the listing saw: a keyspace replaced since is not walked as the old one.
    private let identity: (device: UInt64, inode: UInt64)

    /// The open directory, its users and the tables not walked yet, touched only under `lock`: a
    /// ``PthreadMutex`` rather than a `Mutex`, because ThreadSanitizer sees pthread's ordering
    /// and not the futex under `Mutex` (it reported the directory's release as racing with its
    /// last use); and not a serial queue, whose contended `sync` was a quarter of an unchanged
    /// scan's CPU (perf).
    nonisolated(unsafe) private var directory: Directory?
    nonisolated(unsafe) private var users = 0
    nonisolated(unsafe) private var tablesLeft: Int
    private let lock = PthreadMutex()

    /// - Parameter tables: the tables of this scan that will use it.
    init(dataDirectory: String, name: EntryName, stamp: DirectoryStamp, tables: Int) {
        self.dataDirectory = dataDirectory
        self.name = name
        identity = (stamp.device, stamp.inode)
        tablesLeft = tables
    }

    /// Runs `body` for one of the tables with the keyspace directory open, opening it for the
    /// first and closing it after the last. Threads only call `openat`/`fstatat` on it, safe
    /// concurrently.
    /// - Throws: why the keyspace cannot be opened again (vanished, replaced: `ENOENT`; out of
    ///   descriptors: `EMFILE`).
    func use<R>(_ body: (Directory) -> R) throws(EntryError) -> R {
        let opened: Directory
        do {
            opened = try open()
        } catch {
            release(tables: 1, users: 0)
            throw error
        }
        defer { release(tables: 1, users: 1) }
        return body(opened)
    }

    /// No table will use it any more (the scan is over: tables it skipped never came): closed
    /// now, or when the walks still using it return.
    func finish() {
        release(tables: Int.max, users: 0)
    }

    /// The open directory, counted as one more user.
    private func open() throws(EntryError) -> Directory {
        try lock.withLock { () throws(EntryError) -> Directory in
            if directory == nil {
                let opened = try Directory.open(path: dataDirectory).subdirectory(name)
                let stamp = try opened.stamp()
                guard stamp.device == identity.device, stamp.inode == identity.inode else { throw EntryError(code: ENOENT) }
                directory = opened
            }
            users += 1
            return directory!
        }
    }

    /// Counts `tables` more as done and `users` fewer, and closes the directory once no table
    /// is left and nobody uses it.
    private func release(tables: Int, users gone: Int) {
        lock.withLock {
            users -= gone
            tablesLeft -= min(tables, tablesLeft)
            if users == 0, tablesLeft == 0 { directory = nil }
        }
    }
}
