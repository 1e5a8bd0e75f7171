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
    public let settleSeconds: Double
    /// A snapshot directory (`snapshots/<tag>/` and below) unchanged this long is a finished
    /// snapshot: Cassandra links a snapshot's files and writes its manifest within seconds and
    /// never changes it afterwards, so later scans do not stamp it again (it is walked again when
    /// `snapshots/` or the table changes, and by the periodic full walk). On a node with 20
    /// snapshots per table that is 20 of every 23 stamps.
    public let settledSnapshotSeconds: Double
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

    public init(dataDirectories: [String], parallelism: Int = 1, settleSeconds: Double = 2, settledSnapshotSeconds: Double = 60,
                budget: IOBudget? = nil, lowPriority: Bool = false, walkTimeout: Duration = defaultWalkTimeout) {
        self.dataDirectories = dataDirectories
        self.parallelism = max(1, parallelism)
        self.settleSeconds = settleSeconds
        self.settledSnapshotSeconds = settledSnapshotSeconds
        self.budget = budget
        self.lowPriority = lowPriority
        self.walkTimeout = walkTimeout
        stuck = StuckWalks()
    }

    /// 30 s: a healthy disk answers a metadata call in milliseconds, and idle-class I/O may wait
    /// seconds behind compaction under BFQ, so a call standing still this long is not a busy
    /// disk; and it is half the default interval, so a scan that meets a hung mount still
    /// publishes everything else within one interval.
    public static let defaultWalkTimeout = Duration.seconds(30)

    /// CPU priority of the walker threads when ``lowPriority`` is set.
    public static let walkerNice: Int32 = 10
    /// The walker threads' name (as `ps -L` and /proc show it).
    public static let walkerThreadName = "backup-walker"

    /// A data directory itself could not be read: the scan as a whole failed.
    public struct Failure: Error, CustomStringConvertible {
        public let dataDirectory: String
        public let reason: String
        public var description: String { "cannot read data directory \(dataDirectory): \(reason)" }
    }

    /// The outcome of a scan with a cache.
    public struct Report: Sendable {
        public let measurement: NodeMeasurement
        /// What the next scan may reuse.
        public let cache: ScanCache
        /// Tables walked and tables reused from the cache.
        public let tablesWalked: Int
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
        var errors = ScanErrorCounts()
        var filesystems: [DataDirectoryFilesystem] = []
        var work: [TableWork] = []
        var carried: [TableMeasurement] = []
        for (path, outcome) in zip(dataDirectories, listDataDirectories()) {
            switch outcome {
            case .finished(.success(let listing)):
                filesystems.append(DataDirectoryFilesystem(dataDirectory: path, usage: listing.usage))
                work += listing.tables
                errors.add(listing.errors)
            case .finished(.failure(let failure)):
                throw failure
            case .stuck, .skipped:
                // Its last values stay, with the stuck marker, so no alert resolves because it hangs.
                filesystems += previous?.filesystems.filter { $0.dataDirectory == path } ?? []
                carried += previous?.tables.filter { $0.key.dataDirectory == path } ?? []
            }
        }
        // Put in key order here, so the measurements come out sorted; an order of indices, as
        // moving the items themselves while sorting cost more than the comparisons.
        let order = work.indices.sorted { work[$0].key < work[$1].key }
        let sorted = order.map { work[$0] }
        let outcomes = measure(sorted, cache: cache)
        var tables: [TableMeasurement] = []
        tables.reserveCapacity(outcomes.count + carried.count)
        var nextCache = ScanCache()
        nextCache.entries.reserveCapacity(outcomes.count)
        var reused = 0, kept = carried.count
        for (item, outcome) in zip(sorted, outcomes) {
            switch outcome {
            case .finished(let result):
                errors.add(result.errors)
                guard let table = result.table else { continue }
                tables.append(table)
                if result.reused { reused += 1 }
                if let entry = result.cacheEntry { nextCache.entries[table.key] = entry }
            case .stuck, .skipped:
                if case .stuck = outcome { errors.record(.stuck) }
                if let last = previous?.tables.first(where: { $0.key == item.key }) {
                    tables.append(last)
                    kept += 1
                }
            }
        }
        if !carried.isEmpty { tables = (tables + carried).sorted { $0.key < $1.key } }
        let now = Date().timeIntervalSince1970
        let stuckNow = stuck.snapshot
        let stuckTables = stuckNow.compactMap { place, since -> StuckTable? in
            guard case .table(let key) = place else { return nil }
            return StuckTable(key: key, seconds: max(0, now - since))
        }.sorted { $0.key < $1.key }
        let health = dataDirectories.map { path in
            DataDirectoryHealth(dataDirectory: path, stuck: stuckNow.keys.contains { $0.dataDirectory == path })
        }
        return Report(measurement: NodeMeasurement(tables: tables, filesystems: filesystems, errors: errors,
                                                   dataDirectories: health, stuckTables: stuckTables),
                      cache: nextCache, tablesWalked: tables.count - reused - kept, tablesReused: reused,
                      budgetWait: (budget?.spent.waited ?? .zero) - waitedBefore)
    }

    // MARK: Work items

    /// A table directory to measure, with its keyspace directory kept open.
    private struct TableWork: @unchecked Sendable {  // threads only call openat on the shared keyspace directory
        let keyspace: Directory
        let name: EntryName
        let key: TableKey
    }

    private struct TableResult {
        var table: TableMeasurement?
        var errors = ScanErrorCounts()
        var reused = false
        var cacheEntry: ScanCache.Entry?
    }

    /// What listing a data directory found: its filesystem and its tables.
    private struct Listing: @unchecked Sendable {  // TableWork's directories are shared read-only
        let usage: FilesystemUsage
        let tables: [TableWork]
        let errors: ScanErrorCounts
    }

    /// Lists every data directory on threads of its own, each watched as a table walk is: a data
    /// directory whose `open`, listing or `statvfs` hangs is reported stuck and not touched again
    /// until that call returns.
    private func listDataDirectories() -> [JobOutcome<Result<Listing, Failure>>] {
        let paths = dataDirectories
        let stuck = self.stuck
        return WatchedJobs.run(count: paths.count, threads: paths.count, limit: walkTimeout, name: Self.walkerThreadName,
                               nice: lowPriority ? Self.walkerNice : nil,
                               skip: { stuck.contains(.dataDirectory(paths[$0])) },
                               work: { index, progress in list(paths[index], progress: progress) },
                               stuck: { index, since in stuck.mark(.dataDirectory(paths[index]), since: since) },
                               returnedLate: { stuck.clear(.dataDirectory(paths[$0])) })
    }

    private func list(_ path: String, progress: WalkProgress) -> Result<Listing, Failure> {
        let root: Directory
        let keyspaces: [Directory.Entry]
        let usage: FilesystemUsage
        do {
            budget?.spend()
            root = try Directory.open(path: path)
            progress.tick()
            keyspaces = try root.entries()
            progress.tick()
            usage = try root.filesystemUsage()
            progress.tick()
        } catch {
            return .failure(Failure(dataDirectory: path, reason: String(cString: strerror(error.code))))
        }
        var work: [TableWork] = []
        var errors = ScanErrorCounts()
        for keyspace in keyspaces where keyspace.mayBeDirectory && keyspace.name.text != "lost+found" {
            collectTables(of: keyspace, in: root, dataDirectory: path, into: &work, errors: &errors)
            progress.tick()
        }
        return .success(Listing(usage: usage, tables: work, errors: errors))
    }

    private func collectTables(of entry: Directory.Entry, in root: Directory, dataDirectory: String,
                               into work: inout [TableWork], errors: inout ScanErrorCounts) {
        let keyspace: Directory
        let tables: [Directory.Entry]
        do {
            budget?.spend()
            keyspace = try root.subdirectory(entry.name)
            tables = try keyspace.entries()
        } catch {
            // An entry of unknown d_type that is a file or symlink ends here: not an error.
            if entry.kind != nil || (error.code != ENOTDIR && error.code != ELOOP) { errors.record(error.reason) }
            return
        }
        for table in tables where table.mayBeDirectory {
            guard let name = TableDirectoryName(table.name.text) else { continue }
            let key = TableKey(dataDirectory: dataDirectory, keyspace: entry.name.text,
                               table: name.table, tableID: name.tableID)
            work.append(TableWork(keyspace: keyspace, name: table.name, key: key))
        }
    }

    /// Measures the work items on up to `parallelism` threads of the scanner's own, each taking the
    /// next table as it finishes one, so a few large tables do not leave a thread idle. Threads
    /// share the keyspace directories only through `openat`/`fstatat` on their descriptors, safe
    /// concurrently. With ``lowPriority`` the threads run at nice ``walkerNice`` with idle-class I/O.
    /// A walk that stands still for ``walkTimeout`` is left to its thread and marked in ``stuck``.
    private func measure(_ work: [TableWork], cache: ScanCache?) -> [JobOutcome<TableResult>] {
        let stuck = self.stuck, limit = parallelism
        return WatchedJobs.run(
            count: work.count, threads: parallelism, limit: walkTimeout, name: Self.walkerThreadName,
            nice: lowPriority ? Self.walkerNice : nil,
            skip: { index in
                let key = work[index].key
                return stuck.contains(.table(key)) || stuck.stuckTables(in: key.dataDirectory) >= limit
            },
            work: { index, progress in measure(work[index], cache: cache, progress: progress) },
            stuck: { index, since in stuck.mark(.table(work[index].key), since: since) },
            returnedLate: { stuck.clear(.table(work[$0].key)) })
    }

    /// Reuses the cached measurement when nothing changed, else walks the table.
    private func measure(_ item: TableWork, cache: ScanCache?, progress: WalkProgress) -> TableResult {
        if let cached = cache?.entries[item.key], unchanged(cached, item: item, progress: progress) {
            let entry = cached.checksSnapshots
                ? cacheEntry(cached.measurement, stamps: cached.stamps, table: item.name.text, at: Date().timeIntervalSince1970) : cached
            return TableResult(table: cached.measurement, reused: true, cacheEntry: entry)
        }
        let walkStarted = Date().timeIntervalSince1970
        var scanner = TableScanner(budget: budget, progress: progress)
        let table = scanner.measure(item.name, in: item.keyspace, key: item.key)
        // Only a clean walk of directories that have settled may be reused next time.
        let reusable = table != nil && scanner.errors.total == 0
            && !scanner.stamps.contains { $0.stamp.changed(since: walkStarted - settleSeconds) }
        let base = item.name.text
        let stamps = scanner.stamps.map { (path: $0.path.isEmpty ? base : base + "/" + $0.path, stamp: $0.stamp) }
        return TableResult(table: table, errors: scanner.errors,
                           cacheEntry: reusable ? cacheEntry(table!, stamps: stamps, table: base, at: walkStarted) : nil)
    }

    /// What a later scan checks of a table (`table`: its directory's name): every directory
    /// visited but those of finished snapshots (``settledSnapshotSeconds``) as of `instant`.
    private func cacheEntry(_ measurement: TableMeasurement, stamps: [(path: String, stamp: DirectoryStamp)], table: String,
                            at instant: Double) -> ScanCache.Entry {
        let snapshots = table + "/snapshots/"
        let checked = stamps.filter { path, stamp in !path.hasPrefix(snapshots) || stamp.changed(since: instant - settledSnapshotSeconds) }
        return ScanCache.Entry(measurement: measurement, stamps: checked, checksSnapshots: checked.contains { $0.path.hasPrefix(snapshots) })
    }

    /// Whether every directory of the cached walk still has its stamp.
    private func unchanged(_ cached: ScanCache.Entry, item: TableWork, progress: WalkProgress) -> Bool {
        cached.stamps.allSatisfy { path, stamp in
            budget?.spend()
            defer { progress.tick() }
            return item.keyspace.stamp(at: path) == stamp
        }
    }
}
