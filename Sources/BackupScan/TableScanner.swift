/// Measures one table directory: its live files, `backups/` and `snapshots/<tag>/`.
///
/// Each table is independent of the others, so tables can be measured in parallel.
struct TableScanner {
    /// Deepest directory level followed below `backups/` or a snapshot (index directories are
    /// one level deep; anything deeper is not Cassandra's and only guards against runaway trees).
    static let maximumDepth = 8
    /// Largest `manifest.json` read.
    static let manifestSizeLimit = 1 << 20

    private(set) var errors = ScanErrorCounts()

    /// Measures the table directory `name` of `keyspace`; `nil` when it cannot be opened (the
    /// reason is counted).
    mutating func measure(_ name: EntryName, in keyspace: Directory, key: TableKey) -> TableMeasurement? {
        guard let table = open(name, in: keyspace) else { return nil }
        var live = LiveFiles()
        var hasBackups = false
        var hasSnapshots = false
        for entry in list(table) {
            switch kind(of: entry, in: table) {
            case .regular:
                if let status = status(of: entry.name, in: table) { live.add(name: entry.name.text, status: status) }
            case .directory where entry.name.text == "backups":
                hasBackups = true
            case .directory where entry.name.text == "snapshots":
                hasSnapshots = true
            case .directory where entry.name.text.hasPrefix("."):
                if let index = open(entry.name, in: table) { addLiveFiles(of: index, to: &live) }
            default:
                continue  // tmp/, stray directories, symlinks, FIFOs
            }
        }

        var backups = FileSetTally()
        if hasBackups, let directory = open(EntryName(literal: "backups"), in: table) {
            walk(directory, into: &backups, depth: 0)
        }
        return TableMeasurement(
            key: key,
            backups: backups.finished(),
            backupCompactedBytes: backups.allocatedBytes(notIn: live.inodes),
            liveSSTables: live.sstables,
            liveAllocatedBytes: live.allocatedBytes,
            snapshots: hasSnapshots ? measureSnapshots(in: table) : []
        )
    }

    // MARK: Live files

    private struct LiveFiles {
        var inodes: Set<InodeKey> = []
        var sstables: UInt64 = 0
        var allocatedBytes: UInt64 = 0

        mutating func add(name: String, status: FileStatus) {
            if name.hasSuffix("-Data.db") { sstables += 1 }
            if inodes.insert(status.key).inserted { allocatedBytes += status.allocated }
        }
    }

    private mutating func addLiveFiles(of index: Directory, to live: inout LiveFiles) {
        for entry in list(index) where kind(of: entry, in: index) == .regular {
            if let status = status(of: entry.name, in: index) { live.add(name: entry.name.text, status: status) }
        }
    }

    // MARK: Snapshots

    private mutating func measureSnapshots(in table: Directory) -> [SnapshotMeasurement] {
        guard let snapshots = open(EntryName(literal: "snapshots"), in: table) else { return [] }
        var result: [SnapshotMeasurement] = []
        for entry in list(snapshots) where kind(of: entry, in: snapshots) == .directory {
            guard let tag = open(entry.name, in: snapshots) else { continue }
            var tally = FileSetTally()
            walk(tag, into: &tally, depth: 0)
            let manifest = tag.readSmallFile("manifest.json", limit: Self.manifestSizeLimit)
            let createdAt = manifest.flatMap(SnapshotManifest.createdAt(json:)) ?? ((try? tag.status())?.modified ?? 0)
            result.append(SnapshotMeasurement(tag: entry.name.text, usage: tally.finished(), createdAt: createdAt))
        }
        return result.sorted { $0.tag < $1.tag }
    }

    // MARK: Walking

    /// Adds every regular file below `directory` to `tally`, recursively.
    private mutating func walk(_ directory: Directory, into tally: inout FileSetTally, depth: Int) {
        for entry in list(directory) {
            switch kind(of: entry, in: directory) {
            case .regular:
                if let status = status(of: entry.name, in: directory) { tally.add(name: entry.name.text, status: status) }
            case .directory where depth < Self.maximumDepth:
                if let child = open(entry.name, in: directory) { walk(child, into: &tally, depth: depth + 1) }
            default:
                continue
            }
        }
    }

    // MARK: System calls with their errors counted

    private mutating func open(_ name: EntryName, in parent: Directory) -> Directory? {
        do { return try parent.subdirectory(name) } catch { errors.record(error.reason); return nil }
    }

    private mutating func list(_ directory: Directory) -> [Directory.Entry] {
        do { return try directory.entries() } catch { errors.record(error.reason); return [] }
    }

    private mutating func status(of name: EntryName, in directory: Directory) -> FileStatus? {
        do { return try directory.status(of: name) } catch { errors.record(error.reason); return nil }
    }

    /// The entry's kind from `d_type`, or from `lstat` when the filesystem does not report it.
    private mutating func kind(of entry: Directory.Entry, in directory: Directory) -> FileKind? {
        entry.kind ?? status(of: entry.name, in: directory)?.kind
    }
}
