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
            scanner = DataDirectoryScanner(dataDirectories: [temp("data")], parallelism: 2, stampTrustSeconds: 0)
            cache = try scanner.scan(reusing: nil).cache
            usleep(20_000)
        }

        deinit { temp.remove() }

        /// Applies `change`, re-scans with the cache and checks the result against a full walk.
        /// Returns the re-scan's report (how many tables it walked, listed `backups/` of, reused).
        @discardableResult
        func rescanAfter(_ change: () throws -> Void, sourceLocation: SourceLocation = #_sourceLocation) throws -> DataDirectoryScanner.Report {
            try change()
            usleep(20_000)
            let incremental = try scanner.scan(reusing: cache)
            let full = try scanner.scan(reusing: nil)
            #expect(incremental.measurement.tables == full.measurement.tables, sourceLocation: sourceLocation)
            cache = incremental.cache
            usleep(20_000)
            return incremental
        }

        func table(_ index: Int) -> TableSpec { node.tables[index] }
        var dataDirectory: String { temp("data") }
    }

    @Test func nothingChangedReusesEveryTable() throws {
        let fixture = try Fixture()
        #expect(try fixture.rescanAfter {}.tablesWalked == 0)
        #expect(fixture.cache?.count == fixture.node.tables.count)
    }

    @Test func flushLinkedIntoBackupsIsSeen() throws {
        let fixture = try Fixture()
        #expect(try fixture.rescanAfter { try fixture.node.flush(fixture.table(0), in: fixture.dataDirectory) }.tablesWalked == 1)
    }

    @Test func compactionDeletingALiveFileIsSeen() throws {
        let fixture = try Fixture()
        // The inputs' backups turn from shared to compacted and exclusive.
        let walked = try fixture.rescanAfter {
            let compacted = try fixture.node.compact(fixture.table(1), in: fixture.dataDirectory)
            #expect(compacted)
        }
        #expect(walked.tablesWalked == 1)
    }

    /// A shipping run changes only `backups/`: only it is listed again, in every table.
    @Test func backupsClearedListsOnlyBackups() throws {
        let fixture = try Fixture()
        let scan = try fixture.rescanAfter { try fixture.node.shipBackups() }
        #expect(scan.tablesWalked == 0)
        #expect(scan.tablesBackupsListed == fixture.node.tables.count)
        // And the listing it leaves is used by the next shipping run.
        try fixture.rescanAfter { try fixture.node.flush(fixture.table(0), in: fixture.dataDirectory) }
        #expect(try fixture.rescanAfter { try fixture.node.shipBackups() }.tablesBackupsListed == 1)
    }

    /// Shipping some files of one table, then the rest; some of them compacted away already
    /// (their bytes count as compacted until shipped), some still live.
    @Test func backupsShippedInPartsAreSeen() throws {
        let fixture = try Fixture()
        try fixture.rescanAfter {
            let compacted = try fixture.node.compact(fixture.table(1), in: fixture.dataDirectory)
            #expect(compacted)
            try fixture.node.flush(fixture.table(1), in: fixture.dataDirectory)
        }
        let backups = fixture.node.path(of: fixture.table(1), in: fixture.dataDirectory) + "/backups"
        let names = try FileManager.default.contentsOfDirectory(atPath: backups).filter { $0.hasSuffix(".db") }.sorted()
        #expect(names.count > 2)
        let first = try fixture.rescanAfter {
            for name in names.prefix(names.count / 2) { try FileManager.default.removeItem(atPath: "\(backups)/\(name)") }
        }
        #expect(first.tablesWalked == 0 && first.tablesBackupsListed == 1)
        let second = try fixture.rescanAfter {
            for name in names.dropFirst(names.count / 2) { try FileManager.default.removeItem(atPath: "\(backups)/\(name)") }
        }
        #expect(second.tablesWalked == 0 && second.tablesBackupsListed == 1)
    }

    /// Backups of SSTables that were compacted away but are still in a snapshot: shipping them
    /// leaves the snapshots as the last links, and exclusive bytes grow: a tag's when it is the
    /// only snapshot, only the union's when two tags hold the files. Only `backups/` is walked;
    /// the numbers agree with `find` as well as with a full walk.
    @Test(arguments: [["before-compaction"], ["before-compaction", "also-before"]])
    func shippingBackupsOfSnapshottedFilesMakesThemExclusiveToTheSnapshots(tags: [String]) throws {
        let fixture = try Fixture()
        let table = fixture.table(1)
        try fixture.rescanAfter { for tag in tags { try fixture.node.snapshot(tag: tag, of: [table]) } }
        try fixture.rescanAfter {
            let compacted = try fixture.node.compact(table, in: fixture.dataDirectory)
            #expect(compacted)
        }
        let directory = fixture.node.path(of: table, in: fixture.dataDirectory)
        let allBefore = try FileOracle(directory + "/snapshots").exclusiveBytes()
        let scan = try fixture.rescanAfter { try fixture.node.shipBackups() }
        #expect(scan.tablesWalked == 0 && scan.tablesBackupsListed == fixture.node.tables.count)
        let measured = try #require(scan.measurement.tables.first { $0.key.table == table.name })
        let allAfter = try FileOracle(directory + "/snapshots").exclusiveBytes()
        #expect(allAfter > allBefore)
        #expect(measured.allSnapshots.exclusiveBytes == allAfter)
        for snapshot in measured.snapshots {
            #expect(snapshot.usage.exclusiveBytes == (try FileOracle(directory + "/snapshots/" + snapshot.tag).exclusiveBytes()))
            #expect((snapshot.usage.exclusiveBytes == allAfter) == (tags.count == 1))
        }
    }

    /// A file that appears in `backups/` alone (not flushed by Cassandra: copied in) is a link
    /// the last listing did not hold: the table is walked whole.
    @Test func aFileCopiedIntoBackupsWalksTheTable() throws {
        let fixture = try Fixture()
        let backups = fixture.node.path(of: fixture.table(0), in: fixture.dataDirectory) + "/backups"
        let scan = try fixture.rescanAfter {
            try Data(repeating: 7, count: 8192).write(to: URL(fileURLWithPath: "\(backups)/nb-98-big-Data.db"))
        }
        #expect(scan.tablesWalked == 1 && scan.tablesBackupsListed == 0)
    }

    @Test func snapshotTakenAndClearedAreSeen() throws {
        let fixture = try Fixture()
        try fixture.rescanAfter { try fixture.node.compact(fixture.table(2), in: fixture.dataDirectory) }
        #expect(try fixture.rescanAfter { try fixture.node.snapshot(tag: "t1") }.tablesWalked == fixture.node.tables.count)
        // Clearing the snapshot makes compacted backups exclusive again.
        #expect(try fixture.rescanAfter { try fixture.node.clearSnapshot(tag: "t1") }.tablesWalked == fixture.node.tables.count)
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
        }.tablesWalked == 1)
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
    func aFinishedSnapshotIsTrustedUntilTheFullWalk(finishedSnapshotSeconds: Double, seen: Bool) throws {
        let temp = try TemporaryDirectory("incremental")
        defer { temp.remove() }
        let tree = FixtureBuilder(root: temp.path)
        let table = FixtureBuilder.table()
        try tree.flushedSSTable(in: table, size: 4096)
        try tree.link("\(table)/snapshots/weekly/nb-1-big-Data.db", to: "\(table)/nb-1-big-Data.db")
        let scanner = DataDirectoryScanner(dataDirectories: [temp("data")], stampTrustSeconds: 0, finishedSnapshotSeconds: finishedSnapshotSeconds)
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

    /// Right after a shipping run `backups/` is listed again on every scan until its stamp has
    /// settled; the rest of the table is not walked meanwhile, and then the table is reused.
    @Test func aFreshShippingRunIsListedAgainUntilItSettles() throws {
        let temp = try TemporaryDirectory("incremental")
        defer { temp.remove() }
        let node = SimulatedNode(dataDirectories: [temp("data")], tables: Array(TableSpec.demoSchema.prefix(2)), seed: 1)
        try node.populate(flushes: 2)
        usleep(1_200_000)
        let scanner = DataDirectoryScanner(dataDirectories: [temp("data")], stampTrustSeconds: 1)
        var cache = try scanner.scan(reusing: nil).cache
        #expect(cache.count == 2)
        try node.shipBackups()
        var reports: [DataDirectoryScanner.Report] = []
        for pause in [0, 0, 1_200_000, 0] {
            usleep(UInt32(pause))
            let report = try scanner.scan(reusing: cache)
            #expect(report.measurement.tables == (try scanner.scan(reusing: nil)).measurement.tables)
            reports.append(report)
            cache = report.cache
        }
        #expect(reports.map(\.tablesWalked) == [0, 0, 0, 0])
        #expect(reports.map(\.tablesBackupsListed) == [2, 2, 2, 0])
        #expect(reports.map(\.tablesReused) == [0, 0, 0, 2])
    }

    @Test func recentChangesAreNotTrustedWithinTheSettleTime() throws {
        let temp = try TemporaryDirectory("incremental")
        defer { temp.remove() }
        try SimulatedNode(dataDirectories: [temp("data")], tables: Array(TableSpec.demoSchema.prefix(2)), seed: 1).populate(flushes: 1)
        let scanner = DataDirectoryScanner(dataDirectories: [temp("data")], stampTrustSeconds: 60)
        let first = try scanner.scan(reusing: nil)
        #expect(first.cache.count == 0, "directories changed seconds ago are walked again")
        #expect(try scanner.scan(reusing: first.cache).tablesReused == 0)
    }
}
