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

    init(budget: IOBudget?, progress: WalkProgress? = nil) {
        self.budget = budget
        self.progress = progress
    }

    /// Measures the table directory `name` of `keyspace`; `nil` when it cannot be opened (the
    /// reason is counted).
    mutating func measure(_ name: EntryName, in keyspace: Directory, key: TableKey) -> TableMeasurement? {
        guard let table = open(name, in: keyspace, path: "") else { return nil }
        tableDevice = stamps.first?.stamp.device ?? 0
        var live = HardLinkTally()
        var hasBackups = false
        var hasSnapshots = false
        while let entry = next(in: table) {
            switch kind(of: entry, in: table) {
            case .regular:
                if let status = status(of: entry, in: table) { live.add(isDataFile: entry.hasSuffix("-Data.db"), status: status) }
            case .directory where entry.isNamed("backups"):
                hasBackups = true
            case .directory where entry.isNamed("snapshots"):
                hasSnapshots = true
            case .directory where entry.isHidden:
                if let index = open(entry, in: table, path: entry.copiedName.text) { addLiveFiles(of: index, to: &live) }
            default:
                continue  // tmp/, stray directories, symlinks, FIFOs
            }
        }

        var backups = HardLinkTally()
        if hasBackups, let directory = open(EntryName(literal: "backups"), in: table, path: "backups") {
            walk(directory, path: "backups", into: &backups, depth: 0)
        }
        let backupInodes = backups.inodes()
        let liveInodes = live.inodes()
        var allSnapshots = HardLinkTally()
        let snapshots = hasSnapshots ? measureSnapshots(in: table, into: &allSnapshots) : []
        return TableMeasurement(
            key: key,
            backups: backups.finished(backupInodes),
            backupCompactedBytes: backupInodes.allocatedBytes(notIn: liveInodes.map(\.key)),
            liveSSTables: live.dataFiles,
            liveAllocatedBytes: liveInodes.reduce(0) { $0 + $1.allocated },
            snapshots: snapshots,
            allSnapshots: allSnapshots.finished(allSnapshots.inodes())
        )
    }

    private mutating func addLiveFiles(of index: Directory, to live: inout HardLinkTally) {
        while let entry = next(in: index) {
            guard kind(of: entry, in: index) == .regular, let status = status(of: entry, in: index) else { continue }
            live.add(isDataFile: entry.hasSuffix("-Data.db"), status: status)
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
            let name = entry.copiedName.text
            guard let tag = open(entry, in: snapshots, path: "snapshots/" + name) else { continue }
            var tally = HardLinkTally()
            walk(tag, path: "snapshots/" + name, into: &tally, depth: 0)
            all.merge(tally)
            let manifest = tag.readSmallFile("manifest.json", limit: Self.manifestSizeLimit).flatMap(SnapshotManifest.init(json:))
            // 4.x marks a repair's ephemeral snapshot with an empty file (`Directories.EPHEMERAL_SNAPSHOT_MARKER`).
            let ephemeral = manifest?.ephemeral == true || tag.readSmallFile("ephemeral.snapshot", limit: Self.manifestSizeLimit) != nil
            result.append(SnapshotMeasurement(
                tag: name, origin: SnapshotOrigin(tag: name, ephemeral: ephemeral), usage: tally.finished(tally.inodes()),
                createdAt: manifest?.createdAt ?? ((try? tag.status())?.modified ?? 0), expiresAt: manifest?.expiresAt))
        }
        return result.sorted { $0.tag < $1.tag }
    }

    // MARK: Walking

    /// Adds every regular file below `directory` (at `path`) to `tally`, recursively.
    private mutating func walk(_ directory: Directory, path: String, into tally: inout HardLinkTally, depth: Int) {
        while let entry = next(in: directory) {
            switch kind(of: entry, in: directory) {
            case .regular:
                if let status = status(of: entry, in: directory) { tally.add(isDataFile: entry.hasSuffix("-Data.db"), status: status) }
            case .directory where depth < Self.maximumDepth:
                let childPath = path + "/" + entry.copiedName.text
                if let child = open(entry, in: directory, path: childPath) { walk(child, path: childPath, into: &tally, depth: depth + 1) }
            default:
                continue
            }
        }
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
