/// Accumulates the regular files of one set while it is walked; turns into a ``FileSetUsage``.
struct FileSetTally {
    private struct Inode {
        let linkCount: UInt64
        let allocated: UInt64
        var linksFound: UInt64
    }

    private var usage = FileSetUsage()
    private var inodes: [InodeKey: Inode] = [:]

    /// Adds one directory entry that is a regular file.
    mutating func add(name: String, status: FileStatus) {
        usage.files += 1
        if name.hasSuffix("-Data.db") { usage.sstables += 1 }
        usage.oldestModified = min(usage.oldestModified ?? status.modified, status.modified)
        usage.newestModified = max(usage.newestModified ?? status.modified, status.modified)
        if inodes[status.key] != nil {
            inodes[status.key]!.linksFound += 1
        } else {
            inodes[status.key] = Inode(linkCount: status.linkCount, allocated: status.allocated, linksFound: 1)
            usage.sizeBytes += status.size
            usage.allocatedBytes += status.allocated
        }
    }

    /// The totals, with exclusive bytes: inodes whose every link was found in this set.
    func finished() -> FileSetUsage {
        var result = usage
        result.exclusiveBytes = inodes.values.reduce(0) { sum, inode in
            inode.linksFound >= inode.linkCount ? sum + inode.allocated : sum
        }
        return result
    }

    /// Allocated bytes of inodes not in `live`.
    func allocatedBytes(notIn live: Set<InodeKey>) -> UInt64 {
        inodes.reduce(0) { sum, entry in live.contains(entry.key) ? sum : sum + entry.value.allocated }
    }
}
