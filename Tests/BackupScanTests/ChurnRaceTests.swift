import BackupScan
import Foundation
import Testing
import TestSupport

/// Scans while another thread links and deletes files, as flushes and the shipping job do on a
/// live node: no crash, and every count lies between the oracle's values before and after.
@Suite struct ChurnRaceTests {
    static let tableID = "5a1c395e32b611eeb5ad0242ac120002"
    static let files = 4_000

    @Test func countsStayWithinTheOracleBoundsWhileFilesAppearAndVanish() throws {
        let temp = try TemporaryDirectory("race")
        defer { temp.remove() }
        let tree = FixtureBuilder(root: temp.path)
        let table = "data/ks/t-\(Self.tableID)"
        try tree.file("\(table)/nb-1-big-Data.db", size: 4096)
        try tree.directory("\(table)/backups/.idx")
        let backups = temp("\(table)/backups")
        let scanner = DataDirectoryScanner(dataDirectories: [temp("data")], parallelism: 2)

        // Phase 1: files only appear (flushes linking into backups/).
        let before = try FileOracle(backups)
        let added = try scanWhile(scanner) {
            for number in 0..<Self.files {
                let subdirectory = number % 3 == 0 ? "/.idx" : ""
                try tree.link("\(table)/backups\(subdirectory)/nb-\(number + 10)-big-Data.db", to: "\(table)/nb-1-big-Data.db")
            }
        }
        let afterAdding = try FileOracle(backups)
        #expect(before.count == 0 && afterAdding.count == UInt64(Self.files))
        for measurement in added {
            let files = measurement.tables.first?.backups.files ?? 0
            #expect((before.count...afterAdding.count).contains(files))
        }

        // Phase 2: files only vanish (the shipping job clearing backups/).
        let removed = try scanWhile(scanner) {
            for number in 0..<Self.files {
                let subdirectory = number % 3 == 0 ? "/.idx" : ""
                try FileManager.default.removeItem(atPath: "\(backups)\(subdirectory)/nb-\(number + 10)-big-Data.db")
            }
        }
        let afterRemoving = try FileOracle(backups)
        #expect(afterRemoving.count == 0)
        for measurement in removed {
            let table = try #require(measurement.tables.first)
            #expect((afterRemoving.count...afterAdding.count).contains(table.backups.files))
            // Every backup shares the live inode: at most one inode's blocks.
            #expect(table.backups.allocatedBytes <= 4096)
        }
        #expect(added.count + removed.count >= 4, "scans ran during the churn: \(added.count) + \(removed.count)")
    }

    /// Runs `churn` on another thread and scans until it finishes; returns every measurement.
    private func scanWhile(_ scanner: DataDirectoryScanner, churn: @escaping @Sendable () throws -> Void) throws -> [NodeMeasurement] {
        let done = Flag()
        let thread = Thread {
            do { try churn() } catch { Issue.record("churn failed: \(error)") }
            done.set()
        }
        thread.start()
        var measurements: [NodeMeasurement] = []
        repeat {
            measurements.append(try scanner.scan())
        } while !done.isSet || measurements.count < 2
        return measurements
    }
}
