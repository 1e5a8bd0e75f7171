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
    /// Paces directory reads and `fstatat` calls (`--collector.max-stat-rate`); `nil`: unpaced.
    public let budget: IOBudget?
    /// Whether tables are walked on threads of their own at nice 10 with idle-class I/O, so a
    /// busy node's own work goes first (`--no-collector.low-priority` turns it off).
    public let lowPriority: Bool

    public init(dataDirectories: [String], parallelism: Int = 1, settleSeconds: Double = 2, budget: IOBudget? = nil,
                lowPriority: Bool = false) {
        self.dataDirectories = dataDirectories
        self.parallelism = max(1, parallelism)
        self.settleSeconds = settleSeconds
        self.budget = budget
        self.lowPriority = lowPriority
    }

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
    public struct Result: Sendable {
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
    /// - Throws: ``Failure`` when a configured data directory cannot be opened or listed.
    public func scan(reusing cache: ScanCache?) throws(Failure) -> Result {
        let waitedBefore = budget?.spent.waited ?? .zero
        var errors = ScanErrorCounts()
        var filesystems: [DataDirectoryFilesystem] = []
        var work: [TableWork] = []
        for path in dataDirectories {
            let root: Directory
            let keyspaces: [Directory.Entry]
            do {
                budget?.spend()
                root = try Directory.open(path: path)
                keyspaces = try root.entries()
                filesystems.append(DataDirectoryFilesystem(dataDirectory: path, usage: try root.filesystemUsage()))
            } catch {
                throw Failure(dataDirectory: path, reason: String(cString: strerror(error.code)))
            }
            for keyspace in keyspaces where keyspace.mayBeDirectory && keyspace.name.text != "lost+found" {
                collectTables(of: keyspace, in: root, dataDirectory: path, into: &work, errors: &errors)
            }
        }
        // Put in key order here, so the measurements come out sorted; an order of indices, as
        // moving the items themselves while sorting cost more than the comparisons.
        let order = work.indices.sorted { work[$0].key < work[$1].key }
        let results = measure(order.map { work[$0] }, cache: cache)
        var tables: [TableMeasurement] = []
        tables.reserveCapacity(results.count)
        var nextCache = ScanCache()
        var reused = 0
        for result in results {
            errors.add(result.errors)
            guard let table = result.table else { continue }
            tables.append(table)
            if result.reused { reused += 1 }
            if let entry = result.cacheEntry { nextCache.entries[table.key] = entry }
        }
        return Result(measurement: NodeMeasurement(tables: tables, filesystems: filesystems, errors: errors),
                      cache: nextCache, tablesWalked: tables.count - reused, tablesReused: reused,
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
    private func measure(_ work: [TableWork], cache: ScanCache?) -> [TableResult] {
        let results = ResultSlots<TableResult>(count: work.count)
        WalkerThreads.run(min(parallelism, max(work.count, 1)), name: Self.walkerThreadName,
                          nice: lowPriority ? Self.walkerNice : nil) {
            while let index = results.claim() {
                results.store(measure(work[index], cache: cache), at: index)
            }
        }
        return results.values
    }

    /// Reuses the cached measurement when nothing changed, else walks the table.
    private func measure(_ item: TableWork, cache: ScanCache?) -> TableResult {
        if let cached = cache?.entries[item.key], unchanged(cached, item: item) {
            return TableResult(table: cached.measurement, reused: true, cacheEntry: cached)
        }
        let walkStarted = Date().timeIntervalSince1970
        var scanner = TableScanner(budget: budget)
        let table = scanner.measure(item.name, in: item.keyspace, key: item.key)
        // Only a clean walk of directories that have settled may be reused next time.
        let reusable = table != nil && scanner.errors.total == 0
            && !scanner.stamps.contains { $0.stamp.changed(since: walkStarted - settleSeconds) }
        return TableResult(table: table, errors: scanner.errors,
                           cacheEntry: reusable ? ScanCache.Entry(measurement: table!, stamps: scanner.stamps) : nil)
    }

    /// Whether every directory of the cached walk still has its stamp.
    private func unchanged(_ cached: ScanCache.Entry, item: TableWork) -> Bool {
        let base = item.name.text
        return cached.stamps.allSatisfy { path, stamp in
            budget?.spend()
            return item.keyspace.stamp(at: path.isEmpty ? base : base + "/" + path) == stamp
        }
    }
}

/// Fixed slots written by concurrent workers, each slot by exactly one worker: the one that
/// claimed its index. Read once the workers are joined.
private final class ResultSlots<Value>: @unchecked Sendable {
    private let slots: UnsafeMutableBufferPointer<Value?>
    private let claimed = Atomic<Int>(0)

    init(count: Int) {
        slots = .allocate(capacity: count)
        slots.initialize(repeating: nil)
    }

    deinit {
        slots.deinitialize()
        slots.deallocate()
    }

    /// The next index no worker has claimed, or `nil` when all are.
    func claim() -> Int? {
        let index = claimed.wrappingAdd(1, ordering: .relaxed).oldValue
        return index < slots.count ? index : nil
    }

    func store(_ value: Value, at index: Int) { slots[index] = value }

    var values: [Value] { slots.map { $0! } }
}
