@testable import BackupScan
import Testing

@Suite struct SnapshotOriginTests {
    /// The tags Cassandra writes (3.11-5.0) and what each means; written out, not derived.
    @Test(arguments: [
        ("dropped-1700000000000-orders", false, SnapshotOrigin.dropped),
        ("dropped-1700000000000-shop", false, .dropped),  // 3.x DROP KEYSPACE names the keyspace
        ("truncated-1700000000000-orders", false, .truncated),
        ("pre-scrub-1700000000000", false, .preScrub),
        ("1700000000000-upgrade-4.1.5-5.0.2", false, .upgrade),
        ("1700000000000-upgrade-3.11.17-4.0.13", false, .upgrade),
        ("6d0a1e50-8b5f-11ee-b9d1-0242ac120002", false, .repair),
        ("6D0A1E50-8B5F-11EE-B9D1-0242AC120002", false, .repair),
        ("weekly", true, .repair),  // ephemeral marker
        ("RepairedDataMismatch-1700000000000", false, .diagnostic),
        ("DuplicateRows-1700000000000", false, .diagnostic),
        ("1700000000000", false, .user),  // nodetool snapshot without -t
        ("medusa-daily-2024-05-01", false, .medusa),
        ("nightly-medusa-2024", false, .user),
        ("weekly", false, .user),
        ("upgrade-4.1-5.0", false, .user),
        ("x-upgrade-4.1-5.0", false, .user),
        ("6d0a1e50-8b5f-11ee-b9d1-0242ac12000", false, .user),  // one digit short
        ("dropped", false, .user),
    ] as [(String, Bool, SnapshotOrigin)])
    func originFromTagAndMarker(tag: String, ephemeral: Bool, expected: SnapshotOrigin) {
        #expect(SnapshotOrigin(tag: tag, ephemeral: ephemeral) == expected)
    }
}
