import Dispatch
import Glibc

/// A keyspace directory shared by the walks of its tables, open only while one of them runs.
///
/// Holding every keyspace open for a whole scan cost one descriptor per keyspace: at the usual
/// soft limit of 1,024, a node of a thousand keyspaces (or four data directories of 260) ran out,
/// and its tables vanished from the scan. Tables are walked in key order, so a keyspace's tables
/// run together and at most about ``DataDirectoryScanner/parallelism`` keyspaces are open at once.
final class KeyspaceDirectory: Sendable {
    /// The data directory as configured (it may itself be a symlink) and the keyspace's name in it.
    private let dataDirectory: String
    private let name: EntryName
    /// Device and inode the listing saw: a keyspace replaced since is not walked as the old one.
    private let identity: (device: UInt64, inode: UInt64)

    /// The open directory and its users, touched only inside `guarded.sync`: a serial queue
    /// rather than a `Mutex`, because ThreadSanitizer sees libdispatch's ordering and not the futex
    /// under `Mutex` (it reported the directory's release as racing with its last use).
    nonisolated(unsafe) private var directory: Directory?
    nonisolated(unsafe) private var users = 0
    private let guarded = DispatchQueue(label: "cassandra-backup-exporter.keyspace")

    init(dataDirectory: String, name: EntryName, stamp: DirectoryStamp) {
        self.dataDirectory = dataDirectory
        self.name = name
        identity = (stamp.device, stamp.inode)
    }

    /// Runs `body` with the keyspace directory open, opening it for the first user and closing
    /// it after the last. Threads only call `openat`/`fstatat` on it, safe concurrently.
    /// - Throws: why the keyspace cannot be opened again (vanished, replaced: `ENOENT`; out of
    ///   descriptors: `EMFILE`).
    func use<R>(_ body: (Directory) -> R) throws(EntryError) -> R {
        // DispatchQueue.sync rethrows as `any Error`: the typed error travels in a Result.
        let opened = try guarded.sync { () -> Result<Directory, EntryError> in
            Result { () throws(EntryError) -> Directory in
                if directory == nil {
                    let opened = try Directory.open(path: dataDirectory).subdirectory(name)
                    let stamp = try opened.stamp()
                    guard stamp.device == identity.device, stamp.inode == identity.inode else { throw EntryError(code: ENOENT) }
                    directory = opened
                }
                users += 1
                return directory!
            }
        }.get()
        defer {
            guarded.sync {
                users -= 1
                if users == 0 { directory = nil }
            }
        }
        return body(opened)
    }
}
