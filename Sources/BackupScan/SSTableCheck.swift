import Glibc

/// Whether the SSTables of a set (`backups/` or a snapshot, with their `.<index>/` directories)
/// are complete, as a restore needs them.
///
/// An SSTable is complete when its Data.db, its primary index (Index.db, or Partitions.db for
/// `bti`), its TOC.txt and every component the TOC lists are present (`TOCComponent.java`).
/// Components are linked one by one in no fixed order, and shipping jobs delete them one by one,
/// so an SSTable is judged only once it has settled (``SSTableSettle``); before that it is pending.
public struct SSTableCheck: Sendable, Equatable {
    /// Settled SSTables with every component.
    public var complete: UInt64 = 0
    /// Settled SSTables lacking a component.
    public var incomplete: UInt64 = 0
    /// Of ``incomplete``, those lacking a component Cassandra cannot rebuild: anything but
    /// Filter.db and Summary.db, which it regenerates when it loads the SSTable.
    public var unrebuildable: UInt64 = 0
    /// SSTables not judged yet: a component, or the directory, changed within the settle time.
    public var pending: UInt64 = 0
    /// Components whose same-named live file now has another inode: Cassandra rewrote it
    /// (Statistics.db after a repair marks it repaired, Summary.db after a redistribution).
    public var rewrittenComponents: UInt64 = 0

    public init() {}

    mutating func add(_ other: SSTableCheck) {
        complete += other.complete
        incomplete += other.incomplete
        unrebuildable += other.unrebuildable
        pending += other.pending
        rewrittenComponents += other.rewrittenComponents
    }
}

/// How long an SSTable must stand still before it is judged: its newest component's change
/// (`st_ctime`, which linking and unlinking set) and, for an SSTable found incomplete, its
/// directory's last change (a removal shows only there).
///
/// 60 s: Cassandra links all of an SSTable's components in one loop, within milliseconds
/// (`SSTableReader.createLinks`), and a shipping job removes a set of files within seconds; a
/// minute also covers a slow network filesystem, and is the default scan interval, so an
/// SSTable caught in the middle is judged by the next scan or the one after.
public enum SSTableSettle {
    public static let defaultSeconds = 60.0
}

/// The SSTables of one directory of a set, collected while it is listed and judged at its end.
struct SSTableGroups {
    private struct Group {
        var present = SSTableComponents()
        var newestChange = 0.0
        var trieIndexed = false
        /// TOC.txt's name and status, to read it.
        var toc: (name: String, status: FileStatus)?

        mutating func add(_ name: SSTableFileName, status: FileStatus) {
            present.insert(name.component, bit: name.bit)
            newestChange = max(newestChange, status.changed)
            if name.bit == SSTableComponents.toc {
                toc = (String(decoding: UnsafeBufferPointer(start: name.sstable.baseAddress, count: name.sstable.count + name.component.count + 1),
                              as: UTF8.self), status)
            }
        }
    }

    private var groups: [NameHash: Group] = [:]

    /// Adds a regular file of the directory, its name parsed.
    mutating func add(_ name: SSTableFileName, status: FileStatus) {
        groups[NameHash(name.sstable), default: Group(trieIndexed: name.isTrieIndexed)].add(name, status: status)
    }

    /// Judges every SSTable of the directory at `now`. `readTOC` reads a TOC.txt of the
    /// directory by name (through ``TOCCache``); `directoryChanged` is the directory's last change.
    /// With `byDirectory` (a snapshot) only the directory's change counts: its SSTables are linked
    /// when it is taken, and a link made or removed elsewhere later (a compaction, a shipping run)
    /// sets their `st_ctime` without changing the snapshot. Also returns when the last pending
    /// SSTable settles (`nil`: none is pending).
    func judge(now: Double, settleSeconds: Double, directoryChanged: Double, byDirectory: Bool,
               readTOC: (String, FileStatus) -> SSTableComponents?) -> (check: SSTableCheck, settlesAt: Double?) {
        var check = SSTableCheck()
        var settlesAt: Double?
        func pending(since change: Double) {
            check.pending += 1
            settlesAt = max(settlesAt ?? 0, change + settleSeconds)
        }
        for group in groups.values where group.present.known != 0 {  // a file of some other tool's: no SSTable
            let changed = byDirectory ? directoryChanged : group.newestChange
            guard now - changed >= settleSeconds else {
                pending(since: changed)
                continue
            }
            // Every component there is: nothing a TOC lists can be missing, and on a cold node each
            // TOC read is a disk read of its own (the cold full walk took 0.71x du's time with them).
            if group.present.holdsEveryComponent(trieIndexed: group.trieIndexed) {
                check.complete += 1
                continue
            }
            var required = SSTableComponents.data | SSTableComponents.toc
                | (group.trieIndexed ? SSTableComponents.partitions : SSTableComponents.index)
            var listed: SSTableComponents?
            if let toc = group.toc, let components = readTOC(toc.name, toc.status), components.known & SSTableComponents.data != 0 {
                listed = components
                required |= components.known
            }
            let missingKnown = required & ~group.present.known
            let missingOther = listed.map { !$0.other.allSatisfy(group.present.other.containsSorted) } ?? false
            if missingKnown == 0 && !missingOther && listed != nil {
                check.complete += 1
                continue
            }
            guard now - directoryChanged >= settleSeconds else {
                pending(since: directoryChanged)
                continue
            }
            check.incomplete += 1
            if missingKnown & ~SSTableComponents.rebuildable != 0 || missingOther || listed == nil { check.unrebuildable += 1 }
        }
        return (check, settlesAt)
    }
}

/// What SSTables are judged against during one scan.
struct RestorabilityCheck: Sendable {
    /// The scan's time, seconds since the epoch.
    var now: Double
    /// ``SSTableSettle``.
    var settleSeconds: Double
    /// TOCs read before; `nil`: read every one.
    var tocs: TOCCache?
    /// Keep each snapshot's Data.db hashes (several data directories: another part's manifest
    /// may name them).
    var keepDataFiles: Bool

    init(now: Double = wallClock(), settleSeconds: Double = SSTableSettle.defaultSeconds, tocs: TOCCache? = nil, keepDataFiles: Bool = false) {
        self.now = now
        self.settleSeconds = settleSeconds
        self.tocs = tocs
        self.keepDataFiles = keepDataFiles
    }

    /// `CLOCK_REALTIME` in seconds since the epoch, as file times are.
    static func wallClock() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
    }
}
