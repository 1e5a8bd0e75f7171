import FoundationEssentials
import Glibc
import Synchronization

/// Listing the data directories and their keyspaces: what becomes a table to measure.
extension DataDirectoryScanner {
    /// A table directory to measure, with its keyspace directory (opened while its tables are walked).
    struct TableWork: @unchecked Sendable {  // EntryName's bytes are only read
        let keyspace: KeyspaceDirectory
        let name: EntryName
        let key: TableKey
    }

    /// What listing a data directory found: its filesystem and its tables, with the keyspace
    /// listings a later scan may reuse.
    struct Listing: @unchecked Sendable {  // TableWork's directories are shared read-only
        let usage: FilesystemUsage
        let tables: [TableWork]
        let errors: ScanErrorCounts
        let keyspaces: [String: ScanCache.KeyspaceListing]
    }

    /// Lists every data directory on threads of its own, each watched as a table walk is: a data
    /// directory whose `open`, listing or `statvfs` hangs is reported stuck and not touched again
    /// until that call returns.
    func watchedListings(cache: ScanCache?) -> [JobOutcome<Result<Listing, Failure>>] {
        let paths = dataDirectories
        let stuck = self.stuck
        return WatchedJobs.run(count: paths.count, threads: paths.count, limit: walkTimeout, name: Self.walkerThreadName,
                               nice: lowPriority ? Self.walkerNice : nil,
                               skip: { stuck.contains(.dataDirectory(paths[$0])) },
                               work: { index, progress in list(paths[index], cache: cache, progress: progress) },
                               stuck: { index, since in stuck.mark(.dataDirectory(paths[index]), since: since) },
                               returnedLate: { stuck.clear(.dataDirectory(paths[$0])) })
    }

    func list(_ path: String, cache: ScanCache?, progress: WalkProgress) -> Result<Listing, Failure> {
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
    func listTables(of entry: Directory.Entry, in root: Directory, dataDirectory: String, known: ScanCache.KeyspaceListing?,
                            into work: inout [TableWork], errors: inout ScanErrorCounts) -> ScanCache.KeyspaceListing? {
        let keyspace: Directory
        let stamp: DirectoryStamp
        let entries: [Directory.Entry]
        do {
            budget?.spend()
            keyspace = try root.subdirectory(entry.name)
            stamp = try keyspace.stamp()
            if let known, known.stamp == stamp {  // rule 6 (ScanCache)
                let shared = KeyspaceDirectory(dataDirectory: dataDirectory, name: entry.name, stamp: stamp, tables: known.tables.count)
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
        let shared = KeyspaceDirectory(dataDirectory: dataDirectory, name: entry.name, stamp: stamp, tables: tables.count)
        work += tables.map { TableWork(keyspace: shared, name: $0.name, key: $0.key) }
        return ScanCache.KeyspaceListing(stamp: stamp, tables: tables)
    }
}
