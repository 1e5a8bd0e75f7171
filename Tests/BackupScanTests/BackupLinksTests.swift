@testable import BackupScan
import Testing

/// What a shipping run's relisting of `backups/` decides from the links a walk remembered:
/// which links went, which of those were also in a snapshot, and when the table must be walked.
@Suite struct BackupLinksTests {
    private func inode(_ number: UInt64, allocated: UInt64 = 4096, linksFound: UInt64 = 1, device: UInt64 = 1) -> HardLinkTally.Inode {
        HardLinkTally.Inode(key: InodeKey(device: device, inode: number), linkCount: 2, size: allocated, allocated: allocated, linksFound: linksFound)
    }

    @Test func aFileLinkedTwiceOrOnAnotherDeviceIsNotRemembered() {
        #expect(BackupLinks(backups: [inode(1), inode(2, linksFound: 2)], live: [], snapshots: [], device: 1) == nil)
        #expect(BackupLinks(backups: [inode(1), inode(2, device: 9)], live: [], snapshots: [], device: 1) == nil)
    }

    @Test func shippedLinksAreLostAndOnlyThoseInASnapshotAreLookedUpAgain() throws {
        // 1 live, 2 in a snapshot, 3 in both, 4 compacted and in no snapshot.
        let links = try #require(BackupLinks(backups: [inode(1), inode(2), inode(3), inode(4, allocated: 100)],
                                             live: [inode(1), inode(3)], snapshots: [inode(2), inode(3)], device: 1))
        #expect(links.compactedBytes(of: [inode(1), inode(2), inode(3), inode(4, allocated: 100)]) == 4096 + 100)
        let (kept, lost) = try #require(links.remaining([inode(1), inode(4, allocated: 100)], device: 1))
        #expect(lost == [2, 3], "shipped and held by a snapshot: their link counts fell")
        #expect(kept.inodes == [1, 4])
        #expect(kept.compactedBytes(of: [inode(1), inode(4, allocated: 100)]) == 100)
        let (_, none) = try #require(links.remaining([inode(1), inode(2), inode(3), inode(4)], device: 1))
        #expect(none.isEmpty, "nothing shipped")
    }

    @Test func aLinkThatWasNotThereWalksTheTable() {
        let links = BackupLinks(backups: [inode(1), inode(3)], live: [], snapshots: [], device: 1)
        #expect(links?.remaining([inode(1), inode(2)], device: 1) == nil, "a flush or a copy added inode 2")
        #expect(links?.remaining([inode(1), inode(3, linksFound: 2)], device: 1) == nil)
    }
}
