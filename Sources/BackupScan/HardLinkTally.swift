/// Where hard links are counted once: accumulates the regular files of one set (a table's live
/// files, its `backups/`, a snapshot) while it is walked and turns them into a ``FileSetUsage``
/// in which every inode's bytes count once, however many of its links the set holds, and an
/// inode's bytes are exclusive when every one of its links (`st_nlink`) was found in the set.
///
/// Files are appended to a flat array and grouped by inode with one sort at the end: cheaper than
/// hashing every inode, and a table holds a few thousand files at most.
struct HardLinkTally {
    private struct Link {
        let key: InodeKey
        let linkCount: UInt64
        let size: UInt64
        let allocated: UInt64
    }

    private var usage = FileSetUsage()
    private var links: [Link] = []

    /// Adds one directory entry that is a regular file.
    mutating func add(isDataFile: Bool, status: FileStatus) {
        usage.files += 1
        if isDataFile { usage.sstables += 1 }
        usage.oldestModified = min(usage.oldestModified ?? status.modified, status.modified)
        usage.newestModified = max(usage.newestModified ?? status.modified, status.modified)
        links.append(Link(key: status.key, linkCount: status.linkCount, size: status.size, allocated: status.allocated))
    }

    /// Adds every entry of `other` (a union of sets: an inode in both counts its links from both).
    mutating func merge(_ other: HardLinkTally) {
        usage.files += other.usage.files
        usage.sstables += other.usage.sstables
        if let oldest = other.usage.oldestModified { usage.oldestModified = min(usage.oldestModified ?? oldest, oldest) }
        if let newest = other.usage.newestModified { usage.newestModified = max(usage.newestModified ?? newest, newest) }
        links += other.links
    }

    /// `*-Data.db` entries added so far.
    var dataFiles: UInt64 { usage.sstables }

    /// One inode of the set with the links found to it.
    struct Inode {
        let key: InodeKey
        let linkCount: UInt64
        let size: UInt64
        let allocated: UInt64
        let linksFound: UInt64
    }

    /// The set's inodes, each once, sorted by key.
    func inodes() -> [Inode] {
        let sorted = links.sorted { $0.key < $1.key }
        var result: [Inode] = []
        result.reserveCapacity(sorted.count)
        var index = 0
        while index < sorted.count {
            var end = index + 1
            while end < sorted.count && sorted[end].key == sorted[index].key { end += 1 }
            let first = sorted[index]
            result.append(Inode(key: first.key, linkCount: first.linkCount, size: first.size, allocated: first.allocated,
                                linksFound: UInt64(end - index)))
            index = end
        }
        return result
    }

    /// The totals: each inode's bytes once; exclusive bytes of inodes whose every link was found
    /// in this set.
    func finished(_ inodes: [Inode]) -> FileSetUsage {
        var result = usage
        for inode in inodes {
            result.sizeBytes += inode.size
            result.allocatedBytes += inode.allocated
            if inode.linksFound >= inode.linkCount { result.exclusiveBytes += inode.allocated }
        }
        return result
    }
}

extension Array where Element == HardLinkTally.Inode {
    /// Allocated bytes of these inodes that are not in `live` (both sorted by key).
    func allocatedBytes(notIn live: [InodeKey]) -> UInt64 {
        var total: UInt64 = 0
        var position = 0
        for inode in self {
            while position < live.count && live[position] < inode.key { position += 1 }
            if position == live.count || live[position] != inode.key { total += inode.allocated }
        }
        return total
    }
}
