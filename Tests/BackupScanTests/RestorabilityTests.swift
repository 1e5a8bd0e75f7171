import BackupScan
import Foundation
import Testing
import TestSupport

/// Whether what is on disk would restore, on trees laid out from SSTables Cassandra wrote (every
/// format from 3.0 to 5.0); every count is checked against the shell oracle (``SSTableOracle``).
@Suite struct RestorabilityTests {
    private func scan(_ node: RealNode, settle: Double = 0) throws -> NodeMeasurement {
        try DataDirectoryScanner(dataDirectories: node.dataDirectories.map { "\(node.root)/\($0)" }, sstableSettleSeconds: settle).scan()
    }

    private func measurement(_ measured: NodeMeasurement, _ node: RealNode, _ index: Int, in dataDirectory: String = "data") throws -> TableMeasurement {
        try #require(measured.tables.first { $0.key.dataDirectory == "\(node.root)/\(dataDirectory)" && $0.key.tableID == RealNode.tableID(index) })
    }

    /// Every SSTable of every format, in `backups/` (with an index's) and in a snapshot with a
    /// manifest of its version's shape: complete, and every snapshot restores.
    @Test func everyFormatCassandraWroteIsCompleteAndRestores() throws {
        let temp = try TemporaryDirectory("restore")
        defer { temp.remove() }
        let node = RealNode(root: temp.path)
        try node.build()
        let measured = try scan(node)
        #expect(measured.tables.count == RealSSTable.all.count)
        for index in RealSSTable.all.indices {
            let table = try measurement(measured, node, index)
            let backups = try SSTableOracle.count(in: "\(temp.path)/\(node.table(index, in: "data"))/backups")
            #expect(backups.incomplete == 0)
            #expect(table.backupSSTables.complete == UInt64(backups.sstables), "\(RealSSTable.all[index].table)")
            #expect(table.backupSSTables.incomplete == 0 && table.backupSSTables.pending == 0)
            let snapshot = try #require(table.snapshots.first)
            let inSnapshot = try SSTableOracle.count(in: "\(temp.path)/\(node.table(index, in: "data"))/snapshots/weekly")
            #expect(snapshot.sstables.complete == UInt64(inSnapshot.sstables) && snapshot.sstables.incomplete == 0)
            #expect(snapshot.problems.isEmpty, "\(RealSSTable.all[index].table): \(snapshot.problems)")
            #expect(table.backupSSTables.rewrittenComponents == 0 && table.snapshotRewrittenComponents == 0)
        }
    }

    /// One thing broken at a time, each reported with its reason, and the node restored reports
    /// complete again.
    @Test func eachBreakageIsReportedWithItsReason() throws {
        let temp = try TemporaryDirectory("broken")
        defer { temp.remove() }
        let sstables = [RealSSTable.all.first { $0.version == "me" }!, RealSSTable.all.first { $0.version == "da" }!]
        let node = RealNode(root: temp.path, sstables: sstables)
        try node.build()
        let big = "\(temp.path)/\(node.table(0, in: "data"))", bti = "\(temp.path)/\(node.table(1, in: "data"))"
        let bigFile = { (component: String, generation: Int) in sstables[0].file(component, generation: generation) }
        let btiFile = { (component: String, generation: Int) in sstables[1].file(component, generation: generation) }
        func check(_ when: String, backups: UInt64, snapshot: UInt64, problems: RestoreProblems, table index: Int = 0) throws {
            let measured = try scan(node)
            let table = try measurement(measured, node, index)
            let directory = index == 0 ? big : bti
            let oracleBackups = UInt64(try SSTableOracle.count(in: directory + "/backups").incomplete)
            let oracleSnapshot = UInt64(try SSTableOracle.count(in: directory + "/snapshots/weekly").incomplete)
            #expect(table.backupSSTables.incomplete == backups && oracleBackups == backups, "\(when): backups")
            #expect(table.snapshots[0].sstables.incomplete == snapshot && oracleSnapshot == snapshot, "\(when): snapshot")
            #expect(table.snapshots[0].problems == problems, "\(when): \(table.snapshots[0].problems)")
        }
        try check("built", backups: 0, snapshot: 0, problems: [])

        // A shipping job that deleted a component of a backup.
        try FileManager.default.removeItem(atPath: "\(big)/backups/\(bigFile("Statistics.db", 3))")
        try check("a backup's Statistics.db gone", backups: 1, snapshot: 0, problems: [])
        // The bloom filter of a snapshot: incomplete, but Cassandra rebuilds it on load.
        try FileManager.default.removeItem(atPath: "\(big)/snapshots/weekly/\(bigFile("Filter.db", 1))")
        try check("a snapshot's Filter.db gone", backups: 1, snapshot: 1, problems: [])
        // Its primary index: that does not restore.
        try FileManager.default.removeItem(atPath: "\(big)/snapshots/weekly/\(bigFile("Index.db", 2))")
        try check("a snapshot's Index.db gone", backups: 1, snapshot: 2, problems: .incompleteSSTable)
        // A bti SSTable's Partitions.db is its primary index.
        try FileManager.default.removeItem(atPath: "\(bti)/snapshots/weekly/\(btiFile("Partitions.db", 1))")
        try check("a bti snapshot's Partitions.db gone", backups: 0, snapshot: 1, problems: .incompleteSSTable, table: 1)
        // Whole SSTables gone that the manifest names: the index's too.
        let index = try #require(node.indexDirectory(0))
        for component in sstables[0].components.map(\.name) {
            try FileManager.default.removeItem(atPath: "\(big)/snapshots/weekly/\(index)/\(bigFile(component, 1))")
        }
        try check("an index SSTable named by the manifest gone", backups: 1, snapshot: 2, problems: [.incompleteSSTable, .missingFile])
        try FileManager.default.removeItem(atPath: "\(big)/snapshots/weekly/schema.cql")
        try check("schema.cql gone", backups: 1, snapshot: 2, problems: [.incompleteSSTable, .missingFile, .noSchema])
        try FileManager.default.removeItem(atPath: "\(big)/snapshots/weekly/manifest.json")
        try check("manifest.json gone", backups: 1, snapshot: 2, problems: [.incompleteSSTable, .noManifest, .noSchema])

        // Restored from a fresh layout: complete again.
        try FileManager.default.removeItem(atPath: "\(temp.path)/data")
        try node.build()
        try check("rebuilt", backups: 0, snapshot: 0, problems: [])
    }

    /// With two data directories a snapshot's manifest is in one of them and names files in
    /// both: judged across them it restores; with one part cleared it does not, on both parts.
    @Test func aSnapshotSpreadOverDataDirectoriesIsJudgedWhole() throws {
        let temp = try TemporaryDirectory("jbod")
        defer { temp.remove() }
        let node = RealNode(root: temp.path, dataDirectories: ["a", "b"], sstables: Array(RealSSTable.all.prefix(3)))
        try node.build()
        var measured = try scan(node)
        for index in 0..<3 {
            for part in ["a", "b"] {
                #expect(try measurement(measured, node, index, in: part).snapshots[0].problems.isEmpty, "table \(index) part \(part)")
            }
        }
        try FileManager.default.removeItem(atPath: "\(temp.path)/\(node.table(1, in: "b"))/snapshots/weekly")
        measured = try scan(node)
        #expect(try measurement(measured, node, 1, in: "a").snapshots[0].problems == .missingFile)
        #expect(try measurement(measured, node, 0, in: "b").snapshots[0].problems.isEmpty)
    }

    /// Cassandra rewrote a live Statistics.db (a repair marking it repaired): a new inode under the
    /// same name. The copies in backups/ and the snapshot are counted as rewritten.
    @Test func rewrittenLiveComponentsAreCounted() throws {
        let temp = try TemporaryDirectory("drift")
        defer { temp.remove() }
        let node = RealNode(root: temp.path, sstables: [RealSSTable.all[0]])
        try node.build()
        let table = "\(temp.path)/\(node.table(0, in: "data"))"
        let name = RealSSTable.all[0].file("Statistics.db", generation: 1)
        try Data(repeating: 0x42, count: 100).write(to: URL(fileURLWithPath: "\(table)/\(name).new"))
        #expect(rename("\(table)/\(name).new", "\(table)/\(name)") == 0)
        let measured = try scan(node).tables[0]
        #expect(measured.backupSSTables.rewrittenComponents == 1)
        #expect(measured.snapshotRewrittenComponents == 1)
        #expect(measured.backupSSTables.incomplete == 0, "a rewritten component is still a complete copy")
    }

    /// A shipping run that leaves a rewritten component's copy in `backups/`: the relist of
    /// `backups/` still counts it against the live names, and once `backups/` is empty nothing is
    /// counted. A relist that skips listing the live directory must keep this.
    @Test func aRelistOfBackupsStillCountsRewrittenComponents() throws {
        let temp = try TemporaryDirectory("drift-relist")
        defer { temp.remove() }
        let sstable = RealSSTable.all[0]
        let (table, scanner) = try settledTable(sstable, in: temp)
        let statistics = sstable.file("Statistics.db", generation: 1)
        try Data(repeating: 0x42, count: 100).write(to: URL(fileURLWithPath: "\(table)/\(statistics).new"))
        #expect(rename("\(table)/\(statistics).new", "\(table)/\(statistics)") == 0)
        try sstable.write(in: table, generation: 9, with: FixtureBuilder(root: "/"))
        try sstable.link(from: table, into: "\(table)/backups", generation: 9, with: FixtureBuilder(root: "/"))
        Thread.sleep(forTimeInterval: 1.1)
        var report = try scanner.scan(reusing: nil)
        #expect(report.measurement.tables[0].backupSSTables.rewrittenComponents == 1)
        // Shipped: generation 9's copies leave backups/, generation 1's (with the rewritten one) stay.
        _ = try Command.output("find", ["\(table)/backups", "-name", "\(sstable.sstable(generation: 9))-*", "-delete"])
        report = try scanner.scan(reusing: report.cache, previous: report.measurement)
        #expect(report.tablesBackupsListed == 1 && report.tablesWalked == 0)
        #expect(report.measurement.tables[0].backupSSTables.rewrittenComponents == 1)
        let oracle = try SSTableOracle.count(in: "\(table)/backups")
        #expect(report.measurement.tables[0].backupSSTables.complete == UInt64(oracle.sstables) && oracle.incomplete == 0)
        _ = try Command.output("find", ["\(table)/backups", "-type", "f", "-delete"])
        report = try scanner.scan(reusing: report.cache, previous: report.measurement)
        #expect(report.tablesBackupsListed == 1 && report.tablesWalked == 0)
        #expect(report.measurement.tables[0].backupSSTables.rewrittenComponents == 0)
    }

    /// A TOC.txt is read only when a component may be missing (every component a TOC could list
    /// there: nothing to read, a cold node's disk spared), and then once per inode: later full
    /// walks read none.
    @Test func aTOCIsReadOnlyWhenNeededAndOnce() throws {
        let temp = try TemporaryDirectory("tocs")
        defer { temp.remove() }
        let node = RealNode(root: temp.path, sstables: Array(RealSSTable.all.prefix(10)))
        try node.build()
        let scanner = DataDirectoryScanner(dataDirectories: ["\(temp.path)/data"], sstableSettleSeconds: 0)
        _ = try scanner.scan()
        #expect(scanner.tocs.filesRead == 0, "every SSTable holds every component")
        // Bloom filters gone from backups/ and snapshots: each TOC is read to see whether it lists one.
        _ = try Command.output("find", [temp.path, "(", "-path", "*/backups/*", "-o", "-path", "*/snapshots/*", ")", "-name", "*-Filter.db", "-delete"])
        let tocInodes = Int(try Command.output("/bin/sh", ["-c", "find \"$1\" \\( -path '*/backups/*' -o -path '*/snapshots/*' \\) -name '*-TOC.txt' | xargs stat -c %i | sort -u | wc -l", "sh", temp.path])
            .trimmingCharacters(in: .whitespacesAndNewlines))!
        let measured = try scanner.scan()
        #expect(scanner.tocs.filesRead == tocInodes && tocInodes > 10)
        #expect(measured.tables.allSatisfy { $0.backupSSTables.incomplete > 0 && $0.backupSSTables.unrebuildable == 0 })
        _ = try scanner.scan()
        _ = try scanner.scan()
        #expect(scanner.tocs.filesRead == tocInodes)
    }

    /// A node of one table laid out from `sstable`, left to settle, and a scanner whose settle
    /// time is 1 s: the table's path and the scanner.
    private func settledTable(_ sstable: RealSSTable, in temp: TemporaryDirectory) throws -> (String, DataDirectoryScanner) {
        let node = RealNode(root: temp.path, sstables: [sstable])
        try node.build()
        Thread.sleep(forTimeInterval: 1.1)
        return ("\(temp.path)/\(node.table(0, in: "data"))",
                DataDirectoryScanner(dataDirectories: ["\(temp.path)/data"], stampTrustSeconds: 0, sstableSettleSeconds: 1))
    }

    /// A flush makes `backups/`'s new SSTable pending; once it settles the next scan judges it by
    /// listing `backups/` again, not by walking the table (which doubled a busy node's CPU).
    @Test func aSettledFlushIsJudgedByListingBackupsAgain() throws {
        let temp = try TemporaryDirectory("settle-relist")
        defer { temp.remove() }
        let sstable = RealSSTable.all[0]
        let (table, scanner) = try settledTable(sstable, in: temp)
        var report = try scanner.scan(reusing: nil)
        #expect(report.measurement.tables[0].backupSSTables.pending == 0)
        try sstable.write(in: table, generation: 9, with: FixtureBuilder(root: "/"))
        try sstable.link(from: table, into: "\(table)/backups", generation: 9, with: FixtureBuilder(root: "/"))
        report = try scanner.scan(reusing: report.cache, previous: report.measurement)
        #expect(report.tablesWalked == 1 && report.measurement.tables[0].backupSSTables.pending == 1, "the flush changed the table: walked")
        report = try scanner.scan(reusing: report.cache, previous: report.measurement)
        #expect(report.tablesReused == 1, "still pending: nothing to look at")
        Thread.sleep(forTimeInterval: 1.1)
        report = try scanner.scan(reusing: report.cache, previous: report.measurement)
        #expect(report.tablesBackupsListed == 1 && report.tablesWalked == 0)
        let backups = report.measurement.tables[0].backupSSTables
        let oracle = try SSTableOracle.count(in: "\(table)/backups")
        #expect(backups.pending == 0 && backups.complete == UInt64(oracle.sstables) && oracle.incomplete == 0)
        report = try scanner.scan(reusing: report.cache, previous: report.measurement)
        #expect(report.tablesReused == 1, "judged: reused again")
    }

    /// A compaction removing a live file sets the `st_ctime` of its copies in `backups/` and the
    /// snapshot: `backups/`'s SSTable is pending again (its own links are what shipping changes),
    /// the snapshot's is not (only the snapshot's directory tells whether it is still being made).
    /// Before, every shipping run made every table's snapshots pending and then walked them all.
    @Test func linksRemovedElsewhereLeaveASnapshotJudged() throws {
        let temp = try TemporaryDirectory("settle-snapshot")
        defer { temp.remove() }
        let sstable = RealSSTable.all[0]
        let (table, scanner) = try settledTable(sstable, in: temp)
        var measured = try scanner.scan().tables[0]
        #expect(measured.backupSSTables.pending == 0 && measured.snapshots[0].sstables.pending == 0)
        try FileManager.default.removeItem(atPath: "\(table)/\(sstable.file("Data.db", generation: 1))")
        measured = try scanner.scan().tables[0]
        #expect(measured.backupSSTables.pending == 1)
        #expect(measured.snapshots[0].sstables.pending == 0 && measured.snapshots[0].sstables.complete == 3)
    }

    /// A snapshot being taken (its SSTables linked, its manifest and schema not written yet) is not
    /// judged until it settles: before, the fleet's alert test saw `no_manifest` for a snapshot
    /// the simulator was taking.
    @Test func aSnapshotBeingTakenIsNotJudgedUntilItSettles() throws {
        let temp = try TemporaryDirectory("snapshot-taking")
        defer { temp.remove() }
        let sstable = RealSSTable.all[0]
        let (table, scanner) = try settledTable(sstable, in: temp)
        let snapshot = "\(table)/snapshots/being-taken"
        try FileManager.default.createDirectory(atPath: snapshot, withIntermediateDirectories: true)
        try sstable.link(from: table, into: snapshot, generation: 1, with: FixtureBuilder(root: "/"))
        var taking = try #require(try scanner.scan().tables[0].snapshots.first { $0.tag == "being-taken" })
        #expect(taking.sstables.pending > 0 && taking.problems.isEmpty, "\(taking.problems)")
        Thread.sleep(forTimeInterval: 1.1)
        taking = try #require(try scanner.scan().tables[0].snapshots.first { $0.tag == "being-taken" })
        #expect(taking.sstables.pending == 0 && taking.problems == [.noManifest, .noSchema], "\(taking.problems)")
    }

    /// An SSTable linked component by component, then deleted component by component, while
    /// scans run: pending while it moves, never incomplete.
    @Test func anSSTableBeingLinkedOrDeletedIsPendingNeverIncomplete() throws {
        let temp = try TemporaryDirectory("race")
        defer { temp.remove() }
        let sstable = RealSSTable.all[0]
        let node = RealNode(root: temp.path, sstables: [sstable])
        try node.build()
        let table = "\(temp.path)/\(node.table(0, in: "data"))"
        let scanner = DataDirectoryScanner(dataDirectories: ["\(temp.path)/data"])  // the default settle time
        let done = Flag()
        let writer = Thread {
            for generation in 10..<14 {
                try? sstable.write(in: table, generation: generation, with: FixtureBuilder(root: "/"))
                for (component, _) in sstable.components {
                    try? FileManager.default.linkItem(atPath: "\(table)/\(sstable.file(component, generation: generation))",
                                                      toPath: "\(table)/backups/\(sstable.file(component, generation: generation))")
                    usleep(20_000)
                }
                for (component, _) in sstable.components.shuffled() {
                    try? FileManager.default.removeItem(atPath: "\(table)/backups/\(sstable.file(component, generation: generation))")
                    usleep(20_000)
                }
            }
            done.set()
        }
        writer.start()
        var pendingSeen: UInt64 = 0, scans = 0
        while !done.isSet {
            let measured = try scanner.scan().tables[0]
            #expect(measured.backupSSTables.incomplete == 0, "scan \(scans)")
            pendingSeen = max(pendingSeen, measured.backupSSTables.pending)
            scans += 1
        }
        #expect(scans > 10 && pendingSeen > 0, "\(scans) scans, pending seen \(pendingSeen)")
    }
}
