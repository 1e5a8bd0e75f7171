/// What the previous scan learned about each table, so unchanged tables are not walked again.
///
/// **When a table is reused** (the one statement of these rules; the code that applies one says
/// "rule N", and the test named proves it):
/// 1. A table is reused when every directory its last walk stamped still has the same inode,
///    mtime and ctime (`DataDirectoryScanner.changes`). Any file added, removed or renamed there
///    changes a mtime: flushes, compactions, shipping, snapshots taken or cleared, DROP.
///    `IncrementalScanTests.nothingChangedReusesEveryTable`, `.flushLinkedIntoBackupsIsSeen`,
///    `.compactionDeletingALiveFileIsSeen`, `.snapshotTakenAndClearedAreSeen`, `.droppedTableIsSeen`,
///    `.indexFlushIsSeen`.
/// 2. Stamped are the table directory, its index directories, `backups/` and below,
///    `snapshots/`, and each tag that is not a finished snapshot; a snapshot directory unchanged
///    for ``DataDirectoryScanner/finishedSnapshotSeconds`` (60 s) is finished and no longer
///    stamped (`DataDirectoryScanner.cacheEntry`). `IncrementalScanTests.aFinishedSnapshotIsTrustedUntilTheFullWalk`.
/// 3. Only a walk without errors, of directories none of which changed within
///    ``DataDirectoryScanner/stampTrustSeconds`` (2 s: timestamps are as fine as the kernel's clock
///    tick) before it started, is kept (`DataDirectoryScanner.reusable`).
///    `IncrementalScanTests.recentChangesAreNotTrustedWithinTheSettleTime`.
/// 4. A table of which only `backups/` changed has `backups/` listed again and keeps the rest
///    (``BackupLinks``); a link there that the last walk did not see walks the table whole, and a
///    `backups/` that changed within the 2 s keeps its old stamps, so the next scan lists it again
///    (`DataDirectoryScanner.relistBackups`). `IncrementalScanTests.backupsClearedListsOnlyBackups`,
///    `.backupsShippedInPartsAreSeen`, `.aFileCopiedIntoBackupsWalksTheTable`,
///    `.aFreshShippingRunIsListedAgainUntilItSettles`,
///    `.shippingBackupsOfSnapshottedFilesMakesThemExclusiveToTheSnapshots`.
/// 5. Pending SSTables are looked at again once they settle (``PendingSSTables``,
///    `--collector.sstable-settle`): `backups/`'s by listing it again, the snapshots' by a walk.
///    `RestorabilityTests.aSettledFlushIsJudgedByListingBackupsAgain`.
/// 6. A keyspace's list of tables is reused while its directory's stamp holds and is older than
///    the 2 s (``KeyspaceListing``, `DataDirectoryScanner.listTables`).
/// 7. Nothing is reused at start, on every `--collector.full-scan-every`-th scan, or after a
///    failed scan (`Collector`). `FullWalkTests.everyNthScanWalksEverythingAndCatchesWhatStampsMiss`,
///    `CollectorTests.failedScanKeepsTheLastGoodValues`.
/// 8. A table whose walk is stuck or skipped keeps its last values and loses its entry, so it is
///    walked when it answers again (`DataDirectoryScanner.scan`). `SickDiskTests.aHungTableIsReportedAndTheRestIsMeasured`.
/// 9. What stamps cannot see, and rule 7's full walk covers: a hard link to a backed-up file made
///    or removed outside the table (it changes a link count, hence exclusive bytes), files
///    rewritten in place, and files added to or removed from a finished snapshot (Cassandra does
///    none of these). `IncrementalScanTests.linkFromOutsideNeedsTheFullWalk`.
///
/// Three waits, one name each: ``DataDirectoryScanner/stampTrustSeconds`` (a directory's stamp
/// is trusted), ``DataDirectoryScanner/finishedSnapshotSeconds`` (a snapshot is finished),
/// ``SSTableSettle`` (an SSTable has settled and is judged complete or incomplete: the only
/// "settle", as in `--collector.sstable-settle`).
public struct ScanCache: Sendable {
    /// A class, so that handing an entry from scan to scan is one reference count, not one per
    /// string and array inside (the copies showed as 14 % of an unchanged scan at 1,000 tables).
    final class Entry: Sendable {
        let measurement: TableMeasurement
        /// The directories to check, by path from the keyspace directory.
        let stamps: [(path: String, stamp: DirectoryStamp)]
        /// Whether some of ``stamps`` are of a snapshot that may yet turn finished, and so be
        /// dropped from the checks (``DataDirectoryScanner/finishedSnapshotSeconds``).
        let checksSnapshots: Bool
        /// What a scan needs to list only `backups/` when nothing else of the table changed.
        let backupLinks: BackupLinks?
        /// When the table's pending SSTables settle: from then on they are looked at again, so
        /// that they are judged.
        let pending: PendingSSTables

        init(measurement: TableMeasurement, stamps: [(path: String, stamp: DirectoryStamp)], checksSnapshots: Bool, backupLinks: BackupLinks?,
             pending: PendingSSTables) {
            self.measurement = measurement
            self.stamps = stamps
            self.checksSnapshots = checksSnapshots
            self.backupLinks = backupLinks
            self.pending = pending
        }
    }

    var entries: [TableKey: Entry] = [:]

    /// When the last pending SSTable of a table's `backups/` and of its snapshots settles
    /// (seconds since the epoch); `nil` where none is pending. Once `backups/`'s have settled it
    /// is listed again (a flush makes its SSTables pending: relisting is what a flush costs
    /// anyway, where a walk of the whole table doubled the busy node's CPU); once the snapshots'
    /// have, the table is walked.
    struct PendingSSTables: Sendable {
        var backups: Double?
        var snapshots: Double?
    }

    /// A keyspace directory's tables as last listed, sorted by key, with its stamp then: while
    /// the stamp holds (no table created, dropped or renamed), the listing is not read again.
    struct KeyspaceListing: Sendable {
        let stamp: DirectoryStamp
        let tables: [(name: EntryName, key: TableKey)]
    }

    /// By keyspace directory path (`<data_dir>/<keyspace>`).
    var keyspaces: [String: KeyspaceListing] = [:]

    public init() {}

    /// Tables that the next scan may reuse.
    public var count: Int { entries.count }
}
