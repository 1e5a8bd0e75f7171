import Glibc

/// Measures one table directory: its live files, `backups/` and `snapshots/<tag>/`.
///
/// Each table is independent of the others, so tables can be measured in parallel. File names
/// are read in place from `readdir`'s buffer; only directory names are copied. Every directory
/// visited is stamped (fstat before listing) so a later scan can tell whether anything changed.
struct TableScanner {
    /// Deepest directory level followed below `backups/` or a snapshot (index directories are
    /// one level deep; anything deeper is not Cassandra's and only guards against runaway trees).
    static let maximumDepth = 8
    /// Largest `manifest.json` read.
    static let manifestSizeLimit = 1 << 20
    /// Largest TOC.txt read: Cassandra's list a dozen names.
    static let tocSizeLimit = 64 << 10

    /// Paces directory reads and `fstatat` calls; `nil`: as fast as the disk answers.
    let budget: IOBudget?
    /// Ticked after every call into the filesystem, so a call that does not return is seen.
    let progress: WalkProgress?
    private(set) var errors = ScanErrorCounts()
    /// Directories visited, relative to the table directory (`""` is the table itself).
    private(set) var stamps: [(path: String, stamp: DirectoryStamp)] = []
    /// `lstat` results by `d_ino`: the links of one inode in the live directory, `backups/` and
    /// snapshots share one stat. Only filled where `st_ino` equals `d_ino` on the table's device.
    private var knownInodes: [UInt64: FileStatus] = [:]
    private var tableDevice: UInt64 = 0
    /// Set when a directory below the table is on another filesystem (a mount point): inode
    /// numbers are then ambiguous and every entry is stat'ed.
    private var crossedDevice = false
    /// Set when an entry's `d_ino` is not its `st_ino` (overlayfs may do that): a table's
    /// links can then not be matched by `d_ino` alone, and it is always walked whole.
    private var inodeNumbersDiffer = false

    /// What SSTables are judged against: the time of the scan, the settle time, and the TOCs
    /// already read (`nil`: every TOC is read).
    let restorability: RestorabilityCheck
    /// The live components Cassandra rewrites (``SSTableComponents/rewritable``) by name
    /// (``NameHash`` of `.<index>/` and the name) with their inode, to tell which copies in
    /// `backups/` and the snapshots it has rewritten since.
    private var liveNames: [UInt64: UInt64] = [:]
    /// When the last SSTable found pending in `backups/` and in the snapshots settles.
    private(set) var pending = ScanCache.PendingSSTables()

    init(budget: IOBudget?, progress: WalkProgress? = nil, restorability: RestorabilityCheck = RestorabilityCheck()) {
        self.budget = budget
        self.progress = progress
        self.restorability = restorability
    }

    /// What a set's walk (`backups/` or a snapshot) learns besides its usage.
    private struct SetFindings {
        var sstables = SSTableCheck()
        /// Hashes of the Data.db paths found, relative to the set; collected when not `nil`.
        var dataFiles: [UInt64]?
        /// A `schema.cql` at the top of the set.
        var hasSchema = false
    }

    /// Measures the table directory `name` of `keyspace`; `nil` when it cannot be opened (the
    /// reason is counted). With it, what a later scan needs to list only `backups/` again
    /// (`nil` when the table spans devices or links a file twice in `backups/`).
    mutating func measure(_ name: EntryName, in keyspace: Directory, key: TableKey) -> (TableMeasurement, BackupLinks?)? {
        guard let table = open(name, in: keyspace, path: "") else { return nil }
        tableDevice = stamps.first?.stamp.device ?? 0
        var live = HardLinkTally()
        var hasBackups = false
        var hasSnapshots = false
        while let entry = next(in: table) {
            switch kind(of: entry, in: table) {
            case .regular:
                if let status = status(of: entry, in: table) {
                    live.add(isDataFile: entry.hasSuffix("-Data.db"), status: status)
                    noteLiveName(entry.bytes, under: NameHash(), inode: status.key.inode)
                }
            case .directory where entry.isNamed("backups"):
                hasBackups = true
            case .directory where entry.isNamed("snapshots"):
                hasSnapshots = true
            case .directory where entry.isHidden:
                if let index = open(entry, in: table, path: entry.copiedName.text) {
                    addLiveFiles(of: index, named: NameHash(entry.bytes).adding("/".utf8), to: &live)
                }
            default:
                continue  // tmp/, stray directories, symlinks, FIFOs
            }
        }

        var backups = HardLinkTally()
        var backupFindings = SetFindings()
        if hasBackups, let directory = open(EntryName(literal: "backups"), in: table, path: "backups") {
            walk(directory, path: "backups", into: &backups, findings: &backupFindings, relative: NameHash(), depth: 0)
        }
        let backupInodes = backups.inodes()
        let liveInodes = live.inodes()
        var allSnapshots = HardLinkTally()
        let snapshots = hasSnapshots ? measureSnapshots(in: table, into: &allSnapshots) : []
        let snapshotInodes = allSnapshots.inodes()
        let measurement = TableMeasurement(
            key: key,
            backups: backups.finished(backupInodes),
            backupCompactedBytes: backupInodes.allocatedBytes(notIn: liveInodes.map(\.key)),
            liveSSTables: live.dataFiles,
            liveAllocatedBytes: liveInodes.reduce(0) { $0 + $1.allocated },
            snapshots: snapshots,
            allSnapshots: allSnapshots.finished(snapshotInodes),
            backupSSTables: backupFindings.sstables,
            snapshotRewrittenComponents: snapshots.reduce(0) { $0 + $1.sstables.rewrittenComponents }
        )
        let links = crossedDevice || inodeNumbersDiffer ? nil : BackupLinks(backups: backupInodes, live: liveInodes, snapshots: snapshotInodes, device: tableDevice)
        return (measurement, links)
    }

    /// Measures a table of which only `backups/` changed since `previous` was measured with
    /// `links` (a shipping run): lists `backups/` again and keeps the live files' figures and the
    /// snapshots', but for the inodes that lost their backup link while in a snapshot: a lower
    /// link count can make them exclusive to it. `nil` when the table directory's stamp is no
    /// longer `tableStamp`, `backups/` is gone or holds a link it did not hold before, or a call
    /// failed: the caller then walks the whole table.
    mutating func remeasureBackups(of name: EntryName, in keyspace: Directory, previous: TableMeasurement,
                                   links: BackupLinks, tableStamp: DirectoryStamp) -> (TableMeasurement, BackupLinks)? {
        guard let table = open(name, in: keyspace, path: ""), stamps[0].stamp == tableStamp else { return nil }
        tableDevice = tableStamp.device
        collectLiveNames(in: table)
        guard let directory = open(EntryName(literal: "backups"), in: table, path: "backups") else { return nil }
        var backups = HardLinkTally()
        var findings = SetFindings()
        walk(directory, path: "backups", into: &backups, findings: &findings, relative: NameHash(), depth: 0)
        let backupInodes = backups.inodes()
        guard let (remaining, lost) = links.remaining(backupInodes, device: tableDevice) else { return nil }
        var snapshots = previous.snapshots
        var allSnapshots = previous.allSnapshots
        if !lost.isEmpty {
            guard let adjusted = snapshotsAfterLosingLinks(of: lost, previous: previous, in: table) else { return nil }
            (snapshots, allSnapshots) = adjusted
        }
        guard errors.total == 0, !crossedDevice, !inodeNumbersDiffer else { return nil }
        let measurement = TableMeasurement(
            key: previous.key, backups: backups.finished(backupInodes), backupCompactedBytes: remaining.compactedBytes(of: backupInodes),
            liveSSTables: previous.liveSSTables, liveAllocatedBytes: previous.liveAllocatedBytes,
            snapshots: snapshots, allSnapshots: allSnapshots, backupSSTables: findings.sstables,
            snapshotRewrittenComponents: previous.snapshotRewrittenComponents)
        return (measurement, remaining)
    }

    /// The snapshots of `previous` after the inodes `lost` (sorted) each lost one link, their
    /// backup: every tag is listed again, but only the lost inodes found are stat'ed. An inode
    /// whose remaining links (its new `st_nlink`) now all lie in a set joins that set's exclusive
    /// bytes; nothing else of a snapshot changes. `nil` when the listing does not match
    /// `previous` (a tag or a lost inode not found): the caller walks the table.
    private mutating func snapshotsAfterLosingLinks(of lost: [UInt64], previous: TableMeasurement, in table: Directory)
        -> ([SnapshotMeasurement], FileSetUsage)? {
        guard let directory = open(EntryName(literal: "snapshots"), in: table, path: "snapshots") else { return nil }
        var linksPerTag: [String: [UInt64: UInt64]] = [:]
        while let entry = next(in: directory) {
            guard kind(of: entry, in: directory) == .directory else { continue }
            let name = entry.copiedName
            guard let tag = open(entry, in: directory, path: "snapshots/" + name.text) else { return nil }
            var found: [UInt64: UInt64] = [:]
            countLinks(of: lost, in: tag, path: "snapshots/" + name.text, into: &found, depth: 0)
            linksPerTag[name.label] = found
        }
        guard linksPerTag.count == previous.snapshots.count else { return nil }
        var inAll: [UInt64: UInt64] = [:]
        for found in linksPerTag.values { inAll.merge(found, uniquingKeysWith: +) }
        guard inAll.count == lost.count else { return nil }
        func newlyExclusive(_ found: [UInt64: UInt64]) -> UInt64 {
            found.reduce(0) { total, link in
                guard let status = knownInodes[link.key], status.linkCount == link.value else { return total }
                return total + status.allocated
            }
        }
        var snapshots: [SnapshotMeasurement] = []
        for snapshot in previous.snapshots {
            guard let found = linksPerTag[snapshot.tag] else { return nil }
            var usage = snapshot.usage
            usage.exclusiveBytes += newlyExclusive(found)
            var adjusted = snapshot
            adjusted.usage = usage
            snapshots.append(adjusted)
        }
        var all = previous.allSnapshots
        all.exclusiveBytes += newlyExclusive(inAll)
        return (snapshots, all)
    }

    /// Counts the links below `directory` to the inodes of `lost` (sorted), stat'ing each such
    /// inode once (into ``knownInodes``); other entries are only listed.
    private mutating func countLinks(of lost: [UInt64], in directory: Directory, path: String, into found: inout [UInt64: UInt64], depth: Int) {
        while let entry = next(in: directory) {
            switch kind(of: entry, in: directory) {
            case .regular where lost.containsSorted(entry.inode):
                if status(of: entry, in: directory) != nil { found[entry.inode, default: 0] += 1 }
            case .directory where depth < Self.maximumDepth:
                let childPath = path + "/" + entry.copiedName.text
                if let child = open(entry, in: directory, path: childPath) { countLinks(of: lost, in: child, path: childPath, into: &found, depth: depth + 1) }
            default:
                continue
            }
        }
    }

    /// Adds the files of an index directory (whose name, with a `/`, hashes to `prefix`) to `live`.
    private mutating func addLiveFiles(of index: Directory, named prefix: NameHash, to live: inout HardLinkTally) {
        while let entry = next(in: index) {
            guard kind(of: entry, in: index) == .regular, let status = status(of: entry, in: index) else { continue }
            live.add(isDataFile: entry.hasSuffix("-Data.db"), status: status)
            noteLiveName(entry.bytes, under: prefix, inode: status.key.inode)
        }
    }

    /// Remembers a live file (`name` in the directory whose path hashes to `directory`) when it is
    /// a component Cassandra rewrites.
    private mutating func noteLiveName(_ name: UnsafeBufferPointer<UInt8>, under directory: NameHash, inode: UInt64) {
        guard let parsed = SSTableFileName(name), parsed.bit & SSTableComponents.rewritable != 0 else { return }
        liveNames[directory.adding(name).value] = inode
    }

    /// The live files' names and inode numbers (`d_ino`, no `fstatat`), for a table of which
    /// only `backups/` is measured again; index directories are listed without being stamped,
    /// as the cache keeps their stamps from the last walk.
    private mutating func collectLiveNames(in table: Directory) {
        table.rewind()
        while let entry = next(in: table) {
            if entry.kind == .regular {
                noteLiveName(entry.bytes, under: NameHash(), inode: entry.inode)
            } else if entry.kind == .directory, entry.isHidden, let index = try? table.subdirectory(entry) {
                let prefix = NameHash(entry.bytes).adding("/".utf8)
                while let file = next(in: index) {
                    if file.kind == .regular { noteLiveName(file.bytes, under: prefix, inode: file.inode) }
                }
            }
        }
    }

    // MARK: Snapshots

    /// Measures every `snapshots/<tag>/`; also adds each one's files to `all`, the union over the
    /// table's snapshots.
    private mutating func measureSnapshots(in table: Directory, into all: inout HardLinkTally) -> [SnapshotMeasurement] {
        guard let snapshots = open(EntryName(literal: "snapshots"), in: table, path: "snapshots") else { return [] }
        var result: [SnapshotMeasurement] = []
        while let entry = next(in: snapshots) {
            guard kind(of: entry, in: snapshots) == .directory else { continue }
            let copied = entry.copiedName
            let name = copied.label
            guard let tag = open(entry, in: snapshots, path: "snapshots/" + copied.text) else { continue }
            var tally = HardLinkTally()
            var findings = SetFindings(dataFiles: [])
            walk(tag, path: "snapshots/" + copied.text, into: &tally, findings: &findings, relative: NameHash(), depth: 0)
            all.merge(tally)
            let manifest = tag.readSmallFile("manifest.json", limit: Self.manifestSizeLimit).flatMap(SnapshotManifest.init(json:))
            // 4.x marks a repair's ephemeral snapshot with an empty file (`Directories.EPHEMERAL_SNAPSHOT_MARKER`).
            let ephemeral = manifest?.ephemeral == true || tag.readSmallFile("ephemeral.snapshot", limit: Self.manifestSizeLimit) != nil
            var snapshot = SnapshotMeasurement(
                tag: name, origin: SnapshotOrigin(tag: name, ephemeral: ephemeral), usage: tally.finished(tally.inodes()),
                createdAt: manifest?.createdAt ?? ((try? tag.status())?.modified ?? 0), expiresAt: manifest?.expiresAt)
            snapshot.sstables = findings.sstables
            let present = (findings.dataFiles ?? []).sorted()
            snapshot.restore.hasSchema = findings.hasSchema
            snapshot.restore.hasManifest = manifest != nil
            snapshot.restore.missingHere = (manifest?.files ?? []).map { NameHash($0.utf8).value }.filter { !present.containsSorted($0) }.sorted()
            if restorability.keepDataFiles { snapshot.restore.dataFiles = present }
            snapshot.problems = SnapshotRestore.problems(of: [snapshot])
            result.append(snapshot)
        }
        return result.sorted { $0.tag < $1.tag }
    }

    // MARK: Walking

    /// Adds every regular file below `directory` (at `path`; `relative` hashes its path inside
    /// the set, `""` or `.<index>/`) to `tally`, recursively, and judges its SSTables into `findings`.
    /// The directory's stamp is the last one taken (it was opened just before).
    private mutating func walk(_ directory: Directory, path: String, into tally: inout HardLinkTally, findings: inout SetFindings,
                               relative: NameHash, depth: Int) {
        let directoryChanged = stamps.last?.stamp.latestChange ?? 0
        var sstables = SSTableGroups()
        while let entry = next(in: directory) {
            switch kind(of: entry, in: directory) {
            case .regular:
                guard let status = status(of: entry, in: directory) else { continue }
                let isDataFile = entry.hasSuffix("-Data.db")
                tally.add(isDataFile: isDataFile, status: status)
                let bytes = entry.bytes
                if let parsed = SSTableFileName(bytes) {
                    sstables.add(parsed, status: status)
                    if parsed.bit & SSTableComponents.rewritable != 0, let live = liveNames[relative.adding(bytes).value],
                       live != status.key.inode {
                        findings.sstables.rewrittenComponents += 1
                    }
                }
                if isDataFile, findings.dataFiles != nil { findings.dataFiles!.append(relative.adding(bytes).value) }
                if depth == 0, entry.isNamed("schema.cql") { findings.hasSchema = true }
            case .directory where depth < Self.maximumDepth:
                let childName = entry.copiedName.text
                let childPath = path + "/" + childName
                if let child = open(entry, in: directory, path: childPath) {
                    walk(child, path: childPath, into: &tally, findings: &findings, relative: relative.adding(entry.bytes).adding("/".utf8),
                         depth: depth + 1)
                }
            default:
                continue
            }
        }
        let judged = sstables.judge(now: restorability.now, settleSeconds: restorability.settleSeconds,
                                    directoryChanged: directoryChanged, byDirectory: !path.hasPrefix("backups")) { name, status in
            readTOC(name, status: status, in: directory)
        }
        findings.sstables.add(judged.check)
        if let settlesAt = judged.settlesAt {
            if path.hasPrefix("backups") {
                pending.backups = max(pending.backups ?? 0, settlesAt)
            } else {
                pending.snapshots = max(pending.snapshots ?? 0, settlesAt)
            }
        }
    }

    /// The components a TOC.txt of `directory` lists, from the cache when it was read before.
    private func readTOC(_ name: String, status: FileStatus, in directory: Directory) -> SSTableComponents? {
        func read() -> [UInt8]? {
            budget?.spend()
            defer { progress?.tick() }
            return directory.readSmallFile(name, limit: Self.tocSizeLimit)
        }
        guard let tocs = restorability.tocs else { return read().flatMap(SSTableComponents.init(toc:)) }
        return tocs.components(of: status, read: read)
    }

    // MARK: System calls with their errors counted

    private mutating func open(_ name: EntryName, in parent: Directory, path: String) -> Directory? {
        do { return try stamped(parent.subdirectory(name), path: path) } catch { errors.record(error.reason); return nil }
    }

    private mutating func open(_ entry: Directory.RawEntry, in parent: Directory, path: String) -> Directory? {
        do { return try stamped(parent.subdirectory(entry), path: path) } catch { errors.record(error.reason); return nil }
    }

    /// Records the directory's stamp before anything in it is read. Opening, stamping and
    /// listing a directory is one call of the budget.
    private mutating func stamped(_ directory: Directory, path: String) throws(EntryError) -> Directory {
        budget?.spend()
        defer { progress?.tick() }
        let stamp = try directory.stamp()
        if !stamps.isEmpty && stamp.device != tableDevice { crossedDevice = true }
        stamps.append((path, stamp))
        return directory
    }

    /// The next entry; a listing error is counted and ends the listing.
    private mutating func next(in directory: Directory) -> Directory.RawEntry? {
        defer { progress?.tick() }
        do { return try directory.nextEntry() } catch { errors.record(error.reason); return nil }
    }

    private mutating func status(of entry: Directory.RawEntry, in directory: Directory) -> FileStatus? {
        if !crossedDevice, let known = knownInodes[entry.inode] { return known }
        budget?.spend()
        defer { progress?.tick() }
        do {
            let status = try directory.status(of: entry)
            if status.key.inode != entry.inode { inodeNumbersDiffer = true }
            if status.key.inode == entry.inode && status.key.device == tableDevice && status.kind == .regular {
                knownInodes[entry.inode] = status
            }
            return status
        } catch {
            errors.record(error.reason)
            return nil
        }
    }

    /// The entry's kind from `d_type`, or from `lstat` when the filesystem does not report it.
    private mutating func kind(of entry: Directory.RawEntry, in directory: Directory) -> FileKind? {
        entry.kind ?? status(of: entry, in: directory)?.kind
    }
}
