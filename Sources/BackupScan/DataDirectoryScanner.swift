import Foundation

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

    public init(dataDirectories: [String], parallelism: Int = 1) {
        self.dataDirectories = dataDirectories
        self.parallelism = max(1, parallelism)
    }

    /// A data directory itself could not be read: the scan as a whole failed.
    public struct Failure: Error, CustomStringConvertible {
        public let dataDirectory: String
        public let reason: String
        public var description: String { "cannot read data directory \(dataDirectory): \(reason)" }
    }

    /// Walks every data directory once.
    /// - Throws: ``Failure`` when a configured data directory cannot be opened or listed.
    public func scan() throws(Failure) -> NodeMeasurement {
        var errors = ScanErrorCounts()
        var filesystems: [DataDirectoryFilesystem] = []
        var work: [TableWork] = []
        for path in dataDirectories {
            let root: Directory
            let keyspaces: [Directory.Entry]
            do {
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
        let results = measure(work)
        var tables: [TableMeasurement] = []
        tables.reserveCapacity(results.count)
        for result in results {
            errors.add(result.errors)
            if let table = result.table { tables.append(table) }
        }
        tables.sort { $0.key < $1.key }
        return NodeMeasurement(tables: tables, filesystems: filesystems, errors: errors)
    }

    // MARK: Work items

    /// A table directory to measure, with its keyspace directory kept open.
    private struct TableWork: @unchecked Sendable {  // each Directory is used by one thread at a time
        let keyspace: Directory
        let name: EntryName
        let key: TableKey
    }

    private struct TableResult {
        var table: TableMeasurement?
        var errors = ScanErrorCounts()
    }

    private func collectTables(of entry: Directory.Entry, in root: Directory, dataDirectory: String,
                               into work: inout [TableWork], errors: inout ScanErrorCounts) {
        let keyspace: Directory
        let tables: [Directory.Entry]
        do {
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

    /// Measures the work items, `parallelism` keyspace groups at a time. Tables of one keyspace
    /// share its directory handle, so they stay on one thread.
    private func measure(_ work: [TableWork]) -> [TableResult] {
        let byKeyspace = Dictionary(grouping: work.indices) { ObjectIdentifier(work[$0].keyspace) }
        let groups = Array(byKeyspace.values)
        let results = ResultSlots<TableResult>(count: work.count)
        let lanes = min(parallelism, max(groups.count, 1))
        DispatchQueue.concurrentPerform(iterations: lanes) { lane in
            for group in stride(from: lane, to: groups.count, by: lanes) {
                for index in groups[group] {
                    var scanner = TableScanner()
                    let table = scanner.measure(work[index].name, in: work[index].keyspace, key: work[index].key)
                    results.store(TableResult(table: table, errors: scanner.errors), at: index)
                }
            }
        }
        return results.values
    }
}

/// Fixed slots written by concurrent workers, each slot by exactly one worker.
private final class ResultSlots<Value>: @unchecked Sendable {
    private var slots: [Value?]
    private let lock = NSLock()

    init(count: Int) { slots = Array(repeating: nil, count: count) }

    func store(_ value: Value, at index: Int) {
        lock.lock()
        slots[index] = value
        lock.unlock()
    }

    var values: [Value] { slots.map { $0! } }
}
