/// One finished scan of all data directories: an immutable value.
public struct NodeMeasurement: Sendable {
    /// Every table directory found, sorted by ``TableKey``.
    public let tables: [TableMeasurement]
    /// Filesystem usage per data directory, in the configured order.
    public let filesystems: [DataDirectoryFilesystem]
    /// Entries skipped during this scan.
    public let errors: ScanErrorCounts
    /// Every configured data directory, in the configured order, with whether a call in it is stuck.
    public let dataDirectories: [DataDirectoryHealth]
    /// Tables whose walk is stuck at the end of the scan, sorted by key. Their series carry the
    /// values of their last measurement.
    public let stuckTables: [StuckTable]

    public init(tables: [TableMeasurement], filesystems: [DataDirectoryFilesystem], errors: ScanErrorCounts,
                dataDirectories: [DataDirectoryHealth] = [], stuckTables: [StuckTable] = []) {
        self.tables = tables
        self.filesystems = filesystems
        self.errors = errors
        self.dataDirectories = dataDirectories
        self.stuckTables = stuckTables
    }
}

/// Whether a configured data directory answers.
public struct DataDirectoryHealth: Sendable, Equatable {
    public let dataDirectory: String
    /// A `statvfs`, a listing or a table walk in it has not returned within the walk time limit.
    public let stuck: Bool
}

/// A table whose walk has not returned within the walk time limit.
public struct StuckTable: Sendable, Equatable {
    public let key: TableKey
    /// Seconds since the stuck walk started, at the end of the scan.
    public let seconds: Double
}

/// Identifies a table directory: `<data_dir>/<keyspace>/<table>-<table_id>`.
public struct TableKey: Hashable, Sendable, Comparable {
    /// The data directory as configured.
    public let dataDirectory: String
    public let keyspace: String
    public let table: String
    /// The 32 lowercase hex digits after the last `-`.
    public let tableID: String

    public init(dataDirectory: String, keyspace: String, table: String, tableID: String) {
        self.dataDirectory = dataDirectory
        self.keyspace = keyspace
        self.table = table
        self.tableID = tableID
    }

    public static func < (lhs: TableKey, rhs: TableKey) -> Bool {
        if lhs.dataDirectory != rhs.dataDirectory { return lhs.dataDirectory < rhs.dataDirectory }
        if lhs.keyspace != rhs.keyspace { return lhs.keyspace < rhs.keyspace }
        if lhs.table != rhs.table { return lhs.table < rhs.table }
        return lhs.tableID < rhs.tableID
    }
}

/// Regular files of one set (a `backups/` tree or a snapshot), each inode counted once in sums.
public struct FileSetUsage: Sendable, Equatable {
    /// Directory entries that are regular files.
    public var files: UInt64 = 0
    /// Entries named `*-Data.db`.
    public var sstables: UInt64 = 0
    /// Sum of `st_size`, each inode once.
    public var sizeBytes: UInt64 = 0
    /// Sum of `st_blocks * 512`, each inode once.
    public var allocatedBytes: UInt64 = 0
    /// Allocated bytes of inodes whose every link is inside this set.
    public var exclusiveBytes: UInt64 = 0
    /// Oldest and newest `st_mtime`; `nil` when the set is empty.
    public var oldestModified: Double?
    public var newestModified: Double?

    public init() {}
}

/// The measurement of one table directory.
public struct TableMeasurement: Sendable, Equatable {
    public let key: TableKey
    /// Everything under `backups/`, recursively; zeros when there is none.
    public let backups: FileSetUsage
    /// Allocated bytes of inodes under `backups/` that are not a live file of this table.
    public let backupCompactedBytes: UInt64
    /// `*-Data.db` files in the table directory and its `.<index>/` directories.
    public let liveSSTables: UInt64
    /// Allocated bytes of regular files in the table directory and its `.<index>/` directories.
    public let liveAllocatedBytes: UInt64
    /// One entry per `snapshots/<tag>/`, sorted by tag.
    public internal(set) var snapshots: [SnapshotMeasurement]
    /// All of `snapshots/` as one set: each inode once across the tags; exclusive bytes are what
    /// clearing every snapshot of the table would free.
    public let allSnapshots: FileSetUsage
    /// Whether the SSTables under `backups/` are complete, and its rewritten components.
    public internal(set) var backupSSTables = SSTableCheck()
    /// Components in the table's snapshots whose same-named live file now has another inode,
    /// directory entries (a component two snapshots keep counts twice).
    public internal(set) var snapshotRewrittenComponents: UInt64 = 0
}

/// The measurement of one snapshot directory `snapshots/<tag>/`.
public struct SnapshotMeasurement: Sendable, Equatable {
    public let tag: String
    /// Who made it: from the tag, the `ephemeral.snapshot` marker and the manifest.
    public let origin: SnapshotOrigin
    public internal(set) var usage: FileSetUsage
    /// `created_at` from `manifest.json` when present, else the directory's mtime.
    public let createdAt: Double
    /// `expires_at` from `manifest.json`; `nil` when the snapshot has no expiry.
    public let expiresAt: Double?
    /// Whether its SSTables are complete.
    public internal(set) var sstables = SSTableCheck()
    /// What this directory holds of what a restore needs besides complete SSTables.
    public internal(set) var restore = SnapshotRestoreFacts()
    /// Why the table's snapshot with this tag would not restore, judged across every data
    /// directory holding a part of it (the same on each part); empty when it would.
    public internal(set) var problems = RestoreProblems()
}

/// What one snapshot directory holds of what a restore needs, besides complete SSTables.
public struct SnapshotRestoreFacts: Sendable, Equatable {
    /// A readable `manifest.json` is here (with several data directories, Cassandra writes it in
    /// one of them only).
    public internal(set) var hasManifest = false
    /// `schema.cql` is here (written since 3.0.9/3.10, in the manifest's directory).
    public internal(set) var hasSchema = false
    /// Hashes (``NameHash``) of the Data.db paths the manifest names that are not in this
    /// directory, sorted: with one data directory, missing files; with several, to be looked for
    /// in the other parts.
    var missingHere: [UInt64] = []
    /// Hashes of the Data.db paths present (`.<index>/` included), sorted; kept only with several
    /// data directories, where another part's manifest may name them.
    var dataFiles: [UInt64] = []

    public init() {}
}

/// Why a table's snapshot would not restore: the `reason` label.
public struct RestoreProblems: OptionSet, Sendable, Hashable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// An SSTable lacks a component Cassandra cannot rebuild.
    public static let incompleteSSTable = RestoreProblems(rawValue: 1)
    /// The manifest names a Data.db that is in none of the data directories.
    public static let missingFile = RestoreProblems(rawValue: 2)
    /// No data directory holds a readable `manifest.json` for it.
    public static let noManifest = RestoreProblems(rawValue: 4)
    /// No data directory holds its `schema.cql`.
    public static let noSchema = RestoreProblems(rawValue: 8)

    /// Every reason with its label value, in a fixed order.
    public static let reasons: [(problem: RestoreProblems, label: String)] = [
        (.incompleteSSTable, "incomplete_sstable"), (.missingFile, "missing_file"), (.noManifest, "no_manifest"), (.noSchema, "no_schema"),
    ]
}

/// `statvfs` of one data directory.
public struct FilesystemUsage: Sendable, Equatable {
    /// `f_bavail * f_frsize`: space available to unprivileged users.
    public let availableBytes: UInt64
    /// `f_blocks * f_frsize`.
    public let sizeBytes: UInt64
    /// `ST_RDONLY` in `f_flag`: mounted read-only (ext4's `errors=remount-ro` after an error).
    public let readOnly: Bool
}

/// The filesystem usage of one configured data directory.
public struct DataDirectoryFilesystem: Sendable {
    public let dataDirectory: String
    public let usage: FilesystemUsage
}
