/// Who made a snapshot, from its tag and its marker files (the `origin` label).
///
/// The tags as Cassandra writes them (3.11 to 5.0):
/// - `dropped-<ms>-<table>`: DROP TABLE with `auto_snapshot` (`Keyspace.getTimestampedSnapshotNameWithPrefix`,
///   prefix `ColumnFamilyStore.SNAPSHOT_DROP_PREFIX`); 3.x's DROP KEYSPACE names the keyspace instead.
/// - `truncated-<ms>-<table>`: TRUNCATE with `auto_snapshot` (`SNAPSHOT_TRUNCATE_PREFIX`).
/// - `pre-scrub-<ms>`: `nodetool scrub` (`ColumnFamilyStore.scrub`) and the offline `sstablescrub`.
/// - `<ms>-upgrade-<old>-<new>`: start-up after a version change (`SystemKeyspace.snapshotOnVersionChange`).
/// - A UUID, or a snapshot marked ephemeral (`ephemeral.snapshot`, `"ephemeral": true` in 5.0's
///   manifest): a repair session's snapshot.
/// - `RepairedDataMismatch-…`, `DuplicateRows-…`: `DiagnosticSnapshotService` (4.0+).
/// - `medusa-<backup name>`: Medusa's backups (`medusa/backup_node.py`); Medusa clears its tag
///   after a backup, and one that failed leaves it behind on the node.
public enum SnapshotOrigin: String, Sendable, CaseIterable {
    case user, dropped, truncated
    case preScrub = "pre_scrub"
    case upgrade, repair, diagnostic, medusa

    /// The origin of the snapshot tagged `tag`; `ephemeral` when a marker file or the manifest says so.
    public init(tag: String, ephemeral: Bool) {
        if ephemeral || Self.isUUID(tag) {
            self = .repair
        } else if tag.hasPrefix("dropped-") {
            self = .dropped
        } else if tag.hasPrefix("truncated-") {
            self = .truncated
        } else if tag.hasPrefix("pre-scrub-") {
            self = .preScrub
        } else if tag.hasPrefix("RepairedDataMismatch-") || tag.hasPrefix("DuplicateRows-") {
            self = .diagnostic
        } else if tag.hasPrefix("medusa-") {
            self = .medusa
        } else if let dash = tag.firstIndex(of: "-"), tag[..<dash].allSatisfy(\.isASCIIDigit), dash != tag.startIndex,
                  tag[dash...].hasPrefix("-upgrade-") {
            self = .upgrade
        } else {
            self = .user
        }
    }

    /// Whether the snapshot gets its per-(table, tag) series without `--collector.snapshot-detail`:
    /// taken by Cassandra itself, or left behind by a failed Medusa backup (few, and each one
    /// actionable), rather than an operator's or a retention's.
    public var isAutomatic: Bool { self != .user }

    /// `8-4-4-4-12` hexadecimal digits, as `java.util.UUID.toString` writes them.
    private static func isUUID(_ tag: String) -> Bool {
        let groups = tag.split(separator: "-", omittingEmptySubsequences: false)
        return groups.map(\.count) == [8, 4, 4, 4, 12] && groups.allSatisfy { $0.allSatisfy(\.isHexDigit) }
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}
