import BackupScan
import Foundation
import NodeSimulator
import Testing
import TestSupport

/// Re-scans that reuse unchanged tables give the same numbers as a full walk after every way a
/// number can change, except the one case the periodic full walk exists for.
@Suite struct IncrementalScanTests {
    /// A node with a few tables; the scanner trusts stamps at once (settle 0): each change in
    /// these tests comes at least 20 ms after the one before, well past timestamp granularity.
    final class Fixture {
        let temp: TemporaryDirectory
        let node: SimulatedNode
        let scanner: DataDirectoryScanner
        var cache: ScanCache?

        init() throws {
            temp = try TemporaryDirectory("incremental")
            node = SimulatedNode(dataDirectories: [temp("data")], tables: Array(TableSpec.demoSchema.suffix(4)), seed: 3)
            try node.populate(flushes: 3)
            scanner = DataDirectoryScanner(dataDirectories: [temp("data")], parallelism: 2, settleSeconds: 0)
            cache = try scanner.scan(reusing: nil).cache
            usleep(20_000)
        }

        deinit { temp.remove() }

        /// Applies `change`, re-scans with the cache and checks the result against a full walk.
        /// Returns how many tables the re-scan walked.
        @discardableResult
        func rescanAfter(_ change: () throws -> Void, sourceLocation: SourceLocation = #_sourceLocation) throws -> Int {
            try change()
            usleep(20_000)
            let incremental = try scanner.scan(reusing: cache)
            let full = try scanner.scan(reusing: nil)
            #expect(incremental.measurement.tables == full.measurement.tables, sourceLocation: sourceLocation)
            cache = incremental.cache
            usleep(20_000)
            return incremental.tablesWalked
        }

        func table(_ index: Int) -> TableSpec { node.tables[index] }
        var dataDirectory: String { temp("data") }
    }

    @Test func nothingChangedReusesEveryTable() throws {
        let fixture = try Fixture()
        #expect(try fixture.rescanAfter {} == 0)
        #expect(fixture.cache?.count == fixture.node.tables.count)
    }

    @Test func flushLinkedIntoBackupsIsSeen() throws {
        let fixture = try Fixture()
        #expect(try fixture.rescanAfter { try fixture.node.flush(fixture.table(0), in: fixture.dataDirectory) } == 1)
    }

    @Test func compactionDeletingALiveFileIsSeen() throws {
        let fixture = try Fixture()
        // The inputs' backups turn from shared to compacted and exclusive.
        let walked = try fixture.rescanAfter {
            let compacted = try fixture.node.compact(fixture.table(1), in: fixture.dataDirectory)
            #expect(compacted)
        }
        #expect(walked == 1)
    }

    @Test func backupsClearedIsSeen() throws {
        let fixture = try Fixture()
        #expect(try fixture.rescanAfter { try fixture.node.shipBackups() } == fixture.node.tables.count)
    }

    @Test func snapshotTakenAndClearedAreSeen() throws {
        let fixture = try Fixture()
        try fixture.rescanAfter { try fixture.node.compact(fixture.table(2), in: fixture.dataDirectory) }
        #expect(try fixture.rescanAfter { try fixture.node.snapshot(tag: "t1") } == fixture.node.tables.count)
        // Clearing the snapshot makes compacted backups exclusive again.
        #expect(try fixture.rescanAfter { try fixture.node.clearSnapshot(tag: "t1") } == fixture.node.tables.count)
    }

    @Test func droppedTableIsSeen() throws {
        let fixture = try Fixture()
        let table = fixture.table(3)
        let directory = fixture.node.path(of: table, in: fixture.dataDirectory)
        try fixture.rescanAfter {
            // DROP: a snapshot, then the live files go; backups/ stays.
            try fixture.node.snapshot(tag: "dropped-1-\(table.name)", of: [table])
            for name in try FileManager.default.contentsOfDirectory(atPath: directory) where name.hasSuffix(".db") || name.hasSuffix(".txt") || name.hasSuffix(".crc32") {
                try FileManager.default.removeItem(atPath: "\(directory)/\(name)")
            }
        }
        // The whole directory removed: the table disappears.
        try fixture.rescanAfter { try FileManager.default.removeItem(atPath: directory) }
    }

    @Test func indexFlushIsSeen() throws {
        let fixture = try Fixture()
        let indexed = try #require(fixture.node.tables.first { !$0.indexes.isEmpty })
        let directory = fixture.node.path(of: indexed, in: fixture.dataDirectory)
        // A file appears only in backups/.<index>/.
        #expect(try fixture.rescanAfter {
            try Data(repeating: 1, count: 5000).write(to: URL(fileURLWithPath: "\(directory)/backups/.\(indexed.indexes[0])/nb-99-big-Data.db"))
        } == 1)
    }

    /// The documented blind spot: a hard link made or removed outside the table changes a link
    /// count without touching any directory of the table. The re-scan keeps the old exclusive
    /// bytes; the next full walk (`--collector.full-scan-every`) corrects them.
    @Test func linkFromOutsideNeedsTheFullWalk() throws {
        let fixture = try Fixture()
        let table = fixture.table(1)
        try fixture.rescanAfter {
            let compacted = try fixture.node.compact(table, in: fixture.dataDirectory)
            #expect(compacted)
        }
        let backups = fixture.node.path(of: table, in: fixture.dataDirectory) + "/backups"
        let exclusiveFile = try #require(try FileManager.default.contentsOfDirectory(atPath: backups).sorted().first { $0.hasSuffix("-Data.db") })
        let before = try #require(try fixture.scanner.scan(reusing: nil).measurement.tables.first { $0.key.table == table.name })
        #expect(before.backups.exclusiveBytes > 0)

        try FileManager.default.linkItem(atPath: "\(backups)/\(exclusiveFile)", toPath: fixture.temp("outside-link"))
        usleep(20_000)
        let incremental = try fixture.scanner.scan(reusing: fixture.cache)
        let full = try fixture.scanner.scan(reusing: nil)
        let stale = try #require(incremental.measurement.tables.first { $0.key.table == table.name })
        let fresh = try #require(full.measurement.tables.first { $0.key.table == table.name })
        #expect(incremental.tablesWalked == 0)
        #expect(stale.backups.exclusiveBytes == before.backups.exclusiveBytes)
        #expect(fresh.backups.exclusiveBytes < before.backups.exclusiveBytes)
    }

    /// A finished snapshot is not stamped again: a file added inside it (which Cassandra never
    /// does) waits for the full walk; a snapshot still young is stamped, and the same change is seen.
    @Test(arguments: [(0.0, false), (60.0, true)])
    func aFinishedSnapshotIsTrustedUntilTheFullWalk(settledSnapshotSeconds: Double, seen: Bool) throws {
        let temp = try TemporaryDirectory("incremental")
        defer { temp.remove() }
        let tree = FixtureBuilder(root: temp.path)
        let table = FixtureBuilder.table()
        try tree.flushedSSTable(in: table, size: 4096)
        try tree.link("\(table)/snapshots/weekly/nb-1-big-Data.db", to: "\(table)/nb-1-big-Data.db")
        let scanner = DataDirectoryScanner(dataDirectories: [temp("data")], settleSeconds: 0, settledSnapshotSeconds: settledSnapshotSeconds)
        let first = try scanner.scan(reusing: nil)
        usleep(20_000)
        try tree.file("\(table)/snapshots/weekly/nb-2-big-Data.db", size: 4096)
        usleep(20_000)
        let incremental = try scanner.scan(reusing: first.cache)
        let full = try scanner.scan(reusing: nil)
        #expect(full.measurement.tables[0].snapshots[0].usage.files == 2)
        #expect(incremental.tablesWalked == (seen ? 1 : 0))
        #expect((incremental.measurement.tables == full.measurement.tables) == seen)
    }

    @Test func recentChangesAreNotTrustedWithinTheSettleTime() throws {
        let temp = try TemporaryDirectory("incremental")
        defer { temp.remove() }
        try SimulatedNode(dataDirectories: [temp("data")], tables: Array(TableSpec.demoSchema.prefix(2)), seed: 1).populate(flushes: 1)
        let scanner = DataDirectoryScanner(dataDirectories: [temp("data")], settleSeconds: 60)
        let first = try scanner.scan(reusing: nil)
        #expect(first.cache.count == 0, "directories changed seconds ago are walked again")
        #expect(try scanner.scan(reusing: first.cache).tablesReused == 0)
    }
}
