import FoundationEssentials
import Glibc
import Synchronization

/// Measuring the tables: each walked, reused from the cache or its `backups/` listed again, as
/// the reuse rules of ``ScanCache`` decide.
extension DataDirectoryScanner {
    struct TableResult {
        enum Source { case walked, backupsListed, reused }
        var table: TableMeasurement?
        var errors = ScanErrorCounts()
        var source = Source.walked
        var cacheEntry: ScanCache.Entry?
    }

    /// Measures the work items on up to `parallelism` threads of the scanner's own, each taking the
    /// next table as it finishes one, so a few large tables do not leave a thread idle. Threads
    /// share the keyspace directories only through `openat`/`fstatat` on their descriptors, safe
    /// concurrently. With ``lowPriority`` the threads run at nice ``walkerNice`` with idle-class I/O.
    /// A walk that stands still for ``walkTimeout`` is left to its thread and marked in ``stuck``.
    func measure(_ work: [TableWork], cache: ScanCache?, restorability: RestorabilityCheck) -> [JobOutcome<TableResult>] {
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
    func measure(_ item: TableWork, cache: ScanCache?, restorability: RestorabilityCheck, progress: WalkProgress) -> TableResult {
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
    func measure(_ item: TableWork, in keyspace: Directory, cache: ScanCache?, restorability: RestorabilityCheck,
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
    func relistBackups(_ item: TableWork, in keyspace: Directory, cached: ScanCache.Entry, links: BackupLinks,
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
    func reusable(_ scanner: TableScanner, since walkStarted: Double) -> Bool {
        scanner.errors.total == 0 && !scanner.stamps.contains { isFresh($0.stamp, walkStarted: walkStarted) }
    }

    /// Whether a directory changed within ``stampTrustSeconds`` before a walk that started at `walkStarted`.
    func isFresh(_ stamp: DirectoryStamp, walkStarted: Double) -> Bool {
        stamp.changed(since: walkStarted - stampTrustSeconds)
    }

    /// A table walk's stamps (paths from the table directory, `""` for itself) with paths from
    /// the keyspace directory, as the cache checks them (`table`: the table directory's name).
    static func fromKeyspace(_ stamps: [(path: String, stamp: DirectoryStamp)], table: String) -> [(path: String, stamp: DirectoryStamp)] {
        stamps.map { (path: $0.path.isEmpty ? table : table + "/" + $0.path, stamp: $0.stamp) }
    }

    /// Rule 2 (ScanCache): what a later scan checks of a table (`table`: its directory's name):
    /// every directory visited but those of finished snapshots (``finishedSnapshotSeconds``) as of `instant`.
    func cacheEntry(_ measurement: TableMeasurement, stamps: [(path: String, stamp: DirectoryStamp)], backupLinks: BackupLinks?,
                            table: String, at instant: Double, pending: ScanCache.PendingSSTables) -> ScanCache.Entry {
        let snapshots = table + "/snapshots/"
        let checked = stamps.filter { path, stamp in !path.hasPrefix(snapshots) || stamp.changed(since: instant - finishedSnapshotSeconds) }
        return ScanCache.Entry(measurement: measurement, stamps: checked, checksSnapshots: checked.contains { $0.path.hasPrefix(snapshots) },
                               backupLinks: backupLinks, pending: pending)
    }

    /// Which directories of the cached walk no longer have their stamp.
    enum Changes { case none, backups, more }

    func changes(of cached: ScanCache.Entry, item: TableWork, in keyspace: Directory, progress: WalkProgress) -> Changes {
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
    static func isBelow(_ path: String, _ directory: String) -> Bool {
        path == directory || (path.hasPrefix(directory) && path.utf8.dropFirst(directory.utf8.count).first == UInt8(ascii: "/"))
    }
}
