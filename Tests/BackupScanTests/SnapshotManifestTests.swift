@testable import BackupScan
import Foundation
import Testing

@Suite struct SnapshotManifestTests {
    @Test(arguments: [
        ("2024-05-01T10:15:30Z", 1_714_558_530.0),
        ("2024-05-01T10:15:30.5Z", 1_714_558_530.5),
        ("2024-05-01T10:15:30.123456789Z", 1_714_558_530.123456789),
        ("2024-05-01T12:15:30+02:00", 1_714_558_530.0),
        ("2024-05-01T05:15:30.25-05:00", 1_714_558_530.25),
        ("1970-01-01T00:00:00Z", 0.0),
        ("2024-02-29T00:00:00Z", 1_709_164_800.0),
    ] as [(String, Double)])
    func parsesJavaInstants(text: String, expected: Double) throws {
        let parsed = try #require(SnapshotManifest.parseInstant(text))
        #expect(abs(parsed - expected) < 1e-6)
    }

    @Test(arguments: ["", "2024-05-01", "2024-05-01 10:15:30Z", "2024-13-01T10:15:30Z", "2024-05-01T10:15:30", "2024-05-01T10:15:30.Z",
                      "2024-05-01T10:15:30+0200", "yesterday", "2024-05-01T10:15:30Zjunk"])
    func rejectsOtherText(text: String) {
        #expect(SnapshotManifest.parseInstant(text) == nil)
    }

    @Test func readsTheFieldsOfAManifest() {
        let json = Array(#"{"files":["nb-1-big-Data.db"],"created_at":"2024-05-01T10:15:30.5Z","expires_at":null,"ephemeral":false}"#.utf8)
        #expect(SnapshotManifest(json: json) == SnapshotManifest(createdAt: 1_714_558_530.5, files: ["nb-1-big-Data.db"]))
        // 5.0, `nodetool snapshot --ttl 1h` on a repair's ephemeral snapshot.
        let ttl = Array(#"{"files":["oa-1-big-Data.db"],"created_at":"2024-05-01T10:15:30Z","expires_at":"2024-05-01T11:15:30Z","ephemeral":true}"#.utf8)
        #expect(SnapshotManifest(json: ttl) == SnapshotManifest(createdAt: 1_714_558_530, expiresAt: 1_714_562_130, ephemeral: true,
                                                                files: ["oa-1-big-Data.db"]))
        #expect(SnapshotManifest(json: Array(#"{"files":[]}"#.utf8)) == SnapshotManifest(files: []))
        // Index SSTables with their directory; fields of later versions ignored; a `files` of
        // another type counts as absent.
        let index = Array(#"{"files":["nb-1-big-Data.db",".t_idx/nb-1-big-Data.db"],"later":{"x":[1]}}"#.utf8)
        #expect(SnapshotManifest(json: index)?.files == ["nb-1-big-Data.db", ".t_idx/nb-1-big-Data.db"])
        #expect(SnapshotManifest(json: Array(#"{"files":"nb-1-big-Data.db"}"#.utf8)) == SnapshotManifest())
        #expect(SnapshotManifest(json: Array("not json".utf8)) == nil)
        #expect(SnapshotManifest(json: Array(#"["a"]"#.utf8)) == nil)
    }
}
