import Foundation
import NodeSimulator
import Testing
import TestSupport

/// The exporter binary serving HTTP on loopback, spoken to with curl.
@Suite(.serialized) struct ServerTests {
    static let exporter = BuiltProducts.path("cassandra-backup-exporter")

    private func startExporter(dataDirectory: String, interval: String = "60s") throws -> (RunningProcess, String) {
        let process = try RunningProcess(Self.exporter, ["--web.listen-address", "127.0.0.1:0", "--cassandra.data-dir", dataDirectory,
                                                         "--collector.interval", interval])
        let base = "http://127.0.0.1:\(try process.listeningPort())"
        _ = try process.waitForLine { _ in true }
        // Wait for the first scan to be published.
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            if try Command.output("curl", ["-s", base + "/metrics"]).contains("cassandra_backup_scan_success 1") { break }
            usleep(50_000)
        }
        return (process, base)
    }

    private func smallTree(_ temp: TemporaryDirectory) throws -> String {
        let node = SimulatedNode(dataDirectories: [temp("data")], seed: 7)
        try node.populate(flushes: 2)
        return temp("data")
    }

    /// Most of what the shared build kept resident beyond the exporter's own needs was Foundation
    /// with ICU and FoundationNetworking (docs/cost.md): the running daemon maps
    /// FoundationEssentials and nothing more of Foundation. The kernel's map of the process says so.
    @Test func mapsNoFoundationBeyondEssentials() throws {
        let temp = try TemporaryDirectory("server")
        defer { temp.remove() }
        let (exporter, _) = try startExporter(dataDirectory: try smallTree(temp))
        defer { exporter.stop() }
        let maps = try Command.output("cat", ["/proc/\(exporter.processIdentifier)/maps"])  // read whole: /proc files report size 0
        let libraries = Set(maps.split(separator: "\n").compactMap { $0.split(separator: " ").last }
            .map { String($0.split(separator: "/").last ?? "") }.filter { $0.contains(".so") })
        try #require(libraries.contains { $0.hasPrefix("libmicrohttpd.so") },
                     "the map lists the libraries: \(libraries.sorted())")
        for unwanted in ["libFoundation.so", "libFoundationNetworking.so", "libFoundationInternationalization.so", "lib_FoundationICU.so"] {
            #expect(!libraries.contains(unwanted), "\(unwanted) is loaded")
        }
    }

    @Test func metricsEndpointSpeaksHTTPProperly() throws {
        let temp = try TemporaryDirectory("server")
        defer { temp.remove() }
        let (exporter, base) = try startExporter(dataDirectory: try smallTree(temp))
        defer { exporter.stop() }

        let headers = try Command.output("curl", ["-s", "-D", "-", "-o", temp("plain"), base + "/metrics"])
        #expect(headers.hasPrefix("HTTP/1.1 200 OK"))
        #expect(headers.contains("Content-Type: text/plain; version=0.0.4; charset=utf-8\r\n"))
        let plain = try String(contentsOfFile: temp("plain"), encoding: .utf8)
        #expect(plain.contains("cassandra_backup_files{"))

        let gzipHeaders = try Command.output("curl", ["-s", "-D", "-", "-H", "Accept-Encoding: gzip", "-o", temp("body.gz"), base + "/metrics"])
        #expect(gzipHeaders.contains("Content-Encoding: gzip\r\n"))
        let unzipped = try Command.output("gzip", ["-dc", temp("body.gz")])
        #expect(unzipped == plain, "the gzip body is the same exposition")

        let head = try Command.output("curl", ["-s", "-I", base + "/metrics"])
        #expect(head.contains("Content-Length: \(plain.utf8.count)\r\n"))

        func status(_ arguments: [String]) throws -> String {
            try Command.output("curl", ["-s", "-o", "/dev/null", "-w", "%{http_code}"] + arguments)
        }
        #expect(try status([base + "/nothing-here"]) == "404")
        #expect(try status(["-X", "POST", base + "/metrics"]) == "405")
        #expect(try status(["-X", "PUT", base + "/"]) == "405")

        let keepAlive = try Command.run("curl", ["-s", "-v", "-o", "/dev/null", "-o", "/dev/null", base + "/metrics", base + "/"])
        #expect(keepAlive.stderr.contains("Re-using existing connection"), "\(keepAlive.stderr)")

        let landing = try Command.output("curl", ["-s", base + "/"])
        // Relative: behind a proxy that serves the exporter under a path prefix, the link stays inside it.
        #expect(landing.contains("<a href=\"./metrics\">"))
        #expect(landing.contains("Version \(try Repository.version)"))
        #expect(landing.contains("Last successful scan</th><td>20"))
    }

    @Test func scrapesDuringScansAlwaysGetACompleteExposition() throws {
        let temp = try TemporaryDirectory("server")
        defer { temp.remove() }
        let directories = [temp("data")]
        let node = SimulatedNode(dataDirectories: directories, seed: 9)
        try node.populate(flushes: 20)
        let (exporter, base) = try startExporter(dataDirectory: directories[0], interval: "50ms")
        defer { exporter.stop() }

        var successes = Set<Double>()
        for round in 0..<150 {
            if round % 10 == 0 { let (table, directory) = node.randomTarget(); try node.flush(table, in: directory) }
            let body = try Command.output("curl", ["-s", "--fail", "--max-time", "1", base + "/metrics"])
            let samples = parseExposition(body)
            #expect(samples.value("cassandra_backup_scan_success") == 1)
            #expect(body.hasSuffix("\n") && body.contains("process_start_time_seconds"))
            successes.insert(samples.value("cassandra_backup_scan_last_success_timestamp_seconds") ?? 0)
        }
        #expect(successes.count > 5, "scans kept running while scraped: \(successes.count) distinct scans seen")
    }

    @Test func failingScanKeepsServingTheLastGoodValues() throws {
        let temp = try TemporaryDirectory("server")
        defer { temp.remove() }
        let (exporter, base) = try startExporter(dataDirectory: try smallTree(temp), interval: "100ms")
        defer { exporter.stop() }
        let before = parseExposition(try Command.output("curl", ["-s", base + "/metrics"]))
        let files = before.filter { $0.name == "cassandra_backup_files" }.count
        #expect(files > 0)

        try FileManager.default.moveItem(atPath: temp("data"), toPath: temp("gone"))
        var after: [ExposedSample] = []
        for _ in 0..<100 {
            after = parseExposition(try Command.output("curl", ["-s", base + "/metrics"]))
            if after.value("cassandra_backup_scan_success") == 0 { break }
            usleep(50_000)
        }
        #expect(after.value("cassandra_backup_scan_success") == 0)
        #expect(after.filter { $0.name == "cassandra_backup_files" }.count == files)
        #expect(exporter.standardError.contains("level=error msg=\"scan failed; serving the last good values\""))
    }

    private func code(_ url: String) throws -> String {
        try Command.run("curl", ["-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "5", url]).stdout
    }

    /// `--web.listen-address` repeated binds each address, as exporter-toolkit does (the last one
    /// alone was served before).
    @Test func everyListenAddressIsServed() throws {
        let temp = try TemporaryDirectory("listen")
        defer { temp.remove() }
        let process = try RunningProcess(Self.exporter, ["--cassandra.data-dir", try smallTree(temp),
                                                         "--web.listen-address", "127.0.0.1:0", "--web.listen-address", "[::1]:0"])
        defer { process.stop() }
        _ = try process.waitForLine { $0.contains("address=[::1]:0") }
        let ports = process.standardError.split(separator: "\n").filter { $0.contains("msg=listening") }
            .compactMap { $0.split(separator: " ").first { $0.hasPrefix("port=") }.map { String($0.dropFirst(5)) } }
        try #require(ports.count == 2, "\(process.standardError)")
        #expect(try code("http://127.0.0.1:\(ports[0])/metrics") == "200")
        #expect(try code("http://[::1]:\(ports[1])/metrics") == "200")
    }

    /// `--web.systemd-socket` serves on the socket systemd passes, here from systemd's own
    /// `systemd-socket-activate`, which binds, and on the first connection sets LISTEN_FDS and
    /// LISTEN_PID and executes the exporter; that connection waits in the backlog and is served.
    /// Requests go through this process's own client: Foundation's child monitor waits for the
    /// exec'd process, so no other child (curl) could be reaped while it runs.
    @Test func servesTheSocketSystemdPasses() throws {
        let temp = try TemporaryDirectory("socket")
        defer { temp.remove() }
        let port = try freeLoopbackPort()
        let process = try RunningProcess(try Command.which("systemd-socket-activate"), [
            "-l", "127.0.0.1:\(port)", Self.exporter, "--web.systemd-socket", "--cassandra.data-dir", try smallTree(temp)])
        usleep(300_000)
        #expect(HTTPConnection(port: port).get("/metrics") == 200, "\(process.standardError)")
        _ = try process.waitForLine { $0.contains("msg=listening") && $0.contains("port=\(port)") }
        #expect(HTTPConnection(port: port).get("/metrics") == 200)
        process.stop()
        let without = try Command.run(Self.exporter, ["--web.systemd-socket", "--cassandra.data-dir", temp.path])
        #expect(without.status != 0 && without.stderr.contains("no socket passed by systemd"), "\(without.stderr)")
    }

    @Test func stopsCleanlyOnSIGTERMAndSIGINT() throws {
        let temp = try TemporaryDirectory("server")
        defer { temp.remove() }
        let data = try smallTree(temp)
        for signal in [SIGTERM, SIGINT] {
            let (exporter, _) = try startExporter(dataDirectory: data)
            #expect(exporter.stop(signal: signal, timeout: 5) == 0, "\(exporter.standardError)")
            #expect(exporter.standardError.contains("msg=stopped"))
        }
    }

    /// SIGHUP is logged and ignored: its default action ended the process with no line, and
    /// systemd does not restart a unit that a signal ended cleanly.
    @Test func sighupIsLoggedAndIgnored() throws {
        let temp = try TemporaryDirectory("hup")
        defer { temp.remove() }
        let (exporter, base) = try startExporter(dataDirectory: try smallTree(temp))
        kill(exporter.processIdentifier, SIGHUP)
        _ = try exporter.waitForLine(timeout: 5) { $0.contains("SIGHUP ignored") }
        #expect(try Command.output("curl", ["-s", base + "/metrics"]).contains("cassandra_backup_scan_success 1"))
        #expect(exporter.stop(timeout: 5) == 0)
    }

    /// The exit statuses `--help` (and the man page made from it) names are the ones each failure
    /// gives, with one line on standard error.
    @Test func helpNamesTheRealExitStatuses() throws {
        let temp = try TemporaryDirectory("status")
        defer { temp.remove() }
        let data = try smallTree(temp)
        let help = try Command.output(Self.exporter, ["--help"]).replacingOccurrences(of: "\n", with: " ")
            .split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
        #expect(help.contains("64 (EX_USAGE), with one line on standard error, for a bad flag or value, or a data directory that is missing or named twice;"), "\(help)")
        #expect(help.contains("1, with one line, for a broken cassandra.yaml or web config, an address that cannot be bound, or a --once run that cannot scan or write its file."), "\(help)")
        try "incremental_backups: 1\n".write(toFile: temp("cassandra.yaml"), atomically: true, encoding: .utf8)
        try "basic_auth_users: [\n".write(toFile: temp("web.yml"), atomically: true, encoding: .utf8)
        let (holder, _) = try startExporter(dataDirectory: data)
        defer { holder.stop() }
        let taken = try holder.listeningPort()
        let cases: [(arguments: [String], status: Int32)] = [
            (["--bogus"], 64), (["--collector.interval", "90"], 64), (["--cassandra.data-dir", temp("missing")], 64),
            (["--cassandra.data-dir", data, "--cassandra.data-dir", data + "/"], 64),
            (["--cassandra.data-dir", data, "--cassandra.config", temp("cassandra.yaml")], 1),
            (["--cassandra.data-dir", data, "--web.config.file", temp("web.yml")], 1),
            (["--cassandra.data-dir", data, "--web.listen-address", "127.0.0.1:\(taken)"], 1),
            (["--once", "--cassandra.data-dir", data, "--output.file", temp("missing/out.prom")], 1),
        ]
        for (arguments, status) in cases {
            let result = try Command.run(Self.exporter, arguments)
            #expect(result.status == status && result.stderr.split(separator: "\n").count == 1, "\(arguments): \(result.status) \(result.stderr)")
        }
        let unit = try Command.run(Self.exporter, ["--collector.interval", "90", "--cassandra.data-dir", data])
        #expect(unit.stderr.contains("a duration needs a unit, e.g. 90s"), "\(unit.stderr)")
    }

    /// Counts out of range stop start-up with one line: a `LISTEN_FDS` past what systemd passes
    /// (it crashed), and connection counts past what the kernel allows (4294967297 became 1).
    @Test func outOfRangeCountsAreOneClearLine() throws {
        let temp = try TemporaryDirectory("counts")
        defer { temp.remove() }
        let data = try smallTree(temp)
        let huge = try Command.run("/bin/sh", ["-c", "LISTEN_PID=$$ LISTEN_FDS=4294967299 exec \"$0\" --web.systemd-socket --cassandra.data-dir \"$1\"",
                                               Self.exporter, data])
        #expect(huge.status == 1 && huge.stderr.split(separator: "\n").count == 1 && huge.stderr.contains("LISTEN_FDS"), "\(huge.stderr)")
        for flag in ["--web.max-connections", "--web.max-connections-per-address", "--web.max-requests"] {
            let result = try Command.run(Self.exporter, [flag, "4294967297", "--cassandra.data-dir", data])
            #expect(result.status == 64 && result.stderr.split(separator: "\n").count == 1 && result.stderr.contains(flag), "\(flag): \(result.stderr)")
        }
    }
}
