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
    public static let walkerNice: Int32 = 10
    /// The walker threads' name (as `ps -L` and /proc show it).
    public static let walkerThreadName = "backup-walker"

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
        let restorability = RestorabilityCheck(settleSeconds: sstableSettleSeconds, tocs: tocs, keepDataFiles: dataDirectories.count > 1)
        var errors = ScanErrorCounts()
        var filesystems: [DataDirectoryFilesystem] = []
        var work: [TableWork] = []
        var carried: [TableMeasurement] = []
        var nextCache = ScanCache()
        /// The first data directory where descriptors or memory ran out.
        var exhausted: String?
        for (path, outcome) in zip(dataDirectories, listDataDirectories(cache: cache)) {
            switch outcome {
            case .finished(.success(let listing)):
                filesystems.append(DataDirectoryFilesystem(dataDirectory: path, usage: listing.usage))
                work += listing.tables
                errors.add(listing.errors)
                if listing.errors[.resources] > 0, exhausted == nil { exhausted = path }
                nextCache.keyspaces.merge(listing.keyspaces) { $1 }
            case .finished(.failure(var failure)):
                failure.errors.add(errors)
                throw failure
            case .stuck, .skipped, .notRun:
                // Its last values stay, with the stuck marker, so no alert resolves because it hangs.
                if case .notRun = outcome {
                    errors.record(.resources)
                    if exhausted == nil { exhausted = path }
                }
                filesystems += previous?.filesystems.filter { $0.dataDirectory == path } ?? []
                carried += previous?.tables.filter { $0.key.dataDirectory == path } ?? []
            }
        }
        // Put in key order here, so the measurements come out sorted; each keyspace's tables come
        // sorted, so this sorts only when data directories or keyspaces are out of order; an
        // order of indices, as moving the items themselves while sorting cost more than the comparisons.
        let inOrder = zip(work, work.dropFirst()).allSatisfy { $0.key < $1.key }
        let sorted = inOrder ? work : work.indices.sorted { work[$0].key < work[$1].key }.map { work[$0] }
        let outcomes = measure(sorted, cache: cache, restorability: restorability)
        var tables: [TableMeasurement] = []
        tables.reserveCapacity(outcomes.count + carried.count)
        nextCache.entries.reserveCapacity(outcomes.count)
        var reused = 0, backupsListed = 0, kept = carried.count
        for (item, outcome) in zip(sorted, outcomes) {
            switch outcome {
            case .finished(let result):
                errors.add(result.errors)
                if result.errors[.resources] > 0, exhausted == nil { exhausted = item.key.dataDirectory }
                guard let table = result.table else { continue }
                tables.append(table)
                switch result.source {
                case .reused: reused += 1
                case .backupsListed: backupsListed += 1
                case .walked: break
                }
                if let entry = result.cacheEntry { nextCache.entries[table.key] = entry }
            case .stuck, .skipped, .notRun:
                // Rule 8 (ScanCache): last values kept, no cache entry.
                if case .stuck = outcome { errors.record(.stuck) }
                if case .notRun = outcome {
                    errors.record(.resources)
                    if exhausted == nil { exhausted = item.key.dataDirectory }
                }
                if let last = previous?.tables.first(where: { $0.key == item.key }) {
                    tables.append(last)
                    kept += 1
                }
            }
        }
        // A table skipped for want of a descriptor is not gone: the scan fails, and the last values stay.
        if let exhausted { throw Failure(dataDirectory: exhausted, reason: Self.resourcesReason, errors: errors) }
        if !carried.isEmpty { tables = (tables + carried).sorted { $0.key < $1.key } }
        if dataDirectories.count > 1 { tables = SnapshotRestore.judged(tables) }
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
                      cache: nextCache, tablesWalked: tables.count - reused - backupsListed - kept,
                      tablesBackupsListed: backupsListed, tablesReused: reused,
                      budgetWait: (budget?.spent.waited ?? .zero) - waitedBefore)
    }

    // MARK: Work items

    /// A table directory to measure, with its keyspace directory (opened while its tables are walked).
    private struct TableWork: @unchecked Sendable {  // EntryName's bytes are only read
        let keyspace: KeyspaceDirectory
        let name: EntryName
        let key: TableKey
    }

    private struct TableResult {
        enum Source { case walked, backupsListed, reused }
        var table: TableMeasurement?
        var errors = ScanErrorCounts()
        var source = Source.walked
        var cacheEntry: ScanCache.Entry?
    }

    /// What listing a data directory found: its filesystem and its tables, with the keyspace
    /// listings a later scan may reuse.
    private struct Listing: @unchecked Sendable {  // TableWork's directories are shared read-only
        let usage: FilesystemUsage
        let tables: [TableWork]
        let errors: ScanErrorCounts
        let keyspaces: [String: ScanCache.KeyspaceListing]
    }

    /// Lists every data directory on threads of its own, each watched as a table walk is: a data
    /// directory whose `open`, listing or `statvfs` hangs is reported stuck and not touched again
    /// until that call returns.
    private func listDataDirectories(cache: ScanCache?) -> [JobOutcome<Result<Listing, Failure>>] {
        let paths = dataDirectories
        let stuck = self.stuck
        return WatchedJobs.run(count: paths.count, threads: paths.count, limit: walkTimeout, name: Self.walkerThreadName,
                               nice: lowPriority ? Self.walkerNice : nil,
                               skip: { stuck.contains(.dataDirectory(paths[$0])) },
                               work: { index, progress in list(paths[index], cache: cache, progress: progress) },
                               stuck: { index, since in stuck.mark(.dataDirectory(paths[index]), since: since) },
                               returnedLate: { stuck.clear(.dataDirectory(paths[$0])) })
    }

    private func list(_ path: String, cache: ScanCache?, progress: WalkProgress) -> Result<Listing, Failure> {
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
            var errors = ScanErrorCounts()
            errors.record(error.reason)
            let reason = error.reason == .resources ? Self.resourcesReason : String(cString: strerror(error.code))
            return .failure(Failure(dataDirectory: path, reason: reason, errors: errors))
        }
        var work: [TableWork] = []
        var errors = ScanErrorCounts()
        var listings: [String: ScanCache.KeyspaceListing] = [:]
        let now = Date().timeIntervalSince1970
        for keyspace in keyspaces.sorted(by: { $0.name.text < $1.name.text })
        where keyspace.mayBeDirectory && keyspace.name.text != "lost+found" {
            let keyspacePath = path + "/" + keyspace.name.text
            if let listing = listTables(of: keyspace, in: root, dataDirectory: path, known: cache?.keyspaces[keyspacePath],
                                        into: &work, errors: &errors), !listing.stamp.changed(since: now - stampTrustSeconds) {  // rule 6
                listings[keyspacePath] = listing
            }
            progress.tick()
        }
        return .success(Listing(usage: usage, tables: work, errors: errors, keyspaces: listings))
    }

    /// Adds the tables of one keyspace directory to `work`, sorted by key, from `known` while the
    /// directory's stamp is still its own; returns the listing with the stamp taken before it.
    private func listTables(of entry: Directory.Entry, in root: Directory, dataDirectory: String, known: ScanCache.KeyspaceListing?,
                            into work: inout [TableWork], errors: inout ScanErrorCounts) -> ScanCache.KeyspaceListing? {
        let keyspace: Directory
        let stamp: DirectoryStamp
        let entries: [Directory.Entry]
        do {
            budget?.spend()
            keyspace = try root.subdirectory(entry.name)
            stamp = try keyspace.stamp()
            if let known, known.stamp == stamp {  // rule 6 (ScanCache)
                let shared = KeyspaceDirectory(dataDirectory: dataDirectory, name: entry.name, stamp: stamp)
                work += known.tables.map { TableWork(keyspace: shared, name: $0.name, key: $0.key) }
                return known
            }
            entries = try keyspace.entries()
        } catch {
            // An entry of unknown d_type that is a file or symlink ends here: not an error.
            if entry.kind != nil || (error.code != ENOTDIR && error.code != ELOOP) { errors.record(error.reason) }
            return nil
        }
        var tables: [(name: EntryName, key: TableKey)] = []
        for table in entries where table.mayBeDirectory {
            guard let name = TableDirectoryName(table.name.text) else { continue }
            tables.append((table.name, TableKey(dataDirectory: dataDirectory, keyspace: entry.name.label, table: table.name.label(name.table),
                                                tableID: name.tableID)))
        }
        tables.sort { $0.key < $1.key }
        let shared = KeyspaceDirectory(dataDirectory: dataDirectory, name: entry.name, stamp: stamp)
        work += tables.map { TableWork(keyspace: shared, name: $0.name, key: $0.key) }
        return ScanCache.KeyspaceListing(stamp: stamp, tables: tables)
    }

    /// Measures the work items on up to `parallelism` threads of the scanner's own, each taking the
    /// next table as it finishes one, so a few large tables do not leave a thread idle. Threads
    /// share the keyspace directories only through `openat`/`fstatat` on their descriptors, safe
    /// concurrently. With ``lowPriority`` the threads run at nice ``walkerNice`` with idle-class I/O.
    /// A walk that stands still for ``walkTimeout`` is left to its thread and marked in ``stuck``.
    private func measure(_ work: [TableWork], cache: ScanCache?, restorability: RestorabilityCheck) -> [JobOutcome<TableResult>] {
        let stuck = self.stuck, limit = parallelism
        return WatchedJobs.run(
            count: work.count, threads: parallelism, limit: walkTimeout, name: Self.walkerThreadName,
            nice: lowPriority ? Self.walkerNice : nil,
            skip: { index in
                let key = work[index].key
                return stuck.contains(.table(key)) || stuck.stuckTables(in: key.dataDirectory) >= limit
            },
            work: { index, progress in measure(work[index], cache: cache, restorability: restorability, progress: progress) },
            stuck: { index, since in stuck.mark(.table(work[index].key), since: since) },
            returnedLate: { stuck.clear(.table(work[$0].key)) })
    }

    /// Measures a table with its keyspace directory open; see ``measure(_:in:cache:progress:)``.
    private func measure(_ item: TableWork, cache: ScanCache?, restorability: RestorabilityCheck, progress: WalkProgress) -> TableResult {
        do {
            return try item.keyspace.use { keyspace in
                measure(item, in: keyspace, cache: cache, restorability: restorability, progress: progress)
            }
        } catch {
            var errors = ScanErrorCounts()
            errors.record(error.reason)
            return TableResult(table: nil, errors: errors)
        }
    }

    /// Reuses the cached measurement when nothing changed, lists `backups/` again when only it
    /// changed, else walks the table.
    private func measure(_ item: TableWork, in keyspace: Directory, cache: ScanCache?, restorability: RestorabilityCheck,
                         progress: WalkProgress) -> TableResult {
        let base = item.name.text
        if let cached = cache?.entries[item.key] {
            switch changes(of: cached, item: item, in: keyspace, progress: progress) {
            case .none:  // rule 1 (ScanCache)
                let entry = cached.checksSnapshots
                    ? cacheEntry(cached.measurement, stamps: cached.stamps, backupLinks: cached.backupLinks, table: base,
                                 at: Date().timeIntervalSince1970, pending: cached.pending) : cached
                return TableResult(table: cached.measurement, source: .reused, cacheEntry: entry)
            case .backups:  // rule 4
                if let links = cached.backupLinks,
                   let result = relistBackups(item, in: keyspace, cached: cached, links: links, restorability: restorability, progress: progress) {
                    return result
                }
            case .more:
                break
            }
        }
        let walkStarted = Date().timeIntervalSince1970
        var scanner = TableScanner(budget: budget, progress: progress, restorability: restorability)
        let walked = scanner.measure(item.name, in: keyspace, key: item.key)
        let stamps = Self.fromKeyspace(scanner.stamps, table: base)
        let entry = walked.flatMap { table, links in
            reusable(scanner, since: walkStarted)
                ? cacheEntry(table, stamps: stamps, backupLinks: links, table: base, at: walkStarted,
                             pending: scanner.pending) : nil
        }
        return TableResult(table: walked?.0, errors: scanner.errors, cacheEntry: entry)
    }

    /// Lists the `backups/` of a table of which nothing else changed; `nil`: walk it whole.
    private func relistBackups(_ item: TableWork, in keyspace: Directory, cached: ScanCache.Entry, links: BackupLinks,
                               restorability: RestorabilityCheck, progress: WalkProgress) -> TableResult? {
        let base = item.name.text
        guard let tableStamp = cached.stamps.first(where: { $0.path == base })?.stamp else { return nil }
        let walkStarted = Date().timeIntervalSince1970
        var scanner = TableScanner(budget: budget, progress: progress, restorability: restorability)
        guard let (table, remaining) = scanner.remeasureBackups(of: item.name, in: keyspace, previous: cached.measurement,
                                                               links: links, tableStamp: tableStamp) else { return nil }
        let fresh = Self.fromKeyspace(scanner.stamps, table: base)
        let backups = base + "/backups"
        let listedSnapshots = fresh.contains { $0.path == base + "/snapshots" }
        let kept = cached.stamps.filter { path, _ in
            path != base && !Self.isBelow(path, backups) && !(listedSnapshots && Self.isBelow(path, base + "/snapshots"))
        }
        // Rule 4: a shipping run is still removing files, or just did: `backups/` keeps its old stamps so
        // that the next scan lists it again (cheaply) rather than trusting a stamp this fresh.
        let tooFresh = { (stamp: DirectoryStamp) in isFresh(stamp, walkStarted: walkStarted) }
        let outside = fresh.filter { !Self.isBelow($0.path, backups) }
        let inside = fresh.filter { Self.isBelow($0.path, backups) }
        let backupStamps = inside.contains { tooFresh($0.stamp) } ? cached.stamps.filter { Self.isBelow($0.path, backups) } : inside
        // The snapshots' pending SSTables are the cached walk's; `backups/`'s are this listing's.
        let pending = ScanCache.PendingSSTables(backups: scanner.pending.backups, snapshots: cached.pending.snapshots)
        let entry = scanner.errors.total == 0 && !outside.contains { tooFresh($0.stamp) }
            ? cacheEntry(table, stamps: outside + kept + backupStamps, backupLinks: remaining, table: base, at: walkStarted,
                         pending: pending) : nil
        return TableResult(table: table, source: .backupsListed, cacheEntry: entry)
    }

    /// Rule 3 (ScanCache): only a clean walk of directories whose stamps can be trusted may be reused next time.
    private func reusable(_ scanner: TableScanner, since walkStarted: Double) -> Bool {
        scanner.errors.total == 0 && !scanner.stamps.contains { isFresh($0.stamp, walkStarted: walkStarted) }
    }

    /// Whether a directory changed within ``stampTrustSeconds`` before a walk that started at `walkStarted`.
    private func isFresh(_ stamp: DirectoryStamp, walkStarted: Double) -> Bool {
        stamp.changed(since: walkStarted - stampTrustSeconds)
    }

    /// A table walk's stamps (paths from the table directory, `""` for itself) with paths from
    /// the keyspace directory, as the cache checks them (`table`: the table directory's name).
    private static func fromKeyspace(_ stamps: [(path: String, stamp: DirectoryStamp)], table: String) -> [(path: String, stamp: DirectoryStamp)] {
        stamps.map { (path: $0.path.isEmpty ? table : table + "/" + $0.path, stamp: $0.stamp) }
    }

    /// Rule 2 (ScanCache): what a later scan checks of a table (`table`: its directory's name):
    /// every directory visited but those of finished snapshots (``finishedSnapshotSeconds``) as of `instant`.
    private func cacheEntry(_ measurement: TableMeasurement, stamps: [(path: String, stamp: DirectoryStamp)], backupLinks: BackupLinks?,
                            table: String, at instant: Double, pending: ScanCache.PendingSSTables) -> ScanCache.Entry {
        let snapshots = table + "/snapshots/"
        let checked = stamps.filter { path, stamp in !path.hasPrefix(snapshots) || stamp.changed(since: instant - finishedSnapshotSeconds) }
        return ScanCache.Entry(measurement: measurement, stamps: checked, checksSnapshots: checked.contains { $0.path.hasPrefix(snapshots) },
                               backupLinks: backupLinks, pending: pending)
    }

    /// Which directories of the cached walk no longer have their stamp.
    private enum Changes { case none, backups, more }

    private func changes(of cached: ScanCache.Entry, item: TableWork, in keyspace: Directory, progress: WalkProgress) -> Changes {
        // Rule 5 (ScanCache): pending SSTables that have settled are looked at again to be
        // judged: `backups/`'s by listing it, the snapshots' by a walk.
        let now = RestorabilityCheck.wallClock()
        if let settled = cached.pending.snapshots, now >= settled { return .more }
        let backups = item.name.text + "/backups"
        var result = cached.pending.backups.map { now >= $0 } == true ? Changes.backups : .none
        for (path, stamp) in cached.stamps {
            budget?.spend()
            defer { progress.tick() }
            guard keyspace.stamp(at: path) != stamp else { continue }
            guard Self.isBelow(path, backups) else { return .more }
            result = .backups
        }
        return result
    }

    /// Whether `path` is `directory` or below it.
    private static func isBelow(_ path: String, _ directory: String) -> Bool {
        path == directory || (path.hasPrefix(directory) && path.utf8.dropFirst(directory.utf8.count).first == UInt8(ascii: "/"))
    }
}
