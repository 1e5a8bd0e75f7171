import Foundation
import Testing
import TestSupport

/// Descriptors run short: the exporter raises its soft limit, holds no descriptor per keyspace
/// across a scan, and a scan that still runs out fails as a whole (last values kept, a reason)
/// instead of publishing tables as gone. Limits are set with util-linux's prlimit, the table
/// counts come from find.
@Suite(.serialized) struct DescriptorLimitTests {
    static let exporter = BuiltProducts.path("cassandra-backup-exporter")

    /// Table directories under `dataDirectory`, as find counts them.
    static func tableCount(_ dataDirectory: String) throws -> Int {
        try Command.output("find", [dataDirectory, "-mindepth", "2", "-maxdepth", "2", "-type", "d", "-name", "*-*"])
            .split(separator: "\n").count
    }

    static func measuredTables(_ exposition: String) -> Int {
        exposition.split(separator: "\n").filter { $0.hasPrefix("cassandra_backup_files{") }.count
    }

    /// 1,100 keyspaces of one table each under a hard limit of 1,024 (a container's, a shell's).
    /// Before: 0 of 1,100 tables measured, the scan reported successful.
    @Test func aThousandKeyspacesAreMeasuredUnderTheUsualLimit() throws {
        let temp = try TemporaryDirectory("keyspaces")
        defer { temp.remove() }
        let tree = FixtureBuilder(root: temp.path)
        for index in 0..<1100 {
            try tree.flushedSSTable(in: FixtureBuilder.table("ks\(index)"), size: 1000)
        }
        let result = try Command.run("prlimit", ["--nofile=1024:1024", Self.exporter, "--once", "--no-collector.runtime",
                                                 "--cassandra.data-dir", temp("data")])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(Self.measuredTables(result.stdout) == (try Self.tableCount(temp("data"))))
        #expect(Self.measuredTables(result.stdout) == 1100)
    }

    /// At every limit from barely enough to start up to plenty, a scan either measures every
    /// table or fails saying why; it never succeeds with tables missing.
    @Test func aScanShortOfDescriptorsFailsAndSaysWhy() throws {
        let temp = try TemporaryDirectory("scarce")
        defer { temp.remove() }
        let tree = FixtureBuilder(root: temp.path)
        for keyspace in ["a", "b", "c"] {
            for table in ["t", "u"] {
                let directory = FixtureBuilder.table(keyspace, table)
                try tree.flushedSSTable(in: directory, size: 1000)
                try tree.file("\(directory)/backups/.idx/nb-1-big-Data.db", size: 100)
                try tree.file("\(directory)/snapshots/daily/.idx/nb-1-big-Data.db", size: 100)
            }
        }
        let tables = try Self.tableCount(temp("data"))
        var complete: [Int] = [], failed: [Int] = [], other: [Int: String] = [:]
        for limit in 8...64 {
            let result = try Command.run("prlimit", ["--nofile=\(limit):\(limit)", Self.exporter, "--once", "--no-collector.runtime",
                                                     "--cassandra.data-dir", temp("data"), "--collector.parallelism", "2"])
            if result.status == 0 {
                #expect(Self.measuredTables(result.stdout) == tables, "limit \(limit): a successful scan measured every table")
                complete.append(limit)
            } else if result.stderr.contains("out of file descriptors") {
                failed.append(limit)
            } else {
                other[limit] = String(result.stderr.suffix(300))
            }
        }
        print("descriptor limits: scan failed saying why at \(failed), complete at \(complete.first ?? 0)...\(complete.last ?? 0), start-up failed at \(other.keys.sorted())")
        #expect(!failed.isEmpty, "some limit runs the walk short: \(other)")
        #expect(complete.contains(64))
    }
}
