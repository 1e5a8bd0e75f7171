import BackupScan
import ExporterCore
import Exposition
import Foundation
import Logging
import Testing
import TestSupport

@Suite struct CollectorTests {
    @Test func failedScanKeepsTheLastGoodValues() throws {
        let temp = try TemporaryDirectory("collector")
        defer { temp.remove() }
        try FixtureBuilder(root: temp.path).flushedSSTable(in: FixtureBuilder.table(), size: 10_000, live: false)
        let collector = Collector(scanner: DataDirectoryScanner(dataDirectories: [temp("data")]), configPath: nil,
                                  logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() })
        var memory = ScanMemory()
        let first = collector.collect(after: CollectorState(build: .current), memory: &memory)
        #expect(first.status.lastScanSucceeded == true)
        let goodTimestamp = try #require(first.status.lastSuccessTimestamp)

        try FileManager.default.moveItem(atPath: temp("data"), toPath: temp("moved"))
        let second = collector.collect(after: first, memory: &memory)
        #expect(second.status.lastScanSucceeded == false)
        #expect(second.status.lastSuccessTimestamp == goodTimestamp)
        #expect(second.measurement?.tables.first?.backups.files == 1)

        let samples = parseExposition(PublishedState(collector: second).exposition().joined())
        #expect(samples.value("cassandra_backup_scan_success") == 0)
        #expect(samples.value("cassandra_backup_files", ["table": "t"]) == 1)
    }

    @Test func configIsReReadAndABrokenFileKeepsTheLastGoodValue() throws {
        let temp = try TemporaryDirectory("collector")
        defer { temp.remove() }
        try FileManager.default.createDirectory(atPath: temp("data"), withIntermediateDirectories: true)
        let config = temp("cassandra.yaml")
        let collector = Collector(scanner: DataDirectoryScanner(dataDirectories: [temp("data")]), configPath: config,
                                  logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() })
        try "incremental_backups: true\n".write(toFile: config, atomically: true, encoding: .utf8)
        var memory = ScanMemory()
        var state = collector.collect(after: CollectorState(build: .current), memory: &memory)
        #expect(state.status.incrementalEnabled[.config] == true)
        #expect(state.status.stateProbeSucceeded[.config] == true)

        try "incremental_backups: false\n".write(toFile: config, atomically: true, encoding: .utf8)
        state = collector.collect(after: state, memory: &memory)
        #expect(state.status.incrementalEnabled[.config] == false)

        try "incremental_backups: [broken\n".write(toFile: config, atomically: true, encoding: .utf8)
        state = collector.collect(after: state, memory: &memory)
        #expect(state.status.incrementalEnabled[.config] == false)
        #expect(state.status.stateProbeSucceeded[.config] == false)
        #expect(state.status.lastScanSucceeded == true)

        // Emptied in place, or only comments left: no settings is never "Cassandra's defaults"
        // (Cassandra itself does not start on it); the last good value stays.
        try "incremental_backups: true\n".write(toFile: config, atomically: true, encoding: .utf8)
        state = collector.collect(after: state, memory: &memory)
        #expect(state.status.incrementalEnabled[.config] == true)
        for text in ["", "# incremental_backups: false\n\n---\n"] {
            try text.write(toFile: config, atomically: false, encoding: .utf8)
            state = collector.collect(after: state, memory: &memory)
            #expect(state.status.incrementalEnabled[.config] == true, "\(text.debugDescription)")
            #expect(state.status.stateProbeSucceeded[.config] == false)
        }
    }
}

@Suite struct FullWalkTests {
    @Test func everyNthScanWalksEverythingAndCatchesWhatStampsMiss() throws {
        let temp = try TemporaryDirectory("fullwalk")
        defer { temp.remove() }
        let tree = FixtureBuilder(root: temp.path)
        let table = FixtureBuilder.table()
        try tree.flushedSSTable(in: table, size: 8192, live: false)
        let collector = Collector(scanner: DataDirectoryScanner(dataDirectories: [temp("data")], stampTrustSeconds: 0), configPath: nil,
                                  logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }, fullScanEvery: 3)
        var memory = ScanMemory()
        var state = collector.collect(after: CollectorState(build: .current), memory: &memory)
        #expect(state.status.tablesWalked == 1)
        let exclusive = try #require(state.measurement?.tables.first?.backups.exclusiveBytes)
        #expect(exclusive > 0)
        usleep(20_000)
        // A link from outside the table: no directory of the table changes.
        try FileManager.default.linkItem(atPath: temp("\(table)/backups/nb-1-big-Data.db"), toPath: temp("elsewhere"))
        var seen: [(walked: Int?, exclusive: UInt64?)] = []
        for _ in 0..<3 {
            state = collector.collect(after: state, memory: &memory)
            seen.append((state.status.tablesWalked, state.measurement?.tables.first?.backups.exclusiveBytes))
        }
        #expect(seen.map(\.walked) == [0, 0, 1], "scans 2 and 3 reuse; scan 4 is the periodic full walk")
        #expect(seen.map(\.exclusive) == [exclusive, exclusive, 0])
    }
}
