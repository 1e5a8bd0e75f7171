import Synchronization

/// The components each TOC.txt lists, by inode: Cassandra writes a TOC once and never changes
/// it, so each is read once, not at every walk (a node holds one per SSTable in `backups/` and in
/// every snapshot: hundreds of thousands of small reads otherwise). Shared by the walking
/// threads. Entries not used during a scan are dropped at the start of the next but one, so the
/// cache holds what the last scans read, not what the node ever held.
public final class TOCCache: Sendable {
    /// A TOC's inode with its size and mtime: an inode number reused by another file is another entry.
    private struct Key: Hashable {
        let inode: InodeKey
        let size: UInt64
        let modified: Double
    }

    private struct Entries {
        var current: [Key: SSTableComponents?] = [:]
        var previous: [Key: SSTableComponents?] = [:]
    }

    private let entries = Mutex(Entries())
    /// TOC files read since start (not served from the cache).
    private let reads = Atomic<Int>(0)

    public init() {}

    /// TOC files read from disk since start.
    public var filesRead: Int { reads.load(ordering: .relaxed) }

    /// Starts a scan: what the scan before last did not use is dropped.
    func startScan() {
        entries.withLock { entries in
            entries.previous = entries.current
            entries.current = [:]
        }
    }

    /// The components the TOC with `status` lists, from the cache or from `read`.
    func components(of status: FileStatus, read: () -> [UInt8]?) -> SSTableComponents? {
        let key = Key(inode: status.key, size: status.size, modified: status.modified)
        let cached: SSTableComponents?? = entries.withLock { entries in
            if let hit = entries.current[key] { return hit }
            if let hit = entries.previous[key] {
                entries.current[key] = hit
                return hit
            }
            return nil
        }
        if let cached { return cached }
        // A read that failed (the file went, descriptors ran short) is not remembered.
        guard let bytes = read() else { return nil }
        reads.add(1, ordering: .relaxed)
        let components = SSTableComponents(toc: bytes)
        entries.withLock { $0.current[key] = components }
        return components
    }
}
