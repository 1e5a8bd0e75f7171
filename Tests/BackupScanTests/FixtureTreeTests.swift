import BackupScan
import Foundation
import Testing
import TestSupport

/// Every counting rule of the contract over a hand-built tree with the awkward cases, with the
/// expected numbers taken from `find -printf` and `du`, never from the scanner.
@Suite struct FixtureTreeTests {
    static let ordersID = "5a1c395e32b611eeb5ad0242ac120002"
    static let droppedID = "11111111222233334444555555555555"
    static let recreatedID = "aaaaaaaabbbbccccddddeeeeeeeeeeee"
    static let legacyID = "3e8a7d10e51f11e7b0c2f7d1a2b3c4d5"
    static let btiID = "9b2e1f40a7c811eea3b10242ac120002"

    /// Builds the tree under `temp`: data directories `a` and `b`, plus `outside`.
    static func buildTree(in temp: TemporaryDirectory) throws -> (a: String, b: String) {
        let tree = FixtureBuilder(root: temp.path)
        let orders = "a/shop/orders-\(ordersID)"
        // Live SSTables, one in the index directory.
        for component in ["Data.db", "Index.db", "Statistics.db", "TOC.txt"] {
            try tree.file("\(orders)/nb-1-big-\(component)", size: component == "Data.db" ? 40_000 : 900)
            try tree.file("\(orders)/nb-2-big-\(component)", size: component == "Data.db" ? 70_000 : 1_200)
            try tree.file("\(orders)/.orders_by_day_idx/nb-1-big-\(component)", size: 3_000)
        }
        // backups/: nb-1 shared with the live table, nb-2 shared too, nb-0 compacted away (only
        // in backups), nb-3 compacted away but also held by a snapshot, index backups.
        for component in ["Data.db", "Index.db", "Statistics.db", "TOC.txt"] {
            try tree.link("\(orders)/backups/nb-1-big-\(component)", to: "\(orders)/nb-1-big-\(component)")
            try tree.link("\(orders)/backups/nb-2-big-\(component)", to: "\(orders)/nb-2-big-\(component)")
            try tree.file("\(orders)/backups/nb-0-big-\(component)", size: 50_000)
            try tree.file("\(orders)/backups/nb-3-big-\(component)", size: 20_000)
            try tree.link("\(orders)/snapshots/weekly/nb-3-big-\(component)", to: "\(orders)/backups/nb-3-big-\(component)")
            try tree.link("\(orders)/backups/.orders_by_day_idx/nb-1-big-\(component)",
                          to: "\(orders)/.orders_by_day_idx/nb-1-big-\(component)")
        }
        // Two links to one inode inside backups/: counted once in sums, twice in files.
        try tree.link("\(orders)/backups/nb-0-big-Data.db.copy", to: "\(orders)/backups/nb-0-big-Data.db")
        // A sparse file: 10 MB apparent, nothing allocated.
        try tree.sparseFile("\(orders)/backups/nb-4-big-Data.db", size: 10_000_000)
        // A hard link from outside the data directory: not exclusive.
        try tree.file("outside/kept-elsewhere-Data.db", size: 30_000)
        try tree.link("\(orders)/backups/nb-5-big-Data.db", to: "outside/kept-elsewhere-Data.db")
        // Things that are not regular files: never counted, followed or opened.
        try tree.file("outside/big-target", size: 500_000)
        try tree.symlink("\(orders)/backups/nb-6-big-Data.db", to: "\(temp.path)/outside/big-target")
        try tree.symlink("\(orders)/backups/loop", to: ".")
        try tree.symlink("\(orders)/backups/outside-dir", to: "\(temp.path)/outside")
        try tree.fifo("\(orders)/backups/nb-7-big-Data.db")
        try tree.fifo("\(orders)/nb-8-big-Data.db")
        // Transaction log and a streaming temp file in the live directory; an old tmp/ directory.
        try tree.file("\(orders)/nb_txn_compaction_6d3f9a70-32b6-11ee-b5ad-0242ac120002.log", size: 120)
        try tree.file("\(orders)/nb-9-big-Data.db.tmp", size: 5_000)
        try tree.file("\(orders)/tmp/nb-10-big-Data.db", size: 8_000)
        // A snapshot with a Cassandra 5.0 manifest and one without (mtime fallback).
        try tree.link("\(orders)/snapshots/weekly/nb-1-big-Data.db", to: "\(orders)/nb-1-big-Data.db")
        try tree.file("\(orders)/snapshots/weekly/.orders_by_day_idx/nb-1-big-Data.db", size: 2_000)
        try Data(#"{"files":["nb-1-big-Data.db"],"created_at":"2024-05-01T10:15:30.123456789Z","expires_at":null,"ephemeral":false}"#.utf8)
            .write(to: URL(fileURLWithPath: temp("\(orders)/snapshots/weekly/manifest.json")))
        try tree.file("\(orders)/snapshots/old/schema.cql", size: 300)
        try tree.touch("\(orders)/snapshots/old", epochSeconds: 1_600_000_000)

        // Dropped and re-created: two directories, one name.
        let dropped = "a/shop/carts-\(droppedID)"
        try tree.file("\(dropped)/backups/nb-1-big-Data.db", size: 12_000)
        try tree.link("\(dropped)/snapshots/dropped-1700000000000-carts/nb-1-big-Data.db", to: "\(dropped)/backups/nb-1-big-Data.db")
        try tree.file("a/shop/carts-\(recreatedID)/nb-1-big-Data.db", size: 4_000)

        // Older and newer naming schemes.
        try tree.file("a/legacy/sessions-\(legacyID)/mc-12-big-Data.db", size: 6_000)
        try tree.link("a/legacy/sessions-\(legacyID)/backups/mc-12-big-Data.db", to: "a/legacy/sessions-\(legacyID)/mc-12-big-Data.db")
        let bti = "a/telemetry/events-\(btiID)"
        try tree.file("\(bti)/da-3g1m_0nuf_3vj5m2k1125165rxa7-bti-Data.db", size: 9_000)
        try tree.file("\(bti)/da-3g1m_0nuf_3vj5m2k1125165rxa7-bti-Partitions.db", size: 1_000)
        try tree.link("\(bti)/backups/da-3g1m_0nuf_3vj5m2k1125165rxa7-bti-Data.db", to: "\(bti)/da-3g1m_0nuf_3vj5m2k1125165rxa7-bti-Data.db")
        try tree.file("\(bti)/backups/da-3g1m_0nuf_3vj5m2k1125165rx00-bti-Data.db", size: 7_000)

        // Not tables: lost+found, stray files, a directory without an id, a symlinked table.
        try tree.file("a/lost+found/#12345", size: 100)
        try tree.file("a/stray.txt", size: 10)
        try tree.file("a/shop/notes.txt", size: 10)
        try tree.directory("a/shop/orders-not-an-id")
        try tree.directory("outside/fake-\(ordersID)/backups")
        try tree.file("outside/fake-\(ordersID)/backups/nb-1-big-Data.db", size: 10_000)
        try tree.symlink("a/shop/linked-\(ordersID)", to: "\(temp.path)/outside/fake-\(ordersID)")
        try tree.symlink("a/linkedkeyspace", to: "\(temp.path)/outside")

        // JBOD: the same table on the second data directory with its own files.
        try tree.file("b/shop/orders-\(ordersID)/nb-11-big-Data.db", size: 25_000)
        try tree.link("b/shop/orders-\(ordersID)/backups/nb-11-big-Data.db", to: "b/shop/orders-\(ordersID)/nb-11-big-Data.db")
        return (temp("a"), temp("b"))
    }

    /// Checks one table's measurement against `find` over its directories.
    static func expectMatchesOracle(_ table: TableMeasurement, directory: String,
                                    sourceLocation: SourceLocation = #_sourceLocation) throws {
        let oracle = try TableOracle(directory)
        let backups = oracle.backups, live = oracle.live
        let usage = table.backups
        #expect(usage.files == backups.count, "files", sourceLocation: sourceLocation)
        #expect(usage.sstables == backups.dataFiles, "sstables", sourceLocation: sourceLocation)
        #expect(usage.sizeBytes == backups.apparentBytes, "size", sourceLocation: sourceLocation)
        #expect(usage.allocatedBytes == backups.allocatedBytes, "allocated", sourceLocation: sourceLocation)
        #expect(usage.exclusiveBytes == (try backups.exclusiveBytes()), "exclusive", sourceLocation: sourceLocation)
        #expect(table.backupCompactedBytes == backups.allocatedBytes(notIn: live), "compacted", sourceLocation: sourceLocation)
        #expect(usage.oldestModified == backups.oldest, "oldest", sourceLocation: sourceLocation)
        #expect(usage.newestModified == backups.newest, "newest", sourceLocation: sourceLocation)
        #expect(table.liveSSTables == live.dataFiles, "live sstables", sourceLocation: sourceLocation)
        #expect(table.liveAllocatedBytes == live.allocatedBytes, "live allocated", sourceLocation: sourceLocation)
        #expect(table.snapshots.map(\.tag) == oracle.tags, "snapshot tags", sourceLocation: sourceLocation)
        for snapshot in table.snapshots {
            let oracle = try FileOracle("\(directory)/snapshots/\(snapshot.tag)")
            #expect(snapshot.usage.files == oracle.count, "snapshot files", sourceLocation: sourceLocation)
            #expect(snapshot.usage.sizeBytes == oracle.apparentBytes, "snapshot size", sourceLocation: sourceLocation)
            #expect(snapshot.usage.allocatedBytes == oracle.allocatedBytes, "snapshot allocated", sourceLocation: sourceLocation)
            #expect(snapshot.usage.exclusiveBytes == (try oracle.exclusiveBytes()), "snapshot exclusive", sourceLocation: sourceLocation)
        }
    }

    @Test func everyTableMatchesTheFindOracle() throws {
        let temp = try TemporaryDirectory("fixture")
        defer { temp.remove() }
        let (a, b) = try Self.buildTree(in: temp)
        let measurement = try DataDirectoryScanner(dataDirectories: [a, b]).scan()

        let keys = measurement.tables.map { "\($0.key.dataDirectory == a ? "a" : "b")/\($0.key.keyspace)/\($0.key.table)-\($0.key.tableID)" }
        #expect(keys == [
            "a/legacy/sessions-\(Self.legacyID)",
            "a/shop/carts-\(Self.droppedID)",
            "a/shop/carts-\(Self.recreatedID)",
            "a/shop/orders-\(Self.ordersID)",
            "a/telemetry/events-\(Self.btiID)",
            "b/shop/orders-\(Self.ordersID)",
        ])
        for table in measurement.tables {
            try Self.expectMatchesOracle(table, directory: "\(table.key.dataDirectory)/\(table.key.keyspace)/\(table.key.table)-\(table.key.tableID)")
        }
        #expect(measurement.errors.total == 0)
    }

    @Test func awkwardEntriesAreNeitherCountedNorFollowed() throws {
        let temp = try TemporaryDirectory("fixture")
        defer { temp.remove() }
        let (a, b) = try Self.buildTree(in: temp)
        let measurement = try DataDirectoryScanner(dataDirectories: [a, b]).scan()
        let orders = try #require(measurement.tables.first { $0.key.dataDirectory == a && $0.key.table == "orders" })

        // Cross-check the backups total with du (directories' own blocks removed): symlinked
        // big-target, the FIFO and the loop add nothing.
        #expect(orders.backups.allocatedBytes == (try DiskUsage.fileBytes(temp("a/shop/orders-\(Self.ordersID)/backups"), apparent: false)))
        // Regular files: 4 x (nb-0, nb-1, nb-2, nb-3, index nb-1) + nb-0 copy + nb-4 sparse + nb-5 outside link.
        #expect(orders.backups.files == 23)
        // The sparse file counts 10 MB apparent size and no allocated bytes.
        #expect(orders.backups.sizeBytes > 10_000_000)
        // nb-0 (only in backups/, two links both inside) is exclusive; nb-3 (held by a snapshot)
        // and nb-5 (linked from outside) are not.
        let nb0 = try FileOracle(temp("a/shop/orders-\(Self.ordersID)/backups")).files.filter { $0.name.hasPrefix("nb-0-") }
        let nb0Blocks = Dictionary(nb0.map { ($0.inode, $0.blocks * 512) }, uniquingKeysWith: { first, _ in first })
        #expect(nb0Blocks.count == 4)
        #expect(orders.backups.exclusiveBytes == nb0Blocks.values.reduce(0, +))
        // The snapshot without manifest falls back to its directory mtime; the other reads created_at.
        #expect(orders.snapshots.first { $0.tag == "old" }?.createdAt == 1_600_000_000)
        let weekly = try #require(orders.snapshots.first { $0.tag == "weekly" }?.createdAt)
        #expect(abs(weekly - 1_714_558_530.123456789) < 1e-6)
        // Dropped table: its backup inode is held by the DROP snapshot, so not exclusive; it is
        // compacted (no live file).
        let dropped = try #require(measurement.tables.first { $0.key.tableID == Self.droppedID })
        #expect(dropped.backups.exclusiveBytes == 0)
        #expect(dropped.backupCompactedBytes == dropped.backups.allocatedBytes)
        #expect(dropped.backupCompactedBytes > 0)
        // Nothing reached through a symlink became a table.
        #expect(!measurement.tables.contains { $0.key.table == "linked" || $0.key.keyspace == "linkedkeyspace" })
    }

    @Test func tablesWithoutBackupsReportZeros() throws {
        let temp = try TemporaryDirectory("fixture")
        defer { temp.remove() }
        let (a, b) = try Self.buildTree(in: temp)
        let measurement = try DataDirectoryScanner(dataDirectories: [a, b]).scan()
        let recreated = try #require(measurement.tables.first { $0.key.tableID == Self.recreatedID })
        #expect(recreated.backups == FileSetUsage())
        #expect(recreated.liveSSTables == 1)
    }

    @Test func parallelScanEqualsSerialScan() throws {
        let temp = try TemporaryDirectory("fixture")
        defer { temp.remove() }
        let (a, b) = try Self.buildTree(in: temp)
        let serial = try DataDirectoryScanner(dataDirectories: [a, b], parallelism: 1).scan()
        let parallel = try DataDirectoryScanner(dataDirectories: [a, b], parallelism: 4).scan()
        // Whole values: every table (backups, compacted, live, each snapshot, the snapshot union).
        #expect(serial.tables == parallel.tables)
        #expect(serial.errors == parallel.errors)
        #expect(!serial.tables.isEmpty && serial.tables.contains { !$0.snapshots.isEmpty })
    }

    @Test func missingDataDirectoryFailsTheScan() throws {
        let scanner = DataDirectoryScanner(dataDirectories: ["/nonexistent/cassandra/data"])
        #expect(throws: DataDirectoryScanner.Failure.self) { try scanner.scan() }
    }
}
