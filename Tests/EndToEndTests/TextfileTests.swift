import Foundation
import NodeSimulator
import Testing
import TestSupport

/// `--once --output.file` feeding Debian's node_exporter (`prometheus-node-exporter`) through its
/// textfile collector, as a cron job or a systemd timer would.
@Suite struct TextfileTests {
    static let exporter = BuiltProducts.path("cassandra-backup-exporter")
    static let nodeExporter = "/usr/bin/prometheus-node-exporter"

    @Test func nodeExporterTakesTheFileCleanly() throws {
        let temp = try TemporaryDirectory("textfile")
        defer { temp.remove() }
        let directories = try SimulatedNode.jbodAfterSomeLife(in: temp)
        try FileManager.default.createDirectory(atPath: temp("textfile"), withIntermediateDirectories: true)
        let target = temp("textfile/cassandra_backup.prom")
        let once = try Command.run(Self.exporter, ["--once", "--output.file", target] + directories.flatMap { ["--cassandra.data-dir", $0] },
                                   environment: ["PATH": "/usr/bin:/bin"])
        #expect(once.status == 0 && once.stdout.isEmpty, "\(once.stderr)")
        let written = try String(contentsOfFile: target, encoding: .utf8)
        // Readable by node_exporter's own user, and nothing left behind.
        let attributes = try FileManager.default.attributesOfItem(atPath: target)
        #expect((attributes[.posixPermissions] as? Int) == 0o644)
        #expect(try FileManager.default.contentsOfDirectory(atPath: temp("textfile")) == ["cassandra_backup.prom"])

        let port = try freeLoopbackPort()
        let node = try RunningProcess(Self.nodeExporter, ["--web.listen-address=127.0.0.1:\(port)", "--collector.disable-defaults",
                                                          "--collector.textfile", "--collector.textfile.directory=\(temp("textfile"))"])
        defer { _ = node.stop() }
        _ = try node.waitForLine { $0.contains("Listening on") }
        // Two scrapes: node_exporter logs a gathering error on each scrape that has duplicates.
        var body = ""
        for _ in 0..<2 {
            let scrape = try Command.run("curl", ["-sS", "--fail", "http://127.0.0.1:\(port)/metrics"])
            #expect(scrape.status == 0, "\(scrape.stderr)")
            body = scrape.stdout
        }
        let samples = parseExposition(body)
        #expect(samples.value("node_textfile_scrape_error") == 0)
        #expect(samples.value("cassandra_backup_scan_success") == 1)
        // Every series of the file reaches node_exporter's output unchanged.
        let mine = parseExposition(written)
        #expect(!mine.isEmpty)
        for sample in mine {
            #expect(samples.value(sample.name, sample.labels) == sample.value, "\(sample.name) \(sample.labels)")
        }
        #expect(samples.contains { $0.name == "node_textfile_mtime_seconds" && $0.labels["file"]?.hasSuffix("cassandra_backup.prom") == true })
        Thread.sleep(forTimeInterval: 0.2)
        let log = node.standardError
        #expect(!log.contains("level=error") && !log.contains("was collected before"), "\(log)")
    }

    @Test(.enabled(if: runsAsRoot, "becomes the user nobody with setpriv, which needs root"))
    func aFailedScanLeavesTheFileAsItWas() throws {
        let temp = try TemporaryDirectory("textfile")
        defer { temp.remove() }
        try FileManager.default.createDirectory(atPath: temp("data"), withIntermediateDirectories: true)
        try "previous\n".write(toFile: temp("out.prom"), atomically: true, encoding: .utf8)
        chmod(temp("data"), 0)  // unreadable: the scan fails (the suite runs as root, so as nobody)
        defer { chmod(temp("data"), 0o755) }
        let result = try Command.run("/usr/bin/setpriv", ["--reuid=nobody", "--regid=nogroup", "--clear-groups", Self.exporter,
                                                          "--once", "--output.file", temp("out.prom"), "--cassandra.data-dir", temp("data")])
        #expect(result.status != 0)
        #expect(try String(contentsOfFile: temp("out.prom"), encoding: .utf8) == "previous\n")
    }

    @Test(arguments: [(["--output.file", "/tmp/x.prom"], "--output.file needs --once"),
                      (["--once", "--output.file", "DATA/ks/x.prom"], "is inside the data directory"),
                      // The same directory spelled otherwise: through a symlink, with `..`.
                      (["--once", "--output.file", "LINK/x.prom"], "is inside the data directory"),
                      (["--once", "--output.file", "DATA/../data/x.prom"], "is inside the data directory"),
                      (["--once", "--cassandra.data-dir", "LINK"], "are the same directory"),
                      (["--once", "--output.file", "/nonexistent/dir/x.prom"], "cannot create /nonexistent/dir/.x.prom.")])
    func badOutputFileStopsWithOneLine(arguments: [String], mention: String) throws {
        let temp = try TemporaryDirectory("textfile")
        defer { temp.remove() }
        try FileManager.default.createDirectory(atPath: temp("data"), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: temp("link"), withDestinationPath: temp("data"))
        let result = try Command.run(Self.exporter, arguments.map { $0.replacingOccurrences(of: "DATA", with: temp("data"))
                                                                      .replacingOccurrences(of: "LINK", with: temp("link")) }
                                     + ["--cassandra.data-dir", temp("data")])
        #expect(result.status != 0)
        #expect(result.stderr.contains(mention) && result.stderr.filter(\.isNewline).count == 1, "\(result.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: temp("data")).isEmpty)
    }
}
