import Foundation
import NodeSimulator
import Testing
import TestSupport

@Suite(.serialized) struct ReadOnlyAndHostileNamesTests {
    static let exporter = BuiltProducts.path("cassandra-backup-exporter")

    /// Every entry under `root` with type, size, mode, mtime, ctime, inode and link count.
    static func listing(_ root: String) throws -> String {
        try Command.output("find", [root, "-printf", "%p|%y|%s|%m|%T@|%C@|%i|%n\\n"]).split(separator: "\n").sorted().joined(separator: "\n")
    }

    @Test func manyScansCreateChangeAndDeleteNothing() throws {
        let temp = try TemporaryDirectory("readonly")
        defer { temp.remove() }
        let node = SimulatedNode(dataDirectories: [temp("d1"), temp("d2")], seed: 11)
        try node.populate(flushes: 3)
        try node.snapshot(tag: "weekly")
        try "incremental_backups: true\n".write(toFile: temp("cassandra.yaml"), atomically: true, encoding: .utf8)
        Thread.sleep(forTimeInterval: 0.05)
        let before = try Self.listing(temp.path)

        let daemon = try RunningProcess(Self.exporter, ["--web.listen-address", "127.0.0.1:0", "--cassandra.data-dir", temp("d1"),
                                                        "--cassandra.data-dir", temp("d2"), "--cassandra.config", temp("cassandra.yaml"),
                                                        "--collector.interval", "20ms", "--collector.full-scan-every", "3"])
        let port = try daemon.listeningPort()
        Thread.sleep(forTimeInterval: 2)
        for _ in 0..<10 {
            _ = try Command.run("curl", ["-s", "-o", "/dev/null", "http://127.0.0.1:\(port)/metrics"])
            _ = try Command.run(Self.exporter, ["--once", "--cassandra.data-dir", temp("d1"), "--cassandra.data-dir", temp("d2")])
        }
        let scans = parseExposition(try Command.output("curl", ["-s", "http://127.0.0.1:\(port)/metrics"]))
            .value("cassandra_backup_scan_last_success_timestamp_seconds")
        #expect(daemon.stop() == 0)
        #expect(scans != nil)
        let after = try Self.listing(temp.path)
        #expect(before == after, "the scans changed the tree")
    }

    @Test func hostileNamesKeepTheExpositionValid() throws {
        let temp = try TemporaryDirectory("hostile-names")
        defer { temp.remove() }
        let tree = FixtureBuilder(root: temp.path)
        let id = "0123456789abcdef0123456789abcdef"
        let names = ["quote\"d", #"back\slash"#, "new\nline", "tab\tand space", String(repeating: "l", count: 200), "caf\u{E9}"]
        for (number, name) in names.enumerated() {
            // As keyspace, as table name and as snapshot tag.
            try tree.file("data/\(name)/t\(number)-\(id)/backups/nb-1-big-Data.db", size: 100)
            try tree.file("data/ks/\(name)-\(id)/backups/nb-1-big-Data.db", size: 100)
            try tree.file("data/ks/t-\(id)/snapshots/\(name)/nb-1-big-Data.db", size: 100)
        }
        // A path over 4 KB long, deep in backups/ (each component under NAME_MAX).
        var deep = "data/ks/deep-\(id)/backups"
        for _ in 0..<4 { deep += "/" + String(repeating: "d", count: 250) }
        try tree.file(deep + "/nb-1-big-Data.db", size: 100)
        // Names that are not UTF-8: bytes made with the shell, as another program would.
        // \376x and \377x differ only in a byte that is not UTF-8, and U+FFFDx is valid UTF-8 that
        // reads like both: three tables, three series.
        _ = try Command.output("/bin/sh", ["-c", "mkdir -p \"$1/data/$(printf 'bad\\377\\376')\"/t-\(id)/backups \"$1/data/ks/$(printf '\\377x')-\(id)/backups\" && "
            + "echo x > \"$1/data/ks/$(printf '\\377x')-\(id)/backups/nb-1-big-Data.db\" && "
            + "mkdir -p \"$1/data/ks/$(printf '\\376x')-\(id)/backups\" \"$1/data/ks/$(printf '\\357\\277\\275x')-\(id)/backups\"", "sh", temp.path])

        let result = try Command.run(Self.exporter, ["--once", "--collector.snapshot-detail", "--cassandra.data-dir", temp("data")])
        #expect(result.status == 0, "\(result.stderr)")
        let lint = try Command.run("promtool", ["check", "metrics"], stdin: result.stdout)
        #expect(lint.status == 0 && lint.stdout.isEmpty && lint.stderr.isEmpty, "\(lint.stdout)\(lint.stderr)")
        let samples = parseExposition(result.stdout)
        #expect(samples.value("cassandra_backup_scan_errors_total", ["reason": "other"]) == 0)
        #expect(samples.value("cassandra_backup_scan_errors_total", ["reason": "vanished"]) == 0)
        for name in names {
            #expect(samples.value("cassandra_backup_files", ["keyspace": name]) == 1, "keyspace \(name.debugDescription)")
            #expect(samples.value("cassandra_backup_files", ["keyspace": "ks", "table": name]) == 1, "table \(name.debugDescription)")
            #expect(samples.value("cassandra_backup_snapshot_files", ["snapshot": name]) == 1, "snapshot \(name.debugDescription)")
        }
        #expect(samples.value("cassandra_backup_files", ["table": "deep"]) == 1)
        // Invalid bytes show as U+FFFD in labels with the name's bytes in hex, and the directories
        // are still read by their bytes.
        #expect(samples.value("cassandra_backup_files", ["keyspace": "bad\u{FFFD}\u{FFFD} [626164fffe]"]) == 0)
        // A table's label carries the bytes of its whole directory name.
        let idHex = Array("-\(id)".utf8).map { String($0, radix: 16) }.joined()
        #expect(samples.value("cassandra_backup_files", ["keyspace": "ks", "table": "\u{FFFD}x [ff78\(idHex)]"]) == 1)
        #expect(samples.value("cassandra_backup_files", ["keyspace": "ks", "table": "\u{FFFD}x [fe78\(idHex)]"]) == 0)
        #expect(samples.value("cassandra_backup_files", ["keyspace": "ks", "table": "\u{FFFD}x [efbfbd78\(idHex)]"]) == 0)
    }
}
