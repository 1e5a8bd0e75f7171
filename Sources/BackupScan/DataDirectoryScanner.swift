import FoundationEssentials
import Glibc
import Synchronization

/// Scans Cassandra data directories and returns a ``NodeMeasurement``.
///
/// The layout is `<data_dir>/<keyspace>/<table>-<id>/`; see `docs/on-disk.md`. Only directories
/// whose name parses as ``TableDirectoryName`` become tables; `lost+found`, stray files and other
/// directories are skipped without error. Read-only: nothing is created, written or deleted.
public struct DataDirectoryScanner: Sendable {
    /// Data directories as configured (labels use these strings).
    public let dataDirectories: [String]
    /// Tables measured at once; 1 walks on the calling thread only.
    public let parallelism: Int

    /// A table whose directories changed less than this long before its walk is walked again
    /// next time: within the filesystem's timestamp granularity (a few milliseconds on Linux) a
    /// second change may leave the mtime as it was.
    public let stampTrustSeconds: Double
    /// A snapshot directory (`snapshots/<tag>/` and below) unchanged this long is a finished
    /// snapshot: Cassandra links a snapshot's files and writes its manifest within seconds and
    /// never changes it afterwards, so later scans do not stamp it again (it is walked again when
    /// `snapshots/` or the table changes, and by the periodic full walk). On a node with 20
    /// snapshots per table that is 20 of every 23 stamps.
    public let finishedSnapshotSeconds: Double
    /// Paces directory reads and `fstatat` calls (`--collector.max-stat-rate`); `nil`: unpaced.
    public let budget: IOBudget?
    /// Whether tables are walked on threads of their own at nice 10 with idle-class I/O, so a
    /// busy node's own work goes first (`--no-collector.low-priority` turns it off).
    public let lowPriority: Bool
    /// How long a walk's calls into the filesystem may stand still before the walk is left to
    /// its thread and reported stuck (`--collector.walk-timeout`).
    public let walkTimeout: Duration
    /// Places stuck in earlier scans: not walked again until their call returns.
    public let stuck: StuckWalks
    /// How long an SSTable stands still before it is judged complete or not (``SSTableSettle``).
    public let sstableSettleSeconds: Double
    /// The TOC.txt files read so far, by inode.
    public let tocs: TOCCache

    public init(dataDirectories: [String], parallelism: Int = 1, stampTrustSeconds: Double = 2, finishedSnapshotSeconds: Double = 60,
                budget: IOBudget? = nil, lowPriority: Bool = false, walkTimeout: Duration = defaultWalkTimeout,
                sstableSettleSeconds: Double = SSTableSettle.defaultSeconds) {
        self.dataDirectories = dataDirectories
        self.parallelism = max(1, parallelism)
        self.stampTrustSeconds = stampTrustSeconds
        self.finishedSnapshotSeconds = finishedSnapshotSeconds
        self.budget = budget
        self.lowPriority = lowPriority
        self.walkTimeout = walkTimeout
        self.sstableSettleSeconds = sstableSettleSeconds
        stuck = StuckWalks()
        tocs = TOCCache()
    }

    /// 30 s: a healthy disk answers a metadata call in milliseconds, and idle-class I/O may wait
    /// seconds behind compaction under BFQ, so a call standing still this long is not a busy
    /// disk; and it is half the default interval, so a scan that meets a hung mount still
    /// publishes everything else within one interval.
    public static let defaultWalkTimeout = Duration.seconds(30)

    /// CPU priority of the walker threads when ``lowPriority`` is set.
    static let walkerNice: Int32 = 10
    /// The walker threads' name (as `ps -L` and /proc show it).
    static let walkerThreadName = "backup-walker"

    /// The scan as a whole failed: a data directory itself could not be read, or the exporter ran
    /// out of descriptors or memory somewhere below it (``ScanErrorReason/resources``).
    public struct Failure: Error, CustomStringConvertible {
        public let dataDirectory: String
        public let reason: String
        /// Entries skipped before the scan gave up, by reason.
        public var errors = ScanErrorCounts()
        public var description: String { "cannot read data directory \(dataDirectory): \(reason)" }
    }

    /// Why a scan that ran out of descriptors or memory failed.
    static let resourcesReason = "out of file descriptors, threads or memory (EMFILE, ENFILE, ENOMEM, or no walker thread); the last good values are kept"


    /// The outcome of a scan with a cache.
    public struct Report: Sendable {
        public let measurement: NodeMeasurement
        /// What the next scan may reuse.
        public let cache: ScanCache
        /// Tables walked, tables of which only `backups/` was listed again (the rest had not
        /// changed), and tables reused from the cache.
        public let tablesWalked: Int
        public let tablesBackupsListed: Int
        public let tablesReused: Int
        /// How long the budget held calls back during this scan, summed over the walking threads.
        public let budgetWait: Duration
    }

    /// Walks every data directory once, without reusing anything.
    /// - Throws: ``Failure`` when a configured data directory cannot be opened or listed.
    public func scan() throws(Failure) -> NodeMeasurement {
        try scan(reusing: nil).measurement
    }

    /// Walks every data directory, reusing the measurement of tables whose directories did not
    /// change since `cache` was made (see ``ScanCache``); `nil` walks everything.
    ///
    /// A data directory or table whose calls stand still for ``walkTimeout`` (a hung mount) is
    /// left to its thread and reported stuck; the scan goes on with the rest. Until the stuck call
    /// returns, that place is not walked again, and its tables keep their values from `previous`.
    /// At most ``parallelism`` threads are ever stuck in one data directory: past that, its
    /// remaining tables also keep their previous values.
    /// - Throws: ``Failure`` when a configured data directory cannot be opened or listed.
    public func scan(reusing cache: ScanCache?, previous: NodeMeasurement? = nil) throws(Failure) -> Report {
        let waitedBefore = budget?.spent.waited ?? .zero
        tocs.startScan()
        var scan = ScanInProgress()
        try listDataDirectories(into: &scan, cache: cache, previous: previous)
        measureTables(into: &scan, cache: cache, previous: previous)
        // A table skipped for want of a descriptor is not gone: the scan fails, and the last values stay.
        if let exhausted = scan.exhausted { throw Failure(dataDirectory: exhausted, reason: Self.resourcesReason, errors: scan.errors) }
        return report(scan, budgetWait: (budget?.spent.waited ?? .zero) - waitedBefore)
    }

    /// What a scan has gathered so far.
    private struct ScanInProgress {
        var errors = ScanErrorCounts()
        var filesystems: [DataDirectoryFilesystem] = []
        /// The tables the listings found, to be measured.
        var work: [TableWork] = []
        /// The last values of tables in data directories that could not be listed this time.
        var carried: [TableMeasurement] = []
        var tables: [TableMeasurement] = []
        var nextCache = ScanCache()
        var reused = 0, backupsListed = 0, kept = 0
        /// The first data directory where descriptors or memory ran out.
        var exhausted: String?

        mutating func ranOut(in dataDirectory: String) {
            if exhausted == nil { exhausted = dataDirectory }
        }
    }

    /// Lists every data directory: its tables become work, its filesystem is measured. A data
    /// directory that is stuck or skipped keeps its last values, with the stuck marker, so no
    /// alert resolves because it hangs.
    /// - Throws: ``Failure`` when a data directory cannot be opened or listed.
    private func listDataDirectories(into scan: inout ScanInProgress, cache: ScanCache?, previous: NodeMeasurement?) throws(Failure) {
        for (path, outcome) in zip(dataDirectories, watchedListings(cache: cache)) {
            switch outcome {
            case .finished(.success(let listing)):
                scan.filesystems.append(DataDirectoryFilesystem(dataDirectory: path, usage: listing.usage))
                scan.work += listing.tables
                scan.errors.add(listing.errors)
                if listing.errors[.resources] > 0 { scan.ranOut(in: path) }
                scan.nextCache.keyspaces.merge(listing.keyspaces) { $1 }
            case .finished(.failure(var failure)):
                failure.errors.add(scan.errors)
                throw failure
            case .stuck, .skipped, .notRun:
                if case .notRun = outcome {
                    scan.errors.record(.resources)
                    scan.ranOut(in: path)
                }
                scan.filesystems += previous?.filesystems.filter { $0.dataDirectory == path } ?? []
                scan.carried += previous?.tables.filter { $0.key.dataDirectory == path } ?? []
            }
        }
    }

    /// Measures the listed tables, in key order, reusing what `cache` allows; a table stuck or
    /// skipped keeps its last values. Leaves `scan.tables` sorted by key.
    private func measureTables(into scan: inout ScanInProgress, cache: ScanCache?, previous: NodeMeasurement?) {
        // Put in key order here, so the measurements come out sorted; each keyspace's tables come
        // sorted, so this sorts only when data directories or keyspaces are out of order; an
        // order of indices, as moving the items themselves while sorting cost more than the comparisons.
        let work = scan.work
        let inOrder = zip(work, work.dropFirst()).allSatisfy { $0.key < $1.key }
        let sorted = inOrder ? work : work.indices.sorted { work[$0].key < work[$1].key }.map { work[$0] }
        let outcomes = measure(sorted, cache: cache,
                               restorability: RestorabilityCheck(settleSeconds: sstableSettleSeconds, tocs: tocs, keepDataFiles: dataDirectories.count > 1))
        // Tables skipped or not run never used their keyspace: it closes now (or when a walk
        // left behind in it returns).
        for item in sorted { item.keyspace.finish() }
        scan.tables.reserveCapacity(outcomes.count + scan.carried.count)
        scan.nextCache.entries.reserveCapacity(outcomes.count)
        scan.kept = scan.carried.count
        for (item, outcome) in zip(sorted, outcomes) {
            switch outcome {
            case .finished(let result):
                scan.errors.add(result.errors)
                if result.errors[.resources] > 0 { scan.ranOut(in: item.key.dataDirectory) }
                guard let table = result.table else { continue }
                scan.tables.append(table)
                switch result.source {
                case .reused: scan.reused += 1
                case .backupsListed: scan.backupsListed += 1
                case .walked: break
                }
                if let entry = result.cacheEntry { scan.nextCache.entries[table.key] = entry }
            case .stuck, .skipped, .notRun:
                // Rule 8 (ScanCache): last values kept, no cache entry.
                if case .stuck = outcome { scan.errors.record(.stuck) }
                if case .notRun = outcome {
                    scan.errors.record(.resources)
                    scan.ranOut(in: item.key.dataDirectory)
                }
                if let last = previous?.tables.first(where: { $0.key == item.key }) {
                    scan.tables.append(last)
                    scan.kept += 1
                }
            }
        }
        if !scan.carried.isEmpty { scan.tables = (scan.tables + scan.carried).sorted { $0.key < $1.key } }
    }

    /// The measurement and cache of a finished scan, with the places stuck now.
    private func report(_ scan: ScanInProgress, budgetWait: Duration) -> Report {
        let tables = dataDirectories.count > 1 ? SnapshotRestore.judged(scan.tables) : scan.tables
        let now = Date().timeIntervalSince1970
        let stuckNow = stuck.snapshot
        let stuckTables = stuckNow.compactMap { place, since -> StuckTable? in
            guard case .table(let key) = place else { return nil }
            return StuckTable(key: key, seconds: max(0, now - since))
        }.sorted { $0.key < $1.key }
        let health = dataDirectories.map { path in
            DataDirectoryHealth(dataDirectory: path, stuck: stuckNow.keys.contains { $0.dataDirectory == path })
        }
        return Report(measurement: NodeMeasurement(tables: tables, filesystems: scan.filesystems, errors: scan.errors,
                                                   dataDirectories: health, stuckTables: stuckTables),
                      cache: scan.nextCache, tablesWalked: tables.count - scan.reused - scan.backupsListed - scan.kept,
                      tablesBackupsListed: scan.backupsListed, tablesReused: scan.reused, budgetWait: budgetWait)
    }
}
