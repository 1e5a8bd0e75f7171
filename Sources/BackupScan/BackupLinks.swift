/// What a table's walk learned about the inodes under its `backups/`, so that a scan after a
/// shipping run (only `backups/` changed) lists `backups/` again and keeps the rest of the table.
///
/// Removing a backup link lowers its inode's link count without changing any other directory of
/// the table. The live files' figures do not depend on link counts, so they stay; the snapshots'
/// exclusive bytes do, and only through the inodes that lost a link: those are looked up in the
/// snapshots' listings and stat'ed again, nothing else. Kept as two flat arrays (9 bytes per backup file: about 2.9 MB
/// for the 322,000 backup files of the 1M-file benchmark node) rather than a set of keys.
struct BackupLinks: Sendable {
    /// What else holds an inode of `backups/`, among what the table's walk saw.
    struct Roles: OptionSet, Sendable {
        let rawValue: UInt8
        /// A live file of the table (the backup is not compacted).
        static let live = Roles(rawValue: 1)
        /// A file of one of the table's snapshots.
        static let inSnapshot = Roles(rawValue: 2)
    }

    /// Inode numbers under `backups/`, sorted, each once (one device: the table's).
    private(set) var inodes: [UInt64]
    /// The roles of each of ``inodes``, at the same index.
    private(set) var roles: [Roles]

    /// The links of a walked table; `nil` when an inode has more than one link in `backups/`
    /// (Cassandra links each file once) or lies on another device: such a table is walked whole.
    /// Each array is sorted by key, as ``HardLinkTally/inodes()`` returns it.
    init?(backups: [HardLinkTally.Inode], live: [HardLinkTally.Inode], snapshots: [HardLinkTally.Inode], device: UInt64) {
        guard backups.allSatisfy({ $0.linksFound == 1 && $0.key.device == device }) else { return nil }
        inodes = backups.map(\.key.inode)
        roles = Array(repeating: [], count: backups.count)
        mark(.live, in: live)
        mark(.inSnapshot, in: snapshots)
    }

    private init(inodes: [UInt64], roles: [Roles]) {
        self.inodes = inodes
        self.roles = roles
    }

    /// The links of `backups/` as listed again, every one of which must have been there before:
    /// `nil` when one is new (a flush or a copy put it there: the table is walked whole).
    /// `lostFromSnapshots`: the inodes that lost their backup link and are in a snapshot, sorted.
    func remaining(_ backups: [HardLinkTally.Inode], device: UInt64) -> (links: BackupLinks, lostFromSnapshots: [UInt64])? {
        var kept = BackupLinks(inodes: [], roles: [])
        kept.inodes.reserveCapacity(backups.count)
        kept.roles.reserveCapacity(backups.count)
        var lost: [UInt64] = []
        var position = 0
        func skip(to end: Int) {
            while position < end {
                if roles[position].contains(.inSnapshot) { lost.append(inodes[position]) }
                position += 1
            }
        }
        for inode in backups {
            guard inode.linksFound == 1, inode.key.device == device else { return nil }
            var end = position
            while end < inodes.count && inodes[end] < inode.key.inode { end += 1 }
            skip(to: end)
            guard position < inodes.count && inodes[position] == inode.key.inode else { return nil }
            kept.inodes.append(inodes[position])
            kept.roles.append(roles[position])
            position += 1
        }
        skip(to: inodes.count)
        return (kept, lost)
    }

    /// Allocated bytes of `backups` (the inodes of ``inodes``, in order) that are not a live file.
    func compactedBytes(of backups: [HardLinkTally.Inode]) -> UInt64 {
        zip(backups, roles).reduce(0) { total, pair in pair.1.contains(.live) ? total : total + pair.0.allocated }
    }

    /// Adds `role` to each inode that is also in `others` (sorted by key; one device).
    private mutating func mark(_ role: Roles, in others: [HardLinkTally.Inode]) {
        var position = 0
        for index in inodes.indices {
            while position < others.count && others[position].key.inode < inodes[index] { position += 1 }
            if position < others.count && others[position].key.inode == inodes[index] { roles[index].insert(role) }
        }
    }
}

extension Array where Element == UInt64 {
    /// Whether this sorted array holds `value` (a binary search).
    func containsSorted(_ value: UInt64) -> Bool {
        var low = 0, high = count
        while low < high {
            let middle = (low + high) / 2
            if self[middle] < value { low = middle + 1 } else { high = middle }
        }
        return low < count && self[low] == value
    }
}
